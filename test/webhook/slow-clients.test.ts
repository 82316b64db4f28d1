// Slow clients do not starve others: connections that trickle their headers or body (slowloris) hold a
// socket each, and the server keeps answering normal reviews meanwhile; it cuts the slow ones at its
// request timeout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/rules/policy.js';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import { generatePki } from '../../src/webhook/certs.js';
import type { Pki } from '../../src/webhook/certs.js';
import { startServer } from '../../src/webhook/server.js';
import type { WebhookServer } from '../../src/webhook/server.js';
import { KubeletSecretDir } from './helpers/certdir.js';
import { call, reviewBody } from './helpers/https.js';

const SVC = 'imply-lint-webhook';
const HOST = `${SVC}.imply-lint.svc`;
const SLOW = 60;
const NORMAL = 60;

describe('slow clients', () => {
  let pki: Pki;
  let s: WebhookServer;
  let tmp: string;
  const sockets: tls.TLSSocket[] = [];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-slow-'));
    pki = await generatePki({ service: SVC, namespace: 'imply-lint', now: new Date() });
    const dir = new KubeletSecretDir(fs.mkdtempSync(path.join(tmp, 'certs-')));
    dir.update({ 'tls.crt': pki.serving.certPem, 'tls.key': pki.serving.keyPem });
    s = await startServer({
      host: '127.0.0.1',
      port: 0,
      certs: { kind: 'files', certFile: dir.certFile, keyFile: dir.keyFile },
      policy: resolvePolicy('production', { cwd: tmp, knownRuleIds: new Set(BUILTIN_RULES.map((r) => r.meta.id)), noConfig: true }),
      mode: 'enforce',
      onError: 'deny',
      drainDelayMs: 50,
      maxBodyBytes: 6 * 1024 * 1024,
      ruleTimeoutMs: 5000,
      requestTimeoutMs: 3000,
      workers: 2,
      logLine: () => undefined,
    });
  });

  afterAll(async () => {
    for (const so of sockets) so.destroy();
    await s.shutdown('test');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(`${NORMAL} normal reviews are answered while ${SLOW} clients trickle their requests`, async () => {
    const closedEarly: boolean[] = [];
    const timeouts: boolean[] = [];
    await Promise.all(
      Array.from({ length: SLOW }, (_, i) => new Promise<void>((resolve, reject) => {
        const so = tls.connect({ host: '127.0.0.1', port: s.port, servername: HOST, ca: pki.ca.certPem }, () => {
          // Half trickle headers, half announce a body and never send it.
          so.write(i % 2 === 0 ? 'POST /validate HTTP/1.1\r\nHost: x\r\n' : 'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"a":');
          resolve();
        });
        so.on('error', () => undefined);
        so.on('close', () => closedEarly.push(true));
        // Read what the server says (a 408 when it cuts us): a socket nobody reads never sees its end.
        so.on('data', (d: Buffer) => timeouts.push(String(d).startsWith('HTTP/1.1 408')));
        so.once('error', reject);
        sockets.push(so);
      })),
    );
    const object = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'imply-minio', labels: { app: 'minio', release: 'imply' } }, spec: {} };
    const answers = await Promise.all(
      Array.from({ length: NORMAL }, (_, i) => call({ port: s.port, ca: pki.ca.certPem, servername: HOST, method: 'POST', path: '/validate', body: reviewBody(object, { uid: `n-${i}` }), timeoutMs: 10_000 })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(NORMAL).fill(200));
    expect(answers.map((a) => (a.json as { response: { uid: string } }).response.uid)).toEqual(Array.from({ length: NORMAL }, (_, i) => `n-${i}`));
    // The slow ones are cut once the request timeout passes (counted, not timed: all of them, eventually).
    const until = Date.now() + 20_000;
    while (closedEarly.length < SLOW && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(closedEarly.length).toBe(SLOW);
    expect(timeouts.filter(Boolean).length).toBe(SLOW);
  });
});
