// Audit mode -> PolicyReports, against a loopback HTTPS fake of the Kubernetes API that records a contract: for a
// sequence of audit reviews, each call's method, path and Content-Type, every request body validated against the
// vendored CRD schema (test/fixtures/crds), the update path with resourceVersion, a 409 retried once, the queue
// bound, and the API server down (reviews still answered, drops counted). Then end to end through the real
// webhook server in audit mode, and the chart's RBAC for it.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/rules/policy.js';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import { generatePki } from '../../src/webhook/certs.js';
import type { Pki } from '../../src/webhook/certs.js';
import { PolicyReportWriter, inCluster, objectReportName, reportFor, reviewedObject, startPolicyReports } from '../../src/webhook/policyreports.js';
import type { ReviewedObject } from '../../src/webhook/policyreports.js';
import type { FindingSummary } from '../../src/webhook/protocol.js';
import { startServer } from '../../src/webhook/server.js';
import type { WebhookServer } from '../../src/webhook/server.js';
import { reportProblems } from '../fixtures/crds/validate.js';
import { cli } from '../helpers/cli.js';
import { KubeletSecretDir } from './helpers/certdir.js';
import { helmTemplate } from './helpers/chart.js';
import { call } from './helpers/https.js';
import { LoopbackApi } from './helpers/fake-kube.js';
import type { Recorded } from './helpers/fake-kube.js';

type Obj = Record<string, any>;


function status(code: number, reason: string, message: string): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** The report endpoints of the API server, as documented, with every call recorded and every body checked. */
class FakeReportsApi extends LoopbackApi {
  readonly store = new Map<string, Obj>();
  private rv = 1000;

  /** Another writer changed a stored report (its resourceVersion moves on). */
  touch(key: string): void {
    const o = this.store.get(key)!;
    this.store.set(key, { ...o, metadata: { ...o.metadata, resourceVersion: String(++this.rv) } });
  }

  /** Another writer created a report first. */
  seed(key: string, obj: Obj): void {
    this.store.set(key, { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv), uid: randomUUID() } });
  }

  calls(from = 0): string[] {
    return this.requests.slice(from).map((r) => `${r.method} ${r.path} ${r.status}`);
  }

  protected async handle(req: import('node:http').IncomingMessage, raw: string): Promise<{ code: number; body: Obj }> {
    const p = (req.url ?? '').split('?')[0];
    const method = req.method ?? '';
    const rec: Recorded = { method, path: p, contentType: req.headers['content-type'], authorization: req.headers.authorization, status: 0 };
    this.requests.push(rec);
    await this.beforeHandle?.(method, p);
    const reply = (code: number, body: Obj) => {
      rec.status = code;
      return { code, body };
    };
    if (req.headers.authorization !== `Bearer ${this.token}`) return reply(401, status(401, 'Unauthorized', 'Unauthorized'));
    let body: Obj | undefined;
    if (raw.length) {
      try {
        body = JSON.parse(raw) as Obj;
        rec.body = body;
      } catch {
        this.violations.push(`${method} ${p}: body is not JSON`);
        return reply(400, status(400, 'BadRequest', 'body is not JSON'));
      }
    }
    if ((method === 'POST' || method === 'PUT') && req.headers['content-type'] !== 'application/json') this.violations.push(`${method} ${p}: Content-Type ${String(req.headers['content-type'])}`);
    if (method === 'GET' && raw.length) this.violations.push(`GET ${p} with a body`);
    const m =
      /^\/apis\/(wgpolicyk8s\.io)\/(v1alpha2)\/(?:namespaces\/([^/]+)\/)?(policyreports|clusterpolicyreports)(?:\/([^/]+))?$/.exec(p) ??
      /^\/apis\/(openreports\.io)\/(v1alpha1)\/(?:namespaces\/([^/]+)\/)?(reports|clusterreports)(?:\/([^/]+))?$/.exec(p);
    if (!m) {
      this.violations.push(`unexpected ${method} ${p}`);
      return reply(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    const [, group, version, ns, plural, name] = m;
    const cluster = plural.startsWith('cluster');
    if (cluster === Boolean(ns)) {
      this.violations.push(`${method} ${p}: ${plural} ${cluster ? 'with' : 'without'} a namespace`);
      return reply(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    const key = (n: string) => `/apis/${group}/${version}/${ns ? `namespaces/${ns}/` : ''}${plural}/${n}`;
    const kind = { policyreports: 'PolicyReport', clusterpolicyreports: 'ClusterPolicyReport', reports: 'Report', clusterreports: 'ClusterReport' }[plural]!;
    const checkBody = (): { code: number; body: Obj } | undefined => {
      if (!body) return reply(400, status(400, 'BadRequest', 'no body'));
      if (body.apiVersion !== `${group}/${version}` || body.kind !== kind) this.violations.push(`${method} ${p}: apiVersion/kind ${body.apiVersion}/${body.kind}`);
      const problems = reportProblems(body);
      if (problems.length) {
        this.violations.push(`${method} ${p}: ${problems.join('; ')}`);
        return reply(422, status(422, 'Invalid', problems.join('; ')));
      }
      if (ns && body.metadata.namespace !== undefined && body.metadata.namespace !== ns) return reply(400, status(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request'));
      return undefined;
    };
    if (method === 'GET' && name) {
      const o = this.store.get(key(name));
      return o ? reply(200, o) : reply(404, status(404, 'NotFound', `${plural}.${group} "${name}" not found`));
    }
    if (method === 'POST' && !name) {
      const bad = checkBody();
      if (bad) return bad;
      const n = body!.metadata.name as string;
      if (body!.metadata.resourceVersion !== undefined) return reply(500, status(500, 'InternalError', 'resourceVersion should not be set on objects to be created'));
      if (this.store.has(key(n))) return reply(409, status(409, 'AlreadyExists', `${plural}.${group} "${n}" already exists`));
      const o = { ...body, metadata: { ...body!.metadata, ...(ns ? { namespace: ns } : {}), resourceVersion: String(++this.rv), uid: randomUUID() } };
      this.store.set(key(n), o);
      return reply(201, o);
    }
    if (method === 'PUT' && name) {
      const cur = this.store.get(key(name));
      if (!cur) return reply(404, status(404, 'NotFound', `${plural}.${group} "${name}" not found`));
      const bad = checkBody();
      if (bad) return bad;
      if (body!.metadata.name !== name) return reply(400, status(400, 'BadRequest', 'the name of the object does not match the name on the URL'));
      const rv = body!.metadata.resourceVersion;
      if (!rv) return reply(422, status(422, 'Invalid', 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update'));
      if (rv !== cur.metadata.resourceVersion) return reply(409, status(409, 'Conflict', `Operation cannot be fulfilled on ${plural}.${group} "${name}": the object has been modified; please apply your changes to the latest version and try again`));
      const o = { ...body, metadata: { ...body!.metadata, ...(ns ? { namespace: ns } : {}), resourceVersion: String(++this.rv), uid: cur.metadata.uid } };
      this.store.set(key(name), o);
      return reply(200, o);
    }
    this.violations.push(`unexpected ${method} ${p}`);
    return reply(405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
  }
}

const NS = 'druid';
const WG = '/apis/wgpolicyk8s.io/v1alpha2';
const AT = '2026-03-01T10:00:00.250Z';

function finding(ruleId: string, severity: FindingSummary['severity'], extra: Partial<FindingSummary> = {}): FindingSummary {
  return { ruleId, severity, fingerprint: `${ruleId}-fp`.padEnd(32, '0').slice(0, 32), suppressed: false, message: `${ruleId} says no.`, ...extra };
}

function reviewed(over: Partial<ReviewedObject> = {}): ReviewedObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'manager',
    namespace: NS,
    uid: '6f1d5a8e-0000-4000-8000-000000000001',
    findings: [finding('replicas-ha', 'warning'), finding('no-quickstart-minio', 'error'), finding('image-tag-pinned', 'info', { suppressed: true })],
    at: AT,
    policy: 'production',
    ...over,
  };
}

interface Harness {
  api: FakeReportsApi;
  writer: PolicyReportWriter;
  logs: { level: string; msg: string; fields?: Record<string, unknown> }[];
}

describe('PolicyReport writer: the API contract', { timeout: 60_000 }, () => {
  let h: Harness;
  const make = async (o: Partial<ConstructorParameters<typeof PolicyReportWriter>[0]> = {}, api?: FakeReportsApi): Promise<Harness> => {
    const fake = api ?? new FakeReportsApi();
    if (!api) await fake.start();
    const logs: Harness['logs'] = [];
    const meta = new Map(BUILTIN_RULES.map((r) => [r.meta.id, r.meta]));
    const writer = new PolicyReportWriter({ kubeconfig: fake.kubeconfig(), flushDelayMs: 60_000, ruleInfo: (id) => meta.get(id), log: (level, msg, fields) => logs.push({ level, msg, fields }), ...o });
    return { api: fake, writer, logs };
  };
  beforeEach(async () => {
    h = await make();
  });
  afterEach(async () => {
    await h.writer.stop(500);
    expect(h.api.violations).toEqual([]);
    await h.api.stop();
  });

  it('first review: GET 404 then POST, a valid PolicyReport in the object namespace, owned by the object', async () => {
    expect(h.writer.enqueue(reviewed())).toBe(true);
    await h.writer.flush();
    const PATH = `${WG}/namespaces/${NS}/policyreports`;
    expect(h.api.calls()).toEqual([`GET ${PATH}/imply-lint-deployment-manager 404`, `POST ${PATH} 201`]);
    for (const r of h.api.requests) expect(r.authorization).toBe(`Bearer ${h.api.token}`);
    const post = h.api.requests[1];
    expect(post.contentType).toBe('application/json');
    expect(reportProblems(post.body, { needNamespace: true })).toEqual([]);
    const scope = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'manager', namespace: NS, uid: reviewed().uid };
    expect(post.body).toEqual({
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: 'PolicyReport',
      metadata: {
        name: 'imply-lint-deployment-manager',
        namespace: NS,
        labels: { 'app.kubernetes.io/managed-by': 'imply-lint' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'manager', uid: reviewed().uid }],
      },
      scope,
      results: [
        { policy: 'production', rule: 'replicas-ha', result: 'warn', severity: 'medium', category: 'availability', message: 'replicas-ha says no.', source: 'imply-lint', timestamp: { seconds: Math.floor(Date.parse(AT) / 1000), nanos: 250_000_000 }, properties: { fingerprint: expect.any(String) }, resources: [scope] },
        expect.objectContaining({ rule: 'no-quickstart-minio', result: 'fail', severity: 'high', category: 'quickstart' }),
        expect.objectContaining({ rule: 'image-tag-pinned', result: 'skip', severity: 'info', properties: { fingerprint: expect.any(String), suppressed: 'true' } }),
      ],
      summary: { pass: 0, fail: 1, warn: 1, error: 0, skip: 1 },
    });
    expect(h.writer.stats).toMatchObject({ created: 1, replaced: 0, dropped: 0 });
  });

  it('next review of the same object: GET 200 then PUT with the resourceVersion read (findings replaced)', async () => {
    h.writer.enqueue(reviewed());
    await h.writer.flush();
    const stored = h.api.store.get(`${WG}/namespaces/${NS}/policyreports/imply-lint-deployment-manager`)!;
    const from = h.api.requests.length;
    h.writer.enqueue(reviewed({ findings: [finding('replicas-ha', 'warning')] }));
    await h.writer.flush();
    const NAME = `${WG}/namespaces/${NS}/policyreports/imply-lint-deployment-manager`;
    expect(h.api.calls(from)).toEqual([`GET ${NAME} 200`, `PUT ${NAME} 200`]);
    const put = h.api.requests[from + 1];
    expect(put.contentType).toBe('application/json');
    expect(put.body!.metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
    expect(reportProblems(put.body)).toEqual([]);
    expect(put.body!.results.map((r: Obj) => r.rule)).toEqual(['replicas-ha']);
    expect(put.body!.summary).toEqual({ pass: 0, fail: 0, warn: 1, error: 0, skip: 0 });
    expect(h.writer.stats).toMatchObject({ created: 1, replaced: 1 });
  });

  it('a report that changed between GET and PUT (409) is retried once from the GET', async () => {
    h.writer.enqueue(reviewed());
    await h.writer.flush();
    const NAME = `${WG}/namespaces/${NS}/policyreports/imply-lint-deployment-manager`;
    let once = true;
    h.api.beforeHandle = (method) => {
      if (method === 'PUT' && once) {
        once = false;
        h.api.touch(NAME);
      }
    };
    const from = h.api.requests.length;
    h.writer.enqueue(reviewed({ findings: [] }));
    await h.writer.flush();
    expect(h.api.calls(from)).toEqual([`GET ${NAME} 200`, `PUT ${NAME} 409`, `GET ${NAME} 200`, `PUT ${NAME} 200`]);
    // The retry sends the resourceVersion of its fresh GET, not the stale one.
    const [stale, fresh] = [h.api.requests[from + 1].body!.metadata.resourceVersion, h.api.requests[from + 3].body!.metadata.resourceVersion];
    expect(fresh).not.toBe(stale);
    expect(Number(fresh)).toBe(Number(stale) + 1);
    expect(h.api.store.get(NAME)!.results).toEqual([]);
    expect(h.writer.stats).toMatchObject({ conflicts: 1, replaced: 1, dropped: 0 });
  });

  it('created by another replica between GET and POST (409 AlreadyExists): GET again, then PUT', async () => {
    const PATH = `${WG}/namespaces/${NS}/policyreports`;
    let once = true;
    h.api.beforeHandle = (method) => {
      if (method === 'POST' && once) {
        once = false;
        h.api.seed(`${PATH}/imply-lint-deployment-manager`, reportFor(reviewed({ findings: [] }), 'wgpolicyk8s.io/v1alpha2') as unknown as Obj);
      }
    };
    h.writer.enqueue(reviewed());
    await h.writer.flush();
    expect(h.api.calls()).toEqual([`GET ${PATH}/imply-lint-deployment-manager 404`, `POST ${PATH} 409`, `GET ${PATH}/imply-lint-deployment-manager 200`, `PUT ${PATH}/imply-lint-deployment-manager 200`]);
    expect(h.api.store.get(`${PATH}/imply-lint-deployment-manager`)!.summary.fail).toBe(1);
  });

  it('a second conflict drops the report (counted, logged), and the writer goes on', async () => {
    h.writer.enqueue(reviewed());
    await h.writer.flush();
    const NAME = `${WG}/namespaces/${NS}/policyreports/imply-lint-deployment-manager`;
    h.api.beforeHandle = (method) => {
      if (method === 'PUT') h.api.touch(NAME);
    };
    h.writer.enqueue(reviewed({ findings: [] }));
    await h.writer.flush();
    expect(h.api.calls(2).filter((c) => c.startsWith('PUT'))).toEqual([`PUT ${NAME} 409`, `PUT ${NAME} 409`]);
    expect(h.writer.stats).toMatchObject({ conflicts: 2, dropped: 1, failed: 1 });
    expect(h.logs.find((l) => l.fields?.event === 'policy-report-dropped')?.fields).toMatchObject({ reason: 'write-failed', err: 'conflict twice', object: 'Deployment/manager' });
    h.api.beforeHandle = undefined;
    h.writer.enqueue(reviewed({ name: 'broker' }));
    await h.writer.flush();
    expect(h.writer.stats.created).toBe(2);
  });

  it('cluster-scoped objects get a ClusterPolicyReport; openreports.io writes Reports with a top-level source', async () => {
    h.writer.enqueue(reviewed({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'imply-reader', namespace: undefined }));
    await h.writer.flush();
    expect(h.api.calls()).toEqual([`GET ${WG}/clusterpolicyreports/imply-lint-clusterrole-imply-reader 404`, `POST ${WG}/clusterpolicyreports 201`]);
    const body = h.api.requests[1].body!;
    expect(body.kind).toBe('ClusterPolicyReport');
    expect(body.metadata.namespace).toBeUndefined();
    expect(body.metadata.ownerReferences[0]).toEqual({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'imply-reader', uid: reviewed().uid });

    const or = await make({ api: 'openreports.io/v1alpha1' }, h.api);
    or.writer.enqueue(reviewed());
    or.writer.enqueue(reviewed({ apiVersion: 'v1', kind: 'Namespace', name: 'druid', namespace: undefined }));
    await or.writer.flush();
    const OR = '/apis/openreports.io/v1alpha1';
    // Written in parallel: the order across the two objects is free.
    expect(h.api.calls(2).sort()).toEqual([`GET ${OR}/clusterreports/imply-lint-namespace-druid 404`, `GET ${OR}/namespaces/${NS}/reports/imply-lint-deployment-manager 404`, `POST ${OR}/clusterreports 201`, `POST ${OR}/namespaces/${NS}/reports 201`]);
    const posted = (p: string) => h.api.requests.find((r) => r.method === 'POST' && r.path === p)!.body;
    expect(posted(`${OR}/namespaces/${NS}/reports`)).toMatchObject({ apiVersion: 'openreports.io/v1alpha1', kind: 'Report', source: 'imply-lint' });
    expect(posted(`${OR}/clusterreports`)).toMatchObject({ kind: 'ClusterReport', source: 'imply-lint' });
    await or.writer.stop(500);
  });

  it('no uid, no ownerReferences; long or odd names are DNS-safe and hashed', async () => {
    h.writer.enqueue(reviewed({ uid: undefined, kind: 'ConfigMap', apiVersion: 'v1', name: 'imply.conf' }));
    h.writer.enqueue(reviewed({ kind: 'StatefulSet', name: `historical-${'tier-'.repeat(50)}x` }));
    await h.writer.flush();
    const posts = h.api.requests.filter((r) => r.method === 'POST').map((r) => r.body!);
    expect(posts).toHaveLength(2);
    expect(posts[0].metadata.ownerReferences).toBeUndefined();
    expect(posts[0].metadata.name).toBe(objectReportName('ConfigMap', 'imply.conf'));
    expect(posts[0].metadata.name).toMatch(/^imply-lint-configmap-imply-conf-[0-9a-f]{10}$/);
    expect(posts[1].metadata.name.length).toBeLessThanOrEqual(63);
    for (const p of posts) expect(reportProblems(p)).toEqual([]);
  });

  it('reviews of the same object coalesce while queued: only the latest is written', async () => {
    h.writer.enqueue(reviewed({ findings: [finding('a', 'error')] }));
    h.writer.enqueue(reviewed({ findings: [finding('b', 'error')] }));
    h.writer.enqueue(reviewed({ findings: [finding('c', 'warning')] }));
    expect(h.writer.pending).toBe(1);
    await h.writer.flush();
    expect(h.api.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(h.api.requests[1].body!.results.map((r: Obj) => r.rule)).toEqual(['c']);
  });

  it('the queue is bounded: past maxQueue a report is dropped, counted in the metric and logged once per interval', async () => {
    const prom = await import('prom-client');
    const registry = new prom.Registry();
    const w = await PolicyReportWriter.create({ kubeconfig: h.api.kubeconfig(), flushDelayMs: 60_000, maxQueue: 3, registry, log: (level, msg, fields) => h.logs.push({ level, msg, fields }) });
    const results = ['a', 'b', 'c', 'd', 'e'].map((n) => w.enqueue(reviewed({ name: n })));
    expect(results).toEqual([true, true, true, false, false]);
    expect(w.pending).toBe(3);
    // A queued object's newer review still gets in (it replaces its entry).
    expect(w.enqueue(reviewed({ name: 'a', findings: [] }))).toBe(true);
    expect(w.stats.dropped).toBe(2);
    expect(await registry.getSingleMetricAsString('imply_lint_webhook_policy_reports_dropped_total')).toContain('imply_lint_webhook_policy_reports_dropped_total{reason="queue-full"} 2');
    const dropLogs = h.logs.filter((l) => l.fields?.event === 'policy-report-dropped');
    expect(dropLogs).toHaveLength(1);
    expect(dropLogs[0]).toMatchObject({ level: 'warn', fields: { reason: 'queue-full', pending: 3, object: 'Deployment/d', namespace: NS } });
    await w.flush();
    expect(h.api.requests.filter((r) => r.method === 'POST')).toHaveLength(3);
    expect(await registry.getSingleMetricAsString('imply_lint_webhook_policy_reports_written_total')).toContain('{operation="create"} 3');
    await w.stop(500);
  });

  it('API server down: enqueue never throws or waits; each report is dropped as write-failed and counted', async () => {
    const down = new FakeReportsApi();
    await down.start();
    const kubeconfig = down.kubeconfig();
    await down.stop();
    const prom = await import('prom-client');
    const registry = new prom.Registry();
    const logs: Harness['logs'] = [];
    const w = await PolicyReportWriter.create({ kubeconfig, flushDelayMs: 10, registry, requestTimeoutMs: 2000, log: (level, msg, fields) => logs.push({ level, msg, fields }) });
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) expect(w.enqueue(reviewed({ name: `obj-${i}` }))).toBe(true);
    expect(performance.now() - t0).toBeLessThan(50);
    await w.flush();
    expect(w.stats).toMatchObject({ dropped: 20, failed: 20, created: 0 });
    expect(await registry.getSingleMetricAsString('imply_lint_webhook_policy_reports_dropped_total')).toContain('{reason="write-failed"} 20');
    expect(logs.filter((l) => l.fields?.reason === 'write-failed')[0].fields!.err).toMatch(/ECONNREFUSED|connect|fetch failed/i);
    await w.stop(500);
  });

  it('a hung API server: calls time out, the writer stops within its budget, the rest is dropped', async () => {
    let release!: () => void;
    const hang = new Promise<void>((r) => (release = r));
    h.api.beforeHandle = () => hang;
    const w = new PolicyReportWriter({ kubeconfig: h.api.kubeconfig(), flushDelayMs: 1, requestTimeoutMs: 300, concurrency: 1, batchSize: 1, log: (level, msg, fields) => h.logs.push({ level, msg, fields }) });
    for (let i = 0; i < 5; i++) w.enqueue(reviewed({ name: `hung-${i}` }));
    await new Promise((r) => setTimeout(r, 450));
    const t0 = Date.now();
    await w.stop(400);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(w.stats.failed).toBeGreaterThanOrEqual(1);
    expect(h.logs.some((l) => /timed out/.test(String(l.fields?.err)))).toBe(true);
    expect(h.logs.some((l) => l.fields?.reason === 'shutdown')).toBe(true);
    release();
    h.api.beforeHandle = undefined;
  });
});

describe('reviewed objects', () => {
  it('come from the admission request: GVK from request.kind, name, namespace, uid from the object', () => {
    const req = {
      uid: 'r1',
      kind: { group: 'apps', version: 'v1', kind: 'StatefulSet' },
      name: 'imply-data',
      namespace: NS,
      operation: 'CREATE' as const,
      object: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'imply-data', uid: 'u-1' } },
    };
    expect(reviewedObject(req, [], 'production', new Date(AT))).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'imply-data', namespace: NS, uid: 'u-1', findings: [], at: AT, policy: 'production' });
    expect(reviewedObject({ ...req, kind: { group: '', version: 'v1', kind: 'Secret' } }, [], 'p', new Date(AT))?.apiVersion).toBe('v1');
    expect(reviewedObject({ ...req, name: undefined, object: { kind: 'StatefulSet', metadata: {} } }, [], 'p', new Date(AT))).toBeUndefined();
    // Cluster-scoped: no namespace.
    expect(reviewedObject({ ...req, namespace: undefined, kind: { group: '', version: 'v1', kind: 'Namespace' } }, [], 'p', new Date(AT))).not.toHaveProperty('namespace');
  });

  it('in-cluster means a service host and a token file', () => {
    expect(inCluster({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }, () => true)).toBe(true);
    expect(inCluster({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }, () => false)).toBe(false);
    expect(inCluster({}, () => true)).toBe(false);
  });
});

describe('end to end: imply-lint serve --mode audit writes PolicyReports', { timeout: 120_000 }, () => {
  const ROOT = path.resolve(import.meta.dirname, '../..');
  const policy = resolvePolicy('production', { cwd: ROOT, knownRuleIds: new Set(BUILTIN_RULES.map((r) => r.meta.id)), noConfig: true });
  let pki: Pki;
  let api: FakeReportsApi;
  let s: WebhookServer;
  let down: WebhookServer;
  const logs: Obj[] = [];

  const serveAudit = async (kubeconfig: string): Promise<WebhookServer> => {
    const dir = new KubeletSecretDir(fs.mkdtempSync(path.join(os.tmpdir(), 'wh-reports-')));
    dir.update({ 'tls.crt': pki.serving.certPem, 'tls.key': pki.serving.keyPem });
    return startServer({
      host: '127.0.0.1',
      port: 0,
      certs: { kind: 'files', certFile: dir.certFile, keyFile: dir.keyFile },
      policy,
      mode: 'audit',
      onError: 'allow',
      drainDelayMs: 50,
      maxBodyBytes: 6 * 1024 * 1024,
      ruleTimeoutMs: 5000,
      workers: 1,
      logLine: (l) => logs.push(JSON.parse(l) as Obj),
      policyReports: { api: 'wgpolicyk8s.io/v1alpha2', kubeconfig, flushDelayMs: 20, requestTimeoutMs: 2000 },
    });
  };

  const minio = (uid: string): Obj => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'imply-minio', namespace: NS, uid, labels: { release: 'imply', app: 'minio', chart: 'minio-5.0.16' } },
    spec: { template: { spec: { containers: [{ name: 'minio', image: 'minio/minio:RELEASE.2020-03-06T22-23-56Z' }] } } },
  });
  const body = (object: Obj, o: { uid: string; dryRun?: boolean }) =>
    JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: o.uid, kind: { group: 'apps', version: 'v1', kind: object.kind }, operation: 'CREATE', namespace: object.metadata.namespace, name: object.metadata.name, object, dryRun: o.dryRun ?? false },
    });
  const post = (srv: WebhookServer, b: string) => call({ port: srv.port, ca: pki.ca.certPem, servername: `imply-lint-webhook.imply-lint.svc`, method: 'POST', path: '/validate', body: b });
  const until = async (cond: () => boolean, ms = 10_000) => {
    const t0 = Date.now();
    while (!cond()) {
      if (Date.now() - t0 > ms) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  beforeAll(async () => {
    pki = await generatePki({ service: 'imply-lint-webhook', namespace: 'imply-lint', now: new Date() });
    api = new FakeReportsApi();
    await api.start();
    s = await serveAudit(api.kubeconfig());
    // A second server whose API server is gone (a closed port).
    const gone = new FakeReportsApi();
    await gone.start();
    const goneConfig = gone.kubeconfig();
    await gone.stop();
    down = await serveAudit(goneConfig);
    await until(() => s.isReady() && down.isReady(), 30_000);
  });
  afterAll(async () => {
    await Promise.all([s?.shutdown('test'), down?.shutdown('test')]);
    await api?.stop();
    expect(api.violations).toEqual([]);
  });

  it('an audited object gets a report; dryRun and objects outside the release get none', async () => {
    const uid = randomUUID();
    const res = await post(s, body(minio(uid), { uid: 'e2e-1' }));
    expect(res.status).toBe(200);
    expect(res.json.response).toMatchObject({ uid: 'e2e-1', allowed: true });
    const dry = await post(s, body({ ...minio(randomUUID()), metadata: { ...minio('x').metadata, name: 'dry-minio' } }, { uid: 'e2e-dry', dryRun: true }));
    expect(dry.json.response.allowed).toBe(true);
    const other = await post(s, body({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'unrelated', namespace: NS }, spec: {} }, { uid: 'e2e-other' }));
    expect(other.json.response.allowed).toBe(true);
    const PATH = `${WG}/namespaces/${NS}/policyreports`;
    await until(() => api.requests.some((r) => r.method === 'POST'));
    await new Promise((r) => setTimeout(r, 200));
    expect(api.calls()).toEqual([`GET ${PATH}/imply-lint-deployment-imply-minio 404`, `POST ${PATH} 201`]);
    const report = api.requests[1].body!;
    expect(reportProblems(report, { needNamespace: true })).toEqual([]);
    expect(report.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'imply-minio', uid }]);
    expect(report.scope).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'imply-minio', namespace: NS, uid });
    const minioResult = report.results.find((r: Obj) => r.rule === 'no-quickstart-minio');
    expect(minioResult).toMatchObject({ policy: 'production', result: 'fail', severity: 'high', category: 'quickstart', source: 'imply-lint' });
    expect(Math.abs(minioResult.timestamp.seconds - Date.now() / 1000)).toBeLessThan(60);
    // The same fingerprint the review log and the audit annotation carry.
    const line = logs.find((l) => l.event === 'review' && l.uid === 'e2e-1');
    expect(line!.findings.map((f: Obj) => f.fingerprint)).toContain(minioResult.properties.fingerprint);
    expect(res.json.response.auditAnnotations.findings).toContain(minioResult.properties.fingerprint);
    const metrics = await call({ port: s.port, ca: pki.ca.certPem, servername: 'imply-lint-webhook.imply-lint.svc', path: '/metrics' });
    expect(metrics.text).toContain('imply_lint_webhook_policy_reports_written_total{operation="create"} 1');
  });

  it('a second review of the object replaces its report', async () => {
    const before = api.requests.length;
    const uid = api.requests[1].body!.scope.uid as string;
    const obj = minio(uid);
    obj.spec.template.spec.containers[0].image = 'minio/minio:RELEASE.2024-01-01T00-00-00Z';
    await post(s, body(obj, { uid: 'e2e-2' }));
    await until(() => api.requests.slice(before).some((r) => r.method === 'PUT'));
    const NAME = `${WG}/namespaces/${NS}/policyreports/imply-lint-deployment-imply-minio`;
    expect(api.calls(before)).toEqual([`GET ${NAME} 200`, `PUT ${NAME} 200`]);
    expect(reportProblems(api.requests[before + 1].body)).toEqual([]);
  });

  it('API server down: every review is still answered at once; the drops are counted', async () => {
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) {
      // Five objects (reviews of one object would share one queued report).
      const obj = minio(randomUUID());
      obj.metadata.name = `imply-minio-${i}`;
      const res = await post(down, body(obj, { uid: `down-${i}` }));
      expect(res.status).toBe(200);
      expect(res.json.response).toMatchObject({ uid: `down-${i}`, allowed: true });
    }
    expect(Date.now() - t0).toBeLessThan(5000);
    const dropped = async (): Promise<number> => {
      const m = await call({ port: down.port, ca: pki.ca.certPem, servername: 'imply-lint-webhook.imply-lint.svc', path: '/metrics' });
      return Number(/imply_lint_webhook_policy_reports_dropped_total\{reason="write-failed"\} (\d+)/.exec(m.text)?.[1] ?? 0);
    };
    const t1 = Date.now();
    while ((await dropped()) < 5 && Date.now() - t1 < 10_000) await new Promise((r) => setTimeout(r, 50));
    expect(await dropped()).toBe(5);
    expect(logs.some((l) => l.event === 'policy-report-dropped' && l.reason === 'write-failed')).toBe(true);
  });
});

describe('serve flags', () => {
  it('--policy-reports true outside audit mode, without API access, or a bad API are one-line errors', async () => {
    const warn = await cli(['serve', '--mode', 'warn', '--policy-reports', 'true', '--no-config']);
    expect(warn.code).toBe(2);
    expect(warn.stderr).toContain('audit mode only');
    const noApi = await cli(['serve', '--mode', 'audit', '--policy-reports=true', '--no-config']);
    expect(noApi.code).toBe(2);
    expect(noApi.stderr).toContain('--kubeconfig');
    const badApi = await cli(['serve', '--mode', 'audit', '--policy-report-api', 'wgpolicyk8s.io/v1beta1', '--no-config']);
    expect(badApi.code).toBe(2);
    expect(badApi.stderr).toContain('wgpolicyk8s.io/v1alpha2 or openreports.io/v1alpha1');
    const bad = await cli(['serve', '--mode', 'audit', '--policy-reports', 'maybe', '--no-config']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('auto, true or false');
  });

  it('startPolicyReports fills rule categories from the catalogue', async () => {
    const w = await startPolicyReports({ api: 'wgpolicyk8s.io/v1alpha2', calls: { get: async () => undefined, create: async () => 'created', replace: async () => 'replaced' }, flushDelayMs: 1 }, () => undefined);
    const req = { uid: 'x', kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, name: 'm', namespace: NS, operation: 'CREATE' as const, object: { metadata: { name: 'm' } } };
    expect(w.enqueueReview(req, [finding('no-quickstart-minio', 'error')], 'production')).toBe(true);
    await w.flush();
    expect(w.stats.created).toBe(1);
    await w.stop();
  });
});

describe('chart RBAC for audit-mode reports', () => {
  it('audit mode: a ClusterRole for the reports of the configured API (get, create, update), bound to the webhook', async () => {
    const objs = await helmTemplate(['--set', 'webhook.mode=audit']);
    const cr = objs.find((o) => o.kind === 'ClusterRole' && (o.metadata as Obj).name === 'wh-imply-lint-webhook-policyreports') as Obj;
    expect(cr.rules).toEqual([{ apiGroups: ['wgpolicyk8s.io'], resources: ['policyreports', 'clusterpolicyreports'], verbs: ['get', 'create', 'update'] }]);
    const crb = objs.find((o) => o.kind === 'ClusterRoleBinding' && (o.metadata as Obj).name === 'wh-imply-lint-webhook-policyreports') as Obj;
    expect(crb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'wh-imply-lint-webhook-policyreports' });
    expect(crb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'wh-imply-lint-webhook', namespace: 'imply-lint' }]);
    const env = ((objs.find((o) => o.kind === 'Deployment') as Obj).spec.template.spec.containers[0].env as Obj[]).filter((e) => e.name.startsWith('IMPLY_LINT_POLICY_REPORT'));
    expect(env).toEqual([{ name: 'IMPLY_LINT_POLICY_REPORTS', value: 'true' }, { name: 'IMPLY_LINT_POLICY_REPORT_API', value: 'wgpolicyk8s.io/v1alpha2' }]);
  });

  it('openreports API, and certManager mode (the token is mounted only for the reports)', async () => {
    const objs = await helmTemplate(['--set', 'webhook.mode=audit', '--set', 'webhook.policyReports.api=openreports.io/v1alpha1', '--set', 'certs.mode=certManager']);
    const cr = objs.find((o) => o.kind === 'ClusterRole') as Obj;
    expect(cr.rules).toEqual([{ apiGroups: ['openreports.io'], resources: ['reports', 'clusterreports'], verbs: ['get', 'create', 'update'] }]);
    expect((objs.find((o) => o.kind === 'Deployment') as Obj).spec.template.spec.automountServiceAccountToken).toBe(true);
  });

  it('other modes, or reports off: no report RBAC and no report env', async () => {
    for (const args of [[], ['--set', 'webhook.mode=warn'], ['--set', 'webhook.mode=audit', '--set', 'webhook.policyReports.enabled=false', '--set', 'certs.mode=certManager']]) {
      const objs = await helmTemplate(args);
      expect(objs.filter((o) => /policyreports/.test(String((o.metadata as Obj)?.name)))).toEqual([]);
      const dep = objs.find((o) => o.kind === 'Deployment') as Obj;
      const env = dep.spec.template.spec.containers[0].env as Obj[];
      if (args.includes('webhook.policyReports.enabled=false')) {
        expect(env.find((e) => e.name === 'IMPLY_LINT_POLICY_REPORTS')?.value).toBe('false');
        expect(dep.spec.template.spec.automountServiceAccountToken).toBe(false);
      } else expect(env.some((e) => e.name.startsWith('IMPLY_LINT_POLICY_REPORT'))).toBe(false);
    }
  });
});
