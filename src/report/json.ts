// Report stage: the JSON reporter, a stable machine-readable document (schema: docs/output.schema.json).
// Suppressed findings stay in it (`suppressed: true` plus the reason): consumers filter, we never do.
import type { Finding, FindingLocation, LintResult, Provenance, Severity } from '../rules/types.js';
import type { LintRun, Reporter, ReporterContext } from './types.js';
import { ruleDocUrl } from './types.js';

/** Version of the JSON document layout (bump on a breaking change of docs/output.schema.json). */
export const JSON_REPORT_VERSION = 1;

/** Finding counts: unsuppressed findings by severity, suppressed ones apart. */
export interface Counts {
  errors: number;
  warnings: number;
  info: number;
  suppressed: number;
  /** All findings, suppressed included. */
  total: number;
}

/** Counts the findings of some results (nothing is filtered: suppressed ones are counted apart). */
export function countFindings(results: readonly LintResult[]): Counts {
  const c: Counts = { errors: 0, warnings: 0, info: 0, suppressed: 0, total: 0 };
  for (const r of results) {
    for (const f of r.findings) {
      c.total++;
      if (f.suppressed) c.suppressed++;
      else if (f.severity === 'error') c.errors++;
      else if (f.severity === 'warning') c.warnings++;
      else c.info++;
    }
  }
  return c;
}

export interface JsonLocation {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface JsonFinding {
  ruleId: string;
  messageId: string;
  severity: Severity;
  message: string;
  fix: string;
  subject: string;
  fingerprint: string;
  location: JsonLocation | null;
  path: string | null;
  object: string | null;
  provenance: Provenance | null;
  related: (JsonLocation & { object: string | null; path: string | null })[];
  suppressed: boolean;
  suppression: { kind: string; reason: string; expires: string | null; location: JsonLocation | null } | null;
  helpUri: string;
}

export interface JsonResult {
  target: string;
  inputs: string[];
  chartLine: string | null;
  chartLineReason: string | null;
  score: { value: number; passedWeight: number; applicableWeight: number };
  applicable: string[];
  counts: Counts;
  findings: JsonFinding[];
  ruleErrors: { ruleId: string; message: string }[];
}

export interface JsonReport {
  version: number;
  tool: { name: string; version: string };
  timestamp: string | null;
  policy: { name: string; files: string[]; failOn: Severity | 'none' };
  results: JsonResult[];
  /** `baselined`: findings left out because --baseline knew them (only with --baseline). */
  summary: Counts & { targets: number; ruleErrors: number; baselined?: number };
}

function loc(l: FindingLocation): JsonLocation {
  return { file: l.file, line: l.line, column: l.column, endLine: l.endLine, endColumn: l.endColumn };
}

function provenanceOf(p: Provenance | undefined): Provenance | null {
  if (!p) return null;
  // Fixed key order, undefined fields dropped: the document must not depend on how the engine built it.
  const out: Provenance = { kind: p.kind, text: p.text };
  for (const k of ['file', 'line', 'flag', 'expr', 'chartLine', 'chartVersion', 'assumed'] as const) {
    if (p[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = p[k];
  }
  return out;
}

function findingOf(f: Finding, ctx: ReporterContext): JsonFinding {
  return {
    ruleId: f.ruleId,
    messageId: f.messageId,
    severity: f.severity,
    message: f.message,
    fix: f.fix,
    subject: f.subject,
    fingerprint: f.fingerprint,
    location: f.location ? loc(f.location) : null,
    path: f.path ?? null,
    object: f.object ?? null,
    provenance: provenanceOf(f.provenance),
    related: f.related.map((r) => ({ ...loc(r), object: r.object ?? null, path: r.path ?? null })),
    suppressed: Boolean(f.suppressed),
    suppression: f.suppressed
      ? {
          kind: f.suppressed.kind,
          reason: f.suppressed.reason,
          expires: f.suppressed.expires ?? null,
          location: f.suppressed.location ? loc(f.suppressed.location) : null,
        }
      : null,
    helpUri: ruleDocUrl(ctx, f.ruleId),
  };
}

/** Builds the JSON document (exported for tools that want the object rather than the text). */
export function buildJsonReport(run: LintRun, ctx: ReporterContext): JsonReport {
  const results: JsonResult[] = run.results.map((r) => ({
    target: r.target,
    inputs: [...r.inputs],
    chartLine: r.chartLine ?? null,
    chartLineReason: r.chartLineReason ?? null,
    score: { value: r.score.value, passedWeight: r.score.passedWeight, applicableWeight: r.score.applicableWeight },
    applicable: [...r.applicable],
    counts: countFindings([r]),
    findings: r.findings.map((f) => findingOf(f, ctx)),
    ruleErrors: r.ruleErrors.map((e) => ({ ruleId: e.ruleId, message: e.message })),
  }));
  return {
    version: JSON_REPORT_VERSION,
    tool: { name: ctx.toolName, version: ctx.version },
    timestamp: ctx.timestamp ?? null,
    policy: { name: run.policy.name, files: [...run.policy.files], failOn: ctx.failOn },
    results,
    summary: {
      targets: run.results.length,
      ...countFindings(run.results),
      ruleErrors: run.results.reduce((n, r) => n + r.ruleErrors.length, 0),
      ...(run.baselined !== undefined ? { baselined: run.baselined } : {}),
    },
  };
}

/** The JSON reporter: the document, pretty-printed, with a final newline. */
export const jsonReporter: Reporter = (run, ctx) => `${JSON.stringify(buildJsonReport(run, ctx), null, 2)}\n`;
