// Webhook stage: Prometheus metrics of the admission webhook (prom-client, loaded lazily by `serve` only).
// A registry of our own, so tests and several servers in one process never share counters.
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface WebhookMetrics {
  registry: Registry;
  /** Every HTTP request to /validate, by status code. */
  requests: Counter<'code'>;
  /** Admission decisions, by decision and mode (and dry run). */
  decisions: Counter<'decision' | 'mode' | 'dry_run'>;
  /** Findings behind the decisions, by rule, severity and mode. */
  ruleFindings: Counter<'rule' | 'severity' | 'mode'>;
  /** Reviews that failed (timeout, rule error, worker crash, overload) and what was answered. */
  errors: Counter<'kind' | 'answer'>;
  /** Time from request to answer. */
  latency: Histogram<'decision'>;
  inflight: Gauge;
  /** Serving certificate loads: swapped, or refused (does not parse, key mismatch). */
  certReloads: Counter<'result'>;
  policyReloads: Counter<'result'>;
  workerRestarts: Counter<'reason'>;
  /** Reviews answered from the decision cache (a repeated object) or by running the rules. */
  decisionCache: Counter<'result'>;
  workersReady: Gauge;
  ready: Gauge;
}

/** Creates the webhook's metrics in a fresh registry (with the process's default metrics). */
export async function createMetrics(): Promise<WebhookMetrics> {
  const prom = await import('prom-client');
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry, prefix: 'imply_lint_' });
  const registers = [registry];
  return {
    registry,
    requests: new prom.Counter({ name: 'imply_lint_webhook_requests_total', help: 'Admission review HTTP requests, by status code.', labelNames: ['code'], registers }),
    decisions: new prom.Counter({ name: 'imply_lint_webhook_decisions_total', help: 'Admission decisions (allowed, denied, skipped, error), by mode.', labelNames: ['decision', 'mode', 'dry_run'], registers }),
    ruleFindings: new prom.Counter({ name: 'imply_lint_webhook_rule_findings_total', help: 'Findings reported at admission, by rule, severity and mode.', labelNames: ['rule', 'severity', 'mode'], registers }),
    errors: new prom.Counter({ name: 'imply_lint_webhook_errors_total', help: 'Reviews that could not complete (timeout, rule, crash, overload, internal) and the answer given per --on-error.', labelNames: ['kind', 'answer'], registers }),
    latency: new prom.Histogram({
      name: 'imply_lint_webhook_request_duration_seconds',
      help: 'Time from receiving an admission review to answering it.',
      labelNames: ['decision'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    inflight: new prom.Gauge({ name: 'imply_lint_webhook_inflight_requests', help: 'Admission reviews being processed.', registers }),
    policyReloads: new prom.Counter({ name: 'imply_lint_webhook_policy_reloads_total', help: 'Policy file changes: swapped in (every worker compiled it), or refused (the old policy is kept).', labelNames: ['result'], registers }),
    certReloads: new prom.Counter({ name: 'imply_lint_webhook_cert_reloads_total', help: 'Serving certificate reloads: swapped, or refused because key or certificate did not parse or match.', labelNames: ['result'], registers }),
    workerRestarts: new prom.Counter({ name: 'imply_lint_webhook_worker_restarts_total', help: 'Rule workers replaced after a timeout or crash.', labelNames: ['reason'], registers }),
    decisionCache: new prom.Counter({ name: 'imply_lint_webhook_decision_cache_total', help: 'Reviews answered from the decision cache (hit: the same object seen within 30 s under the same policy) or by running the rules (miss).', labelNames: ['result'], registers }),
    workersReady: new prom.Gauge({ name: 'imply_lint_webhook_workers_ready', help: 'Rule workers able to take work.', registers }),
    ready: new prom.Gauge({ name: 'imply_lint_webhook_ready', help: '1 when the webhook reports ready (certificates loaded, policy compiled, not draining).', registers }),
  };
}
