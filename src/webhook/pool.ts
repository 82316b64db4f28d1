// Webhook stage: a pool of rule workers (node:worker_threads). Each request gets a deadline; a worker still busy
// at the deadline is terminated (that stops a looping rule or a backtracking regular expression) and replaced,
// and the caller gets a typed error it answers per --on-error. With size 0 the pool has no workers: it reviews
// on the calling thread (the built-in rules and the policy's custom rules only; no deadline can cut a review
// there, so extra rule modules always get workers). docs/webhook.md weighs the two.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';
import { compileCustomRules } from '../rules/custom.js';
import { BUILTIN_RULES } from '../rules/registry.js';
import type { Rule } from '../rules/types.js';
import { DECISION_CACHE_DEFAULTS, DecisionCache, decisionKey, textDecisionKey } from './decision-cache.js';
import type { CachedOutcome } from './decision-cache.js';
import type { WorkerInit, WorkerReply, WorkerTask } from './protocol.js';
import { RuleFailure, reviewReply } from './review.js';
import type { AdmissionRequest, ReviewReply } from './review.js';

/** Young-generation cap of each rule worker's heap (docs/performance.md section 3). */
export const WORKER_YOUNG_GENERATION_MB = 4;

/**
 * Default worker count: one CPU left for the event loop (TLS, HTTP, JSON), 1 to 4 workers; none on one CPU (the
 * webhook chart's `limits.cpu: 1`), where a worker could only take turns with the event loop and its thread hop
 * costs a third of a review's CPU (docs/performance.md section 3): the rules then run on the event loop.
 */
export function defaultWorkerCount(cpus: number): number {
  return cpus <= 1 ? 0 : Math.min(4, cpus - 1);
}

/** Why a review did not complete; the server answers per --on-error. */
export class ReviewFailure extends Error {
  constructor(
    readonly kind: 'timeout' | 'rule' | 'crash' | 'overload' | 'internal' | 'closed',
    message: string,
  ) {
    super(message);
  }
}

export interface ReviewResult extends ReviewReply {
  /** Answered from the pool's decision cache (decision-cache.ts), without a worker. */
  cached?: boolean;
}

/** Pool events, for logs and metrics. */
export type PoolEvent =
  | { type: 'worker-started'; worker: number; ms: number }
  | { type: 'worker-replaced'; worker: number; reason: 'timeout' | 'crash' }
  | { type: 'worker-error'; worker: number; message: string };

export interface PoolOptions {
  /** Rule workers; 0: review on the calling thread (not with extra rule modules). */
  size: number;
  init: WorkerInit;
  /** Longest a queue may grow before requests are refused (answered per --on-error). */
  maxQueue?: number;
  onEvent?: (e: PoolEvent) => void;
  /** Worker script; default: dist/worker.js next to the bundle, or src/webhook/worker.ts through tsx. */
  script?: WorkerScript;
}

export interface WorkerScript {
  filename: string | URL;
  options: WorkerOptions;
}

/**
 * Where the worker script is. The bundle puts worker.js in dist/ next to cli.js (this code may sit in
 * dist/chunks/); from the TypeScript sources (tests, `tsx`) worker.ts is loaded through tsx's loader.
 */
export function defaultWorkerScript(): WorkerScript {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const dir of [here, path.dirname(here)]) {
    const js = path.join(dir, 'worker.js');
    if (fs.existsSync(js)) return { filename: pathToFileURL(js), options: {} };
  }
  const ts = path.join(here, 'worker.ts');
  if (!fs.existsSync(ts)) throw new Error(`webhook worker not found next to ${here} (run npm run build)`);
  // tsx's ESM API registers its loader in this thread before the worker module is imported.
  const req = createRequire(import.meta.url);
  const api = pathToFileURL(req.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(ts).href)}); });`;
  return { filename: code, options: { eval: true } };
}

interface Task {
  id: number;
  request: AdmissionRequest;
  raw?: string;
  /** Decision-cache key, when the cache is on. */
  key?: string;
  now: number;
  deadline: number;
  resolve: (r: ReviewResult) => void;
  reject: (e: ReviewFailure) => void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  index: number;
  worker: Worker;
  ready: boolean;
  task?: Task;
  startedAt: number;
  /** Set once this worker is being replaced, so its late events are ignored. */
  retired: boolean;
}

/** A fixed-size pool of rule workers with per-request deadlines. */
export class WorkerPool {
  private slots: Slot[] = [];
  private queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  /** Undefined without workers (size 0). */
  private readonly script?: WorkerScript;
  private readonly maxQueue: number;
  private readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private initError?: string;
  private started = false;
  /** Workers replaced so far (timeouts and crashes). */
  replaced = 0;
  /**
   * Outcomes of this pool's policy, rules and mode (fixed for its life): a policy reload makes a new pool, so
   * the cache never outlives the policy it was filled under. Off with extra rule modules (not known to be pure).
   */
  readonly cache?: DecisionCache;
  /** Size 0: the rules this thread reviews with (loaded by start()). */
  private inlineRules?: Rule[];

  constructor(private readonly opts: PoolOptions) {
    if (opts.size === 0 && opts.init.extraRuleModules?.length) throw new Error('extra rule modules need rule workers (size >= 1): only a worker can be cut off at the deadline');
    if (opts.size > 0) this.script = opts.script ?? defaultWorkerScript();
    this.maxQueue = opts.maxQueue ?? 256;
    const c = opts.init.decisionCache ?? DECISION_CACHE_DEFAULTS;
    if (c.entries > 0 && !opts.init.extraRuleModules?.length) this.cache = new DecisionCache(c.entries, c.ttlMs);
  }

  /** Starts the workers; resolves when every one has loaded the rules and compiled the policy. */
  start(): Promise<void> {
    if (this.inline) {
      try {
        this.inlineRules = [...BUILTIN_RULES, ...compileCustomRules(this.opts.init.policy)];
      } catch (e) {
        return Promise.reject(new Error(`rules could not be loaded: ${(e as Error).message}`));
      }
      this.started = true;
      return Promise.resolve();
    }
    for (let i = 0; i < this.opts.size; i++) this.slots.push(this.spawn(i));
    return this.whenReady();
  }

  /** No workers: reviews run on the calling thread. */
  get inline(): boolean {
    return this.opts.size === 0;
  }

  /**
   * True once every worker has started, while at least one can take work. A worker being replaced after a
   * timeout does not make the pod unready (a stream of pathological objects must not flap readiness).
   */
  get ready(): boolean {
    return this.started && !this.closed && (this.inline || this.slots.some((s) => s.ready));
  }

  /** Workers able to take work now (0 without workers). */
  get readyCount(): number {
    return this.slots.filter((s) => s.ready && !s.retired).length;
  }

  private get allReady(): boolean {
    return this.slots.length > 0 && this.slots.every((s) => s.ready);
  }

  private whenReady(): Promise<void> {
    if (this.allReady) {
      this.started = true;
      return Promise.resolve();
    }
    if (this.initError) return Promise.reject(new Error(this.initError));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  private spawn(index: number): Slot {
    // A small young generation: V8 grows each isolate's to 32 MiB and more under load, which was most of a
    // worker's RSS; reviews allocate short-lived garbage, so scavenging a small one costs no measurable CPU.
    const script = this.script!;
    const worker = new Worker(script.filename, { ...script.options, workerData: this.opts.init, stdout: false, stderr: false, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    const slot: Slot = { index, worker, ready: false, startedAt: Date.now(), retired: false };
    worker.on('message', (m: WorkerReply) => this.onMessage(slot, m));
    worker.on('error', (e) => {
      if (slot.retired) return;
      this.opts.onEvent?.({ type: 'worker-error', worker: index, message: e.message });
      this.replace(slot, 'crash', `worker crashed: ${e.message}`);
    });
    worker.on('exit', (code) => {
      if (slot.retired || this.closed) return;
      this.replace(slot, 'crash', `worker exited with code ${code}`);
    });
    return slot;
  }

  private onMessage(slot: Slot, m: WorkerReply): void {
    if (slot.retired) return;
    if (m.type === 'ready') {
      slot.ready = true;
      this.opts.onEvent?.({ type: 'worker-started', worker: slot.index, ms: Date.now() - slot.startedAt });
      if (this.allReady && !this.started) {
        this.started = true;
        for (const w of this.readyWaiters.splice(0)) w.resolve();
      }
      this.dispatch();
      return;
    }
    if (m.type === 'init-error') {
      this.initError = `rule worker could not start: ${m.message}`;
      for (const w of this.readyWaiters.splice(0)) w.reject(new Error(this.initError));
      slot.retired = true;
      void slot.worker.terminate();
      return;
    }
    const task = slot.task;
    if (!task || task.id !== m.id) return;
    slot.task = undefined;
    clearTimeout(task.timer);
    if (m.type === 'result' && task.key !== undefined) this.cache?.set(task.key, { review: m.review, decision: m.decision, ref: m.ref, findings: m.findings }, task.now);
    if (m.type === 'result') task.resolve({ review: m.review, decision: m.decision, ref: m.ref, findings: m.findings });
    else task.reject(new ReviewFailure(m.kind, m.message));
    this.dispatch();
  }

  /** Terminates a worker (stuck or dead) and starts a fresh one in its slot. */
  private replace(slot: Slot, reason: 'timeout' | 'crash', why: string): void {
    if (slot.retired) return;
    slot.retired = true;
    const task = slot.task;
    slot.task = undefined;
    if (task) {
      clearTimeout(task.timer);
      task.reject(new ReviewFailure(reason === 'timeout' ? 'timeout' : 'crash', why));
    }
    void slot.worker.terminate();
    this.replaced++;
    this.opts.onEvent?.({ type: 'worker-replaced', worker: slot.index, reason });
    if (this.closed) return;
    if (!slot.ready) {
      // Died while starting: report it to whoever waits for readiness and retry after a pause, not in a loop.
      this.initError = `rule worker could not start: ${why}`;
      for (const w of this.readyWaiters.splice(0)) w.reject(new Error(this.initError));
      setTimeout(() => {
        if (!this.closed && this.slots[slot.index] === slot) this.slots[slot.index] = this.spawn(slot.index);
      }, 1000).unref();
      return;
    }
    this.slots[slot.index] = this.spawn(slot.index);
  }

  /**
   * Reviews one request within `deadlineMs`; rejects with ReviewFailure. `raw`, the body `request` was parsed
   * from, is what crosses to the worker when given (a string copy instead of a structured clone of the object).
   * `knownKey`: the key lookup() gave for this request, which missed there (the cache is not asked again).
   */
  run(request: AdmissionRequest, now: number, deadlineMs: number, raw?: string, knownKey?: string): Promise<ReviewResult> {
    if (this.closed) return Promise.reject(new ReviewFailure('closed', 'server is shutting down'));
    const key = knownKey ?? (this.cache ? decisionKey(request, raw) : undefined);
    const hit = key !== undefined && knownKey === undefined ? this.cache!.get(key, request.uid, now) : undefined;
    if (hit) return Promise.resolve({ ...hit, cached: true });
    if (this.inline) return this.runInline(request, now, key);
    if (this.queue.length >= this.maxQueue) return Promise.reject(new ReviewFailure('overload', `more than ${this.maxQueue} requests waiting`));
    return new Promise<ReviewResult>((resolve, reject) => {
      const task: Task = { id: this.nextId++, request, raw, key, now, deadline: Date.now() + deadlineMs, resolve, reject };
      // The deadline covers waiting in the queue too.
      task.timer = setTimeout(() => this.expire(task), deadlineMs);
      this.queue.push(task);
      this.dispatch();
    });
  }

  /**
   * The server's first step for a request: its decision-cache key and, for a repeat, the cached outcome with the
   * answer's JSON text for this uid. Reads only the body's text and the uid (textDecisionKey), so a hit costs no
   * walk of the object; a miss goes on to run() with the key. Without a text key (cache off, no body text, a uid
   * that does not occur exactly once) nothing is looked up here: run() keys the request after the server has
   * checked the object's depth.
   */
  lookup(request: AdmissionRequest, now: number, raw?: string): { key?: string; hit?: { outcome: CachedOutcome; body: string } } {
    if (!this.cache || this.closed || raw === undefined) return {};
    const key = textDecisionKey(request, raw);
    return key === undefined ? {} : { key, hit: this.cache.getText(key, request.uid, now) };
  }

  /** Size 0: the review on this thread, synchronously (a rule's throw is a ReviewFailure, as from a worker). */
  private runInline(request: AdmissionRequest, now: number, key: string | undefined): Promise<ReviewResult> {
    if (!this.inlineRules) return Promise.reject(new ReviewFailure('internal', 'rules not loaded yet'));
    try {
      const r = reviewReply(request, { policy: this.opts.init.policy, rules: this.inlineRules, mode: this.opts.init.mode, now: new Date(now), kubeVersion: this.opts.init.kubeVersion });
      if (key !== undefined) this.cache?.set(key, r, now);
      return Promise.resolve(r);
    } catch (e) {
      return Promise.reject(new ReviewFailure(e instanceof RuleFailure ? 'rule' : 'internal', e instanceof Error ? e.message : String(e)));
    }
  }

  private expire(task: Task): void {
    const qi = this.queue.indexOf(task);
    if (qi >= 0) {
      this.queue.splice(qi, 1);
      task.reject(new ReviewFailure('timeout', 'deadline passed while waiting for a free rule worker'));
      return;
    }
    const slot = this.slots.find((s) => s.task === task);
    if (slot) this.replace(slot, 'timeout', 'rules did not finish before the deadline');
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.task || slot.retired) continue;
      const task = this.queue.shift()!;
      slot.task = task;
      const msg: WorkerTask = task.raw !== undefined ? { id: task.id, raw: task.raw, now: task.now } : { id: task.id, request: task.request, now: task.now };
      try {
        slot.worker.postMessage(msg);
      } catch (e) {
        slot.task = undefined;
        clearTimeout(task.timer);
        task.reject(new ReviewFailure('internal', `request could not be sent to a rule worker: ${(e as Error).message}`));
      }
    }
  }

  /** Requests queued or running. */
  get busy(): number {
    return this.queue.length + this.slots.filter((s) => s.task !== undefined).length;
  }

  /**
   * Closes once the work already handed to this pool is answered (a policy swap: new requests go to the
   * new pool; nothing in flight is refused). Bounded by `maxWaitMs`, after which close() refuses the rest.
   */
  async drainAndClose(maxWaitMs: number): Promise<void> {
    const until = Date.now() + maxWaitMs;
    while (this.busy > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await this.close();
  }

  /** Stops every worker; queued requests are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) {
      clearTimeout(t.timer);
      t.reject(new ReviewFailure('closed', 'server is shutting down'));
    }
    await Promise.all(
      this.slots.map(async (s) => {
        s.retired = true;
        if (s.task) {
          clearTimeout(s.task.timer);
          s.task.reject(new ReviewFailure('closed', 'server is shutting down'));
        }
        await s.worker.terminate();
      }),
    );
  }
}
