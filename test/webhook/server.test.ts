// The webhook server in-process on 127.0.0.1: HTTPS with TLS 1.2+ and modern ciphers, AdmissionReview v1 in and
// out, limits (413, 400), prototype-looking keys as data, modes, faults answered per --on-error, health and
// metrics, certificate hot reload through a kubelet `..data` swap, and the drain.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap } from '../../src/model/path.js';
import { parseYamlStream } from '../../src/model/yaml.js';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import { resolvePolicy } from '../../src/rules/policy.js';
import { generateCa, generatePki, issueServingCert } from '../../src/webhook/certs.js';
import type { CertPair, Pki } from '../../src/webhook/certs.js';
import { WARNING_MAX, WARNINGS_TOTAL_MAX } from '../../src/webhook/review.js';
import { startServer } from '../../src/webhook/server.js';
import type { ServeOptions, WebhookServer } from '../../src/webhook/server.js';
import { FAULT_ANNOTATION } from '../fixtures/webhook/fault-rules.js';
import { KubeletSecretDir } from './helpers/certdir.js';
import { call, reviewBody } from './helpers/https.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FAULTS = path.join(ROOT, 'test/fixtures/webhook/fault-rules.ts');
const SVC = 'imply-lint-webhook';
const NS = 'imply-lint';
const HOST = `${SVC}.${NS}.svc`;
const policy = resolvePolicy('production', { cwd: ROOT, knownRuleIds: new Set(BUILTIN_RULES.map((r) => r.meta.id)), noConfig: true });

type Obj = Record<string, any>;

function minio(extra: Obj = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'imply-minio', labels: { release: 'imply', app: 'minio', chart: 'minio-5.0.16' }, ...extra },
    spec: { template: { spec: { containers: [{ name: 'minio', image: 'minio/minio:RELEASE.2020-03-06T22-23-56Z' }] } } },
  };
}

const REF23 = path.resolve(ROOT, '../shared/reference/chart-2023.03.1');
/** The real chart's production objects (production.rendered.yaml): no error-level finding. */
const production = parseYamlStream(fs.readFileSync(path.join(REF23, 'production.rendered.yaml'), 'utf8'))
  .map((d) => d.value)
  .filter((v): v is Obj => isMap(v));

/** The production query Deployment (allowed), with `replicas` and extra metadata. */
function query(replicas: number, extra: Obj = {}): Obj {
  const q = structuredClone(production.find((o) => o.kind === 'Deployment' && o.metadata.name === 'imply-query')!);
  q.spec.replicas = replicas;
  Object.assign(q.metadata, extra);
  return q;
}

interface Running {
  s: WebhookServer;
  logs: Obj[];
  ca: string;
}

async function start(opts: Partial<ServeOptions> & { pki: Pki; dir?: KubeletSecretDir }): Promise<Running> {
  const dir = opts.dir ?? new KubeletSecretDir(fs.mkdtempSync(path.join(os.tmpdir(), 'wh-certs-')));
  if (!opts.dir) dir.update({ 'tls.crt': opts.pki.serving.certPem, 'tls.key': opts.pki.serving.keyPem });
  const logs: Obj[] = [];
  const s = await startServer({
    host: '127.0.0.1',
    port: 0,
    certs: { kind: 'files', certFile: dir.certFile, keyFile: dir.keyFile, pollMs: 500 },
    policy,
    mode: 'enforce',
    onError: 'deny',
    drainDelayMs: 300,
    maxBodyBytes: 6 * 1024 * 1024,
    ruleTimeoutMs: 2000,
    workers: 2,
    logLine: (l) => logs.push(JSON.parse(l) as Obj),
    ...opts,
  });
  return { s, logs, ca: opts.pki.ca.certPem };
}

const post = (r: Running, body: string | Buffer, extra: { path?: string; headers?: Record<string, string> } = {}) =>
  call({ port: r.s.port, ca: r.ca, servername: HOST, method: 'POST', path: extra.path ?? '/validate', body, headers: extra.headers });

let pki: Pki;
beforeAll(async () => {
  pki = await generatePki({ service: SVC, namespace: NS, now: new Date() });
});

// Rule workers (the default on more than one CPU) and none (one CPU, the chart's limit: rules on the event loop).
describe.each([{ workers: 2 }, { workers: 0 }])('enforce mode server, $workers rule workers', ({ workers }) => {
  let r: Running;
  beforeAll(async () => {
    r = await start({ pki, workers });
  });
  afterAll(async () => {
    await r.s.shutdown('test');
  });

  it('answers health, readiness and metrics over TLS verified for the Service name', async () => {
    const h = await call({ port: r.s.port, ca: r.ca, servername: HOST, path: '/healthz' });
    expect([h.status, h.text]).toEqual([200, 'ok']);
    const ready = await call({ port: r.s.port, ca: r.ca, servername: HOST, path: '/readyz' });
    expect([ready.status, ready.text]).toEqual([200, 'ready']);
    expect(r.s.isReady()).toBe(true);
    await post(r, reviewBody(minio()));
    const m = await call({ port: r.s.port, ca: r.ca, servername: HOST, path: '/metrics' });
    expect(m.status).toBe(200);
    expect(m.headers['content-type']).toMatch(/^text\/plain/);
    for (const name of ['imply_lint_webhook_requests_total', 'imply_lint_webhook_decisions_total', 'imply_lint_webhook_rule_findings_total', 'imply_lint_webhook_request_duration_seconds_bucket', 'imply_lint_webhook_errors_total', 'imply_lint_webhook_ready 1']) {
      expect(m.text).toContain(name);
    }
    expect(m.text).toMatch(/imply_lint_webhook_rule_findings_total\{rule="no-quickstart-minio",severity="error",mode="enforce"\} \d+/);
    // A wrong name fails verification, as it would for the API server.
    await expect(call({ port: r.s.port, ca: r.ca, servername: 'other.imply-lint.svc', path: '/healthz' })).rejects.toThrow(/Hostname\/IP does not match|altnames/);
  });

  it('answers a repeated object from the decision cache with its own uid, and counts hits and misses', async () => {
    const count = (text: string, result: string) => Number(new RegExp(`imply_lint_webhook_decision_cache_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    const before = (await call({ port: r.s.port, ca: r.ca, servername: HOST, path: '/metrics' })).text;
    const q = query(3, { annotations: { 'test/decision-cache': 'unique-object' } });
    const a = await post(r, reviewBody(q, { uid: 'cache-a' }));
    const b = await post(r, reviewBody(q, { uid: 'cache-b' }));
    expect(b.json.response.uid).toBe('cache-b');
    expect({ ...b.json.response, uid: '' }).toEqual({ ...a.json.response, uid: '' });
    const after = (await call({ port: r.s.port, ca: r.ca, servername: HOST, path: '/metrics' })).text;
    expect(count(after, 'miss') - count(before, 'miss')).toBe(1);
    expect(count(after, 'hit') - count(before, 'hit')).toBe(1);
    const lines = r.logs.filter((l) => l.event === 'review' && (l.uid === 'cache-a' || l.uid === 'cache-b'));
    expect(lines.map((l) => l.uid)).toEqual(['cache-a', 'cache-b']);
  });

  it('sets request and keep-alive timeouts (keep-alive outlasting the API server idle timeout)', () => {
    const srv = r.s.app.server as unknown as { keepAliveTimeout: number; requestTimeout: number; headersTimeout: number };
    expect(srv.keepAliveTimeout).toBe(120_000);
    expect(srv.requestTimeout).toBe(30_000);
    expect(srv.headersTimeout).toBeLessThanOrEqual(30_000);
  });

  it('speaks TLS 1.2 and 1.3 only, with forward-secret AEAD ciphers', async () => {
    const t13 = await call({ port: r.s.port, ca: r.ca, servername: HOST, path: '/healthz' });
    expect(t13.protocol).toBe('TLSv1.3');
    const t12 = await call({ port: r.s.port, ca: r.ca, servername: HOST, path: '/healthz', maxVersion: 'TLSv1.2' });
    expect(t12.protocol).toBe('TLSv1.2');
    expect(t12.cipher).toMatch(/^ECDHE-(RSA|ECDSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
    // What kube-apiserver's Go client offers first for RSA keys.
    const go = await call({ port: r.s.port, ca: r.ca, servername: HOST, path: '/healthz', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    expect(go.cipher).toBe('ECDHE-RSA-AES128-GCM-SHA256');
    await expect(call({ port: r.s.port, ca: r.ca, servername: HOST, path: '/healthz', minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).rejects.toThrow();
    await expect(call({ port: r.s.port, ca: r.ca, servername: HOST, path: '/healthz', maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:AES256-SHA:AES128-GCM-SHA256' })).rejects.toThrow(/handshake|cipher|alert/i);
  });

  it('denies an object with error-level findings: uid echoed, 403, rule ids and fixes in the message', async () => {
    const res = await post(r, reviewBody(minio(), { uid: '7f0c3e9a-1' }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json.apiVersion).toBe('admission.k8s.io/v1');
    expect(res.json.kind).toBe('AdmissionReview');
    const resp = res.json.response;
    expect(resp.uid).toBe('7f0c3e9a-1');
    expect(resp.allowed).toBe(false);
    expect(resp.status.code).toBe(403);
    expect(resp.status.message).toMatch(/^imply-lint denied Deployment\/imply-minio: \[no-quickstart-minio\] .* Fix: Set deployments\.minio: false/);
    expect(resp.auditAnnotations.findings).toMatch(/^no-quickstart-minio\/error\/[0-9a-f]{32}$/);
  });

  it('allows objects without error-level findings, with their warnings', async () => {
    const res = await post(r, reviewBody(query(1)));
    const resp = res.json.response;
    expect(resp.allowed).toBe(true);
    expect(resp.status).toBeUndefined();
    expect(resp.warnings.some((w: string) => w.startsWith('[replicas-ha] '))).toBe(true);
    for (const w of resp.warnings) expect(w.length).toBeLessThanOrEqual(WARNING_MAX);
  });

  it('dry-run requests get the same answer', async () => {
    const a = await post(r, reviewBody(minio(), { dryRun: true, uid: 'dry' }));
    const b = await post(r, reviewBody(minio(), { dryRun: false, uid: 'wet' }));
    expect({ ...a.json.response, uid: '' }).toEqual({ ...b.json.response, uid: '' });
  });

  it('allows DELETE and objects outside the release at once, without linting', async () => {
    const del = await post(r, reviewBody(null, { operation: 'DELETE', uid: 'del' }));
    expect(del.json.response).toEqual({ uid: 'del', allowed: true });
    const foreign = await post(r, reviewBody({ ...minio(), metadata: { name: 'minio', labels: { app: 'minio' } } }, { uid: 'foreign' }));
    expect(foreign.json.response).toEqual({ uid: 'foreign', allowed: true });
  });

  it('honours exemption annotations as the CLI does', async () => {
    const res = await post(r, reviewBody(minio({ annotations: { 'imply-lint.io/exempt': 'no-quickstart-minio', 'imply-lint.io/exempt-reason': 'demo cluster until 2026-06' } })));
    expect(res.json.response.allowed).toBe(true);
    const noReason = await post(r, reviewBody(minio({ annotations: { 'imply-lint.io/exempt': 'no-quickstart-minio' } })));
    expect(noReason.json.response.allowed).toBe(false);
  });

  it('compares oldObject with object on UPDATE (druid-change-not-applied)', async () => {
    const mgr = (zk: string): Obj => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'imply-manager', labels: { 'app.kubernetes.io/instance': 'imply' } },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'imply',
                image: 'imply/manager:2023.03.1',
                env: [
                  { name: 'IMPLY_MANAGER_DEFAULTS_UPDATE_TYPE', value: 'disabled' },
                  { name: 'imply_defaults_zkHosts', value: zk },
                ],
              },
            ],
          },
        },
      },
    });
    const res = await post(r, reviewBody(mgr('zk-new:2181'), { operation: 'UPDATE', oldObject: mgr('zk-old:2181') }));
    expect(res.json.response.warnings.some((w: string) => w.startsWith('[druid-change-not-applied] '))).toBe(true);
    const same = await post(r, reviewBody(mgr('zk-old:2181'), { operation: 'UPDATE', oldObject: mgr('zk-old:2181') }));
    expect((same.json.response.warnings ?? []).some((w: string) => w.startsWith('[druid-change-not-applied] '))).toBe(false);
  });

  it('answers malformed JSON and non-AdmissionReview bodies with 400 and a clear message', async () => {
    const bad = await post(r, '{"apiVersion": "admission.k8s.io/v1", ');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/^malformed JSON: /);
    const v1beta1 = await post(r, JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: { uid: 'x', operation: 'CREATE' } }));
    expect(v1beta1.status).toBe(400);
    expect(v1beta1.json.message).toBe('not an AdmissionReview v1 request: apiVersion must be admission.k8s.io/v1 (got "admission.k8s.io/v1beta1")');
    const arr = await post(r, '[]');
    expect(arr.status).toBe(400);
    expect(arr.json.message).toBe('not an AdmissionReview v1 request: body is not a JSON object');
    const noUid = await post(r, JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { operation: 'CREATE' } }));
    expect(noUid.json.message).toContain('request.uid must be a non-empty string');
    const empty = await post(r, '');
    expect(empty.status).toBe(400);
    const text = await post(r, 'hello', { headers: { 'Content-Type': 'text/plain' } });
    expect(text.status).toBe(415);
    const wrongPath = await post(r, reviewBody(minio()), { path: '/mutate' });
    expect(wrongPath.status).toBe(404);
    expect(wrongPath.json.message).toContain('POST /validate');
  });

  it('takes an UPDATE with a 3 MiB object and its oldObject, and answers 413 past the 6 MiB limit', async () => {
    // Both sides near the 3 MiB an object can reach: together just under the 6 MiB default.
    const blob = (c: string) => c.repeat(3 * 1024 * 1024 - 40 * 1024);
    const obj = query(3, { annotations: { 'example.com/blob': blob('x') } });
    const old = query(3, { annotations: { 'example.com/blob': blob('y') } });
    const body = reviewBody(obj, { operation: 'UPDATE', oldObject: old });
    expect(Buffer.byteLength(body)).toBeLessThan(6 * 1024 * 1024);
    expect(Buffer.byteLength(body)).toBeGreaterThan(5.9 * 1024 * 1024);
    const ok = await post(r, body);
    expect(ok.status).toBe(200);
    expect(ok.json.response.allowed).toBe(true);
    const huge = reviewBody(query(3, { annotations: { 'example.com/blob': 'x'.repeat(6 * 1024 * 1024) } }));
    const tooBig = await post(r, huge).catch((e: Error) => ({ status: -1, json: { message: e.message } }));
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.message).toBe(`request body larger than ${6 * 1024 * 1024} bytes (--max-body)`);
    // The server is fine afterwards.
    expect((await post(r, reviewBody(minio()))).status).toBe(200);
  });

  it('treats __proto__ and constructor keys inside objects as data', async () => {
    const body = reviewBody(minio()).replace('"labels":{', '"labels":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},');
    expect(body).toContain('"__proto__"');
    const res = await post(r, body.replace('"spec":{', '"spec":{"__proto__":{"replicas":0},'));
    expect(res.status).toBe(200);
    expect(res.json.response.uid).toBe('uid-1');
    expect(res.json.response.allowed).toBe(false); // still the MinIO Deployment
    expect(({} as Obj).polluted).toBeUndefined();
    expect((Object.prototype as Obj).polluted).toBeUndefined();
    const next = await post(r, reviewBody(query(3)));
    expect(next.json.response.allowed).toBe(true);
  });

  it('uses the API server timeout (?timeout=) to bound the rules', async () => {
    const res = await post(r, reviewBody(minio()), { path: '/validate?timeout=3s' });
    expect(res.json.response.allowed).toBe(false);
  });

  it('logs one JSON line per decision', () => {
    const denied = r.logs.find((l) => l.event === 'review' && l.decision === 'denied');
    expect(denied).toMatchObject({ level: 30, service: 'imply-lint-webhook', object: 'Deployment/imply-minio', mode: 'enforce' });
    expect(denied!.findings[0]).toMatchObject({ rule: 'no-quickstart-minio', severity: 'error' });
    expect(r.logs.some((l) => l.event === 'bad-review')).toBe(true);
  });
});

describe('default rule workers', () => {
  const workersReady = async (r: Running) => Number(/^imply_lint_webhook_workers_ready (\d+)$/m.exec((await call({ port: r.s.port, ca: r.ca, servername: HOST, path: '/metrics' })).text)?.[1]);
  const custom = { ...policy, customRules: [{ id: 'acme-owner', title: 'Owner label', severity: 'warning' as const, target: 'manifest' as const, schema: { properties: { metadata: { required: ['labels'] } } }, message: 'needs labels', source: { file: 'p.yaml', line: 1, column: 1 } }] };

  it.each([
    ['one CPU, built-in rules: on the event loop', 1, policy, 0],
    ['one CPU, custom rules: one worker the deadline can cut', 1, custom, 1],
    ['two CPUs: one worker', 2, policy, 1],
    ['eight CPUs: four workers at most', 8, policy, 4],
  ] as const)('%s', async (_name, cpus, p, want) => {
    const r = await start({ pki, cpus, policy: p, workers: undefined });
    try {
      expect(await workersReady(r)).toBe(want);
      const res = await post(r, reviewBody(minio()));
      expect(res.json.response.allowed).toBe(false);
    } finally {
      await r.s.shutdown('test');
    }
  });
});

describe('warn and audit modes', () => {
  let warn: Running;
  let audit: Running;
  beforeAll(async () => {
    [warn, audit] = await Promise.all([start({ pki, mode: 'warn', onError: 'allow' }), start({ pki, mode: 'audit', onError: 'allow' })]);
  });
  afterAll(async () => {
    await Promise.all([warn.s.shutdown('test'), audit.s.shutdown('test')]);
  });

  it('warn: allowed, every finding a warning of at most 120 characters', async () => {
    const res = await post(warn, reviewBody(minio()));
    const resp = res.json.response;
    expect(resp.allowed).toBe(true);
    expect(resp.warnings[0]).toMatch(/^\[no-quickstart-minio\] The quickstart MinIO subchart/);
    for (const w of resp.warnings) expect(w.length).toBeLessThanOrEqual(WARNING_MAX);
    expect(resp.warnings.join('').length).toBeLessThanOrEqual(WARNINGS_TOTAL_MAX + WARNING_MAX);
  });

  it('audit: allowed without warnings; findings go to the log and the audit annotation', async () => {
    const res = await post(audit, reviewBody(minio(), { uid: 'aud' }));
    const resp = res.json.response;
    expect(resp.allowed).toBe(true);
    expect(resp.warnings).toBeUndefined();
    expect(resp.auditAnnotations.findings).toMatch(/^no-quickstart-minio\/error\//);
    const line = audit.logs.find((l) => l.event === 'review' && l.uid === 'aud');
    expect(line!.findings[0].message).toMatch(/quickstart MinIO/);
  });
});

describe('faults: a rule that throws or loops', () => {
  let deny: Running;
  let allow: Running;
  beforeAll(async () => {
    [deny, allow] = await Promise.all([
      start({ pki, extraRuleModules: [FAULTS], ruleTimeoutMs: 600 }),
      start({ pki, extraRuleModules: [FAULTS], ruleTimeoutMs: 600, onError: 'allow' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([deny.s.shutdown('test'), allow.s.shutdown('test')]);
  });

  it('--on-error deny: a throwing rule gets a well-formed denial naming the failure', async () => {
    const res = await post(deny, reviewBody(query(3, { annotations: { [FAULT_ANNOTATION]: 'throw' } }), { uid: 'thr' }));
    expect(res.status).toBe(200);
    expect(res.json.response).toEqual({
      uid: 'thr',
      allowed: false,
      status: { code: 500, reason: 'InternalError', message: 'imply-lint could not check this object (a rule failed: test-fault-throws: this rule always throws); failing closed per --on-error deny' },
    });
  });

  it('a looping rule is answered at the deadline, the server keeps serving, and the failure is counted', async () => {
    const t0 = Date.now();
    const [loop, normal] = await Promise.all([
      post(deny, reviewBody(query(3, { annotations: { [FAULT_ANNOTATION]: 'loop' } }), { uid: 'loop' })),
      post(deny, reviewBody(query(3), { uid: 'normal' })),
    ]);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(loop.json.response.uid).toBe('loop');
    expect(loop.json.response.allowed).toBe(false);
    expect(loop.json.response.status.message).toContain('rules timed out');
    expect(normal.json.response).toMatchObject({ uid: 'normal', allowed: true });
    const redos = await post(deny, reviewBody(query(3, { annotations: { [FAULT_ANNOTATION]: 'redos' } }), { uid: 'redos' }));
    expect(redos.json.response.status.message).toContain('rules timed out');
    const h = await call({ port: deny.s.port, ca: deny.ca, servername: HOST, path: '/healthz' });
    expect(h.status).toBe(200);
    const m = await call({ port: deny.s.port, ca: deny.ca, servername: HOST, path: '/metrics' });
    expect(m.text).toMatch(/imply_lint_webhook_errors_total\{kind="timeout",answer="deny"\} 2/);
    expect(m.text).toMatch(/imply_lint_webhook_worker_restarts_total\{reason="timeout"\} 2/);
    expect(deny.logs.filter((l) => l.event === 'review-failed').map((l) => l.kind)).toEqual(['rule', 'timeout', 'timeout']);
    // Workers come back: a normal request after the replacements.
    for (let i = 0; i < 150; i++) {
      const text = (await call({ port: deny.s.port, ca: deny.ca, servername: HOST, path: '/metrics' })).text;
      if (/^imply_lint_webhook_workers_ready 2$/m.test(text)) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const after = await post(deny, reviewBody(minio(), { uid: 'after' }));
    expect(after.json.response.allowed).toBe(false);
    expect(after.json.response.status.code).toBe(403);
  });

  it('--on-error allow: allowed with a warning saying it was not checked', async () => {
    const res = await post(allow, reviewBody(query(3, { annotations: { [FAULT_ANNOTATION]: 'loop' } }), { uid: 'la' }));
    expect(res.json.response).toEqual({ uid: 'la', allowed: true, warnings: ['[imply-lint] not checked: rules timed out'] });
  });
});

describe('certificate hot reload', () => {
  it('swaps to a new pair after a ..data swap, and refuses pairs that do not parse or match', async () => {
    const dir = new KubeletSecretDir(fs.mkdtempSync(path.join(os.tmpdir(), 'wh-reload-')));
    dir.update({ 'tls.crt': pki.serving.certPem, 'tls.key': pki.serving.keyPem });
    const r = await start({ pki, dir });
    const served = async (ca = r.ca) => (await call({ port: r.s.port, ca, servername: HOST, path: '/healthz' })).peer!.fingerprint256;
    const fp = (c: CertPair) => new X509Certificate(c.certPem).fingerprint256;
    const waitFor = async (want: string, ca?: string) => {
      for (let i = 0; i < 40; i++) {
        if ((await served(ca)) === want) return;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('certificate not swapped within 4 s');
    };
    try {
      expect(await served()).toBe(fp(pki.serving));
      // cert-manager renewal: same CA, new key pair.
      const renewed = await issueServingCert(pki.ca, { service: SVC, namespace: NS, now: new Date() });
      dir.update({ 'tls.crt': renewed.certPem, 'tls.key': renewed.keyPem });
      await waitFor(fp(renewed));
      expect(r.s.servedFingerprint()).toBe(new X509Certificate(renewed.certPem).fingerprint256);

      // A key that does not match (written on its own first): refused, the served pair stays.
      const other = await issueServingCert(pki.ca, { service: SVC, namespace: NS, now: new Date() });
      dir.writeInPlace('tls.key', other.keyPem);
      const refused = () => r.logs.some((l) => l.event === 'cert-refused' && /does not match/.test(l.err));
      for (let i = 0; i < 100 && !refused(); i++) await new Promise((res) => setTimeout(res, 50));
      expect(refused()).toBe(true);
      expect(await served()).toBe(fp(renewed));
      // Then the matching certificate arrives: swapped.
      dir.writeInPlace('tls.crt', other.certPem);
      await waitFor(fp(other));

      // Garbage: refused.
      dir.update({ 'tls.crt': 'not a certificate', 'tls.key': other.keyPem });
      await new Promise((res) => setTimeout(res, 1200));
      expect(await served()).toBe(fp(other));

      // A new CA (the API server's bundle holds both during a rotation).
      const ca2 = await generateCa({ now: new Date() });
      const leaf2 = await issueServingCert(ca2, { service: SVC, namespace: NS, now: new Date() });
      dir.update({ 'tls.crt': leaf2.certPem, 'tls.key': leaf2.keyPem });
      await waitFor(fp(leaf2), `${pki.ca.certPem}${ca2.certPem}`);
      const m = await call({ port: r.s.port, ca: ca2.certPem, servername: HOST, path: '/metrics' });
      expect(m.text).toMatch(/imply_lint_webhook_cert_reloads_total\{result="swapped"\} 3/);
      expect(m.text).toMatch(/imply_lint_webhook_cert_reloads_total\{result="refused"\} [1-9]/);
    } finally {
      await r.s.shutdown('test');
    }
  }, 90_000);

  it('refuses to start with a pair that does not match', async () => {
    const other = await generatePki({ service: SVC, namespace: NS, now: new Date() });
    const dir = new KubeletSecretDir(fs.mkdtempSync(path.join(os.tmpdir(), 'wh-bad-')));
    dir.update({ 'tls.crt': pki.serving.certPem, 'tls.key': other.serving.keyPem });
    await expect(start({ pki, dir })).rejects.toThrow('private key does not match the certificate');
  });
});

describe('readiness', () => {
  it('self-managed: not ready while no certificate could be loaded from the Secret', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wh-nokube-'));
    // A kubeconfig for an API server that is not there.
    const kubeconfig = path.join(dir, 'kubeconfig.yaml');
    fs.writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
    const logs: Obj[] = [];
    const s = await startServer({
      host: '127.0.0.1',
      port: 0,
      certs: { kind: 'self-managed', options: { service: SVC, namespace: NS, secretName: 's', leaseName: 'l', webhookConfig: 'w', identity: 'p', kubeconfig, syncIntervalMs: 200 } },
      policy,
      mode: 'enforce',
      onError: 'deny',
      drainDelayMs: 0,
      maxBodyBytes: 6 * 1024 * 1024,
      ruleTimeoutMs: 2000,
      workers: 1,
      logLine: (l) => logs.push(JSON.parse(l) as Obj),
    });
    try {
      // Wait for the first failed sync (loading the Kubernetes client and connecting take a moment).
      for (let i = 0; i < 200 && !logs.some((l) => l.event === 'self-managed' && /sync failed/.test(l.msg)); i++) await new Promise((res) => setTimeout(res, 50));
      const ready = await call({ port: s.port, ca: '', servername: HOST, path: '/readyz', insecure: true });
      expect([ready.status, ready.text]).toEqual([503, 'certificates not loaded']);
      expect((await call({ port: s.port, ca: '', servername: HOST, path: '/healthz', insecure: true })).status).toBe(200);
      expect(logs.some((l) => l.event === 'self-managed' && /sync failed/.test(l.msg))).toBe(true);
    } finally {
      await s.shutdown('test');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('drain', () => {
  it('stops being ready at once, keeps answering through the drain delay, then closes', async () => {
    const r = await start({ pki, drainDelayMs: 1500 });
    const t0 = Date.now();
    const done = r.s.shutdown('SIGTERM');
    const ready = await call({ port: r.s.port, ca: r.ca, servername: HOST, path: '/readyz' });
    expect([ready.status, ready.text]).toEqual([503, 'draining']);
    const during = await post(r, reviewBody(minio(), { uid: 'during-drain' }));
    expect(during.json.response.uid).toBe('during-drain');
    await done;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(Date.now() - t0).toBeLessThan(25_000);
    await expect(call({ port: r.s.port, ca: r.ca, servername: HOST, path: '/healthz', timeoutMs: 2000 })).rejects.toThrow();
    expect(r.logs.map((l) => l.event).filter(Boolean)).toEqual(expect.arrayContaining(['listening', 'draining', 'stopped']));
  });
});
