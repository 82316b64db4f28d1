// Self-managed certificates against a loopback fake of the Kubernetes API: the Secret is created once (409 for
// the loser of a race), every replica serves its pair, only the Lease holder renews, rotates the CA and patches
// the caBundle (old and new CA together during a rotation), each call as the API documents it.
import { X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleCertificates, generateCa, issueServingCert } from '../../src/webhook/certs.js';
import { PHASE_ANNOTATION, SelfManager, expectedBundle, planStep, stateFromSecret } from '../../src/webhook/selfmanaged.js';
import type { CertState, SelfManagedOptions } from '../../src/webhook/selfmanaged.js';
import { FakeKube } from './helpers/fake-kube.js';

const DAY = 24 * 3600_000;
const NS = 'imply-lint';
const SVC = 'imply-lint-webhook';
const VWC = 'imply-lint-webhook';
const SECRET_PATH = `/api/v1/namespaces/${NS}/secrets`;
const LEASE_PATH = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;
const VWC_PATH = `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${VWC}`;
const MICROTIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function webhookConfig(): Record<string, any> {
  const entry = (name: string) => ({
    name,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: 'Fail',
    timeoutSeconds: 5,
    clientConfig: { service: { name: SVC, namespace: NS, path: '/validate', port: 443 } },
    rules: [{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'], operations: ['CREATE', 'UPDATE'] }],
  });
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: VWC },
    webhooks: [
      entry('instance.imply-lint.io'),
      entry('subchart.imply-lint.io'),
      // Someone else's webhook in the same configuration is left alone.
      { ...entry('other.example.com'), clientConfig: { service: { name: 'other', namespace: 'elsewhere', path: '/v' }, caBundle: 'T1RIRVI=' } },
    ],
  };
}

interface Replica {
  m: SelfManager;
  served: string[];
}

describe('self-managed certificates', { timeout: 90_000 }, () => {
  let kube: FakeKube;
  let kubeconfig: string;
  let clock: number;
  const replicas: Replica[] = [];

  const replica = (identity: string, extra: Partial<SelfManagedOptions> = {}): Replica => {
    const served: string[] = [];
    const m = new SelfManager(
      { service: SVC, namespace: NS, secretName: 'wh-certs', leaseName: 'wh-certs', webhookConfig: VWC, identity, kubeconfig, rotationGraceMs: 60_000, leaseDurationMs: 30_000, now: () => new Date(clock), ...extra },
      {
        apply: (cert) => {
          served.push(cert);
          return true;
        },
        log: () => undefined,
      },
    );
    const r = { m, served };
    replicas.push(r);
    return r;
  };
  const bundle = (): string => Buffer.from(String(kube.webhookConfigs.get(VWC)!.webhooks[0].clientConfig.caBundle ?? ''), 'base64').toString('utf8');
  /** What the API server would do: verify a replica's certificate with the caBundle and the Service name. */
  const apiServerTrusts = (certPem: string): boolean => {
    const leaf = new X509Certificate(certPem);
    const nameOk = leaf.checkHost(`${SVC}.${NS}.svc`) !== undefined;
    const at = new Date(clock);
    const inWindow = Date.parse(leaf.validFrom) <= at.getTime() && at.getTime() <= Date.parse(leaf.validTo);
    return nameOk && inWindow && bundleCertificates(bundle()).some((ca) => leaf.verify(ca.publicKey) && Date.parse(ca.validTo) >= at.getTime());
  };
  const calls = (from = 0) => kube.requests.slice(from).map((r) => `${r.method} ${r.path} ${r.status}`);

  beforeEach(async () => {
    kube = new FakeKube();
    await kube.start();
    kubeconfig = kube.kubeconfig();
    kube.seed('webhookConfig', webhookConfig());
    clock = Date.parse('2026-03-01T10:00:00.123Z');
  });
  afterEach(async () => {
    for (const r of replicas.splice(0)) await r.m.stop();
    expect(kube.violations).toEqual([]);
    await kube.stop();
  });

  it('the first replica creates the Secret, takes the Lease and patches the caBundle, each call as documented', async () => {
    const r1 = replica('webhook-0');
    const seededRv = kube.webhookConfigs.get(VWC)!.metadata.resourceVersion as string;
    await r1.m.tick();
    expect(calls()).toEqual([
      `GET ${SECRET_PATH}/wh-certs 404`,
      `POST ${SECRET_PATH} 201`,
      `GET ${LEASE_PATH}/wh-certs 404`,
      `POST ${LEASE_PATH} 201`,
      `GET ${VWC_PATH} 200`,
      `PATCH ${VWC_PATH} 200`,
    ]);
    for (const r of kube.requests) {
      expect(r.authorization).toBe(`Bearer ${kube.token}`);
      expect(r.accept).toMatch(/^application\/json/);
    }
    // POST Secret: application/json, a kubernetes.io/tls Secret with base64 data.
    const post = kube.requests[1];
    expect(post.contentType).toBe('application/json');
    const body = post.body as Record<string, any>;
    expect(body).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'wh-certs', namespace: NS, labels: { 'app.kubernetes.io/managed-by': 'imply-lint', 'app.kubernetes.io/component': 'webhook-certs' }, annotations: {} },
      type: 'kubernetes.io/tls',
      data: { 'ca.crt': expect.any(String), 'ca.key': expect.any(String), 'tls.crt': expect.any(String), 'tls.key': expect.any(String) },
    });
    const state = stateFromSecret(body.data, body.metadata.annotations)!;
    const leaf = new X509Certificate(state.tls.certPem);
    expect(leaf.subjectAltName).toBe(`DNS:${SVC}.${NS}.svc, DNS:${SVC}.${NS}.svc.cluster.local, DNS:${SVC}.${NS}, DNS:${SVC}`);
    expect(leaf.verify(new X509Certificate(state.ca.certPem).publicKey)).toBe(true);
    // notBefore back-dated for clock skew.
    expect(Date.parse(leaf.validFrom)).toBeLessThan(clock - 30 * 60_000);
    // POST Lease: MicroTime with six fractional digits.
    const lease = kube.requests[3];
    expect(lease.contentType).toBe('application/json');
    expect(lease.body).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'wh-certs', namespace: NS },
      spec: { holderIdentity: 'webhook-0', leaseDurationSeconds: 30, acquireTime: '2026-03-01T10:00:00.123000Z', renewTime: '2026-03-01T10:00:00.123000Z', leaseTransitions: 0 },
    });
    // PATCH: JSON Patch guarded by the resourceVersion it read; only our two webhooks.
    const patch = kube.requests[5];
    expect(patch.contentType).toBe('application/json-patch+json');
    const b64 = Buffer.from(state.ca.certPem.trim() + '\n').toString('base64');
    expect(patch.body).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: seededRv },
      { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: b64 },
      { op: 'add', path: '/webhooks/1/clientConfig/caBundle', value: b64 },
    ]);
    expect(kube.webhookConfigs.get(VWC)!.webhooks[2].clientConfig.caBundle).toBe('T1RIRVI=');
    // The replica serves the pair, and the API server would trust it.
    expect(r1.served).toEqual([state.tls.certPem]);
    expect(apiServerTrusts(r1.served[0])).toBe(true);
    expect(r1.m.leader).toBe(true);
  });

  it('two replicas racing: one creates the Secret, the other gets 409 AlreadyExists and uses it', async () => {
    const r1 = replica('webhook-0');
    const r2 = replica('webhook-1');
    // Both read "no Secret" before either creates one.
    let gets = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((r) => (release = r));
    kube.beforeHandle = async (method, p) => {
      if (method === 'GET' && p === `${SECRET_PATH}/wh-certs` && gets < 2) {
        gets++;
        if (gets === 2) release();
        await bothRead;
      }
    };
    await Promise.all([r1.m.tick(), r2.m.tick()]);
    const posts = kube.requests.filter((r) => r.method === 'POST' && r.path === SECRET_PATH).map((r) => r.status).sort();
    expect(posts).toEqual([201, 409]);
    expect(kube.secrets.size).toBe(1);
    expect(r1.served).toHaveLength(1);
    expect(r2.served).toEqual(r1.served);
    // One Lease holder.
    expect([r1.m.leader, r2.m.leader].filter(Boolean)).toHaveLength(1);
    expect(kube.leases.size).toBe(1);
  });

  it('only the Lease holder renews the serving certificate; the others pick it up from the Secret', async () => {
    const r1 = replica('webhook-0', { caDays: 300, servingDays: 30 });
    const r2 = replica('webhook-1', { caDays: 300, servingDays: 30 });
    await r1.m.tick();
    await r2.m.tick();
    expect(r2.m.leader).toBe(false);
    const caBefore = stateFromSecret(kube.secrets.get(`${NS}/wh-certs`)!.data, {})!.ca.certPem;
    clock += 21 * DAY; // under a third of the 30 days left
    const from = kube.requests.length;
    await r1.m.tick();
    expect(calls(from)).toEqual([`GET ${SECRET_PATH}/wh-certs 200`, `GET ${LEASE_PATH}/wh-certs 200`, `PUT ${LEASE_PATH}/wh-certs 200`, `GET ${VWC_PATH} 200`, `PUT ${SECRET_PATH}/wh-certs 200`, `GET ${VWC_PATH} 200`]);
    const put = kube.requests[from + 4];
    expect(put.contentType).toBe('application/json');
    expect((put.body as Record<string, any>).metadata.resourceVersion).toMatch(/^\d+$/);
    const renewed = kube.requests.find((r) => r.method === 'PUT' && r.path === `${LEASE_PATH}/wh-certs`)!.body as Record<string, any>;
    expect(renewed.spec.renewTime).toMatch(MICROTIME);
    expect(renewed.spec.holderIdentity).toBe('webhook-0');
    const after = stateFromSecret(kube.secrets.get(`${NS}/wh-certs`)!.data, {})!;
    expect(after.ca.certPem).toBe(caBefore); // same CA: no caBundle change
    expect(r1.served).toHaveLength(2);
    const from2 = kube.requests.length;
    await r2.m.tick(); // not the holder: reads only, and serves the renewed pair
    expect(calls(from2)).toEqual([`GET ${SECRET_PATH}/wh-certs 200`, `GET ${LEASE_PATH}/wh-certs 200`]);
    expect(r2.served[1]).toBe(after.tls.certPem);
    expect(apiServerTrusts(r2.served[1])).toBe(true);
  });

  it('rotates the CA in steps, keeping old and new CA in the caBundle, so every served certificate stays trusted', async () => {
    const opts = { caDays: 30, servingDays: 30 };
    const r1 = replica('webhook-0', opts);
    const r2 = replica('webhook-1', opts);
    const tickAll = async () => {
      await r1.m.tick();
      await r2.m.tick();
      // The invariant the API server needs: whatever a replica serves verifies against the caBundle.
      for (const r of [r1, r2]) expect(apiServerTrusts(r.served[r.served.length - 1])).toBe(true);
    };
    await tickAll();
    const ca0 = stateFromSecret(kube.secrets.get(`${NS}/wh-certs`)!.data, {})!.ca.certPem;
    expect(bundleCertificates(bundle())).toHaveLength(1);

    clock += 21 * DAY; // CA renewal due: step 1, the next CA joins the bundle; nobody serves it yet
    await tickAll();
    let s = stateFromSecret(kube.secrets.get(`${NS}/wh-certs`)!.data, kube.secrets.get(`${NS}/wh-certs`)!.metadata.annotations)!;
    expect(s.next).toBeDefined();
    expect(kube.secrets.get(`${NS}/wh-certs`)!.metadata.annotations[PHASE_ANNOTATION]).toBe(new Date(clock).toISOString());
    expect(bundleCertificates(bundle()).map((c) => c.fingerprint256)).toEqual([new X509Certificate(ca0).fingerprint256, new X509Certificate(s.next!.certPem).fingerprint256]);
    const patches = kube.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(2);

    clock += 30_000; // within the grace period: nothing moves
    const before = kube.requests.length;
    await tickAll();
    expect(kube.requests.slice(before).some((r) => r.method === 'PUT' && r.path.includes('/secrets/'))).toBe(false);

    clock += 60_000; // step 2: the serving certificate is signed by the new CA; both CAs stay in the bundle
    await tickAll();
    s = stateFromSecret(kube.secrets.get(`${NS}/wh-certs`)!.data, kube.secrets.get(`${NS}/wh-certs`)!.metadata.annotations)!;
    expect(s.next).toBeUndefined();
    expect(s.previous).toBe(ca0);
    expect(new X509Certificate(r1.served.at(-1)!).verify(new X509Certificate(s.ca.certPem).publicKey)).toBe(true);
    expect(bundleCertificates(bundle())).toHaveLength(2);

    clock += 90_000; // step 3: the old CA leaves the bundle
    await tickAll();
    s = stateFromSecret(kube.secrets.get(`${NS}/wh-certs`)!.data, {})!;
    expect(s.previous).toBeUndefined();
    expect(bundleCertificates(bundle()).map((c) => c.fingerprint256)).toEqual([new X509Certificate(s.ca.certPem).fingerprint256]);
    expect(kube.requests.filter((r) => r.method === 'PATCH')).toHaveLength(3);
    // Every PATCH was a guarded JSON Patch.
    for (const p of kube.requests.filter((r) => r.method === 'PATCH')) {
      expect(p.contentType).toBe('application/json-patch+json');
      expect((p.body as { op: string }[])[0].op).toBe('test');
    }
  });

  it('a stale resourceVersion is a 409 Conflict: the leader retries next round instead of overwriting', async () => {
    const r1 = replica('webhook-0', { caDays: 300, servingDays: 30 });
    await r1.m.tick();
    clock += 21 * DAY;
    // Someone changes the Secret between our read and our write.
    kube.beforeHandle = (method, p) => {
      if (method === 'PUT' && p === `${SECRET_PATH}/wh-certs`) {
        const cur = kube.secrets.get(`${NS}/wh-certs`)!;
        cur.metadata.resourceVersion = String(Number(cur.metadata.resourceVersion) + 1000);
      }
    };
    await r1.m.tick();
    const put = kube.requests.filter((r) => r.method === 'PUT' && r.path === `${SECRET_PATH}/wh-certs`);
    expect(put.map((r) => r.status)).toEqual([409]);
    expect(r1.served).toHaveLength(1);
    kube.beforeHandle = undefined;
    await r1.m.tick();
    expect(r1.served).toHaveLength(2);
  });

  it('the caBundle patch is guarded: a configuration changed meanwhile fails the test op (422) and is retried', async () => {
    const r1 = replica('webhook-0');
    kube.beforeHandle = (method) => {
      if (method === 'PATCH') {
        const cur = kube.webhookConfigs.get(VWC)!;
        cur.metadata.resourceVersion = String(Number(cur.metadata.resourceVersion) + 1);
      }
    };
    await r1.m.tick();
    expect(kube.requests.filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([422]);
    kube.beforeHandle = undefined;
    await r1.m.tick();
    expect(kube.requests.filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([422, 200]);
    expect(apiServerTrusts(r1.served[0])).toBe(true);
  });

  it('the Lease moves on when its holder stops (released) or stops renewing (expired)', async () => {
    const r1 = replica('webhook-0');
    const r2 = replica('webhook-1');
    const r3 = replica('webhook-2');
    await r1.m.tick();
    await r2.m.tick();
    expect(r1.m.leader).toBe(true);
    expect(r2.m.leader).toBe(false);
    await r1.m.stop(); // releases: holderIdentity cleared
    const released = kube.requests.filter((r) => r.method === 'PUT' && r.path === `${LEASE_PATH}/wh-certs`).at(-1)!.body as Record<string, any>;
    expect(released.spec.holderIdentity).toBe('');
    await r2.m.tick();
    expect(r2.m.leader).toBe(true);
    expect(kube.leases.get(`${NS}/wh-certs`)!.spec).toMatchObject({ holderIdentity: 'webhook-1', leaseTransitions: 1 });
    // r2 stops renewing; after the lease duration r3 takes over.
    clock += 10_000;
    await r3.m.tick();
    expect(r3.m.leader).toBe(false);
    clock += 31_000;
    await r3.m.tick();
    expect(r3.m.leader).toBe(true);
    expect(kube.leases.get(`${NS}/wh-certs`)!.spec).toMatchObject({ holderIdentity: 'webhook-2', leaseTransitions: 2 });
  });
});

describe('planStep (pure)', { timeout: 60_000 }, () => {
  it('walks a CA rotation one step per grace period, and only once the bundle is in place', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const ca = await generateCa({ now: t0, days: 30 });
    const tls = await issueServingCert(ca, { service: SVC, namespace: NS, now: t0, days: 30 });
    const o = { service: SVC, namespace: NS, graceMs: 60_000, bundleInPlace: true };
    const s0: CertState = { ca, tls };
    expect(planStep(s0, new Date(t0.getTime() + DAY), o)).toBe('none');
    const due = new Date(t0.getTime() + 21 * DAY);
    expect(planStep(s0, due, o)).toBe('start-ca-rotation');
    const next = await generateCa({ now: due, days: 30 });
    const s1: CertState = { ca, tls, next, stepSince: due };
    expect(expectedBundle(s1)).toBe(`${ca.certPem.trim()}\n${next.certPem.trim()}\n`);
    expect(planStep(s1, new Date(due.getTime() + 59_000), o)).toBe('none');
    expect(planStep(s1, new Date(due.getTime() + 60_000), { ...o, bundleInPlace: false })).toBe('none');
    expect(planStep(s1, new Date(due.getTime() + 60_000), o)).toBe('promote-next-ca');
    const s2: CertState = { ca: next, tls, previous: ca.certPem, stepSince: due };
    expect(planStep(s2, new Date(due.getTime() + 60_000), o)).toBe('drop-previous-ca');
    // A serving certificate not signed by the current CA, or for another Service, is re-issued.
    const other = await generateCa({ now: t0, days: 300 });
    expect(planStep({ ca: other, tls }, new Date(t0.getTime() + DAY), o)).toBe('renew-serving');
    const elsewhere = await issueServingCert(ca, { service: 'other', namespace: NS, now: t0, days: 30 });
    expect(planStep({ ca, tls: elsewhere }, new Date(t0.getTime() + DAY), o)).toBe('renew-serving');
  });
});
