// Fault load: rules that throw, loop or backtrack catastrophically, mixed into a fixed number of requests from a
// client in another process. The server (in this process, with the fault rules loaded into its workers) answers
// every request 200 and well-formed; each faulty object gets the --on-error answer; the server stays healthy.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/rules/policy.js';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import { generatePki } from '../../src/webhook/certs.js';
import type { Pki } from '../../src/webhook/certs.js';
import { startServer } from '../../src/webhook/server.js';
import type { WebhookServer } from '../../src/webhook/server.js';
import { FAULT_ANNOTATION } from '../fixtures/webhook/fault-rules.js';
import { KubeletSecretDir } from '../webhook/helpers/certdir.js';
import { call, reviewBody } from '../webhook/helpers/https.js';
import { referenceBodies } from './bodies.js';
import { startClient } from './run-client.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SVC = 'imply-lint-webhook';
const NS = 'imply-lint';
const HOST = `${SVC}.${NS}.svc`;
const TOTAL = 900;

describe('faulty rules under load', () => {
  let pki: Pki;
  let s: WebhookServer;
  let dir: KubeletSecretDir;

  beforeAll(async () => {
    pki = await generatePki({ service: SVC, namespace: NS, now: new Date() });
    dir = new KubeletSecretDir(fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-faults-')));
    dir.update({ 'tls.crt': pki.serving.certPem, 'tls.key': pki.serving.keyPem });
    s = await startServer({
      host: '127.0.0.1',
      port: 0,
      certs: { kind: 'files', certFile: dir.certFile, keyFile: dir.keyFile },
      policy: resolvePolicy('production', { cwd: ROOT, knownRuleIds: new Set(BUILTIN_RULES.map((r) => r.meta.id)), noConfig: true }),
      mode: 'enforce',
      onError: 'deny',
      drainDelayMs: 100,
      maxBodyBytes: 6 * 1024 * 1024,
      ruleTimeoutMs: 400,
      workers: 3,
      logLine: () => undefined,
      extraRuleModules: [path.join(ROOT, 'test/fixtures/webhook/fault-rules.ts')],
    });
  });

  afterAll(async () => {
    await s.shutdown('test');
    fs.rmSync(dir.dir, { recursive: true, force: true });
  });

  it(`${TOTAL} requests with throwing, looping and backtracking rules mixed in: zero non-200 answers`, async () => {
    const normal = referenceBodies();
    const faulty = (fault: string): string => {
      const review = JSON.parse(normal[0]) as { request: { object: { metadata: { annotations?: Record<string, string> } } } };
      review.request.object.metadata.annotations = { ...review.request.object.metadata.annotations, [FAULT_ANNOTATION]: fault };
      return JSON.stringify(review);
    };
    // 60 bodies per cycle: one of each fault.
    const bodies = [...normal, ...normal, ...normal].slice(0, 57);
    const faultIdx = [bodies.push(faulty('throw')) - 1, bodies.push(faulty('loop')) - 1, bodies.push(faulty('redos')) - 1];
    const client = startClient({ targets: [{ port: s.port }], ca: pki.ca.certPem, servername: HOST, bodies, total: TOTAL, concurrency: 4, keepAlive: true, progressEvery: 100, timeoutMs: 15_000 });
    const r = await client.done;
    expect(r.sent).toBe(TOTAL);
    expect(r.errors).toEqual([]);
    expect(r.badResponses).toEqual([]);
    expect(r.statuses).toEqual({ 200: TOTAL });
    // Every faulty object was answered per --on-error deny.
    for (const i of faultIdx) expect(r.internalByBody[i], `body ${i}`).toBe(r.sentByBody[i]);
    expect(r.sentByBody[faultIdx[1]]).toBe(TOTAL / 60);
    // Still healthy, and a normal request gets a normal answer once the replaced workers are back.
    expect((await call({ port: s.port, ca: pki.ca.certPem, servername: HOST, path: '/healthz' })).status).toBe(200);
    for (let i = 0; i < 100; i++) {
      if (/^imply_lint_webhook_workers_ready 3$/m.test((await call({ port: s.port, ca: pki.ca.certPem, servername: HOST, path: '/metrics' })).text)) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const after = await call({ port: s.port, ca: pki.ca.certPem, servername: HOST, method: 'POST', path: '/validate', body: reviewBody(JSON.parse(normal[0]).request.object, { uid: 'after' }) });
    expect(after.json.response.uid).toBe('after');
    expect(after.json.response.status?.reason).not.toBe('InternalError');
    const metrics = (await call({ port: s.port, ca: pki.ca.certPem, servername: HOST, path: '/metrics' })).text;
    // Counted, by kind. Which kind a throwing request lands in depends on the machine: one queued behind a
    // looping rule can reach the deadline first and count as a timeout. So: every faulty request counted
    // (throw as rule or timeout; loop and redos as timeouts), and at least one throw seen as a rule error.
    const count = (kind: string) => Number(new RegExp(`imply_lint_webhook_errors_total\\{kind="${kind}",answer="deny"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    expect(count('rule')).toBeGreaterThanOrEqual(1);
    expect(count('rule')).toBeLessThanOrEqual(TOTAL / 60);
    expect(count('rule') + count('timeout')).toBeGreaterThanOrEqual((3 * TOTAL) / 60);
  });
});
