// Webhook stage: self-managed certificates, safe with several replicas. The CA and serving certificate live in
// one Secret that the first replica creates (create fails with 409 for every other replica, which then reads
// it); every replica serves the pair from that Secret and re-reads it each sync; only the holder of a Lease
// renews certificates, rotates the CA and patches the ValidatingWebhookConfiguration's caBundle. A CA rotation
// keeps the old and the new CA in the caBundle until every replica serves a certificate of the new one.
// Talks to the API server through @kubernetes/client-node 1.x (loaded lazily: `serve` only).
import os from 'node:os';
import { X509Certificate } from 'node:crypto';
import type { CertPair } from './certs.js';
import { bundleCertificates, checkPair, generateCa, issueServingCert, joinBundle, renewalDue, serviceDnsNames } from './certs.js';

export interface SelfManagedOptions {
  /** The webhook's Service and namespace (the serving certificate's names). */
  service: string;
  namespace: string;
  /** Secret holding the CA and serving certificate (created once, shared by all replicas). */
  secretName: string;
  /** Lease naming the one replica that rotates certificates and patches the caBundle. */
  leaseName: string;
  /** The ValidatingWebhookConfiguration whose webhooks (those calling our Service) get the caBundle. */
  webhookConfig: string;
  /** This replica's identity in the Lease (the pod name). */
  identity: string;
  /** A kubeconfig file; default: the pod's service account (in-cluster). */
  kubeconfig?: string;
  /** How often each replica re-reads the Secret and the leader does its rounds. */
  syncIntervalMs?: number;
  leaseDurationMs?: number;
  /** Time between the steps of a CA rotation, so API servers and replicas pick up each step. */
  rotationGraceMs?: number;
  caDays?: number;
  servingDays?: number;
  /** The clock (tests move it forward to force renewals). */
  now?: () => Date;
}

export const SELF_MANAGED_DEFAULTS = {
  secretName: 'imply-lint-webhook-certs',
  leaseName: 'imply-lint-webhook-certs',
  syncIntervalMs: 10_000,
  leaseDurationMs: 30_000,
  rotationGraceMs: 120_000,
  caDays: 730,
  servingDays: 90,
} as const;

/** Annotation on the Secret: when the current CA rotation step began (ISO time). */
export const PHASE_ANNOTATION = 'imply-lint.io/rotation-step-since';
export const MANAGED_BY = 'imply-lint';

/** What the Secret holds, decoded. */
export interface CertState {
  ca: CertPair;
  tls: CertPair;
  /** The next CA, already in the caBundle, not yet signing (rotation step 1). */
  next?: CertPair;
  /** The previous CA, still in the caBundle while replicas move to the new serving certificate (step 2). */
  previous?: string;
  stepSince?: Date;
}

export type Step = 'none' | 'renew-serving' | 'start-ca-rotation' | 'promote-next-ca' | 'drop-previous-ca';

/** The caBundle the webhook configuration must carry for this state: the CA, plus the next or previous one. */
export function expectedBundle(s: CertState): string {
  return joinBundle(s.ca.certPem, s.next?.certPem, s.previous);
}

function servingFits(s: CertState, service: string, namespace: string): boolean {
  try {
    const leaf = new X509Certificate(s.tls.certPem);
    const ca = new X509Certificate(s.ca.certPem);
    if (!leaf.verify(ca.publicKey)) return false;
    return serviceDnsNames(service, namespace).slice(0, 2).every((n) => leaf.checkHost(n, { subject: 'never' }) === n);
  } catch {
    return false;
  }
}

/**
 * The leader's next step (pure). A CA rotation moves one step per grace period and only once the webhook
 * configuration carries the bundle of the current step (`bundleInPlace`): add the next CA to the bundle,
 * then sign the serving certificate with it, then drop the old CA.
 */
export function planStep(s: CertState, now: Date, o: { service: string; namespace: string; graceMs: number; bundleInPlace: boolean }): Step {
  const waited = s.stepSince ? now.getTime() - s.stepSince.getTime() : Infinity;
  if (s.next) return o.bundleInPlace && waited >= o.graceMs ? 'promote-next-ca' : 'none';
  if (s.previous) return o.bundleInPlace && waited >= o.graceMs ? 'drop-previous-ca' : 'none';
  if (renewalDue(s.ca.certPem, now)) return 'start-ca-rotation';
  if (renewalDue(s.tls.certPem, now) || !servingFits(s, o.service, o.namespace)) return 'renew-serving';
  return 'none';
}

/** Applies a step to the state (generating keys as needed). */
export async function applyStep(s: CertState, step: Step, now: Date, o: { service: string; namespace: string; caDays: number; servingDays: number }): Promise<CertState> {
  switch (step) {
    case 'none':
      return s;
    case 'renew-serving':
      return { ...s, tls: await issueServingCert(s.ca, { service: o.service, namespace: o.namespace, now, days: o.servingDays }) };
    case 'start-ca-rotation':
      return { ...s, next: await generateCa({ now, days: o.caDays }), previous: undefined, stepSince: now };
    case 'promote-next-ca': {
      const next = s.next!;
      const tls = await issueServingCert(next, { service: o.service, namespace: o.namespace, now, days: o.servingDays });
      return { ca: next, tls, previous: s.ca.certPem, next: undefined, stepSince: now };
    }
    case 'drop-previous-ca':
      return { ca: s.ca, tls: s.tls, stepSince: now };
  }
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined): string | undefined => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));

/** The Secret's `data` for a state. */
export function secretData(s: CertState): Record<string, string> {
  const d: Record<string, string> = {
    'ca.crt': b64(s.ca.certPem),
    'ca.key': b64(s.ca.keyPem),
    'tls.crt': b64(s.tls.certPem),
    'tls.key': b64(s.tls.keyPem),
  };
  if (s.next) {
    d['ca-next.crt'] = b64(s.next.certPem);
    d['ca-next.key'] = b64(s.next.keyPem);
  }
  if (s.previous) d['ca-previous.crt'] = b64(s.previous);
  return d;
}

/** Reads a state back from a Secret's data; undefined when it is not one of ours or is incomplete. */
export function stateFromSecret(data: Record<string, string> | undefined, annotations: Record<string, string> | undefined): CertState | undefined {
  if (!data) return undefined;
  const get = (k: string) => (typeof data[k] === 'string' ? unb64(data[k]) : undefined);
  const [caCrt, caKey, tlsCrt, tlsKey] = [get('ca.crt'), get('ca.key'), get('tls.crt'), get('tls.key')];
  if (!caCrt || !caKey || !tlsCrt || !tlsKey) return undefined;
  const nextCrt = get('ca-next.crt');
  const nextKey = get('ca-next.key');
  const since = annotations?.[PHASE_ANNOTATION];
  return {
    ca: { certPem: caCrt, keyPem: caKey },
    tls: { certPem: tlsCrt, keyPem: tlsKey },
    next: nextCrt && nextKey ? { certPem: nextCrt, keyPem: nextKey } : undefined,
    previous: get('ca-previous.crt'),
    stepSince: since && Number.isFinite(Date.parse(since)) ? new Date(since) : undefined,
  };
}

/** Same certificates in a bundle, in any order. */
export function sameBundle(a: string, b: string): boolean {
  try {
    const fa = bundleCertificates(a).map((c) => c.fingerprint256).sort();
    const fb = bundleCertificates(b).map((c) => c.fingerprint256).sort();
    return fa.length === fb.length && fa.every((f, i) => f === fb[i]);
  } catch {
    return false;
  }
}

type K8s = typeof import('@kubernetes/client-node');
type Secret = import('@kubernetes/client-node').V1Secret;
type Lease = import('@kubernetes/client-node').V1Lease;
type WebhookConfig = import('@kubernetes/client-node').V1ValidatingWebhookConfiguration;

/** The API calls self-managed mode makes, each as the Kubernetes API documents it. */
export class KubeCalls {
  private constructor(
    private readonly k8s: K8s,
    private readonly core: import('@kubernetes/client-node').CoreV1Api,
    private readonly coord: import('@kubernetes/client-node').CoordinationV1Api,
    private readonly adm: import('@kubernetes/client-node').AdmissionregistrationV1Api,
    private readonly o: SelfManagedOptions,
  ) {}

  static async create(o: SelfManagedOptions): Promise<KubeCalls> {
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
    else kc.loadFromCluster();
    return new KubeCalls(k8s, kc.makeApiClient(k8s.CoreV1Api), kc.makeApiClient(k8s.CoordinationV1Api), kc.makeApiClient(k8s.AdmissionregistrationV1Api), o);
  }

  private status(e: unknown): number | undefined {
    return e instanceof this.k8s.ApiException ? e.code : undefined;
  }

  /** GET /api/v1/namespaces/{ns}/secrets/{name}; undefined on 404. */
  async readSecret(): Promise<Secret | undefined> {
    try {
      return await this.core.readNamespacedSecret({ name: this.o.secretName, namespace: this.o.namespace });
    } catch (e) {
      if (this.status(e) === 404) return undefined;
      throw e;
    }
  }

  private secretBody(s: CertState, resourceVersion?: string): Secret {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: this.o.secretName,
        namespace: this.o.namespace,
        ...(resourceVersion ? { resourceVersion } : {}),
        labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/component': 'webhook-certs' },
        annotations: s.stepSince ? { [PHASE_ANNOTATION]: s.stepSince.toISOString() } : {},
      },
      type: 'kubernetes.io/tls',
      data: secretData(s),
    };
  }

  /** POST /api/v1/namespaces/{ns}/secrets; 'exists' on 409 (another replica created it first). */
  async createSecret(s: CertState): Promise<Secret | 'exists'> {
    try {
      return await this.core.createNamespacedSecret({ namespace: this.o.namespace, body: this.secretBody(s) });
    } catch (e) {
      if (this.status(e) === 409) return 'exists';
      throw e;
    }
  }

  /** PUT /api/v1/namespaces/{ns}/secrets/{name} with metadata.resourceVersion; 'conflict' on 409. */
  async replaceSecret(s: CertState, resourceVersion: string): Promise<Secret | 'conflict'> {
    try {
      return await this.core.replaceNamespacedSecret({ name: this.o.secretName, namespace: this.o.namespace, body: this.secretBody(s, resourceVersion) });
    } catch (e) {
      if (this.status(e) === 409) return 'conflict';
      throw e;
    }
  }

  /** GET /apis/coordination.k8s.io/v1/namespaces/{ns}/leases/{name}; undefined on 404. */
  async readLease(): Promise<Lease | undefined> {
    try {
      return await this.coord.readNamespacedLease({ name: this.o.leaseName, namespace: this.o.namespace });
    } catch (e) {
      if (this.status(e) === 404) return undefined;
      throw e;
    }
  }

  private leaseBody(spec: { holder: string; durationS: number; acquire: Date; renew: Date; transitions: number }, resourceVersion?: string): Lease {
    // Lease times are MicroTime: RFC 3339 with exactly six fractional digits (V1MicroTime writes them).
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.o.leaseName, namespace: this.o.namespace, ...(resourceVersion ? { resourceVersion } : {}) },
      spec: {
        holderIdentity: spec.holder,
        leaseDurationSeconds: spec.durationS,
        acquireTime: new this.k8s.V1MicroTime(spec.acquire.getTime()),
        renewTime: new this.k8s.V1MicroTime(spec.renew.getTime()),
        leaseTransitions: spec.transitions,
      },
    };
  }

  /** POST /apis/coordination.k8s.io/v1/namespaces/{ns}/leases; 'exists' on 409. */
  async createLease(spec: Parameters<KubeCalls['leaseBody']>[0]): Promise<Lease | 'exists'> {
    try {
      return await this.coord.createNamespacedLease({ namespace: this.o.namespace, body: this.leaseBody(spec) });
    } catch (e) {
      if (this.status(e) === 409) return 'exists';
      throw e;
    }
  }

  /** PUT /apis/coordination.k8s.io/v1/namespaces/{ns}/leases/{name} with resourceVersion; 'conflict' on 409. */
  async replaceLease(spec: Parameters<KubeCalls['leaseBody']>[0], resourceVersion: string): Promise<Lease | 'conflict'> {
    try {
      return await this.coord.replaceNamespacedLease({ name: this.o.leaseName, namespace: this.o.namespace, body: this.leaseBody(spec, resourceVersion) });
    } catch (e) {
      if (this.status(e) === 409) return 'conflict';
      throw e;
    }
  }

  /** GET /apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/{name}; undefined on 404. */
  async readWebhookConfig(): Promise<WebhookConfig | undefined> {
    try {
      return await this.adm.readValidatingWebhookConfiguration({ name: this.o.webhookConfig });
    } catch (e) {
      if (this.status(e) === 404) return undefined;
      throw e;
    }
  }

  /**
   * PATCH (application/json-patch+json) the caBundle of every webhook that calls our Service, guarded by a
   * `test` of metadata.resourceVersion; 'conflict' when the configuration changed meanwhile (422/409).
   */
  async patchCaBundle(cfg: WebhookConfig, bundlePem: string): Promise<'patched' | 'conflict' | 'nothing'> {
    const ops: { op: string; path: string; value: string }[] = [];
    (cfg.webhooks ?? []).forEach((w, i) => {
      const svc = w.clientConfig?.service;
      if (svc?.name === this.o.service && svc.namespace === this.o.namespace) ops.push({ op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: b64(bundlePem) });
    });
    if (ops.length === 0) return 'nothing';
    const body = [{ op: 'test', path: '/metadata/resourceVersion', value: cfg.metadata?.resourceVersion ?? '' }, ...ops];
    try {
      await this.adm.patchValidatingWebhookConfiguration({ name: this.o.webhookConfig, body });
      return 'patched';
    } catch (e) {
      const code = this.status(e);
      if (code === 409 || code === 422) return 'conflict';
      throw e;
    }
  }
}

export interface SelfManagerHooks {
  /** Serves this pair (validated by the caller); false when refused. */
  apply: (certPem: string, keyPem: string) => boolean;
  log: (level: 'info' | 'warn' | 'error' | 'debug', msg: string, fields?: Record<string, unknown>) => void;
}

/** Runs self-managed mode: a sync every interval (every replica), leader rounds when holding the Lease. */
export class SelfManager {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private calls?: KubeCalls;
  private servedDigest?: string;
  private leaseHeld = false;
  private leaseAcquired?: Date;
  /** Set once the first pair from the Secret is served. */
  loaded = false;
  readonly o: Required<Omit<SelfManagedOptions, 'kubeconfig'>> & { kubeconfig?: string };

  constructor(
    options: SelfManagedOptions,
    private readonly hooks: SelfManagerHooks,
  ) {
    this.o = {
      syncIntervalMs: SELF_MANAGED_DEFAULTS.syncIntervalMs,
      leaseDurationMs: SELF_MANAGED_DEFAULTS.leaseDurationMs,
      rotationGraceMs: SELF_MANAGED_DEFAULTS.rotationGraceMs,
      caDays: SELF_MANAGED_DEFAULTS.caDays,
      servingDays: SELF_MANAGED_DEFAULTS.servingDays,
      now: () => new Date(),
      ...options,
    } as SelfManager['o'];
  }

  /** Starts syncing now and every interval. */
  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch((e: unknown) => this.hooks.log('warn', 'self-managed certificate sync failed; retrying', { err: (e as Error).message }))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) {
            this.timer = setTimeout(loop, this.loaded ? this.o.syncIntervalMs : Math.min(this.o.syncIntervalMs, 2000));
            this.timer.unref();
          }
        });
    };
    loop();
  }

  /** One round: read (or create) the Secret, serve its pair, and if leader, renew/rotate and fix the caBundle. */
  async tick(): Promise<void> {
    this.calls ??= await KubeCalls.create(this.o);
    const calls = this.calls;
    const now = this.o.now();
    let secret = await calls.readSecret();
    if (!secret || !stateFromSecret(secret.data, secret.metadata?.annotations)) {
      if (secret) throw new Error(`Secret ${this.o.namespace}/${this.o.secretName} exists but does not hold ca.crt, ca.key, tls.crt and tls.key`);
      const ca = await generateCa({ now, days: this.o.caDays });
      const tls = await issueServingCert(ca, { service: this.o.service, namespace: this.o.namespace, now, days: this.o.servingDays });
      const created = await calls.createSecret({ ca, tls });
      if (created === 'exists') {
        this.hooks.log('info', 'another replica created the certificate Secret first; using it');
        secret = await calls.readSecret();
      } else {
        this.hooks.log('info', 'created the certificate Secret', { secret: this.o.secretName });
        secret = created;
      }
    }
    let state = secret ? stateFromSecret(secret.data, secret.metadata?.annotations) : undefined;
    if (!secret || !state) throw new Error('certificate Secret could not be read back');
    this.serve(state);

    if (!(await this.holdLease(now))) return;
    const cfg = await calls.readWebhookConfig();
    if (!cfg) {
      this.hooks.log('warn', `ValidatingWebhookConfiguration ${this.o.webhookConfig} not found; caBundle not patched`);
      return;
    }
    const bundleInPlace = this.bundleInPlace(cfg, state);
    const step = planStep(state, now, { service: this.o.service, namespace: this.o.namespace, graceMs: this.o.rotationGraceMs, bundleInPlace });
    if (step !== 'none') {
      const next = await applyStep(state, step, now, { service: this.o.service, namespace: this.o.namespace, caDays: this.o.caDays, servingDays: this.o.servingDays });
      const r = await calls.replaceSecret(next, secret.metadata?.resourceVersion ?? '');
      if (r === 'conflict') {
        this.hooks.log('info', 'certificate Secret changed meanwhile; next round');
        return;
      }
      this.hooks.log('info', `certificates: ${step}`, { step });
      state = next;
      this.serve(state);
    }
    // The bundle first carries both CAs, then only the new one; a fresh read gives the resourceVersion to test.
    const current = step === 'none' ? cfg : await calls.readWebhookConfig();
    if (current && !this.bundleInPlace(current, state)) {
      const p = await calls.patchCaBundle(current, expectedBundle(state));
      this.hooks.log(p === 'patched' ? 'info' : 'warn', `caBundle ${p}`, { webhookConfig: this.o.webhookConfig });
    }
  }

  private bundleInPlace(cfg: WebhookConfig, s: CertState): boolean {
    const want = expectedBundle(s);
    const ours = (cfg.webhooks ?? []).filter((w) => w.clientConfig?.service?.name === this.o.service && w.clientConfig.service.namespace === this.o.namespace);
    return ours.length > 0 && ours.every((w) => typeof w.clientConfig.caBundle === 'string' && sameBundle(Buffer.from(w.clientConfig.caBundle, 'base64').toString('utf8'), want));
  }

  private serve(s: CertState): void {
    const digest = `${s.tls.certPem}\u0000${s.tls.keyPem}`;
    if (digest === this.servedDigest) return;
    try {
      checkPair(s.tls.certPem, s.tls.keyPem);
    } catch (e) {
      this.hooks.log('error', 'certificate Secret holds an unusable pair', { err: (e as Error).message });
      return;
    }
    if (this.hooks.apply(s.tls.certPem, s.tls.keyPem)) {
      this.servedDigest = digest;
      this.loaded = true;
    }
  }

  /** Acquires or renews the Lease (optimistic concurrency on resourceVersion); true while we hold it. */
  private async holdLease(now: Date): Promise<boolean> {
    const calls = this.calls!;
    const durationS = Math.max(1, Math.round(this.o.leaseDurationMs / 1000));
    const lease = await calls.readLease();
    if (!lease) {
      const r = await calls.createLease({ holder: this.o.identity, durationS, acquire: now, renew: now, transitions: 0 });
      this.setHeld(r !== 'exists', now);
      return this.leaseHeld;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renewed = spec.renewTime ? Date.parse(String(spec.renewTime instanceof Date ? spec.renewTime.toISOString() : spec.renewTime)) : 0;
    const expired = !holder || now.getTime() > renewed + (spec.leaseDurationSeconds ?? durationS) * 1000;
    if (holder !== this.o.identity && !expired) {
      this.setHeld(false, now);
      return false;
    }
    const mine = holder === this.o.identity;
    const acquire = mine && spec.acquireTime ? new Date(String(spec.acquireTime instanceof Date ? spec.acquireTime.toISOString() : spec.acquireTime)) : now;
    const transitions = (spec.leaseTransitions ?? 0) + (mine ? 0 : 1);
    const r = await calls.replaceLease({ holder: this.o.identity, durationS, acquire, renew: now, transitions }, lease.metadata?.resourceVersion ?? '');
    this.setHeld(r !== 'conflict', now);
    return this.leaseHeld;
  }

  private setHeld(held: boolean, now: Date): void {
    if (held && !this.leaseHeld) {
      this.leaseAcquired = now;
      this.hooks.log('info', 'holding the certificate Lease', { lease: this.o.leaseName, identity: this.o.identity });
    }
    if (!held && this.leaseHeld) this.hooks.log('info', 'lost the certificate Lease', { lease: this.o.leaseName });
    this.leaseHeld = held;
  }

  /** True while this replica holds the Lease. */
  get leader(): boolean {
    return this.leaseHeld;
  }

  /** Stops syncing; a held Lease is released (holder cleared) so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (!this.leaseHeld || !this.calls) return;
    try {
      const lease = await this.calls.readLease();
      if (lease?.spec?.holderIdentity === this.o.identity) {
        const now = this.o.now();
        await this.calls.replaceLease({ holder: '', durationS: 1, acquire: this.leaseAcquired ?? now, renew: now, transitions: lease.spec.leaseTransitions ?? 0 }, lease.metadata?.resourceVersion ?? '');
      }
    } catch (e) {
      this.hooks.log('warn', 'could not release the certificate Lease', { err: (e as Error).message });
    }
    this.leaseHeld = false;
  }
}

/** This replica's identity in the Lease: POD_NAME (downward API), else the host name (the pod name in Kubernetes). */
export function podIdentity(env: Record<string, string | undefined>): string {
  return env.POD_NAME || env.HOSTNAME || os.hostname();
}
