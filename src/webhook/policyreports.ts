// Webhook stage: audit mode writes the findings of each reviewed object as a PolicyReport (wgpolicyk8s.io/v1alpha2,
// or openreports.io/v1alpha1 Report) in the object's namespace, ClusterPolicyReport / ClusterReport for
// cluster-scoped objects. Never on the admission hot path: the review handler only enqueues (O(1), never throws,
// never waits); a background loop writes in batches through @kubernetes/client-node's CustomObjectsApi (loaded
// lazily). The queue holds one entry per report (a newer review of the same object replaces the queued one) and
// is bounded: past the bound a review's report is dropped, counted and logged. One report per object, created or
// replaced: GET, then POST on 404 or PUT with the resourceVersion read; a 409 is retried once from the GET.
import type { Counter, Registry } from 'prom-client';
import type { FindingSummary } from './protocol.js';
import type { AdmissionRequest } from './review.js';
import { REPORT_APIS, buildReport, policyNameOf, reportName, resultOf, timestampOf } from '../report/policyreport.js';
import type { ObjectRef, ReportApi, ReportObject, RuleInfo } from '../report/policyreport.js';

export const POLICY_REPORT_DEFAULTS = {
  api: 'wgpolicyk8s.io/v1alpha2' as ReportApi,
  /** Reports waiting to be written, at most (one per object). */
  maxQueue: 1000,
  /** Reports written per round, and in parallel at most. */
  batchSize: 50,
  concurrency: 4,
  /** Wait after the first enqueue before writing (collects a burst into one round). */
  flushDelayMs: 500,
  /** Longest one API call may take. */
  requestTimeoutMs: 10_000,
  /** At most one "dropped" log line per this interval (the counter counts every drop). */
  dropLogIntervalMs: 10_000,
} as const;

/** One reviewed object and what the rules found, as the review handler knows it. */
export interface ReviewedObject {
  /** `group/version` or `version` (core). */
  apiVersion: string;
  kind: string;
  name: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  uid?: string;
  findings: readonly FindingSummary[];
  /** When it was reviewed (ISO time). */
  at: string;
  /** The policy the review ran (results' `policy`). */
  policy: string;
}

export interface PolicyReportWriterOptions {
  api?: ReportApi;
  /** A kubeconfig file; default: the pod's service account (in-cluster). */
  kubeconfig?: string;
  maxQueue?: number;
  batchSize?: number;
  concurrency?: number;
  flushDelayMs?: number;
  requestTimeoutMs?: number;
  dropLogIntervalMs?: number;
  /** Category and security-severity of a rule, when known. */
  ruleInfo?: (ruleId: string) => RuleInfo | undefined;
  log: (level: 'info' | 'warn' | 'error' | 'debug', msg: string, fields?: Record<string, unknown>) => void;
  /** The webhook's metrics registry (counters are added to it). */
  registry?: Registry;
  /** Internal (tests): the API calls. */
  calls?: ReportCalls;
}

/** Where a report lives: `namespace` undefined for a cluster-scoped report. */
export interface ReportKey {
  name: string;
  namespace?: string;
}

/** The three calls the writer makes; `undefined` from get on 404; 'conflict' on 409. */
export interface ReportCalls {
  get(key: ReportKey): Promise<ReportObject | undefined>;
  create(key: ReportKey, body: ReportObject): Promise<'created' | 'conflict'>;
  replace(key: ReportKey, body: ReportObject): Promise<'replaced' | 'conflict'>;
}

/** The report name of an object: `imply-lint-<kind>-<name>`, DNS-safe (hashed when shortened). */
export function objectReportName(kind: string, name: string): string {
  return reportName(kind, name);
}

/** The report for one reviewed object (without resourceVersion). */
export function reportFor(o: ReviewedObject, api: ReportApi, ruleInfo?: (id: string) => RuleInfo | undefined): ReportObject {
  const scope: ObjectRef = { apiVersion: o.apiVersion, kind: o.kind, name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), ...(o.uid ? { uid: o.uid } : {}) };
  const timestamp = timestampOf(o.at);
  const policy = policyNameOf(o.policy);
  const results = o.findings.map((f) => resultOf(f, { policy, rule: ruleInfo?.(f.ruleId), timestamp, resources: [scope] }));
  return buildReport({
    api,
    name: objectReportName(o.kind, o.name),
    namespace: o.namespace,
    cluster: !o.namespace,
    scope,
    results,
    // Deleting the object deletes its report (garbage collection); same namespace, or both cluster-scoped.
    ownerReferences: o.uid ? [{ apiVersion: o.apiVersion, kind: o.kind, name: o.name, uid: o.uid }] : undefined,
  });
}

/** The CustomObjectsApi calls, each as the Kubernetes API documents it. */
export async function kubeReportCalls(api: ReportApi, o: { kubeconfig?: string; requestTimeoutMs?: number }): Promise<ReportCalls> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
  else kc.loadFromCluster();
  const co = kc.makeApiClient(k8s.CustomObjectsApi);
  const a = REPORT_APIS[api];
  const status = (e: unknown): number | undefined => (e instanceof k8s.ApiException ? e.code : undefined);
  const timeoutMs = o.requestTimeoutMs ?? POLICY_REPORT_DEFAULTS.requestTimeoutMs;
  // client-node has no per-call timeout: race the call against one, so a hung API server cannot stall the writer.
  const timed = <T>(p: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`API call timed out after ${timeoutMs} ms`)), timeoutMs);
      t.unref();
      p.then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(t);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  const base = { group: a.group, version: a.version };
  return {
    async get(key) {
      try {
        const r = key.namespace
          ? await timed(co.getNamespacedCustomObject({ ...base, namespace: key.namespace, plural: a.plural, name: key.name }))
          : await timed(co.getClusterCustomObject({ ...base, plural: a.clusterPlural, name: key.name }));
        return r as ReportObject;
      } catch (e) {
        if (status(e) === 404) return undefined;
        throw e;
      }
    },
    async create(key, body) {
      try {
        if (key.namespace) await timed(co.createNamespacedCustomObject({ ...base, namespace: key.namespace, plural: a.plural, body }));
        else await timed(co.createClusterCustomObject({ ...base, plural: a.clusterPlural, body }));
        return 'created';
      } catch (e) {
        if (status(e) === 409) return 'conflict';
        throw e;
      }
    },
    async replace(key, body) {
      try {
        if (key.namespace) await timed(co.replaceNamespacedCustomObject({ ...base, namespace: key.namespace, plural: a.plural, name: key.name, body }));
        else await timed(co.replaceClusterCustomObject({ ...base, plural: a.clusterPlural, name: key.name, body }));
        return 'replaced';
      } catch (e) {
        if (status(e) === 409) return 'conflict';
        throw e;
      }
    },
  };
}

function errText(e: unknown): string {
  const err = e as { code?: number; message?: string; body?: unknown };
  if (typeof err?.code === 'number') {
    let msg = '';
    try {
      const b = typeof err.body === 'string' ? (JSON.parse(err.body) as { message?: string }) : (err.body as { message?: string } | undefined);
      msg = b?.message ?? '';
    } catch {
      msg = '';
    }
    return `HTTP ${err.code}${msg ? `: ${msg}` : ''}`;
  }
  return err?.message ?? String(e);
}

/** Writes reports in the background; `enqueue` is all the review handler calls. */
export class PolicyReportWriter {
  readonly api: ReportApi;
  private readonly o: Required<Omit<PolicyReportWriterOptions, 'kubeconfig' | 'ruleInfo' | 'registry' | 'calls' | 'api'>>;
  private readonly queue = new Map<string, { key: ReportKey; item: ReviewedObject }>();
  private calls?: ReportCalls;
  private callsInit?: Promise<ReportCalls>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private lastDropLog = -Infinity;
  private dropsSinceLog = 0;
  private dropped?: Counter<'reason'>;
  private written?: Counter<'operation'>;
  /** Counts, for tests and logs. */
  readonly stats = { enqueued: 0, created: 0, replaced: 0, conflicts: 0, dropped: 0, failed: 0 };

  constructor(private readonly opts: PolicyReportWriterOptions) {
    this.api = opts.api ?? POLICY_REPORT_DEFAULTS.api;
    const D = POLICY_REPORT_DEFAULTS;
    this.o = {
      maxQueue: opts.maxQueue ?? D.maxQueue,
      batchSize: opts.batchSize ?? D.batchSize,
      concurrency: opts.concurrency ?? D.concurrency,
      flushDelayMs: opts.flushDelayMs ?? D.flushDelayMs,
      requestTimeoutMs: opts.requestTimeoutMs ?? D.requestTimeoutMs,
      dropLogIntervalMs: opts.dropLogIntervalMs ?? D.dropLogIntervalMs,
      log: opts.log,
    };
    this.calls = opts.calls;
  }

  /** Creates a writer whose counters live in `registry` (prom-client is loaded lazily, like the rest of serve). */
  static async create(opts: PolicyReportWriterOptions): Promise<PolicyReportWriter> {
    const w = new PolicyReportWriter(opts);
    if (opts.registry) {
      const prom = await import('prom-client');
      const registers = [opts.registry];
      w.dropped = new prom.Counter({
        name: 'imply_lint_webhook_policy_reports_dropped_total',
        help: 'Audit-mode PolicyReports not written: queue full (the API server is slow or down), the write failed, or still queued at shutdown.',
        labelNames: ['reason'],
        registers,
      });
      w.written = new prom.Counter({
        name: 'imply_lint_webhook_policy_reports_written_total',
        help: 'Audit-mode PolicyReports written, by operation (create, replace).',
        labelNames: ['operation'],
        registers,
      });
    }
    return w;
  }

  /** Reports waiting to be written. */
  get pending(): number {
    return this.queue.size;
  }

  /**
   * Queues the report of a reviewed object; false when it was dropped (queue full, stopped, or no name).
   * Synchronous and cheap: called from the review handler after the answer is decided.
   */
  enqueue(item: ReviewedObject): boolean {
    try {
      if (this.stopped || !item.name || !item.kind) return false;
      const key: ReportKey = { name: objectReportName(item.kind, item.name), namespace: item.namespace || undefined };
      const id = `${key.namespace ?? ''}/${key.name}`;
      if (!this.queue.has(id) && this.queue.size >= this.o.maxQueue) {
        this.drop('queue-full', { object: `${item.kind}/${item.name}`, namespace: item.namespace });
        return false;
      }
      // Map keeps insertion order: a replaced entry keeps its place, so a busy object cannot starve the others.
      this.queue.set(id, { key, item });
      this.stats.enqueued++;
      this.schedule();
      return true;
    } catch (e) {
      this.o.log('error', 'could not queue a PolicyReport', { err: (e as Error).message });
      return false;
    }
  }

  private drop(reason: 'queue-full' | 'write-failed', fields: Record<string, unknown>): void {
    this.stats.dropped++;
    if (reason === 'write-failed') this.stats.failed++;
    this.dropped?.inc({ reason });
    this.dropsSinceLog++;
    const now = Date.now();
    if (reason === 'write-failed' || now - this.lastDropLog >= this.o.dropLogIntervalMs) {
      this.o.log('warn', reason === 'queue-full' ? 'PolicyReport queue full; report dropped' : 'PolicyReport not written', { event: 'policy-report-dropped', reason, dropped: this.dropsSinceLog, pending: this.queue.size, ...fields });
      this.lastDropLog = now;
      this.dropsSinceLog = 0;
    }
  }

  private schedule(): void {
    if (this.timer || this.running || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.drain().finally(() => {
        this.running = undefined;
        if (this.queue.size > 0 && !this.stopped) this.schedule();
      });
    }, this.o.flushDelayMs);
    this.timer.unref();
  }

  private async getCalls(): Promise<ReportCalls> {
    if (this.calls) return this.calls;
    this.callsInit ??= kubeReportCalls(this.api, { kubeconfig: this.opts.kubeconfig, requestTimeoutMs: this.o.requestTimeoutMs });
    try {
      this.calls = await this.callsInit;
    } catch (e) {
      this.callsInit = undefined;
      throw e;
    }
    return this.calls;
  }

  /** Writes everything queued now, in batches. */
  private async drain(): Promise<void> {
    while (this.queue.size > 0) {
      const batch: { key: ReportKey; item: ReviewedObject }[] = [];
      for (const [id, e] of this.queue) {
        batch.push(e);
        this.queue.delete(id);
        if (batch.length >= this.o.batchSize) break;
      }
      let calls: ReportCalls;
      try {
        calls = await this.getCalls();
      } catch (e) {
        for (const b of batch) this.drop('write-failed', { object: `${b.item.kind}/${b.item.name}`, namespace: b.item.namespace, err: errText(e) });
        continue;
      }
      let next = 0;
      const worker = async () => {
        while (next < batch.length) {
          const b = batch[next++];
          await this.writeOne(calls, b.key, b.item);
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.o.concurrency, batch.length) }, worker));
    }
  }

  private async writeOne(calls: ReportCalls, key: ReportKey, item: ReviewedObject): Promise<void> {
    const body = reportFor(item, this.api, this.opts.ruleInfo);
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const cur = await calls.get(key);
        const r = cur ? await calls.replace(key, { ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata?.resourceVersion } }) : await calls.create(key, body);
        if (r === 'conflict') {
          this.stats.conflicts++;
          continue;
        }
        this.stats[r]++;
        this.written?.inc({ operation: r === 'created' ? 'create' : 'replace' });
        this.o.log('debug', `PolicyReport ${r}`, { event: 'policy-report', operation: r, report: key.name, namespace: key.namespace });
        return;
      }
      this.drop('write-failed', { object: `${item.kind}/${item.name}`, namespace: item.namespace, report: key.name, err: 'conflict twice' });
    } catch (e) {
      this.drop('write-failed', { object: `${item.kind}/${item.name}`, namespace: item.namespace, report: key.name, err: errText(e) });
    }
  }

  /** Writes what is queued now (tests; shutdown). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    // One drain at a time: two could write the same object's old and new report in either order.
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.queue.size > 0) {
      this.running = this.drain().finally(() => {
        this.running = undefined;
      });
      await this.running;
    }
  }

  /** Stops taking reports and writes what is queued, for at most `budgetMs`; what is left is dropped. */
  async stop(budgetMs = 2000): Promise<void> {
    if (this.stopped) return;
    const done = this.flush();
    this.stopped = true;
    let t: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([done.then(() => false), new Promise<boolean>((r) => (t = setTimeout(() => r(true), budgetMs)))]);
    clearTimeout(t);
    if (timedOut || this.queue.size > 0) {
      const left = this.queue.size;
      this.queue.clear();
      this.stats.dropped += left;
      if (left > 0) this.dropped?.inc({ reason: 'shutdown' }, left);
      this.o.log('warn', 'stopped with PolicyReports not written', { event: 'policy-report-dropped', reason: 'shutdown', dropped: left });
    }
  }
}

/** True when the process runs in a pod with a service account token (in-cluster API access). */
export function inCluster(env: Record<string, string | undefined>, exists: (p: string) => boolean): boolean {
  return Boolean(env.KUBERNETES_SERVICE_HOST) && exists('/var/run/secrets/kubernetes.io/serviceaccount/token');
}

/** `serve` options for audit-mode reports (ServeOptions.policyReports). */
export interface PolicyReportsOptions extends Omit<PolicyReportWriterOptions, 'log' | 'registry' | 'ruleInfo'> {
  api: ReportApi;
}

/** The reviewed object of an admission request (undefined when it has no kind or name to report on). */
export function reviewedObject(req: AdmissionRequest, findings: readonly FindingSummary[], policy: string, at: Date): ReviewedObject | undefined {
  const obj = (req.object ?? {}) as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown; uid?: unknown } };
  const md = obj.metadata ?? {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const gv = req.kind?.version ? (req.kind.group ? `${req.kind.group}/${req.kind.version}` : req.kind.version) : str(obj.apiVersion);
  const kind = str(req.kind?.kind) ?? str(obj.kind);
  const name = str(req.name) ?? str(md.name);
  if (!gv || !kind || !name) return undefined;
  const namespace = str(req.namespace) ?? str(md.namespace);
  const uid = str(md.uid);
  return { apiVersion: gv, kind, name, ...(namespace ? { namespace } : {}), ...(uid ? { uid } : {}), findings, at: at.toISOString(), policy };
}

/**
 * Starts the writer for `serve --mode audit`: counters in the webhook's registry, rule categories from the
 * built-in catalogue (loaded here, on the main thread, only when reports are on).
 */
export async function startPolicyReports(o: PolicyReportsOptions, log: PolicyReportWriterOptions['log'], registry?: Registry): Promise<PolicyReportWriter & { enqueueReview(req: AdmissionRequest, findings: readonly FindingSummary[], policy: string): boolean }> {
  const { BUILTIN_RULES } = await import('../rules/registry.js');
  const meta = new Map(BUILTIN_RULES.map((r) => [r.meta.id, r.meta]));
  const w = await PolicyReportWriter.create({ ...o, log, registry, ruleInfo: (id) => meta.get(id) });
  return Object.assign(w, {
    enqueueReview(req: AdmissionRequest, findings: readonly FindingSummary[], policy: string): boolean {
      try {
        const item = reviewedObject(req, findings, policy, new Date());
        return item ? w.enqueue(item) : false;
      } catch (e) {
        log('error', 'could not queue a PolicyReport', { err: (e as Error).message });
        return false;
      }
    },
  });
}
