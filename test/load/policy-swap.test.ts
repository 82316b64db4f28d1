// Load: the policy file of a running `imply-lint serve` is replaced several times while a client in another
// process sends a fixed number of keep-alive AdmissionReviews: renamed over (as a ConfigMap update or an
// editor does), rewritten in place a piece at a time (truncate, then write), and replaced by policies that do
// not load. Every request is answered 200 with its uid; every answer is the one a policy in force at the time
// gives (never a half-written file's, never an error); the log shows each change, reload and refusal, and one
// review line per answer.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/rules/policy.js';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import { generatePki } from '../../src/webhook/certs.js';
import type { Pki } from '../../src/webhook/certs.js';
import { parseAdmissionReview, review } from '../../src/webhook/review.js';
import { startServe } from '../webhook/helpers/serve-process.js';
import type { ServeProcess } from '../webhook/helpers/serve-process.js';
import { referenceBodies } from './bodies.js';
import type { RequestRecord } from './client.js';
import { checkReviewLog, stdoutDrained } from './review-log.js';
import { startClient } from './run-client.js';

const SVC = 'imply-lint-webhook';
const NS = 'imply-lint';
const HOST = `${SVC}.${NS}.svc`;
// Enough that the load outlasts the five replacements (about 15 s of polling and worker start-up) even on an
// idle machine: the overlap is asserted. The client starts at most RATE requests a second, so a fast server
// (repeated bodies are decision-cache hits) cannot finish the count before the replacements are done.
const TOTAL = 40000;
const RATE = 1500;
const POLL_MS = 1000;
/** Pieces of an in-place write land this far apart: well under one poll, so no piece is ever "settled". */
const PIECE_GAP_MS = 150;

// The versions the file goes through. p1 and p2 turn error rules into warnings (denied objects become allowed
// with warnings) and p3 turns some back, so decisions change at every swap.
const VERSIONS = {
  p0: 'extends: production\n',
  p1: 'extends: production\nrules:\n  auth-enabled: warning\n  tls-enabled: warning\n',
  bad1: 'extends: production\nrules:\n  no-such-rule: error\n',
  // Written in place in pieces: its prefixes include the empty file (= the production pack) and valid
  // policies with only some of the rules, none of which may ever be used.
  p2: 'extends: production\nrules:\n  no-quickstart-minio: warning\n  no-default-credentials: warning\n  auth-enabled: warning\n  tls-enabled: warning\n  zookeeper-ha: warning\n',
  bad2: 'extends: production\nrules:\n  auth-enabled: [warning\n  tls-enabled: error\n',
  p3: 'extends: production\nrules:\n  no-default-credentials: warning\n  zookeeper-ha: warning\n',
} as const;
type Label = keyof typeof VERSIONS;
const VALID: Label[] = ['p0', 'p1', 'p2', 'p3'];
const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('policy file replaced under load', () => {
  let tmp: string;
  let policyFile: string;
  let pki: Pki;
  let server: ServeProcess;
  const bodies = referenceBodies();
  /** The answer each valid version gives to each body (computed in this process with the same rules). */
  const expected = {} as Record<Label, string[]>;
  const answerKey = (a: { allowed?: boolean; message?: string; warnings?: string[] }) => JSON.stringify([a.allowed, a.message ?? null, a.warnings ?? []]);

  const writeAtomically = (text: string) => {
    fs.writeFileSync(`${policyFile}.tmp`, text);
    fs.renameSync(`${policyFile}.tmp`, policyFile);
  };
  const writeInPlace = async (text: string, pieces: number) => {
    const fd = fs.openSync(policyFile, 'r+');
    try {
      fs.ftruncateSync(fd, 0);
      const size = Math.ceil(text.length / pieces);
      for (let i = 0; i < text.length; i += size) {
        await sleep(PIECE_GAP_MS);
        fs.writeSync(fd, text.slice(i, i + size), i);
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  const waitForLog = async (event: string, label: Label, timeoutMs = 60_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const line = server.logs.find((l) => l.event === event && l.sources?.[0]?.sha256 === sha(VERSIONS[label]));
      if (line) return line;
      if (Date.now() > until) throw new Error(`no ${event} for ${label} within ${timeoutMs} ms; last lines: ${JSON.stringify(server.logs.filter((l) => l.event !== 'review').slice(-5))}`);
      await sleep(100);
    }
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-policy-swap-'));
    const known = new Set(BUILTIN_RULES.map((r) => r.meta.id));
    for (const label of VALID) {
      const f = path.join(tmp, `${label}.yaml`);
      fs.writeFileSync(f, VERSIONS[label]);
      const policy = resolvePolicy(f, { cwd: tmp, knownRuleIds: known, noConfig: true });
      expected[label] = bodies.map((b) => {
        const out = review(parseAdmissionReview(JSON.parse(b.replace('__UID__', 'x'))), { policy, rules: BUILTIN_RULES, mode: 'enforce', now: new Date() }).review.response;
        return answerKey({ allowed: out.allowed, message: out.status?.message, warnings: out.warnings });
      });
    }
    policyFile = path.join(tmp, 'policy.yaml');
    fs.writeFileSync(policyFile, VERSIONS.p0);
    pki = await generatePki({ service: SVC, namespace: NS, now: new Date() });
    fs.writeFileSync(path.join(tmp, 'tls.crt'), pki.serving.certPem);
    fs.writeFileSync(path.join(tmp, 'tls.key'), pki.serving.keyPem);
    server = await startServe([
      ...['--cert', path.join(tmp, 'tls.crt'), '--key', path.join(tmp, 'tls.key')],
      ...['--policy', policyFile, '--policy-poll', `${POLL_MS}ms`, '--mode', 'enforce', '--workers', '2', '--drain-delay', '200ms'],
    ]);
    await server.waitReady(pki.ca.certPem, HOST);
  });

  afterAll(async () => {
    if (server && server.proc.exitCode === null && server.proc.signalCode === null) {
      server.kill('SIGTERM');
      await server.exited;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the versions differ in their answers (else the test could not tell them apart)', () => {
    for (const [a, b] of [['p0', 'p1'], ['p1', 'p2'], ['p2', 'p3']] as const) {
      expect(expected[a].filter((k, i) => k !== expected[b][i]).length, `${a} vs ${b}`).toBeGreaterThan(0);
    }
    // The empty file (a truncated one) is the production pack: it must differ from what is in force then.
    expect(expected.p0).not.toEqual(expected.p1);
  });

  it(`${TOTAL} keep-alive requests through five policy replacements: zero failed, every answer from a policy in force`, async () => {
    const client = startClient({ targets: [{ port: server.port }], ca: pki.ca.certPem, servername: HOST, bodies, total: TOTAL, concurrency: 6, keepAlive: true, progressEvery: 100, maxRatePerSec: RATE }, { record: true });
    await client.reached(500);
    // 1. Renamed over, a severity change: objects denied so far are allowed with warnings.
    writeAtomically(VERSIONS.p1);
    await waitForLog('policy-reloaded', 'p1');
    // 2. Renamed over, does not load: refused, p1 stays.
    writeAtomically(VERSIONS.bad1);
    await waitForLog('policy-refused', 'bad1');
    // 3. Rewritten in place over ~2 s in twelve pieces, each there for less than a poll.
    await writeInPlace(VERSIONS.p2, 12);
    await waitForLog('policy-reloaded', 'p2');
    // 4. Rewritten in place with a policy that does not parse: refused, p2 stays.
    await writeInPlace(VERSIONS.bad2, 4);
    await waitForLog('policy-refused', 'bad2');
    // 5. Renamed over: the last valid version.
    writeAtomically(VERSIONS.p3);
    await waitForLog('policy-reloaded', 'p3');
    const progressAtLastSwap = client.progress();

    const s = await client.done;
    server.kill('SIGTERM');
    const exit = await server.exited;
    await stdoutDrained(server.proc);

    // The replacements happened while the load ran.
    expect(progressAtLastSwap).toBeLessThan(TOTAL);
    expect(s.sent).toBe(TOTAL);
    expect(s.errors).toEqual([]);
    expect(s.badResponses).toEqual([]);
    expect(s.statuses).toEqual({ 200: TOTAL });
    expect(s.internalErrors).toBe(0);
    expect(s.records.filter((r) => r.ok).length).toBe(TOTAL);
    expect(exit.code).toBe(0);
    expect(server.stderr()).toBe('');

    // The log: exactly the three complete valid versions were loaded, in order, and both bad ones refused.
    const shaLabel = new Map(Object.entries(VERSIONS).map(([l, t]) => [sha(t), l]));
    const labelOf = (l: Record<string, any>) => shaLabel.get(l.sources?.[0]?.sha256) ?? `other:${l.sources?.[0]?.sha256}`;
    const reloads = server.logs.filter((l) => l.event === 'policy-reloaded');
    expect(reloads.map(labelOf)).toEqual(['p1', 'p2', 'p3']);
    expect(server.logs.filter((l) => l.event === 'policy-refused').map(labelOf)).toEqual(['bad1', 'bad2']);
    // The in-place writes were seen half-way (a change that was never loaded) and waited out.
    const changes = server.logs.filter((l) => l.event === 'policy-changed').map(labelOf);
    expect(changes.filter((c) => c.startsWith('other:')).length).toBeGreaterThan(0);
    expect(changes.filter((c) => !c.startsWith('other:'))).toEqual(['p1', 'bad1', 'p2', 'bad2', 'p3']);

    // Every answer is the one a policy in force between sending and answering gives. The server logs a
    // reload right after it swaps (same event-loop turn): a request answered before that time got the old
    // policy, one sent after it the new one. Both clocks are this machine's Date.now(); 2 ms of slack.
    const inForce: { label: Label; from: number; to: number }[] = [];
    let from = 0;
    let current: Label = 'p0';
    for (const r of reloads) {
      inForce.push({ label: current, from, to: r.time as number });
      current = labelOf(r) as Label;
      from = r.time as number;
    }
    inForce.push({ label: current, from, to: Infinity });
    const inconsistent: string[] = [];
    const onlyUnder: Record<string, number> = {};
    for (const r of s.records as RequestRecord[]) {
      const candidates = inForce.filter((p) => p.from <= r.answeredAt + 2 && p.to >= r.sentAt - 2).map((p) => p.label);
      const key = answerKey(r);
      const matches = candidates.filter((c) => expected[c][r.body] === key);
      if (matches.length === 0) inconsistent.push(`${r.uid} body ${r.body} [${r.sentAt}, ${r.answeredAt}] in force: ${candidates.join(',')}: ${key.slice(0, 200)}`);
      if (candidates.length === 1) onlyUnder[candidates[0]] = (onlyUnder[candidates[0]] ?? 0) + 1;
    }
    expect(inconsistent.slice(0, 5)).toEqual([]);
    // Each version served a share of the load on its own.
    for (const label of VALID) expect(onlyUnder[label] ?? 0, label).toBeGreaterThan(0);

    // Nothing lost from the log: one review line per answer, across the swaps and the shutdown.
    const check = checkReviewLog(s.records, server.port, server.logs);
    expect(check).toEqual({ answered: TOTAL, logged: TOTAL, missing: [], duplicated: [], unexpected: [] });
    expect(server.logs.at(-1)?.event).toBe('stopped');
  });
});
