// Report stage: the SARIF 2.1.0 reporter (GitHub code scanning, Azure DevOps, IDE viewers). The whole rule
// catalogue goes into tool.driver.rules; suppressed findings stay as results with `suppressions`.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pkg from '../../package.json' with { type: 'json' };
import type { Finding, FindingLocation, RuleMeta, Severity, Suppression, TextFix } from '../rules/types.js';
import type { LintRun, Reporter, ReporterContext } from './types.js';
import { ruleDocUrl } from './types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** partialFingerprints key: our fingerprint is hash(rule id, subject), version 1 of that scheme. */
export const FINGERPRINT_KEY = 'implyLint/v1';
export const SRCROOT = '%SRCROOT%';

/** The project's home page (package.json `homepage` without its fragment). */
export const INFORMATION_URI = pkg.homepage.replace(/#.*$/, '');

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
/** GitHub's `problem.severity` vocabulary. */
const PROBLEM_SEVERITY: Record<Severity, 'error' | 'warning' | 'recommendation'> = { error: 'error', warning: 'warning', info: 'recommendation' };

/** `no-quickstart-minio` -> `NoQuickstartMinio` (SARIF reportingDescriptor.name). */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/** A span with 1-based lines/columns; `endColumn` is exclusive. */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Line `n` (1-based) of a text, without its line break; undefined past the end. */
export function lineOf(text: string | undefined, n: number): string | undefined {
  if (text === undefined || n < 1) return undefined;
  let start = 0;
  for (let i = 1; i < n; i++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
}

/**
 * The span to show for a location: clamped to valid numbers, and a zero-width anchor (an object's first
 * line, line 1 of a file) widened to the rest of its line so viewers highlight something.
 */
export function spanOf(l: FindingLocation, source: string | undefined): Span {
  const line = Math.max(1, Math.trunc(l.line) || 1);
  const column = Math.max(1, Math.trunc(l.column) || 1);
  let endLine = Math.max(line, Math.trunc(l.endLine) || line);
  let endColumn = Math.max(1, Math.trunc(l.endColumn) || column);
  if (endLine === line && endColumn < column) endColumn = column;
  if (endLine === line && endColumn === column) {
    const text = lineOf(source, line);
    if (text !== undefined) {
      const contentEnd = text.replace(/\s+$/, '').length + 1;
      if (contentEnd > column) endColumn = contentEnd;
    }
  }
  // A range ending at column 1 of the next line ends, for people, at the end of the previous one.
  if (endLine > line && endColumn === 1) {
    const prev = lineOf(source, endLine - 1);
    if (prev !== undefined) {
      endLine -= 1;
      endColumn = Math.max(endLine === line ? column : 1, prev.length + 1);
    }
  }
  return { line, column, endLine, endColumn };
}

/** A UTF-16 column of a line as a Unicode code point column (SARIF `columnKind: unicodeCodePoints`). */
export function codePointColumn(lineText: string | undefined, column: number): number {
  if (lineText === undefined) return column;
  const before = lineText.slice(0, column - 1);
  let n = 0;
  for (const _ of before) n++;
  // Columns past the end of the line (an exclusive end) keep their distance from it.
  return n + 1 + Math.max(0, column - 1 - before.length);
}

function encodePath(p: string): string {
  return p
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

/**
 * Where a displayed file path points: relative to the working directory (with `%SRCROOT%`) when it is
 * inside it, else an absolute `file:` URI. Paths are URI-encoded segment by segment.
 */
export function artifactLocation(file: string, cwd: string): { uri: string; uriBaseId?: string } {
  const abs = path.resolve(cwd, file);
  const rel = path.relative(cwd, abs);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return { uri: encodePath(rel.split(path.sep).join('/')), uriBaseId: SRCROOT };
  if (!rel) return { uri: encodePath(path.basename(abs)), uriBaseId: SRCROOT };
  return { uri: pathToFileURL(abs).href };
}

/** Repository-relative path for annotations (GitHub wants the path, not a URI). */
export function relativePath(file: string, cwd: string): string {
  const abs = path.resolve(cwd, file);
  const rel = path.relative(cwd, abs);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  return file;
}

/** Offset in `text` of a 1-based line and UTF-16 column; undefined past the end. */
function offsetOf(text: string, line: number, column: number): number | undefined {
  let start = 0;
  for (let i = 1; i < line; i++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  const lineEnd = end < 0 ? text.length : text[end - 1] === '\r' ? end - 1 : end;
  return Math.min(start + column - 1, lineEnd);
}

/** Snippets larger than this are left out (rendered manifests carry whole JSON documents in one line). */
export const MAX_SNIPPET = 2000;
const CONTEXT_LINES = 2;

function region(l: FindingLocation, run: LintRun): Record<string, unknown> {
  const src = run.sources[l.file];
  const s = spanOf(l, src);
  const out: Record<string, unknown> = {
    startLine: s.line,
    startColumn: codePointColumn(lineOf(src, s.line), s.column),
    endLine: s.endLine,
    endColumn: codePointColumn(lineOf(src, s.endLine), s.endColumn),
  };
  if (src === undefined) return out;
  const a = offsetOf(src, s.line, s.column);
  const b = offsetOf(src, s.endLine, s.endColumn);
  if (a === undefined || b === undefined || b < a || b - a > MAX_SNIPPET) return out;
  out.snippet = { text: src.slice(a, b) };
  return out;
}

/** A few whole lines around the region, for viewers without the file (SARIF contextRegion). */
function contextRegion(l: FindingLocation, run: LintRun): Record<string, unknown> | undefined {
  const src = run.sources[l.file];
  if (src === undefined) return undefined;
  const s = spanOf(l, src);
  const lastLine = src.split('\n').length - (src.endsWith('\n') ? 1 : 0);
  const first = Math.max(1, s.line - CONTEXT_LINES);
  const last = Math.min(lastLine, s.endLine + CONTEXT_LINES);
  // A context region must be a proper superset of the region.
  if (first === s.line && last === s.endLine) return undefined;
  const lastText = lineOf(src, last);
  const a = offsetOf(src, first, 1);
  if (lastText === undefined || a === undefined) return undefined;
  const b = offsetOf(src, last, lastText.length + 1)!;
  if (b - a > MAX_SNIPPET) return undefined;
  return { startLine: first, startColumn: 1, endLine: last, endColumn: codePointColumn(lastText, lastText.length + 1), snippet: { text: src.slice(a, b) } };
}

function physicalLocation(l: FindingLocation, run: LintRun, ctx: ReporterContext): Record<string, unknown> {
  const out: Record<string, unknown> = { artifactLocation: artifactLocation(l.file, ctx.cwd), region: region(l, run) };
  const context = contextRegion(l, run);
  if (context) out.contextRegion = context;
  return out;
}

function helpText(meta: RuleMeta, uri: string): { text: string; markdown: string } {
  const text = [meta.rationale, `Fix: ${meta.fix}`];
  const md = [`**${mdEscape(meta.title)}**`, mdEscape(meta.rationale), `**Fix:** ${mdEscape(meta.fix)}`];
  if (meta.seed) {
    text.push(`Imply's guide: "${meta.seed}"`);
    md.push(`Imply's guide:\n\n> ${mdEscape(meta.seed)}`);
  }
  text.push(`Documentation: ${uri}`);
  md.push(`[Rule documentation](${uri})`);
  return { text: text.join('\n\n'), markdown: md.join('\n\n') };
}

/** Rule texts are plain text: escape what Markdown would interpret (`imply_defaults_x`, `*RuntimeProperties`). */
function mdEscape(s: string): string {
  return s.replace(/[\\`*_[\]<>|#]/g, '\\$&').replace(/&/g, '&amp;');
}

/** True for an absolute URI (SARIF `helpUri` must be one; a relative --docs-base-url is not). */
function isAbsoluteUri(s: string): boolean {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

function descriptor(meta: RuleMeta, ctx: ReporterContext) {
  const uri = ruleDocUrl(ctx, meta.id);
  const tags = [...new Set([meta.category, ...(meta.tags ?? []), ...(meta.securitySeverity !== undefined ? ['security'] : [])])];
  const properties: Record<string, unknown> = { tags, precision: 'high', 'problem.severity': PROBLEM_SEVERITY[meta.severity] };
  if (meta.securitySeverity !== undefined) properties['security-severity'] = meta.securitySeverity.toFixed(1);
  return {
    id: meta.id,
    name: pascalCase(meta.id),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.rationale },
    help: helpText(meta, uri),
    ...(isAbsoluteUri(uri) ? { helpUri: uri } : {}),
    defaultConfiguration: { level: LEVEL[meta.severity] },
    properties,
  };
}

/** A finding whose rule is not in the catalogue (should not happen) still gets a descriptor, so ruleIndex is valid. */
function fallbackMeta(f: Finding): RuleMeta {
  return {
    id: f.ruleId,
    title: f.ruleId,
    severity: f.severity,
    category: 'hygiene',
    inputs: [],
    rationale: `Findings of ${f.ruleId}.`,
    fix: f.fix,
    subject: f.subject,
    messages: {},
  };
}

function suppressionOf(s: Suppression, run: LintRun, ctx: ReporterContext) {
  // Comments and annotations live next to the code they suppress; policy exemptions live elsewhere.
  const out: Record<string, unknown> = { kind: s.kind === 'policy' ? 'external' : 'inSource', status: 'accepted', justification: s.reason };
  if (s.location) out.location = { physicalLocation: physicalLocation(s.location, run, ctx) };
  const props: Record<string, unknown> = { type: s.kind };
  if (s.expires) props.expires = s.expires;
  out.properties = props;
  return out;
}

/** A finding's fix (computed before reporting, src/fix/text-fix.ts) as a SARIF fix object. */
function fixOf(t: TextFix, ctx: ReporterContext) {
  return {
    description: { text: t.description },
    artifactChanges: [
      {
        artifactLocation: artifactLocation(t.file, ctx.cwd),
        replacements: t.replacements.map((r) => ({
          deletedRegion: { startLine: r.startLine, startColumn: r.startColumn, endLine: r.endLine, endColumn: r.endColumn },
          insertedContent: { text: r.insertedContent },
        })),
      },
    ],
  };
}

function resultOf(f: Finding, target: string, index: number, run: LintRun, ctx: ReporterContext) {
  const primary: FindingLocation = f.location ?? { file: target, line: 1, column: 1, endLine: 1, endColumn: 1 };
  const properties: Record<string, unknown> = { subject: f.subject, target, messageId: f.messageId, fix: f.fix };
  if (f.path !== undefined) properties.path = f.path;
  if (f.object !== undefined) properties.object = f.object;
  if (f.provenance) properties.provenance = f.provenance.text;
  const out: Record<string, unknown> = {
    ruleId: f.ruleId,
    ruleIndex: index,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [{ physicalLocation: physicalLocation(primary, run, ctx) }],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    properties,
  };
  if (f.related.length) {
    out.relatedLocations = f.related.map((r, i) => ({
      id: i + 1,
      physicalLocation: physicalLocation(r, run, ctx),
      message: { text: r.object ?? r.path ?? 'Same finding here.' },
    }));
  }
  if (f.suppressed) out.suppressions = [suppressionOf(f.suppressed, run, ctx)];
  if (f.textFix) out.fixes = [fixOf(f.textFix, ctx)];
  // With --baseline the CLI left the known findings out: every result in the log is new relative to it.
  if (run.baselined !== undefined) out.baselineState = 'new';
  return out;
}

/** Builds the SARIF log object. */
export function buildSarif(run: LintRun, ctx: ReporterContext): Record<string, unknown> {
  const metas: RuleMeta[] = [];
  const index = new Map<string, number>();
  const add = (m: RuleMeta) => {
    if (index.has(m.id)) return;
    index.set(m.id, metas.length);
    metas.push(m);
  };
  run.rules.forEach(add);
  for (const r of run.results) for (const f of r.findings) if (!index.has(f.ruleId)) add(fallbackMeta(f));

  const results = run.results.flatMap((r) => r.findings.map((f) => resultOf(f, r.target, index.get(f.ruleId)!, run, ctx)));
  const notifications = run.results.flatMap((r) =>
    r.ruleErrors.map((e) => ({
      level: 'error',
      message: { text: `Rule ${e.ruleId} failed on ${r.target}: ${e.message}` },
      ...(index.has(e.ruleId) ? { associatedRule: { id: e.ruleId, index: index.get(e.ruleId) } } : {}),
    })),
  );
  const invocation: Record<string, unknown> = { executionSuccessful: notifications.length === 0 };
  if (notifications.length) invocation.toolExecutionNotifications = notifications;
  if (ctx.timestamp) invocation.endTimeUtc = ctx.timestamp;

  const driver: Record<string, unknown> = {
    name: ctx.toolName,
    version: ctx.version,
    informationUri: INFORMATION_URI,
    rules: metas.map((m) => descriptor(m, ctx)),
  };
  if (/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(ctx.version)) driver.semanticVersion = ctx.version;

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver },
        automationDetails: { id: `${ctx.toolName}/${run.policy.name}/` },
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(ctx.cwd.endsWith(path.sep) ? ctx.cwd : ctx.cwd + path.sep).href } },
        invocations: [invocation],
        columnKind: 'unicodeCodePoints',
        results,
        properties: {
          policy: { name: run.policy.name, files: run.policy.files, failOn: ctx.failOn },
          targets: run.results.map((r) => ({ target: r.target, inputs: r.inputs, chartLine: r.chartLine ?? null, score: r.score.value })),
        },
      },
    ],
  };
}

/** The SARIF reporter. */
export const sarifReporter: Reporter = (run, ctx) => `${JSON.stringify(buildSarif(run, ctx), null, 2)}\n`;
