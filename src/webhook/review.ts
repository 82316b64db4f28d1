// Webhook stage (pure): AdmissionReview v1 in, AdmissionReview v1 out. Decides which objects belong to an
// Imply release, builds the model of one object (plus oldObject on UPDATE), lints it with the same engine and
// policy as the CLI, and turns the findings into allowed / status / warnings per mode. No I/O here.
import { isMap } from '../model/path.js';
import { toK8sObject, releaseOf } from '../model/manifests.js';
import type { DeploymentModel, K8sObject, ManifestModel } from '../model/types.js';
import { lint } from '../rules/engine.js';
import type { ResolvedPolicy } from '../rules/policy.js';
import type { Finding, LintResult, Rule } from '../rules/types.js';
import type { FindingSummary } from './protocol.js';

export type Mode = 'enforce' | 'warn' | 'audit';

/** What the API server sends (admission.k8s.io/v1), as far as we read it. */
export interface AdmissionRequest {
  uid: string;
  kind?: { group?: string; version?: string; kind?: string };
  name?: string;
  namespace?: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  object?: Record<string, unknown> | null;
  oldObject?: Record<string, unknown> | null;
  dryRun?: boolean;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  warnings?: string[];
  /** Recorded in the API server's audit log (prefixed with the webhook name there). */
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewOut {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/** A body that is not an AdmissionReview v1 request: answered with HTTP 400. */
export class BadReviewError extends Error {}

/** Deepest nesting accepted in an admitted object (Kubernetes objects stay far below it). */
export const MAX_OBJECT_DEPTH = 200;

/** True when `v` nests deeper than `limit` (iterative: hostile depth cannot overflow the stack here). */
export function nestingExceeds(v: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [cur, d] = stack.pop()!;
    if (cur === null || typeof cur !== 'object') continue;
    if (d >= limit) return true;
    for (const child of Array.isArray(cur) ? cur : Object.values(cur)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return false;
}

/** A received value as quoted in an error (400 body and log line): at most 80 characters of it, whatever was sent. */
function quoted(v: unknown): string {
  const s = JSON.stringify(v ?? null) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 80)}... (${s.length} characters)` : s;
}

/** Validates the envelope; returns the request. Throws BadReviewError with a clear message. */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  if (!isMap(body)) throw new BadReviewError('body is not a JSON object');
  if (body.apiVersion !== 'admission.k8s.io/v1') throw new BadReviewError(`apiVersion must be admission.k8s.io/v1 (got ${quoted(body.apiVersion)})`);
  if (body.kind !== 'AdmissionReview') throw new BadReviewError(`kind must be AdmissionReview (got ${quoted(body.kind)})`);
  const req = body.request;
  if (!isMap(req)) throw new BadReviewError('request is missing');
  if (typeof req.uid !== 'string' || req.uid.length === 0) throw new BadReviewError('request.uid must be a non-empty string');
  const op = req.operation;
  if (op !== 'CREATE' && op !== 'UPDATE' && op !== 'DELETE' && op !== 'CONNECT') throw new BadReviewError(`request.operation must be CREATE, UPDATE, DELETE or CONNECT (got ${quoted(op)})`);
  if (req.object !== undefined && req.object !== null && !isMap(req.object)) throw new BadReviewError('request.object must be an object');
  if (req.oldObject !== undefined && req.oldObject !== null && !isMap(req.oldObject)) throw new BadReviewError('request.oldObject must be an object');
  return {
    uid: req.uid,
    kind: isMap(req.kind) ? (req.kind as AdmissionRequest['kind']) : undefined,
    name: typeof req.name === 'string' ? req.name : undefined,
    namespace: typeof req.namespace === 'string' ? req.namespace : undefined,
    operation: op,
    object: (req.object as Record<string, unknown> | null | undefined) ?? null,
    oldObject: (req.oldObject as Record<string, unknown> | null | undefined) ?? null,
    dryRun: req.dryRun === true,
  };
}

/**
 * Release membership, decided as the chart's webhook entries select: main-chart objects by
 * `app.kubernetes.io/instance`, subchart objects by `release`, the hand-made Secrets by name.
 */
export function belongsToRelease(o: K8sObject, policy: ResolvedPolicy): boolean {
  if (releaseOf(o)) return true;
  if (o.kind === 'Secret') {
    const n = policy.settings.secretNames;
    return o.name === n.ca || o.name === n.auth || o.name === n.license;
  }
  return false;
}

/** Caps of the API server: keep each warning short and the total well under 4 KiB. */
export const WARNING_MAX = 120;
export const WARNINGS_TOTAL_MAX = 3500;

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** Warnings for findings: `[rule-id] message`, each <= 120 characters, total under the cap. */
export function warningsFor(findings: Finding[]): string[] {
  const out: string[] = [];
  let total = 0;
  for (const f of findings) {
    const w = clip(`[${f.ruleId}] ${f.message}`, WARNING_MAX);
    if (total + w.length > WARNINGS_TOTAL_MAX) {
      out.push(clip(`[imply-lint] ${findings.length - out.length} more finding(s) not shown`, WARNING_MAX));
      break;
    }
    out.push(w);
    total += w.length;
  }
  return out;
}

/** The deny message: the object, then each error-level finding's rule id, message and fix. */
export function denyMessage(ref: string, errors: Finding[]): string {
  const parts = errors.map((f) => `[${f.ruleId}] ${f.message} Fix: ${f.fix}`);
  return clip(`imply-lint denied ${ref}: ${parts.join(' | ')}`, 4000);
}

/** Longest audit annotation value we send (the audit log is no place for megabytes). */
export const AUDIT_VALUE_MAX = 2000;

/**
 * The audit annotation of a review: `rule-id/severity/fingerprint` of each unsuppressed finding, so the
 * cluster's audit log (and audit mode) can be joined with CLI reports by fingerprint.
 */
export function auditAnnotationsFor(findings: Finding[]): Record<string, string> | undefined {
  const live = findings.filter((f) => !f.suppressed);
  if (live.length === 0) return undefined;
  return { findings: clip(live.map((f) => `${f.ruleId}/${f.severity}/${f.fingerprint}`).join(','), AUDIT_VALUE_MAX) };
}

/**
 * The answer for requests that need no rules: DELETE and CONNECT, requests without an object, and objects
 * outside the Imply release. Undefined when the object must be linted. Cheap enough for the event loop.
 */
export function quickAnswer(req: AdmissionRequest, policy: ResolvedPolicy): AdmissionReviewOut | undefined {
  if (req.operation === 'DELETE' || req.operation === 'CONNECT' || !req.object) return allowedReview(req.uid);
  const obj = toK8sObject(req.object);
  return belongsToRelease(obj, policy) ? undefined : allowedReview(req.uid);
}

function allowedReview(uid: string): AdmissionReviewOut {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } };
}

export interface ReviewDeps {
  policy: ResolvedPolicy;
  rules: readonly Rule[];
  mode: Mode;
  now: Date;
  kubeVersion?: string;
}

export interface ReviewOutcome {
  review: AdmissionReviewOut;
  /** The lint result when the object was linted. */
  result?: LintResult;
  decision: 'allowed' | 'denied' | 'skipped';
  ref?: string;
}

function singleObjectModel(obj: K8sObject, old: K8sObject | undefined, deps: ReviewDeps, req: AdmissionRequest): DeploymentModel {
  const one = (o: K8sObject): ManifestModel => ({ objects: [o], wholeStream: false, releaseName: releaseOf(o) });
  return {
    manifests: one(obj),
    previous: old ? { manifests: one(old) } : undefined,
    context: {
      now: deps.now,
      kubeVersion: deps.kubeVersion,
      releaseName: releaseOf(obj),
      admission: { operation: req.operation, dryRun: Boolean(req.dryRun) },
    },
    sources: [],
  };
}

/** Reviews one request. Pure: the caller supplies clock, policy and rules. */
export function review(req: AdmissionRequest, deps: ReviewDeps): ReviewOutcome {
  const envelope = (response: AdmissionResponse): AdmissionReviewOut => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response });
  if (req.operation === 'DELETE' || req.operation === 'CONNECT' || !req.object) {
    return { review: envelope({ uid: req.uid, allowed: true }), decision: 'skipped' };
  }
  const obj = toK8sObject(req.object);
  if (!obj.namespace && req.namespace) obj.namespace = req.namespace;
  if (!belongsToRelease(obj, deps.policy)) return { review: envelope({ uid: req.uid, allowed: true }), decision: 'skipped', ref: obj.ref };
  const old = req.operation === 'UPDATE' && req.oldObject ? toK8sObject(req.oldObject) : undefined;
  const result = lint(singleObjectModel(obj, old, deps, req), deps.policy, { target: obj.ref, rules: deps.rules });
  if (result.ruleErrors.length > 0) {
    throw new RuleFailure(result.ruleErrors.map((e) => `${e.ruleId}: ${e.message}`).join('; '));
  }
  const live = result.findings.filter((f) => !f.suppressed);
  const errors = live.filter((f) => f.severity === 'error');
  const audit = auditAnnotationsFor(live);
  const extra = (warnings: string[]) => ({ ...(warnings.length ? { warnings } : {}), ...(audit ? { auditAnnotations: audit } : {}) });
  if (deps.mode === 'audit') return { review: envelope({ uid: req.uid, allowed: true, ...extra([]) }), result, decision: 'allowed', ref: obj.ref };
  if (deps.mode === 'warn') {
    return { review: envelope({ uid: req.uid, allowed: true, ...extra(warningsFor(live)) }), result, decision: 'allowed', ref: obj.ref };
  }
  const warnings = warningsFor(live.filter((f) => f.severity !== 'error'));
  if (errors.length > 0) {
    return {
      review: envelope({ uid: req.uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: denyMessage(obj.ref, errors) }, ...extra(warnings) }),
      result,
      decision: 'denied',
      ref: obj.ref,
    };
  }
  return { review: envelope({ uid: req.uid, allowed: true, ...extra(warnings) }), result, decision: 'allowed', ref: obj.ref };
}

/** A review as the server uses it: the answer, and the findings reduced to what it logs and counts. */
export interface ReviewReply {
  review: AdmissionReviewOut;
  decision: 'allowed' | 'denied' | 'skipped';
  ref?: string;
  findings: FindingSummary[];
}

/** review() plus the findings' summaries: what a rule worker sends back, and what an in-thread review returns. */
export function reviewReply(req: AdmissionRequest, deps: ReviewDeps): ReviewReply {
  const out = review(req, deps);
  const findings = (out.result?.findings ?? []).map((f) => ({ ruleId: f.ruleId, severity: f.severity, fingerprint: f.fingerprint, suppressed: Boolean(f.suppressed), message: f.message }));
  return { review: out.review, decision: out.decision, ref: out.ref, findings };
}

/** A rule threw while reviewing: the server answers per --on-error. */
export class RuleFailure extends Error {}

/** The answer when linting failed or timed out: allow or deny per --on-error, always well-formed. */
export function failureResponse(uid: string, onError: 'allow' | 'deny', why: string): AdmissionReviewOut {
  const response: AdmissionResponse =
    onError === 'allow'
      ? { uid, allowed: true, warnings: [clip(`[imply-lint] not checked: ${why}`, WARNING_MAX)] }
      : { uid, allowed: false, status: { code: 500, reason: 'InternalError', message: clip(`imply-lint could not check this object (${why}); failing closed per --on-error deny`, 1000) } };
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
