// CLI stage: baselines (`--baseline FILE`, `--write-baseline FILE`). A baseline is a list of known findings,
// identified by fingerprint = hash(rule id, subject) (RULES.md "Identity of a finding"): it does not depend on
// lines, formatting, comments or key order, so a baseline survives those edits. The CLI drops baselined findings
// before the reporter sees the run; reporters never decide (docs/baselines.md).
import fs from 'node:fs';
import path from 'node:path';
import type { Finding, LintResult } from '../rules/types.js';
import { JSON_REPORT_VERSION } from '../report/json.js';
import { FINGERPRINT_KEY } from '../report/sarif.js';
import { UserError } from './errors.js';

/** `kind` of the dedicated baseline file. */
export const BASELINE_KIND = 'imply-lint-baseline';
/** Layout version of the dedicated baseline file (bump on a breaking change). */
export const BASELINE_VERSION = 1;
/** A baseline file larger than this is refused (a report of thousands of findings is a few MiB). */
export const MAX_BASELINE_BYTES = 64 * 1024 * 1024;

/** One known finding: its fingerprint and, when the file says, the target it was reported for. */
export interface BaselineEntry {
  fingerprint: string;
  target?: string;
}

/** A parsed baseline: one entry per known occurrence (a fingerprint may occur once per target). */
export interface Baseline {
  file: string;
  format: 'baseline' | 'json' | 'sarif';
  entries: BaselineEntry[];
}

/** The dedicated baseline file `--write-baseline` writes. */
export interface BaselineDocument {
  kind: typeof BASELINE_KIND;
  version: number;
  tool: { name: string; version: string };
  findings: { fingerprint: string; ruleId: string; subject: string; target: string }[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function fail(file: string, message: string): never {
  throw new UserError(`baseline: ${message}`, file);
}

function fingerprintOf(v: unknown, file: string, where: string): string {
  if (typeof v !== 'string' || v === '') fail(file, `${where}: fingerprint must be a non-empty string`);
  return v;
}

function targetOf(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function fromBaselineDoc(doc: Obj, file: string): BaselineEntry[] {
  if (doc.version !== BASELINE_VERSION) fail(file, `unsupported ${BASELINE_KIND} version ${JSON.stringify(doc.version)} (this imply-lint reads version ${BASELINE_VERSION})`);
  if (!Array.isArray(doc.findings)) fail(file, 'findings must be a list');
  return doc.findings.map((f: unknown, i: number) => {
    if (!isObj(f)) fail(file, `findings[${i}] must be an object`);
    return { fingerprint: fingerprintOf(f.fingerprint, file, `findings[${i}]`), target: targetOf(f.target) };
  });
}

/** Our JSON report: the unsuppressed findings of every result (what that report showed as open problems). */
function fromJsonReport(doc: Obj, file: string): BaselineEntry[] {
  if (doc.version !== JSON_REPORT_VERSION) fail(file, `unsupported JSON report version ${JSON.stringify(doc.version)} (this imply-lint reads version ${JSON_REPORT_VERSION})`);
  const out: BaselineEntry[] = [];
  (doc.results as unknown[]).forEach((r, i) => {
    if (!isObj(r) || !Array.isArray(r.findings)) fail(file, `results[${i}] has no findings list`);
    r.findings.forEach((f: unknown, j: number) => {
      if (!isObj(f)) fail(file, `results[${i}].findings[${j}] must be an object`);
      if (f.suppressed === true) return;
      out.push({ fingerprint: fingerprintOf(f.fingerprint, file, `results[${i}].findings[${j}]`), target: targetOf(r.target) });
    });
  });
  return out;
}

/** A SARIF 2.1.0 log of ours: results' `partialFingerprints` (or `fingerprints`) under our key, unsuppressed ones. */
function fromSarif(doc: Obj, file: string): BaselineEntry[] {
  if (!Array.isArray(doc.runs)) fail(file, 'SARIF log without runs');
  const out: BaselineEntry[] = [];
  let results = 0;
  let ours = 0;
  for (const run of doc.runs as unknown[]) {
    if (!isObj(run) || run.results === undefined) continue;
    if (!Array.isArray(run.results)) fail(file, 'SARIF run results must be a list');
    for (const r of run.results as unknown[]) {
      if (!isObj(r)) continue;
      results++;
      const fp = (isObj(r.partialFingerprints) ? r.partialFingerprints[FINGERPRINT_KEY] : undefined) ?? (isObj(r.fingerprints) ? r.fingerprints[FINGERPRINT_KEY] : undefined);
      if (fp === undefined) continue;
      ours++;
      if (Array.isArray(r.suppressions) && r.suppressions.some((s) => isObj(s) && (s.status === undefined || s.status === 'accepted'))) continue;
      out.push({ fingerprint: fingerprintOf(fp, file, 'SARIF result'), target: targetOf(isObj(r.properties) ? r.properties.target : undefined) });
    }
  }
  if (results > 0 && ours === 0) fail(file, `SARIF log without imply-lint results (no "${FINGERPRINT_KEY}" fingerprints): not written by imply-lint --format sarif`);
  return out;
}

/** Parses a baseline file's text, detecting its format from content. Throws UserError naming the file. */
export function parseBaseline(text: string, file: string): Baseline {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    fail(file, `not JSON (${(e as Error).message.split('\n')[0]}): expected an imply-lint baseline, JSON report or SARIF log`);
  }
  if (isObj(doc) && doc.kind === BASELINE_KIND) return { file, format: 'baseline', entries: fromBaselineDoc(doc, file) };
  if (isObj(doc) && doc.version === '2.1.0' && 'runs' in doc) return { file, format: 'sarif', entries: fromSarif(doc, file) };
  if (isObj(doc) && isObj(doc.tool) && Array.isArray(doc.results) && 'summary' in doc) return { file, format: 'json', entries: fromJsonReport(doc, file) };
  return fail(file, 'not an imply-lint baseline, JSON report (--format json) or SARIF 2.1.0 log (--format sarif)');
}

/** Reads `--baseline FILE` (relative to cwd). */
export function readBaseline(file: string, cwd: string): Baseline {
  const abs = path.resolve(cwd, file);
  let text: string;
  try {
    const st = fs.statSync(abs);
    if (!st.isFile()) fail(file, 'not a regular file');
    if (st.size > MAX_BASELINE_BYTES) fail(file, `larger than ${MAX_BASELINE_BYTES / 1024 / 1024} MiB`);
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    fail(file, code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? (e as Error).message})`);
  }
  return parseBaseline(text, file);
}

/** The results without the baselined findings, and how many were dropped. */
export interface BaselineOutcome {
  results: LintResult[];
  baselined: number;
}

/**
 * Drops the unsuppressed findings the baseline knows. Matching is by fingerprint and counts occurrences: a
 * baseline holding a fingerprint N times hides at most N findings with it. Occurrences in a target of the same
 * name are matched first; the remaining ones match any target (a renamed file keeps its baseline), in report
 * order. Suppressed findings are never matched: they are already out of the exit code.
 */
export function applyBaseline(results: readonly LintResult[], baseline: Baseline): BaselineOutcome {
  const byTarget = new Map<string, number>();
  const key = (fp: string, target: string) => `${fp}\u0000${target}`;
  const left = new Map<string, number>();
  for (const e of baseline.entries) {
    left.set(e.fingerprint, (left.get(e.fingerprint) ?? 0) + 1);
    if (e.target !== undefined) byTarget.set(key(e.fingerprint, e.target), (byTarget.get(key(e.fingerprint, e.target)) ?? 0) + 1);
  }
  const hidden = new Set<Finding>();
  const take = (f: Finding) => {
    hidden.add(f);
    left.set(f.fingerprint, left.get(f.fingerprint)! - 1);
  };
  // Pass 1: same fingerprint in the same target.
  for (const r of results) {
    for (const f of r.findings) {
      if (f.suppressed) continue;
      const k = key(f.fingerprint, r.target);
      const n = byTarget.get(k) ?? 0;
      if (n > 0 && (left.get(f.fingerprint) ?? 0) > 0) {
        byTarget.set(k, n - 1);
        take(f);
      }
    }
  }
  // Pass 2: what is left of a fingerprint's count, in any target.
  for (const r of results) {
    for (const f of r.findings) {
      if (f.suppressed || hidden.has(f)) continue;
      if ((left.get(f.fingerprint) ?? 0) > 0) take(f);
    }
  }
  return { results: results.map((r) => ({ ...r, findings: r.findings.filter((f) => !hidden.has(f)) })), baselined: hidden.size };
}

/** The baseline document of some results: every unsuppressed finding, sorted, without lines (stable diffs). */
export function baselineDocument(results: readonly LintResult[], tool: { name: string; version: string }): BaselineDocument {
  const findings = results.flatMap((r) => r.findings.filter((f) => !f.suppressed).map((f) => ({ fingerprint: f.fingerprint, ruleId: f.ruleId, subject: f.subject, target: r.target })));
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  findings.sort((a, b) => cmp(a.target, b.target) || cmp(a.ruleId, b.ruleId) || cmp(a.subject, b.subject) || cmp(a.fingerprint, b.fingerprint));
  return { kind: BASELINE_KIND, version: BASELINE_VERSION, tool: { ...tool }, findings };
}

/** Writes `--write-baseline FILE` atomically (a temporary file in the same directory, then a rename). */
export function writeBaseline(file: string, cwd: string, doc: BaselineDocument): void {
  const abs = path.resolve(cwd, file);
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.${process.pid}.tmp`);
  try {
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
    fs.renameSync(tmp, abs);
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // The directory itself is unusable: nothing was written.
    }
    throw new UserError(`cannot write baseline: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
}

/**
 * The CLI's baseline step: reads `--baseline` (before anything is written, so one file can be read and
 * rewritten in one run), writes `--write-baseline` from all of this run's unsuppressed findings (baselined
 * ones included), and drops the baselined findings. `baselined` is undefined without `--baseline`.
 */
export function baselineStep(results: LintResult[], flags: Record<string, unknown>, cwd: string, tool: { name: string; version: string }): { results: LintResult[]; baselined?: number } {
  const baseline = typeof flags.baseline === 'string' ? readBaseline(flags.baseline, cwd) : undefined;
  if (typeof flags['write-baseline'] === 'string') writeBaseline(flags['write-baseline'], cwd, baselineDocument(results, tool));
  return baseline ? applyBaseline(results, baseline) : { results };
}
