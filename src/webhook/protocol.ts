// Webhook stage: the messages between the server's worker pool (pool.ts) and its rule workers (worker.ts).
// Plain data only: everything crosses the thread boundary by structured clone.
import type { ResolvedPolicy } from '../rules/policy.js';
import type { Severity } from '../rules/types.js';
import type { AdmissionRequest, Mode, ReviewReply } from './review.js';

/** What a worker is started with (workerData). */
export interface WorkerInit {
  policy: ResolvedPolicy;
  mode: Mode;
  kubeVersion?: string;
  /** Extra rule modules (default export: Rule or Rule[]), loaded after the catalogue and the policy's custom rules. */
  extraRuleModules?: string[];
  /** The pool's decision cache (decision-cache.ts; read by pool.ts, not by the workers): most entries (0: off) and their lifetime. */
  decisionCache?: { entries: number; ttlMs: number };
}

/** One admission request to review; `now` is the server's clock at arrival (rules never read the clock). */
export interface WorkerTask {
  id: number;
  /** The parsed request, or undefined when `raw` is sent instead. */
  request?: AdmissionRequest;
  /**
   * The request body as received (JSON text of the AdmissionReview): copying a string to the worker is a
   * memcpy, where a structured clone of the parsed object walked every node (the main thread's largest cost).
   * The worker parses it and validates the envelope again.
   */
  raw?: string;
  now: number;
}

/** A finding, reduced to what the server logs and counts. */
export interface FindingSummary {
  ruleId: string;
  severity: Severity;
  fingerprint: string;
  suppressed: boolean;
  message: string;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'init-error'; message: string }
  | ({ type: 'result'; id: number } & ReviewReply)
  | { type: 'failure'; id: number; kind: 'rule' | 'internal'; message: string };
