// End to end, as kube-apiserver calls the webhook: the chart is rendered (certs.mode=secret with a caBundle from
// `imply-lint certs`), `imply-lint serve` runs as a child process configured exactly as the chart's Deployment
// configures it (its IMPLY_LINT_* env and its policy ConfigMap), and every object of the real chart's rendered
// streams goes through the chart's webhook selection (rules, namespaceSelector, objectSelector,
// matchConditions) and, when selected, an AdmissionReview v1 POST over TLS verified against the caBundle for
// the Service DNS name, with the configured timeout, checked as the API server checks the answer.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap } from '../../src/model/path.js';
import { parseYamlStream } from '../../src/model/yaml.js';
import { cli, findingsOf } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { ApiServerSim, admissionReview, evalCel, verifyResponse } from './helpers/apiserver.js';
import type { AdmitResult } from './helpers/apiserver.js';
import { find, helmTemplate } from './helpers/chart.js';
import { call } from './helpers/https.js';
import { ROOT, startServe } from './helpers/serve-process.js';
import type { ServeProcess } from './helpers/serve-process.js';

type Obj = Record<string, any>;
const REF23 = path.resolve(ROOT, '../shared/reference/chart-2023.03.1');
const FILES = ['quickstart', 'production', 'features'] as const;
const RELEASE = 'wh';
const WEBHOOK_NS = 'imply-lint';
const SVC = `${RELEASE}-imply-lint-webhook`;
const IMPLY_NS = 'imply';

const objectsOf = (name: string): Obj[] =>
  parseYamlStream(fs.readFileSync(path.join(REF23, `${name}.rendered.yaml`), 'utf8'))
    .map((d) => d.value)
    .filter((v): v is Obj => isMap(v));
const ref = (o: Obj) => `${o.kind}/${o.metadata.name}`;

interface Env {
  dir: string;
  caPem: string;
  caBundle: string;
}

/** Renders the chart for a mode and starts `serve` with the Deployment's configuration. */
async function deploy(env: Env, mode: 'enforce' | 'warn' | 'audit'): Promise<{ sim: ApiServerSim; server: ServeProcess; vwc: Obj }> {
  const objs = await helmTemplate(['--set', 'certs.mode=secret', '--set', `webhook.caBundle=${env.caBundle}`, '--set', `webhook.mode=${mode}`], RELEASE, WEBHOOK_NS);
  const vwc = find(objs, 'ValidatingWebhookConfiguration');
  const deployment = find(objs, 'Deployment') as Obj;
  const policyCm = find(objs, 'ConfigMap', `${SVC}-policy`) as Obj;
  const modeDir = path.join(env.dir, mode);
  fs.mkdirSync(path.join(modeDir, 'policy'), { recursive: true });
  fs.writeFileSync(path.join(modeDir, 'policy', 'policy.yaml'), policyCm.data['policy.yaml']);
  // The container's env, with the mount paths mapped to the test's files.
  const mounts: Record<string, string> = {
    '/etc/imply-lint/policy/policy.yaml': path.join(modeDir, 'policy', 'policy.yaml'),
    '/etc/imply-lint/tls/tls.crt': path.join(env.dir, 'certs', 'tls.crt'),
    '/etc/imply-lint/tls/tls.key': path.join(env.dir, 'certs', 'tls.key'),
  };
  const containerEnv: Record<string, string> = {};
  for (const e of deployment.spec.template.spec.containers[0].env as Obj[]) if (typeof e.value === 'string') containerEnv[e.name] = mounts[e.value] ?? e.value;
  expect(deployment.spec.template.spec.containers[0].args).toEqual(['serve']);
  if (mode === 'audit') {
    // The chart turns PolicyReports on in audit mode; in a pod the service account is the API access. Here a
    // kubeconfig stands in for it, naming an API server that is not there: reports are dropped (counted in
    // /metrics, test/webhook/policyreports.test.ts covers the writes), reviews must not notice.
    expect(containerEnv.IMPLY_LINT_POLICY_REPORTS).toBe('true');
    const kubeconfig = path.join(modeDir, 'kubeconfig');
    fs.writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{ name: gone, cluster: { server: "https://127.0.0.1:9", insecure-skip-tls-verify: true } }]',
        'users: [{ name: sa, user: { token: test-token } }]',
        'contexts: [{ name: gone, context: { cluster: gone, user: sa } }]',
        'current-context: gone',
        '',
      ].join('\n'),
    );
    containerEnv.IMPLY_LINT_KUBECONFIG = kubeconfig;
  }
  const server = await startServe(['--port', '0'], { env: containerEnv, cwd: modeDir });
  await server.waitReady(env.caPem, `${SVC}.${WEBHOOK_NS}.svc`);
  return { sim: new ApiServerSim(vwc, { host: '127.0.0.1', port: server.port }), server, vwc };
}

const env = {} as Env;
const servers: Record<string, { sim: ApiServerSim; server: ServeProcess; vwc: Obj }> = {};

beforeAll(async () => {
  env.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-apiserver-'));
  const r = await cli(['certs', '--service', SVC, '--namespace', WEBHOOK_NS, '--out', path.join(env.dir, 'certs')]);
  expect(r.code).toBe(0);
  env.caPem = fs.readFileSync(path.join(env.dir, 'certs', 'ca.crt'), 'utf8');
  env.caBundle = Buffer.from(env.caPem).toString('base64');
  const [enforce, warn, audit] = await Promise.all([deploy(env, 'enforce'), deploy(env, 'warn'), deploy(env, 'audit')]);
  Object.assign(servers, { enforce, warn, audit });
}, 180_000);

afterAll(async () => {
  for (const s of Object.values(servers)) {
    s.server.kill('SIGTERM');
    await s.server.exited;
  }
  fs.rmSync(env.dir, { recursive: true, force: true });
}, 60_000);

/** Admits every object of a stream (CREATE in the Imply namespace); results by object. */
async function admitAll(sim: ApiServerSim, name: string): Promise<Map<string, AdmitResult>> {
  const out = new Map<string, AdmitResult>();
  for (const o of objectsOf(name)) out.set(ref(o), await sim.admit(o, { operation: 'CREATE', namespace: IMPLY_NS }));
  return out;
}

/** Every call answered as the API server requires (no failed call, failurePolicy never used). */
function expectWellFormed(results: Map<string, AdmitResult>): number {
  let calls = 0;
  for (const [k, r] of results) {
    for (const c of r.calls) {
      expect(c.error, `${k} via ${c.webhook}`).toBeUndefined();
      calls++;
    }
  }
  return calls;
}

describe('which objects the API server sends (the chart selectors)', () => {
  it('main-chart objects via the instance entry, subchart objects via the release entry, unlabelled ones never', () => {
    const sim = servers.enforce.sim;
    const selected = (o: Obj) => sim.select(o, { operation: 'CREATE', namespace: IMPLY_NS }).map((s) => s.entry.name);
    for (const name of FILES) {
      for (const o of objectsOf(name)) {
        const labels = o.metadata.labels ?? {};
        const hit = selected(o);
        const registered = ['Deployment', 'StatefulSet', 'Job', 'Service', 'Secret', 'ConfigMap', 'PersistentVolumeClaim', 'Ingress'].includes(o.kind);
        if (!registered) expect(hit, `${name} ${ref(o)}`).toEqual([]);
        else if (labels['app.kubernetes.io/instance']) expect(hit, `${name} ${ref(o)}`).toEqual(['instance.imply-lint.io']);
        else if (labels.release) expect(hit, `${name} ${ref(o)}`).toEqual(['subchart.imply-lint.io']);
        else expect(hit, `${name} ${ref(o)}`).toEqual([]);
      }
    }
    // Namespaces: kube-system and the webhook's own are never sent.
    const mgr = objectsOf('production').find((o) => ref(o) === 'Deployment/imply-manager')!;
    expect(sim.select(mgr, { operation: 'CREATE', namespace: 'kube-system' })).toEqual([]);
    expect(sim.select(mgr, { operation: 'CREATE', namespace: WEBHOOK_NS })).toEqual([]);
    // Deletes are not registered.
    expect(sim.select(mgr, { operation: 'DELETE', namespace: IMPLY_NS, oldObject: mgr })).toEqual([]);
  });

  it('hand-made Secrets by name through matchConditions (CEL), others not', () => {
    const sim = servers.enforce.sim;
    const secret = (name: string, labels?: Obj): Obj => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, ...(labels ? { labels } : {}) }, type: 'Opaque', data: {} });
    const names = (o: Obj) => sim.select(o, { operation: 'CREATE', namespace: IMPLY_NS }).map((s) => s.entry.name);
    for (const n of ['imply-ca', 'imply-auth-token', 'imply-secrets']) expect(names(secret(n))).toEqual(['secrets.imply-lint.io']);
    expect(names(secret('some-app-secret'))).toEqual([]);
    // A labelled Secret of the release goes through its release entry only.
    expect(names(secret('imply-ca', { 'app.kubernetes.io/instance': 'imply' }))).toEqual(['instance.imply-lint.io']);
    expect(evalCel("object.metadata.name in ['a', 'b']", { object: { metadata: { name: 'b' } } })).toBe(true);
  });
});

describe('enforce mode', { timeout: 90_000 }, () => {
  it('denies the quickstart components, naming the rules, and answers every call well-formed', async () => {
    const results = await admitAll(servers.enforce.sim, 'quickstart');
    expect(expectWellFormed(results)).toBeGreaterThan(15);
    const denied = [...results].filter(([, r]) => !r.allowed).map(([k]) => k);
    expect(denied).toEqual(expect.arrayContaining(['Deployment/imply-minio', 'Secret/imply-minio', 'StatefulSet/imply-zookeeper', 'Deployment/imply-manager']));
    const msg = (k: string) => results.get(k)!.denials.join(' ');
    expect(msg('Deployment/imply-minio')).toMatch(/^admission webhook "subchart\.imply-lint\.io" denied the request: imply-lint denied Deployment\/imply-minio: \[no-quickstart-minio\]/);
    expect(msg('StatefulSet/imply-zookeeper')).toContain('[zookeeper-ha]');
    expect(msg('Secret/imply-minio')).toContain('[no-default-credentials]');
    expect(msg('Deployment/imply-manager')).toMatch(/\[tls-enabled\].*Fix: /);
    // Unlabelled objects were never sent.
    expect(results.get('ConfigMap/imply-scripts')!.called).toEqual([]);
    // Every denial is backed by an error-level finding in the audit annotation, every allowance by none.
    for (const [k, r] of results) {
      for (const c of r.calls) {
        const audit = c.body!.response!.auditAnnotations?.findings ?? '';
        expect(c.body!.response!.allowed, k).toBe(!/\/error\//.test(audit));
      }
    }
  });

  it('allows every production object', async () => {
    const results = await admitAll(servers.enforce.sim, 'production');
    expect(expectWellFormed(results)).toBeGreaterThanOrEqual(9);
    for (const [k, r] of results) expect(r.allowed, `${k}: ${r.denials.join(' ')}`).toBe(true);
    // Warning-level findings still reach the user (kubectl prints them).
    expect(results.get('Deployment/imply-manager')!.warnings.some((w) => w.startsWith('[metadata-store-tls] '))).toBe(true);
  });

  it('features: the bundled MySQL is denied, the rest of the release allowed', async () => {
    const results = await admitAll(servers.enforce.sim, 'features');
    expectWellFormed(results);
    expect(results.get('Deployment/imply-mysql')!.allowed).toBe(false);
    expect(results.get('Deployment/imply-mysql')!.denials[0]).toContain('[no-quickstart-mysql]');
    expect(results.get('Secret/imply-mysql')!.allowed).toBe(false);
    for (const k of ['Deployment/imply-manager', 'Deployment/imply-query', 'StatefulSet/imply-data', 'Ingress/imply-manager', 'Ingress/imply-pivot-ingress']) expect(results.get(k)!.allowed, k).toBe(true);
  });

  it('findings carry the same rule id and fingerprint as the CLI on the whole rendered stream', async () => {
    for (const name of FILES) {
      const stream = findingsOf((await cli([path.join(REF23, `${name}.rendered.yaml`), '--format', 'json', '--no-config'])).stdout);
      const results = await admitAll(servers.enforce.sim, name);
      for (const [k, r] of results) {
        for (const c of r.calls) {
          for (const item of (c.body!.response!.auditAnnotations?.findings ?? '').split(',').filter(Boolean)) {
            const [ruleId, , fp] = item.split('/');
            expect(stream.some((f) => f.ruleId === ruleId && f.fingerprint === fp), `${name} ${k} ${item}`).toBe(true);
          }
        }
      }
    }
  });

  it('checks the hand-made CA Secret by name: an expired CA is denied (tls-secret-valid)', async () => {
    const expired = makeCert({ notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'imply-ca' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(expired.certPem), 'tls.key': b64(expired.keyPem) } };
    const r = await servers.enforce.sim.admit(secret, { operation: 'CREATE', namespace: IMPLY_NS });
    expect(r.called).toEqual(['secrets.imply-lint.io']);
    expect(r.allowed).toBe(false);
    expect(r.denials[0]).toContain('[tls-secret-valid]');
    const fresh = makeCert({ notBefore: new Date(Date.now() - 86400_000), notAfter: new Date(Date.now() + 3 * 365 * 86400_000) });
    const ok = await servers.enforce.sim.admit({ ...secret, data: { 'tls.crt': b64(fresh.certPem), 'tls.key': b64(fresh.keyPem) } }, { operation: 'CREATE', namespace: IMPLY_NS });
    expect(ok.calls[0].error).toBeUndefined();
    expect(ok.allowed).toBe(true);
  });

  it('UPDATE sends oldObject: a druid change with updates disabled warns (druid-change-not-applied)', async () => {
    const mgr = objectsOf('production').find((o) => ref(o) === 'Deployment/imply-manager')!;
    const withEnv = (name: string, value: string): Obj => {
      const m = structuredClone(mgr);
      const envs = m.spec.template.spec.containers[0].env as Obj[];
      envs.find((e) => e.name === name)!.value = value;
      return m;
    };
    const old = withEnv('IMPLY_MANAGER_DEFAULTS_UPDATE_TYPE', 'disabled');
    const changed = structuredClone(old);
    (changed.spec.template.spec.containers[0].env as Obj[]).find((e) => e.name === 'imply_defaults_zkHosts')!.value = 'zk-new-0.zookeeper.svc:2181';
    const r = await servers.enforce.sim.admit(changed, { operation: 'UPDATE', namespace: IMPLY_NS, oldObject: old });
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0].request.request).toMatchObject({ operation: 'UPDATE', oldObject: { kind: 'Deployment' } });
    expect(r.warnings.some((w) => w.startsWith('[druid-change-not-applied] '))).toBe(true);
  });

  it('dry-run requests get the same answers', async () => {
    const minio = objectsOf('quickstart').find((o) => ref(o) === 'Deployment/imply-minio')!;
    const wet = await servers.enforce.sim.admit(minio, { operation: 'CREATE', namespace: IMPLY_NS });
    const dry = await servers.enforce.sim.admit(minio, { operation: 'CREATE', namespace: IMPLY_NS, dryRun: true });
    expect(dry.calls[0].request.request).toMatchObject({ dryRun: true });
    expect(dry.denials).toEqual(wet.denials);
  });

  it('every object posted directly (selectors bypassed) gets a well-formed answer; objects outside the release are allowed', async () => {
    const svc = servers.enforce.vwc.webhooks[0].clientConfig;
    for (const name of FILES) {
      for (const o of objectsOf(name)) {
        const review = admissionReview(o, { operation: 'CREATE', namespace: IMPLY_NS });
        const uid = (review.request as { uid: string }).uid;
        const res = await call({ port: servers.enforce.server.port, ca: env.caPem, servername: `${svc.service.name}.${svc.service.namespace}.svc`, method: 'POST', path: '/validate?timeout=5s', body: JSON.stringify(review) });
        expect(verifyResponse(uid, res.status, res.json), `${name} ${ref(o)}`).toBeUndefined();
        const labels = o.metadata.labels ?? {};
        if (!labels['app.kubernetes.io/instance'] && !labels.release) expect(res.json.response, `${name} ${ref(o)}`).toEqual({ uid, allowed: true });
      }
    }
  });

  it('the server presents the certificate the caBundle vouches for', async () => {
    const svc = servers.enforce.vwc.webhooks[0].clientConfig;
    const ca = new X509Certificate(Buffer.from(svc.caBundle, 'base64'));
    const res = await call({ port: servers.enforce.server.port, ca: Buffer.from(svc.caBundle, 'base64'), servername: `${svc.service.name}.${svc.service.namespace}.svc`, path: '/healthz' });
    expect(res.status).toBe(200);
    expect(res.peer!.issuer.CN).toBe(ca.subject.split('\n').find((l) => l.startsWith('CN='))!.slice(3));
  });
});

describe('warn mode', () => {
  it('allows everything and turns the quickstart findings into warnings of at most 120 characters', async () => {
    const results = await admitAll(servers.warn.sim, 'quickstart');
    expectWellFormed(results);
    for (const [k, r] of results) expect(r.allowed, k).toBe(true);
    expect(results.get('Deployment/imply-minio')!.warnings[0]).toMatch(/^\[no-quickstart-minio\] /);
    expect(results.get('StatefulSet/imply-zookeeper')!.warnings.some((w) => w.startsWith('[zookeeper-ha] '))).toBe(true);
    for (const r of results.values()) for (const w of r.warnings) expect(w.length).toBeLessThanOrEqual(120);
  });
});

describe('audit mode', () => {
  it('allows everything without warnings and logs the findings', async () => {
    const results = await admitAll(servers.audit.sim, 'quickstart');
    expectWellFormed(results);
    for (const [k, r] of results) {
      expect(r.allowed, k).toBe(true);
      expect(r.warnings, k).toEqual([]);
    }
    const line = servers.audit.server.logs.find((l) => l.event === 'review' && l.object === 'Deployment/imply-minio');
    expect(line).toMatchObject({ mode: 'audit', decision: 'allowed' });
    expect(line!.findings[0]).toMatchObject({ rule: 'no-quickstart-minio', severity: 'error' });
  });
});

describe('failurePolicy', () => {
  it('Fail: an unreachable webhook denies (the harness applies the policy as the API server does)', async () => {
    const sim = new ApiServerSim(servers.enforce.vwc, { host: '127.0.0.1', port: 1 });
    const mgr = objectsOf('production').find((o) => ref(o) === 'Deployment/imply-manager')!;
    const r = await sim.admit(mgr, { operation: 'CREATE', namespace: IMPLY_NS });
    expect(r.allowed).toBe(false);
    expect(r.denials[0]).toMatch(/^failed calling webhook "instance\.imply-lint\.io": /);
    const ignore = new ApiServerSim({ ...servers.enforce.vwc, webhooks: servers.enforce.vwc.webhooks.map((w: Obj) => ({ ...w, failurePolicy: 'Ignore' })) }, { host: '127.0.0.1', port: 1 });
    expect((await ignore.admit(mgr, { operation: 'CREATE', namespace: IMPLY_NS })).allowed).toBe(true);
  });
});
