// Load: 100,000 fuzzed and mutated AdmissionReview bodies against the real `imply-lint serve` (a child process,
// --max-body 256KiB), sent over keep-alive TLS by a client in another process (test/load/fuzz-client.ts) that
// draws the bodies from a seed (test/fuzz/webhook-bodies.gen.ts) and checks each answer against the class the
// oracle gives for what was sent: 200 with the uid, 400, 413 or 415. Asserted on counts only: no mismatch, no
// connection error, no 500; the server alive and answering afterwards, one `review` log line per 200 answer, no
// error-level line, an empty stderr, exit 0 on SIGTERM, and peak RSS under a structural bound.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../src/webhook/certs.js';
import { review, SEED_OBJECT } from '../fuzz/webhook-bodies.gen.js';
import type { FuzzPlan } from '../fuzz/webhook-bodies.gen.js';
import { call } from '../webhook/helpers/https.js';
import { servingPki, startServe, stopServe, TSX } from '../webhook/helpers/serve-process.js';
import type { ServeProcess, ServingPki } from '../webhook/helpers/serve-process.js';
import type { FuzzClientConfig, FuzzClientSummary } from './fuzz-client.js';
import { stdoutDrained } from './review-log.js';

const SVC = 'imply-lint-webhook';
const NS = 'imply-lint';
const HOST = `${SVC}.${NS}.svc`;
const MAX_BODY = 256 * 1024;
const SEED = 6406;
const PLAN: FuzzPlan = { randomBytes: 20_000, randomJson: 20_000, mutated: 40_000, wellFormed: 19_800, limits: 100, contentType: 100 };
const TOTAL = Object.values(PLAN).reduce((a, b) => a + b, 0);
/** Peak RSS bound for the server process (main thread, rule workers, buffers): structural, far above normal use. */
const RSS_BOUND_KIB = 512 * 1024;

/** Runs the fuzz client in its own process to the end. */
function runFuzzClient(config: FuzzClientConfig): Promise<FuzzClientSummary> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-fuzz-client-'));
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify(config));
  const proc = spawn(process.execPath, ['--import', TSX, path.join(import.meta.dirname, 'fuzz-client.ts'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (c: string) => (out += c));
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (c: string) => (err += c));
  return new Promise((resolve, reject) =>
    proc.on('exit', (code) => {
      fs.rmSync(dir, { recursive: true, force: true });
      const last = out.trim().split('\n').at(-1);
      const summary = last ? (JSON.parse(last) as Partial<FuzzClientSummary>) : undefined;
      if (code === 0 && summary?.done) resolve(summary as FuzzClientSummary);
      else reject(new Error(`fuzz client exited with ${code}: ${err}`));
    }),
  );
}

/** Strings as they come back through UTF-8 (a lone surrogate becomes U+FFFD), so client and log uids compare. */
const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

/** Multiset difference a − b (with counts), up to 20 entries. */
function minus(a: Map<string, number>, b: Map<string, number>): [string, number][] {
  const out: [string, number][] = [];
  for (const [k, n] of a) if (n > (b.get(k) ?? 0)) out.push([k, n - (b.get(k) ?? 0)]);
  return out.slice(0, 20);
}

function countOf(values: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

describe(`${TOTAL} fuzzed AdmissionReview bodies over TLS`, () => {
  let certs: ServingPki;
  let dir: string;
  let pki: Pki;
  let s: ServeProcess;

  beforeAll(async () => {
    certs = await servingPki('imply-lint-fuzz-', SVC, NS);
    ({ dir, pki } = certs);
    s = await startServe([...certs.certArgs, '--max-body', '256KiB', '--drain-delay', '1s']);
    await s.waitReady(pki.ca.certPem, HOST);
  });

  afterAll(() => stopServe(s, certs));

  it('every answer in its class (200 with the uid, 400, 413, 415), never 500, no connection error; the log matches; exit 0', async () => {
    const uidsFile = path.join(dir, 'uids.jsonl');
    const started = Date.now();
    const c = await runFuzzClient({ port: s.port, ca: pki.ca.certPem, servername: HOST, seed: SEED, plan: PLAN, maxBody: MAX_BODY, concurrency: 8, uidsFile, progressEvery: 10_000 });
    const seconds = (Date.now() - started) / 1000;

    // Counts: all sent, every answer as the oracle said, nothing else.
    expect(c.sent).toBe(TOTAL);
    expect(c.errorExamples).toEqual([]);
    expect(c.errors).toBe(0);
    // Over-limit bodies cut off mid-send (fuzz-client.ts): a race of the client's write with the server's 413, so
    // rare; never more than the bodies that had to be refused.
    expect(c.closedWhileSendingOversize).toBeLessThanOrEqual(Math.max(1, Math.ceil((c.expected['413'] ?? 0) / 100)));
    expect(c.mismatchExamples).toEqual([]);
    expect(c.mismatches).toBe(0);
    // Every answer as expected; an over-limit body cut off mid-send had no answer to read (its 413 is the cut).
    expect({ ...c.statuses, 413: (c.statuses['413'] ?? 0) + c.closedWhileSendingOversize }).toEqual(c.expected);
    expect(Object.keys(c.statuses).sort()).toEqual(['200', '400', '413', '415']);
    expect(c.statuses['500']).toBeUndefined();
    expect(c.allowed + c.denied).toBe(c.statuses['200']);
    for (const [cat, n] of Object.entries({ 'random-bytes': PLAN.randomBytes, 'random-json': PLAN.randomJson, mutated: PLAN.mutated, 'well-formed': PLAN.wellFormed, limits: PLAN.limits, 'content-type': PLAN.contentType })) {
      expect(c.byCategory[cat]?.sent, cat).toBe(n);
    }
    // Each class was exercised by more than a handful of bodies (the seed fixes the numbers; these are floors).
    expect(c.byCategory['well-formed'].expected).toEqual({ 200: PLAN.wellFormed });
    expect(c.byCategory.mutated.expected['200']).toBeGreaterThan(1000);
    expect(c.byCategory.mutated.expected['400']).toBeGreaterThan(1000);
    expect(c.byCategory.mutated.expected['413']).toBeGreaterThan(100);
    expect(c.byCategory.limits.expected['413']).toBeGreaterThan(50);
    expect(c.byCategory['content-type'].expected).toEqual({ 415: PLAN.contentType });
    expect(c.chunked).toBeGreaterThan(500);

    // Still alive, and answering a normal review.
    expect(s.proc.exitCode).toBeNull();
    const after = await call({ port: s.port, ca: pki.ca.certPem, servername: HOST, method: 'POST', path: '/validate?timeout=10s', body: review(SEED_OBJECT, 'uid-after') });
    expect(after.status).toBe(200);
    expect(after.json?.response).toMatchObject({ uid: 'uid-after', allowed: false });

    // Peak memory (VmHWM: the process's high-water RSS, worker threads included): a structural bound.
    const status = fs.readFileSync(`/proc/${s.proc.pid}/status`, 'utf8');
    const hwmKiB = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    const rssKiB = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
    expect(hwmKiB).toBeGreaterThan(0);
    expect(hwmKiB).toBeLessThan(RSS_BOUND_KIB);
    // For the record only: the server's CPU time (utime + stime, all threads) and decision-cache hits and misses.
    const stat = fs.readFileSync(`/proc/${s.proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100;
    const metrics = (await call({ port: s.port, ca: pki.ca.certPem, servername: HOST, path: '/metrics' })).text;
    const cache = Object.fromEntries([...metrics.matchAll(/^imply_lint_webhook_decision_cache_total\{result="(\w+)"\} (\d+)/gm)].map((m) => [m[1], Number(m[2])]));

    s.kill('SIGTERM');
    const exit = await s.exited;
    await stdoutDrained(s.proc);
    expect(exit.code).toBe(0);
    expect(exit.signal).toBeNull();
    expect(s.stderr()).toBe('');

    // The log: every line JSON, none at error level or above, one `review` line per 200 answer (same uids).
    expect(s.logs.filter((l) => 'raw' in l).slice(0, 5)).toEqual([]);
    expect(s.logs.filter((l) => typeof l.level === 'number' && l.level >= 50).slice(0, 5)).toEqual([]);
    expect(s.logs.at(-1)?.event).toBe('stopped');
    const answered = fs.readFileSync(uidsFile, 'utf8').split('\n').filter(Boolean).map((l) => wellFormed(String(JSON.parse(l) as unknown)));
    answered.push('uid-after');
    const logged = s.logs.filter((l) => l.event === 'review').map((l) => wellFormed(String(l.uid)));
    expect(answered.length).toBe(c.statuses['200'] + 1);
    expect(logged.length).toBe(answered.length);
    const a = countOf(answered);
    const l = countOf(logged);
    expect(minus(a, l)).toEqual([]);
    expect(minus(l, a)).toEqual([]);

    // For the record (docs/reliability.md), not asserted.
    console.log(JSON.stringify({ seconds, perSecond: Math.round(TOTAL / seconds), serverCpuSeconds: cpuSeconds, decisionCache: cache, peakRssMiB: Math.round(hwmKiB / 1024), endRssMiB: Math.round(rssKiB / 1024), sentMiB: Math.round(c.bodyBytes / 2 ** 20), chunked: c.chunked, statuses: c.statuses, allowed: c.allowed, denied: c.denied, byCategory: c.byCategory, logLines: s.logs.length }));
  });
});
