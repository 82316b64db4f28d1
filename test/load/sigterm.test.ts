// Load: SIGTERM to one of two replicas under load. The client (another process) routes by readiness, as
// Endpoints do; the terminated replica turns unready at once, keeps answering through its drain delay, finishes
// what is in flight and exits 0 well within 25 s. A fixed number of keep-alive requests: zero non-200 answers,
// and each replica's log holds exactly one review line per answer it gave, the drain included.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePki } from '../../src/webhook/certs.js';
import type { Pki } from '../../src/webhook/certs.js';
import { startServe } from '../webhook/helpers/serve-process.js';
import type { ServeProcess } from '../webhook/helpers/serve-process.js';
import { referenceBodies } from './bodies.js';
import { checkReviewLog, stdoutDrained } from './review-log.js';
import { startClient } from './run-client.js';

const SVC = 'imply-lint-webhook';
const NS = 'imply-lint';
const HOST = `${SVC}.${NS}.svc`;
// Enough that the load outlasts the drain (2 s) and shutdown even on an idle machine: the overlap is asserted.
const TOTAL = 16000;
// At most this many requests start per second, so the load outlasts the drain (2 s) and the exit even when the
// repeated bodies are decision-cache hits: 16,000 take at least 8 s, the SIGTERM comes at 1/4.
const RATE = 2000;

describe('SIGTERM under load', () => {
  let dir: string;
  let pki: Pki;
  let a: ServeProcess;
  let b: ServeProcess;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-sigterm-'));
    pki = await generatePki({ service: SVC, namespace: NS, now: new Date() });
    fs.writeFileSync(path.join(dir, 'tls.crt'), pki.serving.certPem);
    fs.writeFileSync(path.join(dir, 'tls.key'), pki.serving.keyPem);
    const args = ['--cert', path.join(dir, 'tls.crt'), '--key', path.join(dir, 'tls.key'), '--drain-delay', '2s', '--workers', '1'];
    [a, b] = await Promise.all([startServe(args), startServe(args)]);
    await Promise.all([a.waitReady(pki.ca.certPem, HOST), b.waitReady(pki.ca.certPem, HOST)]);
  });

  afterAll(async () => {
    for (const s of [a, b]) {
      if (s.proc.exitCode === null && s.proc.signalCode === null) {
        s.kill('SIGTERM');
        await s.exited;
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`${TOTAL} keep-alive requests across two replicas, one terminated midway: zero non-200 answers, exit 0`, async () => {
    const client = startClient({
      targets: [{ port: a.port }, { port: b.port }],
      ca: pki.ca.certPem,
      servername: HOST,
      bodies: referenceBodies(),
      total: TOTAL,
      concurrency: 8,
      keepAlive: true,
      readinessPollMs: 200,
      progressEvery: 50,
      maxRatePerSec: RATE,
    }, { record: true });
    await client.reached(TOTAL / 4);
    const sigtermAt = Date.now();
    a.kill('SIGTERM');
    // A second SIGTERM mid-drain (an impatient operator, a second controller) must not cut the drain short.
    const second = setTimeout(() => a.kill('SIGTERM'), 300);
    const exit = await a.exited;
    clearTimeout(second);
    const progressAtExit = client.progress();
    const s = await client.done;

    expect(exit.code).toBe(0);
    expect(exit.signal).toBeNull();
    expect(exit.at - sigtermAt).toBeLessThan(25_000);
    // The load went on after the replica left.
    expect(progressAtExit).toBeLessThan(TOTAL);
    expect(s.sent).toBe(TOTAL);
    expect(s.errors).toEqual([]);
    expect(s.badResponses).toEqual([]);
    expect(s.statuses).toEqual({ 200: TOTAL });
    expect(s.perTarget[a.port]).toBeGreaterThan(0);
    expect(s.perTarget[b.port]).toBeGreaterThan(TOTAL / 4);
    const events = a.logs.map((l) => l.event).filter(Boolean);
    expect(events.indexOf('draining')).toBeGreaterThan(events.indexOf('listening'));
    expect(events.at(-1)).toBe('stopped');
    expect(a.stderr()).toBe('');

    // Nothing lost from either log: the terminated replica's (through its drain and exit) and the survivor's.
    b.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
    await Promise.all([stdoutDrained(a.proc), stdoutDrained(b.proc)]);
    const logA = checkReviewLog(s.records, a.port, a.logs);
    const logB = checkReviewLog(s.records, b.port, b.logs);
    expect(logA).toEqual({ answered: s.perTarget[a.port], logged: s.perTarget[a.port], missing: [], duplicated: [], unexpected: [] });
    expect(logB).toEqual({ answered: s.perTarget[b.port], logged: s.perTarget[b.port], missing: [], duplicated: [], unexpected: [] });
    expect(a.logs.filter((l) => l.event === 'review' && l.time >= a.logs.find((x) => x.event === 'draining')!.time).length).toBeGreaterThan(0);
  });
});
