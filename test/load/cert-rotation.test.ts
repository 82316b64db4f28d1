// Load: the serving certificate rotates under load (kubelet `..data` swaps, a non-atomic writer's half-state,
// a new CA, an unparsable update) while a client in another process opens a new TLS connection for every one of
// a fixed number of requests. Every request must be answered 200 and well-formed: zero failed handshakes; and
// the log holds exactly one review line per answer.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCa, generatePki, issueServingCert } from '../../src/webhook/certs.js';
import type { CertPair, Pki } from '../../src/webhook/certs.js';
import { KubeletSecretDir } from '../webhook/helpers/certdir.js';
import { call } from '../webhook/helpers/https.js';
import { startServe } from '../webhook/helpers/serve-process.js';
import type { ServeProcess } from '../webhook/helpers/serve-process.js';
import { referenceBodies } from './bodies.js';
import { checkReviewLog, stdoutDrained } from './review-log.js';
import { startClient } from './run-client.js';

const SVC = 'imply-lint-webhook';
const NS = 'imply-lint';
const HOST = `${SVC}.${NS}.svc`;
// Enough that the load outlasts the five updates (about 8 s of settling) even on an idle machine.
const TOTAL = 10000;

describe('certificate rotation under load', () => {
  let dir: KubeletSecretDir;
  let pki: Pki;
  let ca2: CertPair;
  let server: ServeProcess;

  beforeAll(async () => {
    dir = new KubeletSecretDir(fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-rotation-')));
    pki = await generatePki({ service: SVC, namespace: NS, now: new Date() });
    ca2 = await generateCa({ now: new Date() });
    dir.update({ 'tls.crt': pki.serving.certPem, 'tls.key': pki.serving.keyPem });
    server = await startServe(['--cert', dir.certFile, '--key', dir.keyFile, '--cert-poll', '500ms', '--workers', '2']);
    await server.waitReady(pki.ca.certPem, HOST);
  });

  afterAll(async () => {
    if (server.proc.exitCode === null && server.proc.signalCode === null) {
      server.kill('SIGTERM');
      await server.exited;
    }
    fs.rmSync(dir.dir, { recursive: true, force: true });
  });

  it(`${TOTAL} requests, each on a new TLS connection, through five certificate updates: zero non-200 answers`, async () => {
    // The API server's caBundle during a CA rotation: old and new CA.
    const bundle = `${pki.ca.certPem}${ca2.certPem}`;
    const client = startClient({ targets: [{ port: server.port }], ca: bundle, servername: HOST, bodies: referenceBodies(), total: TOTAL, concurrency: 6, keepAlive: false, progressEvery: 50 }, { record: true });
    const fp = (c: CertPair) => new X509Certificate(c.certPem).fingerprint256;
    const served = async () => (await call({ port: server.port, ca: bundle, servername: HOST, path: '/healthz' })).peer!.fingerprint256;
    const settle = () => new Promise((r) => setTimeout(r, 1200));
    const expected: string[] = [];

    await client.reached(200);
    // 1. cert-manager renewal, same CA: one atomic ..data swap.
    const renewed = await issueServingCert(pki.ca, { service: SVC, namespace: NS, now: new Date() });
    dir.update({ 'tls.crt': renewed.certPem, 'tls.key': renewed.keyPem });
    await settle();
    expected.push(fp(renewed));
    expect(await served()).toBe(fp(renewed));

    // 2. A non-atomic writer: the new key lands first (no match: refused), then its certificate.
    const halves = await issueServingCert(pki.ca, { service: SVC, namespace: NS, now: new Date() });
    dir.writeInPlace('tls.key', halves.keyPem);
    await settle();
    expect(await served()).toBe(fp(renewed));
    dir.writeInPlace('tls.crt', halves.certPem);
    await settle();
    expected.push(fp(halves));
    expect(await served()).toBe(fp(halves));

    // 3. A certificate from the new CA (the bundle already holds both).
    const fromCa2 = await issueServingCert(ca2, { service: SVC, namespace: NS, now: new Date() });
    dir.update({ 'tls.crt': fromCa2.certPem, 'tls.key': fromCa2.keyPem });
    await settle();
    expected.push(fp(fromCa2));
    expect(await served()).toBe(fp(fromCa2));

    // 4. An update that does not parse: refused, the current pair stays.
    dir.update({ 'tls.crt': '-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n', 'tls.key': fromCa2.keyPem });
    await settle();
    expect(await served()).toBe(fp(fromCa2));

    // 5. And a good one again.
    const last = await issueServingCert(ca2, { service: SVC, namespace: NS, now: new Date() });
    dir.update({ 'tls.crt': last.certPem, 'tls.key': last.keyPem });
    await settle();
    expected.push(fp(last));
    expect(await served()).toBe(fp(last));
    const progressAtLastRotation = client.progress();

    const s = await client.done;
    // The rotations happened while the load ran.
    expect(progressAtLastRotation).toBeLessThan(TOTAL);
    expect(s.sent).toBe(TOTAL);
    expect(s.errors).toEqual([]);
    expect(s.badResponses).toEqual([]);
    expect(s.statuses).toEqual({ 200: TOTAL });
    expect(s.internalErrors).toBe(0);
    expect(s.denied).toBeGreaterThan(0);
    const swaps = server.logs.filter((l) => l.event === 'cert-swapped').map((l) => l.fingerprint);
    expect(swaps).toEqual(expected);
    expect(server.logs.filter((l) => l.event === 'cert-refused').length).toBeGreaterThanOrEqual(2);

    // Nothing lost from the log, through the rotations and the shutdown.
    server.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    await stdoutDrained(server.proc);
    expect(checkReviewLog(s.records, server.port, server.logs)).toEqual({ answered: TOTAL, logged: TOTAL, missing: [], duplicated: [], unexpected: [] });
    expect(server.logs.at(-1)?.event).toBe('stopped');
  });
});
