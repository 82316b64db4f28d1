// Webhook stage: the HTTPS shell around review.ts. fastify answers AdmissionReview v1 on POST /validate, runs the
// rules in a worker pool with a per-request deadline, exposes /healthz, /readyz and /metrics, swaps its TLS
// context when the certificates change, and drains on shutdown. Decisions live in review.ts; this file only
// moves bytes, logs and counts. Loaded only by `imply-lint serve` (fastify, pino and prom-client are lazy).
import { X509Certificate, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Server as HttpsServer } from 'node:https';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ResolvedPolicy } from '../rules/policy.js';
import { CertError, checkPair, generateCa } from './certs.js';
import { DECISION_CACHE_DEFAULTS } from './decision-cache.js';
import { effectiveCpus } from './cpus.js';
import { createMetrics } from './metrics.js';
import type { WebhookMetrics } from './metrics.js';
import { ReviewFailure, WorkerPool, defaultWorkerCount } from './pool.js';
import type { ReviewResult, WorkerScript } from './pool.js';
import { BadReviewError, MAX_OBJECT_DEPTH, failureResponse, nestingExceeds, parseAdmissionReview, quickAnswer } from './review.js';
import type { AdmissionRequest, AdmissionReviewOut, Mode } from './review.js';
import { CertWatcher, loadPairFiles, tlsOptions } from './tls.js';
import type { LoadedPair, ReloadEvent } from './tls.js';
import type { SelfManagedOptions } from './selfmanaged.js';

/** A configuration the server cannot run with: one line, exit 2. */
export class ServeConfigError extends Error {}

/** Defaults of `imply-lint serve`. */
export const SERVE_DEFAULTS = {
  host: '0.0.0.0',
  port: 8443,
  drainDelayMs: 5000,
  maxBodyBytes: 6 * 1024 * 1024,
  ruleTimeoutMs: 2000,
  /** Longer than the API server's idle-connection timeout (90 s), so it never reuses a connection we are closing. */
  keepAliveTimeoutMs: 120_000,
  requestTimeoutMs: 30_000,
  /** SIGTERM to exit, at most (the pod's terminationGracePeriodSeconds is 30). */
  shutdownBudgetMs: 25_000,
  certPollMs: 1000,
} as const;

export type CertSourceOptions = { kind: 'files'; certFile: string; keyFile: string; pollMs?: number } | { kind: 'self-managed'; options: SelfManagedOptions };

export interface ServeOptions {
  host: string;
  port: number;
  certs: CertSourceOptions;
  policy: ResolvedPolicy;
  mode: Mode;
  onError: 'allow' | 'deny';
  drainDelayMs: number;
  maxBodyBytes: number;
  ruleTimeoutMs: number;
  keepAliveTimeoutMs?: number;
  requestTimeoutMs?: number;
  shutdownBudgetMs?: number;
  workers?: number;
  /** Decisions each rule worker caches (decision-cache.ts; default 1000, 0: off). A policy reload empties it. */
  decisionCache?: number;
  kubeVersion?: string;
  logLevel?: string;
  /** Where log lines go (one JSON object per line). */
  logLine: (line: string) => void;
  /** Resolves once every line given to logLine has left the process (awaited at the end of shutdown). */
  flushLog?: () => Promise<void>;
  /**
   * `all` (default): one `review` line at info for every AdmissionReview answered, so the log can be counted
   * against the API server's calls. `findings`: only denials, findings, errors and audit mode at info; the
   * rest at debug.
   */
  logReviews?: 'all' | 'findings';
  /**
   * Reload the policy when its file changes (polled): a change is loaded only once the files stayed the same
   * for one poll interval (an in-place writer's half-written file is never used), and swapped in only once
   * every new worker has compiled it; a policy that does not load or compile is refused and the old one kept.
   */
  policyReload?: { files: string[]; load: () => ResolvedPolicy; pollMs?: number };
  /** Audit mode: also write each reviewed object's findings as a PolicyReport (src/webhook/policyreports.ts). */
  policyReports?: import('./policyreports.js').PolicyReportsOptions;
  /** Internal: extra rule modules for the workers (tests use it for rules that throw or loop). */
  extraRuleModules?: string[];
  /** Internal: the CPUs to size the default pool for (default: effectiveCpus(), the cgroup limit counted). */
  cpus?: number;
  /** Internal: the worker script (tests may point at dist/worker.js). */
  workerScript?: WorkerScript;
}

/** A running webhook server. */
export interface WebhookServer {
  readonly port: number;
  readonly app: FastifyInstance;
  readonly metrics: WebhookMetrics;
  readonly log: Logger;
  /** Ready = certificates loaded, policy compiled in every worker, not draining. */
  isReady(): boolean;
  /** Fingerprint of the certificate currently served. */
  servedFingerprint(): string | undefined;
  /** Stops being ready, keeps serving through the drain delay, then finishes in-flight requests and stops. */
  shutdown(reason: string): Promise<void>;
}

/** Parses the API server's `?timeout=10s` (a Go duration) into milliseconds. */
export function goDurationMs(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  while ((m = re.exec(v)) !== null) {
    total += Number(m[1]) * unit[m[2]];
    matched = re.lastIndex;
  }
  return matched === v.length && matched > 0 ? total : undefined;
}

function errorBody(status: number, message: string): { error: string; message: string; statusCode: number } {
  const names: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error', 503: 'Service Unavailable' };
  return { statusCode: status, error: names[status] ?? 'Error', message };
}

/** Starts the webhook server; resolves once it listens (readiness follows when the workers and certificates are in). */
export async function startServer(opts: ServeOptions): Promise<WebhookServer> {
  const [fastifyMod, { default: pino }] = await Promise.all([import('fastify'), import('pino')]);
  const fastify = fastifyMod.default;
  // Lines go straight to logLine (no pino buffer); flush() waits for whatever is still on its way out.
  const destination = {
    write: (s: string) => opts.logLine(s),
    flush: (cb: (err?: Error) => void) => (opts.flushLog ? opts.flushLog().then(() => cb(), cb) : cb()),
  };
  const log = pino({ level: opts.logLevel ?? 'info', base: { service: 'imply-lint-webhook', pid: process.pid, hostname: os.hostname() } }, destination);
  const metrics = await createMetrics();
  // Audit mode only: reports are written in the background, never on the review's path.
  const reports = opts.mode === 'audit' && opts.policyReports
    ? await (await import('./policyreports.js')).startPolicyReports(opts.policyReports, (level, msg, fields) => log[level]({ event: 'policy-report', ...fields }, msg), metrics.registry)
    : undefined;

  // First certificate: mounted files must be valid from the start; self-managed mode serves a throwaway
  // certificate (and reports not ready) until the shared Secret is loaded.
  let initial: { cert: string | Buffer; key: string | Buffer };
  let filePair: LoadedPair | undefined;
  let certsLoaded = false;
  if (opts.certs.kind === 'files') {
    filePair = loadPairFiles(opts.certs.certFile, opts.certs.keyFile);
    const now = Date.now();
    if (filePair.checked.notAfter.getTime() < now) throw new CertError(`certificate expired on ${filePair.checked.notAfter.toISOString()}`, opts.certs.certFile);
    initial = { cert: filePair.cert, key: filePair.key };
    certsLoaded = true;
  } else {
    const placeholder = await generateCa({ now: new Date(), days: 1, commonName: 'imply-lint-webhook-starting' });
    initial = { cert: placeholder.certPem, key: placeholder.keyPem };
  }
  let served = new X509Certificate(initial.cert).fingerprint256;

  const app = fastify({
    loggerInstance: log,
    // We log one line per review ourselves; probes every few seconds would drown it.
    logController: new fastifyMod.LogController({ disableRequestLogging: true }),
    // Node enforces requestTimeout/headersTimeout only when it checks connections (every 30 s by default):
    // check every second so a slow client (slowloris) is cut at the timeout, not up to 30 s later.
    https: { ...tlsOptions(initial), connectionsCheckingInterval: 1000 } as ReturnType<typeof tlsOptions>,
    bodyLimit: opts.maxBodyBytes,
    // `__proto__` and `constructor` keys inside Kubernetes objects are data: parse them as JSON.parse does
    // (own properties) and answer normally; nothing merges request data into plain objects.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? SERVE_DEFAULTS.keepAliveTimeoutMs,
    requestTimeout: opts.requestTimeoutMs ?? SERVE_DEFAULTS.requestTimeoutMs,
    // No socket inactivity timeout: it would cut idle keep-alive connections before keepAliveTimeout.
    connectionTimeout: 0,
    // On close, idle keep-alive connections are closed; a request already on its way over an open connection is
    // still answered (not 503), so the drain costs the API server no failed call.
    forceCloseConnections: 'idle',
    return503OnClosing: false,
  }) as unknown as FastifyInstance;
  // AdmissionReviews are JSON; fastify's default text/plain parser would let other bodies through as strings.
  app.removeContentTypeParser('text/plain');
  // fastify's JSON parser, plus the body text kept beside the parsed object: the text is what goes to a rule
  // worker (a string copy; a structured clone of the object was the event loop's largest cost).
  // `__proto__`/`constructor` keys are data (JSON.parse), as onProtoPoisoning/onConstructorPoisoning 'ignore' say.
  const rawBodies = new WeakMap<object, string>();
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req: FastifyRequest, text: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    const s = typeof text === 'string' ? text : text.toString('utf8');
    if (s.length === 0) return done(new fastifyMod.errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
    let body: unknown;
    try {
      body = JSON.parse(s.charCodeAt(0) === 0xfeff ? s.slice(1) : s);
    } catch {
      return done(new fastifyMod.errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), undefined);
    }
    if (body !== null && typeof body === 'object') rawBodies.set(body, s);
    done(null, body);
  });
  const server = app.server as unknown as HttpsServer;
  server.headersTimeout = Math.min(opts.requestTimeoutMs ?? SERVE_DEFAULTS.requestTimeoutMs, 60_000);

  const applyPair = (cert: string | Buffer, key: string | Buffer, source: string): boolean => {
    try {
      const checked = checkPair(cert, key);
      server.setSecureContext(tlsOptions({ cert, key }));
      served = checked.fingerprint256;
      certsLoaded = true;
      metrics.certReloads.inc({ result: 'swapped' });
      log.info({ event: 'cert-swapped', source, fingerprint: checked.fingerprint256, notAfter: checked.notAfter.toISOString() }, 'serving certificate loaded');
      return true;
    } catch (e) {
      metrics.certReloads.inc({ result: 'refused' });
      log.warn({ event: 'cert-refused', source, err: (e as Error).message }, 'new certificate not loaded; keeping the current one');
      return false;
    }
  };

  let watcher: CertWatcher | undefined;
  if (opts.certs.kind === 'files' && filePair) {
    const c = opts.certs;
    watcher = new CertWatcher(
      {
        certFile: c.certFile,
        keyFile: c.keyFile,
        pollMs: c.pollMs ?? SERVE_DEFAULTS.certPollMs,
        onEvent: (e: ReloadEvent) => {
          if (e.type === 'swapped') applyPair(e.pair.cert, e.pair.key, 'files');
          else {
            metrics.certReloads.inc({ result: 'refused' });
            log.warn({ event: 'cert-refused', source: 'files', err: e.message }, 'certificate files changed but are not a valid pair; keeping the current one');
          }
        },
      },
      filePair,
    );
  }

  let policy = opts.policy;
  // 0 workers: reviews on this thread (pool.ts). By default only the built-in rules run there: a policy's custom
  // rules (user-written schemas and patterns) and extra rule modules get a worker, which the deadline can cut.
  const cpus = opts.cpus ?? effectiveCpus();
  const workersFor = (p: ResolvedPolicy): number => {
    const n = opts.workers ?? Math.max(p.customRules.length > 0 ? 1 : 0, defaultWorkerCount(cpus));
    return opts.extraRuleModules?.length ? Math.max(1, n) : Math.max(0, n);
  };
  const makePool = (p: ResolvedPolicy): WorkerPool => new WorkerPool({
    size: workersFor(p),
    init: { policy: p, mode: opts.mode, kubeVersion: opts.kubeVersion, extraRuleModules: opts.extraRuleModules, decisionCache: { entries: opts.decisionCache ?? DECISION_CACHE_DEFAULTS.entries, ttlMs: DECISION_CACHE_DEFAULTS.ttlMs } },
    script: opts.workerScript,
    onEvent: (e) => {
      if (e.type === 'worker-replaced') {
        metrics.workerRestarts.inc({ reason: e.reason });
        log.warn({ event: 'worker-replaced', worker: e.worker, reason: e.reason }, 'rule worker replaced');
      } else if (e.type === 'worker-error') log.error({ event: 'worker-error', worker: e.worker, err: e.message }, 'rule worker failed');
      else log.debug({ event: 'worker-started', worker: e.worker, ms: e.ms }, 'rule worker ready');
    },
  });
  let pool = makePool(policy);

  let draining = false;
  const isReady = () => certsLoaded && pool.ready && !draining;

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req: FastifyRequest, reply: FastifyReply) => {
    const status = err.statusCode ?? 500;
    metrics.requests.inc({ code: String(status) });
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send(errorBody(413, `request body larger than ${opts.maxBodyBytes} bytes (--max-body)`));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send(errorBody(415, 'Content-Type must be application/json (an AdmissionReview)'));
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return reply.code(400).send(errorBody(400, 'empty body: expected an AdmissionReview (admission.k8s.io/v1) JSON object'));
    if (status === 400) return reply.code(400).send(errorBody(400, `malformed JSON: ${err.message}`));
    if (status < 500) return reply.code(status).send(errorBody(status, err.message));
    log.error({ event: 'http-error', err: err.message }, 'request failed');
    return reply.code(500).send(errorBody(500, 'internal error'));
  });
  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) => reply.code(404).send(errorBody(404, `no route ${req.method} ${req.url}; admission reviews go to POST /validate`)));

  app.get('/healthz', async (_req: FastifyRequest, reply: FastifyReply) => reply.type('text/plain').send('ok'));
  app.get('/readyz', async (_req: FastifyRequest, reply: FastifyReply) => {
    const ready = isReady();
    metrics.ready.set(ready ? 1 : 0);
    const why = draining ? 'draining' : !certsLoaded ? 'certificates not loaded' : !pool.ready ? 'policy not compiled in every rule worker' : 'ready';
    return reply.code(ready ? 200 : 503).type('text/plain').send(why);
  });
  app.get('/metrics', async (_req: FastifyRequest, reply: FastifyReply) => {
    metrics.ready.set(isReady() ? 1 : 0);
    metrics.workersReady.set(pool.readyCount);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // One `review` line per AdmissionReview answered (200), whatever the path: the log can be counted. The line is
  // built only when its level is on (`--log-reviews findings` at info: most lines are debug and skipped).
  const logReviews = opts.logReviews ?? 'all';
  const logReview = (notable: boolean, started: bigint, msg: string, entry: () => { uid: string; decision: string } & Record<string, unknown>): void => {
    const level = notable || logReviews === 'all' ? 'info' : 'debug';
    if (!log.isLevelEnabled(level)) return;
    log[level]({ event: 'review', ...entry(), ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100 }, msg);
  };

  // Metric series of the review path, bound once (prom-client hashes a label object at every inc otherwise).
  const series = <T>(make: (k: string) => T): ((k: string) => T) => {
    const m = new Map<string, T>();
    return (k) => {
      let v = m.get(k);
      if (v === undefined) m.set(k, (v = make(k)));
      return v;
    };
  };
  const requests200 = metrics.requests.labels({ code: '200' });
  const cacheHit = metrics.decisionCache.labels({ result: 'hit' });
  const cacheMiss = metrics.decisionCache.labels({ result: 'miss' });
  const decisionSeries = series((k) => metrics.decisions.labels({ decision: k.slice(0, k.indexOf('|')), mode: opts.mode, dry_run: k.slice(k.indexOf('|') + 1) }));
  const latencySeries = series((decision) => metrics.latency.labels({ decision }));
  const findingSeries = series((k) => metrics.ruleFindings.labels({ rule: k.slice(0, k.indexOf('|')), severity: k.slice(k.indexOf('|') + 1), mode: opts.mode }));

  /** Counts, logs and (audit mode) reports a review the rules answered, from a worker, this thread or the cache. */
  const reviewed = (req: AdmissionRequest, r: { decision: string; ref?: string; findings: ReviewResult['findings'] }, cached: boolean, started: bigint): void => {
    if (opts.decisionCache !== 0) (cached ? cacheHit : cacheMiss).inc();
    const live = r.findings.filter((f) => !f.suppressed);
    for (const f of live) findingSeries(`${f.ruleId}|${f.severity}`).inc();
    logReview(r.decision === 'denied' || opts.mode === 'audit' || live.length > 0, started, `${r.decision} ${r.ref ?? ''}`, () => ({
      uid: req.uid,
      operation: req.operation,
      object: r.ref,
      namespace: req.namespace,
      dryRun: req.dryRun,
      mode: opts.mode,
      decision: r.decision,
      findings: live.map((f) => ({ rule: f.ruleId, severity: f.severity, fingerprint: f.fingerprint, ...(opts.mode === 'audit' ? { message: f.message } : {}) })),
    }));
    if (reports && r.decision !== 'skipped' && !req.dryRun) reports.enqueueReview(req, r.findings, policy.name);
  };

  app.post('/validate', async (request: FastifyRequest, reply: FastifyReply) => {
    const started = process.hrtime.bigint();
    metrics.inflight.inc();
    let decision = 'error';
    try {
      let req: AdmissionRequest;
      try {
        req = parseAdmissionReview(request.body);
      } catch (e) {
        if (!(e instanceof BadReviewError)) throw e;
        metrics.requests.inc({ code: '400' });
        decision = 'bad-request';
        log.warn({ event: 'bad-review', err: e.message }, 'not an AdmissionReview');
        return reply.code(400).send(errorBody(400, `not an AdmissionReview v1 request: ${e.message}`));
      }
      const dryRun = req.dryRun ? 'true' : 'false';
      const now = Date.now();
      const current = pool;
      const raw = rawBodies.get(request.body as object);
      // A repeat first: its outcome and answer text are cached (decision-cache.ts), nothing walks the object again.
      const { key, hit } = current.lookup(req, now, raw);
      if (hit) {
        decision = hit.outcome.decision;
        reviewed(req, hit.outcome, true, started);
        decisionSeries(`${decision}|${dryRun}`).inc();
        requests200.inc();
        return reply.code(200).type('application/json').send(hit.body);
      }
      let out: AdmissionReviewOut;
      const quick = quickAnswer(req, policy);
      const tooDeep = !quick && (nestingExceeds(req.object, MAX_OBJECT_DEPTH) || nestingExceeds(req.oldObject, MAX_OBJECT_DEPTH));
      if (quick) {
        out = quick;
        decision = 'skipped';
        logReview(false, started, 'skipped', () => ({ uid: req.uid, operation: req.operation, object: `${req.kind?.kind ?? '?'}/${req.name ?? ''}`, namespace: req.namespace, dryRun: req.dryRun, mode: opts.mode, decision }));
      } else if (tooDeep) {
        // Well-formed but absurd: no Kubernetes object nests this deep, and a structured clone into a worker
        // would run out of stack. Answered per --on-error, with the reason, without touching the workers.
        metrics.errors.inc({ kind: 'input', answer: opts.onError });
        log.warn({ event: 'review-refused', uid: req.uid, reason: 'too deep' }, 'object nested too deep; answering per --on-error');
        out = failureResponse(req.uid, opts.onError, `object nested deeper than ${MAX_OBJECT_DEPTH} levels`);
        logReview(true, started, 'error', () => ({ uid: req.uid, operation: req.operation, namespace: req.namespace, dryRun: req.dryRun, mode: opts.mode, decision, answer: opts.onError }));
      } else {
        // The API server says how long it waits (`?timeout=`); answer before that, whatever the rules do.
        const apiTimeout = goDurationMs((request.query as Record<string, unknown> | undefined)?.timeout);
        const deadline = Math.max(50, Math.min(opts.ruleTimeoutMs, apiTimeout !== undefined ? apiTimeout * 0.8 : Infinity));
        let r: ReviewResult | undefined;
        try {
          r = await current.run(req, now, deadline, raw, key);
        } catch (e) {
          const f = e instanceof ReviewFailure ? e : new ReviewFailure('internal', (e as Error).message);
          metrics.errors.inc({ kind: f.kind, answer: opts.onError });
          log.error({ event: 'review-failed', uid: req.uid, kind: f.kind, err: f.message, answer: opts.onError, operation: req.operation, object: `${req.kind?.kind ?? '?'}/${req.name ?? ''}`, namespace: req.namespace }, 'review failed; answering per --on-error');
          out = failureResponse(req.uid, opts.onError, f.kind === 'timeout' ? 'rules timed out' : f.kind === 'rule' ? `a rule failed: ${f.message}` : f.message);
          decision = 'error';
          logReview(true, started, 'error', () => ({ uid: req.uid, operation: req.operation, object: `${req.kind?.kind ?? '?'}/${req.name ?? ''}`, namespace: req.namespace, dryRun: req.dryRun, mode: opts.mode, decision, answer: opts.onError }));
        }
        if (r) {
          out = r.review;
          decision = r.decision;
          reviewed(req, r, Boolean(r.cached), started);
        }
      }
      decisionSeries(`${decision}|${dryRun}`).inc();
      requests200.inc();
      return reply.code(200).type('application/json').send(out!);
    } finally {
      metrics.inflight.dec();
      latencySeries(decision).observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  });

  let selfManager: { stop(): Promise<void> } | undefined;
  try {
    await pool.start();
  } catch (e) {
    await pool.close();
    throw new ServeConfigError((e as Error).message);
  }
  await app.listen({ host: opts.host, port: opts.port });
  const port = (server.address() as AddressInfo).port;
  watcher?.start();
  if (opts.certs.kind === 'self-managed') {
    const { SelfManager } = await import('./selfmanaged.js');
    const m = new SelfManager(opts.certs.options, {
      apply: (cert, key) => applyPair(cert, key, 'secret'),
      log: (level, msg, fields) => log[level]({ event: 'self-managed', ...fields }, msg),
    });
    m.start();
    selfManager = m;
  }
  metrics.ready.set(isReady() ? 1 : 0);

  // Policy hot reload: swap only a policy every worker compiled; otherwise keep serving the old one.
  let policyTimer: NodeJS.Timeout | undefined;
  if (opts.policyReload && opts.policyReload.files.length > 0) {
    const reload = opts.policyReload;
    const pollMs = reload.pollMs ?? 2000;
    // Each file's sha256 (null: missing), and one key over all of them.
    const snapshot = (): { key: string; sources: { file: string; sha256: string | null }[] } => {
      const sources = reload.files.map((file) => {
        try {
          return { file, sha256: createHash('sha256').update(fs.readFileSync(file)).digest('hex') };
        } catch {
          return { file, sha256: null };
        }
      });
      return { key: sources.map((x) => `${x.file}\u0000${x.sha256 ?? 'missing'}`).join('\u0000'), sources };
    };
    // `seen`: the files as last loaded or refused. A change is loaded only once it has stayed the same for one
    // poll interval, and only if the files did not change while being read: a writer that truncates and
    // rewrites in place is never caught half-way, so a half-written file is never used.
    let seen = snapshot().key;
    let pending: string | undefined;
    let busy = false;
    policyTimer = setInterval(() => {
      if (busy || draining) return;
      const now = snapshot();
      if (now.key === seen) {
        pending = undefined;
        return;
      }
      if (now.key !== pending) {
        pending = now.key;
        log.info({ event: 'policy-changed', sources: now.sources, settleMs: pollMs }, 'policy file changed; loading it once it stays unchanged');
        return;
      }
      busy = true;
      pending = undefined;
      void (async () => {
        let next: ResolvedPolicy | undefined;
        let loadError: Error | undefined;
        try {
          next = reload.load();
        } catch (e) {
          loadError = e as Error;
        }
        // Changed again while being read: not this version; the next polls start over.
        if (snapshot().key !== now.key) return;
        seen = now.key;
        if (!next) {
          metrics.policyReloads.inc({ result: 'refused' });
          log.warn({ event: 'policy-refused', sources: now.sources, err: loadError?.message }, 'policy file changed but does not load; keeping the current policy');
          return;
        }
        const fresh = makePool(next);
        try {
          await fresh.start();
        } catch (e) {
          await fresh.close();
          metrics.policyReloads.inc({ result: 'refused' });
          log.warn({ event: 'policy-refused', sources: now.sources, err: (e as Error).message }, 'policy does not compile in the rule workers; keeping the current policy');
          return;
        }
        if (draining) {
          await fresh.close();
          return;
        }
        const old = pool;
        pool = fresh;
        policy = next;
        metrics.policyReloads.inc({ result: 'swapped' });
        log.info({ event: 'policy-reloaded', policy: next.name, sources: now.sources }, 'policy reloaded');
        await old.drainAndClose(opts.ruleTimeoutMs + 1000);
      })().finally(() => {
        busy = false;
      });
    }, pollMs);
    policyTimer.unref();
  }
  log.info({ event: 'listening', host: opts.host, port, mode: opts.mode, onError: opts.onError, policy: opts.policy.name, certs: opts.certs.kind }, `imply-lint webhook listening on ${opts.host}:${port}`);

  let shutting: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    if (shutting) return shutting;
    shutting = (async () => {
      const t0 = Date.now();
      draining = true;
      metrics.ready.set(0);
      const budget = opts.shutdownBudgetMs ?? SERVE_DEFAULTS.shutdownBudgetMs;
      log.info({ event: 'draining', reason, drainDelayMs: opts.drainDelayMs }, 'not ready; serving through the drain delay');
      // Endpoints take a moment to drop this pod: keep answering until they have.
      await new Promise((r) => setTimeout(r, opts.drainDelayMs));
      watcher?.stop();
      if (policyTimer) clearInterval(policyTimer);
      await selfManager?.stop();
      // Whatever is still open when the budget runs out is cut, so the process always exits in time.
      const hard = setTimeout(() => server.closeAllConnections(), Math.max(1000, budget - (Date.now() - t0) - 1000));
      hard.unref();
      await app.close();
      clearTimeout(hard);
      await pool.close();
      await reports?.stop();
      log.info({ event: 'stopped', ms: Date.now() - t0 }, 'drained and stopped');
      // Every line written, including this one, out of the process before serve() resolves.
      await new Promise<void>((resolve) => log.flush(() => resolve()));
    })();
    return shutting;
  };

  return {
    port,
    app,
    metrics,
    log,
    isReady,
    servedFingerprint: () => served,
    shutdown,
  };
}

/**
 * Runs the webhook until `signal` aborts (SIGTERM/SIGINT in the CLI), then drains; resolves once stopped.
 * Never exits the process: `src/cli/main.ts` sets the exit code.
 */
export async function serve(opts: ServeOptions, signal: AbortSignal): Promise<void> {
  const s = await startServer(opts);
  if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await s.shutdown(typeof signal.reason === 'string' ? signal.reason : 'signal');
}
