// Preflight's Kubernetes probe against a loopback HTTPS API server that asserts each request's method,
// path and headers, reached through a kubeconfig written for it; and against a listener that never
// answers. The Secrets it reads reach required-secrets-present and tls-secret-valid through model.live.
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFromTexts } from '../../src/model/build.js';
import { makeSource } from '../../src/model/source.js';
import { buildValuesModel } from '../../src/model/values.js';
import { runPreflight } from '../../src/preflight/index.js';
import { probeKubernetes } from '../../src/preflight/probes/kubernetes.js';
import { lint } from '../../src/rules/engine.js';
import { emptyPolicy } from '../../src/rules/policy.js';
import requiredSecretsPresent from '../../src/rules/catalog/required-secrets-present.js';
import tlsSecretValid from '../../src/rules/catalog/tls-secret-valid.js';
import { makeCert } from '../helpers/pki.js';
import { silentListener } from './helpers.js';

const TOKEN = 'test-bearer-token-0123456789abcdef';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** A self-signed server certificate for 127.0.0.1 (SAN IP), usable as its own CA. */
function loopbackCert(): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '0a';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const attrs = [{ name: 'commonName', value: '127.0.0.1' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

function kubeconfig(dir: string, server: string, caPem: string, namespace = 'imply'): string {
  const file = path.join(dir, `kubeconfig-${Math.random().toString(16).slice(2)}`);
  fs.writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(caPem)}
users:
- name: tester
  user:
    token: ${TOKEN}
contexts:
- name: ctx
  context: {cluster: test, user: tester, namespace: ${namespace}}
current-context: ctx
`,
  );
  return file;
}

interface Seen {
  method?: string;
  url?: string;
  authorization?: string;
  accept?: string;
}

const ca = makeCert({ cn: 'imply-ca' });
const notCa = makeCert({ cn: 'leaf', ca: false });
const secrets: Record<string, { status: number; body: unknown }> = {
  'imply-ca': { status: 200, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'imply-ca', namespace: 'imply' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(ca.certPem), 'tls.key': b64(ca.keyPem) } } },
  'leaf-ca': { status: 200, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'leaf-ca', namespace: 'imply' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(notCa.certPem), 'tls.key': b64(notCa.keyPem) } } },
  'imply-auth-token': { status: 404, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'secrets "imply-auth-token" not found' } },
  'imply-secrets': { status: 403, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'secrets "imply-secrets" is forbidden' } },
};

let dir: string;
let server: https.Server;
let base: string;
let caPem: string;
const seen: Seen[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-kube-'));
  const tls = loopbackCert();
  caPem = tls.certPem;
  server = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, accept: req.headers.accept });
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || req.headers.authorization !== `Bearer ${TOKEN}`) return json(401, { kind: 'Status', code: 401 });
    if (req.url === '/version') return json(200, { major: '1', minor: '29', gitVersion: 'v1.29.3', platform: 'linux/amd64' });
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/?]+)$/.exec(req.url ?? '');
    const s = m && m[1] === 'imply' ? secrets[m[2]] : undefined;
    if (!s) return json(404, { kind: 'Status', code: 404 });
    return json(s.status, s.body);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  base = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((res) => server.close(() => res()));
  fs.rmSync(dir, { recursive: true, force: true });
});

const valuesText = `security:
  tls:
    secretName: imply-ca
  auth:
    secretName: imply-auth-token
manager:
  secretName: imply-secrets
  metadataStore: {type: mysql, host: ""}
druid:
  metadataStore: {type: mysql, host: ""}
  zk: {connectString: ""}
`;

describe('Kubernetes probe', () => {
  it('reads /version and each referenced Secret with GET, the bearer token and JSON', async () => {
    seen.length = 0;
    const values = buildValuesModel({ files: [makeSource('values.yaml', valuesText, 'values')] });
    const live = await runPreflight({ values, druidDatabases: [], timeoutMs: 3000, kubeconfig: kubeconfig(dir, base, caPem), helm: false });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /version',
      'GET /api/v1/namespaces/imply/secrets/imply-ca',
      'GET /api/v1/namespaces/imply/secrets/imply-auth-token',
      'GET /api/v1/namespaces/imply/secrets/imply-secrets',
    ]);
    for (const s of seen) {
      expect(s.authorization).toBe(`Bearer ${TOKEN}`);
      expect(s.accept).toMatch(/application\/json/);
    }
    expect(live.kubeVersion).toBe('v1.29.3');
    expect(live.kubernetes).toMatchObject({ reachable: true, namespace: 'imply', server: base });
    expect(live.secrets).toEqual([
      expect.objectContaining({ name: 'imply-ca', purpose: 'tls', exists: true, type: 'kubernetes.io/tls', namespace: 'imply' }),
      expect.objectContaining({ name: 'imply-auth-token', purpose: 'auth', exists: false }),
      expect.objectContaining({ name: 'imply-secrets', purpose: 'license', exists: false }),
    ]);
    // Data stays as the API returns it: base64.
    expect(Buffer.from(live.secrets![0].data!['tls.crt'], 'base64').toString()).toBe(ca.certPem);
    expect(live.secrets![1].error, 'a 404 is a missing Secret, not an error').toBeUndefined();
    expect(live.secrets![2].error).toMatch(/HTTP 403/);
    expect(JSON.stringify(live)).not.toContain(TOKEN);

    const model = modelFromTexts({ values: [{ path: 'values.yaml', text: valuesText }], live, context: { now: new Date() } });
    const rules = [requiredSecretsPresent, tlsSecretValid];
    const res = lint(model, emptyPolicy(), { target: 'preflight', rules });
    expect(res.ruleErrors).toEqual([]);
    expect(res.findings.map((f) => `${f.ruleId}/${f.messageId}/${f.subject}`)).toEqual(['required-secrets-present/missing/security.auth.secretName']);
  });

  it('hands the CA Secret to tls-secret-valid: a certificate that is no CA is a finding there', async () => {
    const values = buildValuesModel({ files: [makeSource('values.yaml', valuesText.replace('secretName: imply-ca', 'secretName: leaf-ca'), 'values')] });
    const live = await runPreflight({ values, druidDatabases: [], timeoutMs: 3000, kubeconfig: kubeconfig(dir, base, caPem), helm: false });
    expect(live.secrets![0]).toMatchObject({ name: 'leaf-ca', exists: true });
    const model = modelFromTexts({ values: [{ path: 'values.yaml', text: valuesText }], live, context: { now: new Date() } });
    const res = lint(model, emptyPolicy(), { target: 'preflight', rules: [tlsSecretValid] });
    expect(res.findings.map((f) => f.ruleId)).toContain('tls-secret-valid');
  });

  it('--namespace overrides the context namespace', async () => {
    seen.length = 0;
    const r = await probeKubernetes([{ name: 'imply-ca', purpose: 'tls', subject: 'security.tls.secretName', requiredKeys: ['tls.crt', 'tls.key'] }], { kubeconfig: kubeconfig(dir, base, caPem), namespace: 'other', timeoutMs: 3000 });
    expect(seen.map((s) => s.url)).toEqual(['/version', '/api/v1/namespaces/other/secrets/imply-ca']);
    expect(r.secrets[0]).toMatchObject({ namespace: 'other', exists: false });
  });

  it('an API server that accepts and never answers: bounded, and the Secrets are unverified', async () => {
    const silent = await silentListener();
    try {
      const t0 = Date.now();
      const r = await probeKubernetes([{ name: 'imply-ca', purpose: 'tls', subject: 'security.tls.secretName', requiredKeys: ['tls.crt', 'tls.key'] }], { kubeconfig: kubeconfig(dir, `https://127.0.0.1:${silent.port}`, caPem), timeoutMs: 400 });
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(r.kubernetes.reachable).toBe(false);
      expect(r.kubernetes.error).toMatch(/did not answer/);
      expect(r.secrets[0].error).toBeTruthy();
      const model = modelFromTexts({ values: [{ path: 'values.yaml', text: valuesText }], live: { secrets: r.secrets } });
      const res = lint(model, emptyPolicy(), { target: 'preflight', rules: [requiredSecretsPresent] });
      expect(res.findings.map((f) => [f.messageId, f.severity])).toEqual([['unreadable', 'warning']]);
    } finally {
      await silent.close();
    }
  });

  it('a kubeconfig that cannot be read is an error fact, not a crash', async () => {
    const r = await probeKubernetes([], { kubeconfig: path.join(dir, 'missing'), timeoutMs: 400 });
    expect(r.kubernetes).toMatchObject({ reachable: false });
    expect(r.kubernetes.error).toMatch(/cannot load the Kubernetes configuration/);
  });
});
