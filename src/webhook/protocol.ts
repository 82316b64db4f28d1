// Webhook stage: the messages between the server's worker pool (pool.ts) and its rule workers (worker.ts).
// Plain data only: everything crosses the thread boundary by structured clone.
import type { ResolvedPolicy } from '../rules/policy.js';
import type { Severity } from '../rules/types.js';
import type { AdmissionRequest, AdmissionReviewOut, Mode } from './review.js';

/** What a worker is started with (workerData). */
export interface WorkerInit {
  policy: ResolvedPolicy;
  mode: Mode;
  kubeVersion?: string;
  /** Extra rule modules (default export: Rule or Rule[]), loaded after the catalogue and the policy's custom rules. */
  extraRuleModules?: string[];
}

/** One admission request to review; `now` is the server's clock at arrival (rules never read the clock). */
export interface WorkerTask {
  id: number;
  request: AdmissionRequest;
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
  | { type: 'result'; id: number; review: AdmissionReviewOut; decision: 'allowed' | 'denied' | 'skipped'; ref?: string; findings: FindingSummary[] }
  | { type: 'failure'; id: number; kind: 'rule' | 'internal'; message: string };
