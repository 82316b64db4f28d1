// Report stage: PolicyReport output, the format of the Kubernetes Policy working group that Kyverno, Policy
// Reporter and others read (wgpolicyk8s.io/v1alpha2 PolicyReport / ClusterPolicyReport), and its successor
// openreports.io/v1alpha1 (Report / ClusterReport). Pure: the CLI reporters (`--format policyreport`,
// `--format openreports`) and the webhook's audit-mode writer (src/webhook/policyreports.ts) build their objects
// here. Field names and enums follow the CRDs vendored in test/fixtures/crds/.
//
// Mapping (docs/policyreports.md):
//   result    suppressed -> skip (reason in properties), error -> fail, warning -> warn, info -> warn,
//             rule that threw -> error, applicable rule without findings -> pass.
//   severity  error -> high (critical when the rule's security-severity is 9.0 or more), warning -> medium,
//             info -> info. (`low` is not used: our scale has three levels.)
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { Finding, LintResult, RuleMeta, Severity } from '../rules/types.js';
import type { LintRun, Reporter, ReporterContext } from './types.js';
import { ruleDocUrl } from './types.js';

/** The report APIs we write. */
export const REPORT_APIS = {
  'wgpolicyk8s.io/v1alpha2': { group: 'wgpolicyk8s.io', version: 'v1alpha2', kind: 'PolicyReport', plural: 'policyreports', clusterKind: 'ClusterPolicyReport', clusterPlural: 'clusterpolicyreports', topLevelSource: false },
  'openreports.io/v1alpha1': { group: 'openreports.io', version: 'v1alpha1', kind: 'Report', plural: 'reports', clusterKind: 'ClusterReport', clusterPlural: 'clusterreports', topLevelSource: true },
} as const;
export type ReportApi = keyof typeof REPORT_APIS;

export function isReportApi(s: string): s is ReportApi {
  return Object.hasOwn(REPORT_APIS, s);
}

/** The `source` of every result (the engine that produced it). */
export const REPORT_SOURCE = 'imply-lint';
/** Label on every report we write. */
export const MANAGED_BY_LABEL = { 'app.kubernetes.io/managed-by': 'imply-lint' } as const;

export type ReportStatus = 'pass' | 'fail' | 'warn' | 'error' | 'skip';
export type ReportSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** An ObjectReference (core/v1), as `scope` and `resources[]` carry it. */
export interface ObjectRef {
  apiVersion?: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

export interface ReportTimestamp {
  seconds: number;
  nanos: number;
}

export interface ReportResult {
  policy: string;
  rule: string;
  result: ReportStatus;
  severity?: ReportSeverity;
  category?: string;
  message?: string;
  source: string;
  timestamp?: ReportTimestamp;
  properties?: Record<string, string>;
  resources?: ObjectRef[];
}

export interface ReportSummary {
  pass: number;
  fail: number;
  warn: number;
  error: number;
  skip: number;
}

export interface ReportObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[];
    resourceVersion?: string;
  };
  scope?: ObjectRef;
  /** openreports.io only (wgpolicyk8s.io/v1alpha2 has no top-level source). */
  source?: string;
  results: ReportResult[];
  summary: ReportSummary;
}

/** What a result needs of a finding (the CLI has full findings, the webhook a summary from its workers). */
export interface ReportFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  fingerprint: string;
  suppressed?: boolean | { kind: string; reason: string; expires?: string };
  subject?: string;
  messageId?: string;
  fix?: string;
  location?: { file: string; line: number; column: number };
  path?: string;
  object?: string;
  provenance?: { text: string };
}

/** What a result needs of the rule. */
export type RuleInfo = Pick<RuleMeta, 'category'> & Partial<Pick<RuleMeta, 'securitySeverity' | 'title' | 'severity'>>;

/** Result status of a finding. */
export function statusOf(f: Pick<ReportFinding, 'severity' | 'suppressed'>): ReportStatus {
  if (f.suppressed) return 'skip';
  return f.severity === 'error' ? 'fail' : 'warn';
}

/** Report severity of a finding's (policy-resolved) severity; security rules of 9.0+ are critical. */
export function severityOf(severity: Severity, securitySeverity?: number): ReportSeverity {
  if (severity === 'error') return securitySeverity !== undefined && securitySeverity >= 9 ? 'critical' : 'high';
  return severity === 'warning' ? 'medium' : 'info';
}

/** `{seconds, nanos}` of an ISO 8601 time (a protobuf Timestamp, as the CRDs define it). */
export function timestampOf(iso: string): ReportTimestamp | undefined {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return undefined;
  const seconds = Math.floor(ms / 1000);
  // Keep sub-millisecond digits the string carries (Date.parse drops them).
  const frac = /\.(\d+)(?:Z|[+-]\d{2}:?\d{2})$/i.exec(iso)?.[1];
  const nanos = frac !== undefined ? Number(frac.slice(0, 9).padEnd(9, '0')) : (ms - seconds * 1000) * 1e6;
  return { seconds, nanos };
}

/** Counts of results by status. */
export function summarize(results: readonly ReportResult[]): ReportSummary {
  const s: ReportSummary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of results) s[r.result]++;
  return s;
}

const DNS_MAX = 63;

/**
 * A DNS-safe report name: `imply-lint-<parts>` lowercased, characters outside [a-z0-9-] turned into `-`. A name
 * that had to be changed beyond lower case, or is longer than 63 characters, ends in a hash of the original, so
 * two objects never share a report.
 */
export function reportName(...parts: string[]): string {
  const raw = ['imply-lint', ...parts].join('-');
  const safe = raw.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
  // Lower case alone loses nothing (kinds differ by more than case; object names are lower case already).
  if (safe === raw.toLowerCase() && safe.length <= DNS_MAX) return safe;
  const hash = createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 10);
  return `${safe.slice(0, DNS_MAX - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

function propertiesOf(f: ReportFinding, helpUri?: string): Record<string, string> {
  const p: Record<string, string> = { fingerprint: f.fingerprint };
  if (f.subject) p.subject = f.subject;
  if (f.messageId) p.messageId = f.messageId;
  if (f.location) p.location = `${f.location.file}:${f.location.line}:${f.location.column}`;
  if (f.path) p.path = f.path;
  if (f.object) p.object = f.object;
  if (f.provenance) p.provenance = f.provenance.text;
  if (f.fix) p.fix = f.fix;
  if (helpUri) p.helpUri = helpUri;
  if (f.suppressed) {
    p.suppressed = 'true';
    if (typeof f.suppressed === 'object') {
      p.suppressionKind = f.suppressed.kind;
      p.suppressionReason = f.suppressed.reason;
      if (f.suppressed.expires) p.suppressionExpires = f.suppressed.expires;
    }
  }
  return p;
}

/** The result of one finding. */
export function resultOf(f: ReportFinding, o: { policy: string; rule?: RuleInfo; timestamp?: ReportTimestamp; resources?: ObjectRef[]; helpUri?: string }): ReportResult {
  const r: ReportResult = {
    policy: o.policy,
    rule: f.ruleId,
    result: statusOf(f),
    severity: severityOf(f.severity, o.rule?.securitySeverity),
    ...(o.rule ? { category: o.rule.category } : {}),
    message: f.message,
    source: REPORT_SOURCE,
    ...(o.timestamp ? { timestamp: o.timestamp } : {}),
    properties: propertiesOf(f, o.helpUri),
  };
  if (o.resources && o.resources.length > 0) r.resources = o.resources;
  return r;
}

/** A report object around some results. */
export function buildReport(o: {
  api: ReportApi;
  name: string;
  /** Namespaced report in this namespace; `cluster` for a cluster-scoped one; neither: namespaced, namespace left to `kubectl -n`. */
  namespace?: string;
  cluster?: boolean;
  scope?: ObjectRef;
  results: ReportResult[];
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[];
  resourceVersion?: string;
}): ReportObject {
  const a = REPORT_APIS[o.api];
  const metadata: ReportObject['metadata'] = { name: o.name, ...(o.namespace && !o.cluster ? { namespace: o.namespace } : {}), labels: { ...MANAGED_BY_LABEL } };
  if (o.annotations && Object.keys(o.annotations).length > 0) metadata.annotations = { ...o.annotations };
  if (o.ownerReferences && o.ownerReferences.length > 0) metadata.ownerReferences = o.ownerReferences;
  if (o.resourceVersion) metadata.resourceVersion = o.resourceVersion;
  return {
    apiVersion: o.api,
    kind: o.cluster ? a.clusterKind : a.kind,
    metadata,
    ...(o.scope ? { scope: o.scope } : {}),
    ...(a.topLevelSource ? { source: REPORT_SOURCE } : {}),
    results: o.results,
    summary: summarize(o.results),
  };
}

/** The policy name results carry: `imply-lint` for the default policy, else the pack or policy name. */
export function policyNameOf(name: string): string {
  return !name || name === 'default' ? 'imply-lint' : name;
}

/** `Kind/name` (Finding.object) as a reference. */
function refOf(object: string): ObjectRef | undefined {
  const i = object.indexOf('/');
  if (i <= 0 || i === object.length - 1) return undefined;
  return { kind: object.slice(0, i), name: object.slice(i + 1) };
}

/** Annotation naming the lint target a CLI report came from. */
export const TARGET_ANNOTATION = 'imply-lint.io/target';

/**
 * The reports of a CLI run: per target, one report per manifest object with findings (scope: that object, as
 * Kyverno reports per resource) and one report for the target itself (values findings, release-level findings,
 * a pass result per applicable rule that found nothing, an error result per rule that threw).
 */
export function reportsOfRun(run: LintRun, ctx: ReporterContext, api: ReportApi): ReportObject[] {
  const meta = new Map(run.rules.map((m) => [m.id, m]));
  const policy = policyNameOf(run.policy.name);
  const timestamp = ctx.timestamp ? timestampOf(ctx.timestamp) : undefined;
  const out: ReportObject[] = [];
  const seen = new Set<string>();
  const unique = (name: string, target: string): string => {
    let n = name;
    if (seen.has(n)) n = reportName(name.replace(/^imply-lint-/, ''), createHash('sha256').update(target).digest('hex').slice(0, 8));
    seen.add(n);
    return n;
  };
  for (const r of run.results) {
    const annotations = { [TARGET_ANNOTATION]: r.target };
    const byObject = new Map<string, Finding[]>();
    const own: ReportResult[] = [];
    for (const f of r.findings) {
      const ref = f.object && r.inputs.includes('manifest') ? refOf(f.object) : undefined;
      if (ref) {
        const list = byObject.get(f.object!) ?? [];
        list.push(f);
        byObject.set(f.object!, list);
      } else own.push(resultOf(f, { policy, rule: meta.get(f.ruleId), timestamp, helpUri: ruleDocUrl(ctx, f.ruleId) }));
    }
    for (const [object, findings] of byObject) {
      const scope = refOf(object)!;
      const results = findings.map((f) => resultOf(f, { policy, rule: meta.get(f.ruleId), timestamp, resources: [scope], helpUri: ruleDocUrl(ctx, f.ruleId) }));
      out.push(buildReport({ api, name: unique(reportName(scope.kind, scope.name), r.target), scope, results, annotations }));
    }
    const fired = new Set(r.findings.map((f) => f.ruleId));
    for (const id of r.applicable) {
      if (fired.has(id)) continue;
      const m = meta.get(id);
      own.push({
        policy,
        rule: id,
        result: 'pass',
        ...(m ? { severity: severityOf(m.severity, m.securitySeverity), category: m.category, message: m.title } : {}),
        source: REPORT_SOURCE,
        ...(timestamp ? { timestamp } : {}),
        properties: { helpUri: ruleDocUrl(ctx, id) },
      });
    }
    for (const e of r.ruleErrors) {
      const m = meta.get(e.ruleId);
      own.push({ policy, rule: e.ruleId, result: 'error', ...(m ? { category: m.category } : {}), message: e.message, source: REPORT_SOURCE, ...(timestamp ? { timestamp } : {}) });
    }
    out.push(buildReport({ api, name: unique(reportName(r.target), r.target), results: own, annotations }));
  }
  return out;
}

/** A YAML multi-document stream of objects (what `kubectl apply -f` reads). */
export function yamlStream(objects: readonly object[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`).join('');
}

/** `--format policyreport`: wgpolicyk8s.io/v1alpha2 PolicyReports. */
export const policyReportReporter: Reporter = (run, ctx) => yamlStream(reportsOfRun(run, ctx, 'wgpolicyk8s.io/v1alpha2'));

/** `--format openreports`: openreports.io/v1alpha1 Reports. */
export const openReportsReporter: Reporter = (run, ctx) => yamlStream(reportsOfRun(run, ctx, 'openreports.io/v1alpha1'));
