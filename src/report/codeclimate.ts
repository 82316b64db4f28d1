// Report stage: the Code Climate / GitLab Code Quality reporter (`--format codeclimate`), for
// `artifacts: reports: codequality:` in GitLab CI. A JSON array of issues with GitLab's required fields
// (description, check_name, fingerprint, severity, location.path, location.lines.begin) plus the Code Climate
// spec's type, categories and content.body. Suppressed findings are left out: the merge request widget has no
// notion of a suppressed issue (docs/baselines.md "GitLab Code Quality").
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Category, Finding, FindingLocation, RuleMeta, Severity } from '../rules/types.js';
import { spanOf } from './sarif.js';
import type { LintRun, Reporter, ReporterContext } from './types.js';
import { ruleDocUrl } from './types.js';

/** Code Climate severities (GitLab shows them in this order, blocker first). */
export type CodeClimateSeverity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

/**
 * error: the deployment is not production-ready and the run fails by default -> critical; warning -> major;
 * info -> info. `blocker` and `minor` are not used: our scale has three levels.
 */
export const CODECLIMATE_SEVERITY: Record<Severity, CodeClimateSeverity> = { error: 'critical', warning: 'major', info: 'info' };

/** The Code Climate spec's categories. */
export type CodeClimateCategory = 'Bug Risk' | 'Clarity' | 'Compatibility' | 'Complexity' | 'Duplication' | 'Performance' | 'Security' | 'Style';

/** Our rule categories as Code Climate categories. */
export const CODECLIMATE_CATEGORY: Record<Category, CodeClimateCategory> = {
  quickstart: 'Bug Risk',
  security: 'Security',
  versions: 'Compatibility',
  druid: 'Bug Risk',
  availability: 'Bug Risk',
  hygiene: 'Clarity',
  live: 'Bug Risk',
};

export interface CodeClimateIssue {
  type: 'issue';
  check_name: string;
  description: string;
  content: { body: string };
  categories: CodeClimateCategory[];
  location: { path: string; lines: { begin: number; end: number } };
  severity: CodeClimateSeverity;
  fingerprint: string;
}

/** One line, no control characters (Code Climate descriptions are single-line). */
function oneLine(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function body(f: Finding, meta: RuleMeta | undefined, ctx: ReporterContext): string {
  const parts: string[] = [];
  if (meta) parts.push(`**${meta.title}**`, meta.rationale);
  if (f.fix) parts.push(`**Fix:** ${f.fix}`);
  if (f.provenance) parts.push(`Value from: ${f.provenance.text}`);
  if (f.object) parts.push(`Object: \`${f.object}\``);
  parts.push(`Subject: \`${f.subject}\``, `[Rule documentation](${ruleDocUrl(ctx, f.ruleId)})`);
  return parts.join('\n\n');
}

/** Relative to the working directory (GitLab: a path in the repository, no leading ./); `../` for files outside it. */
export function codeClimatePath(file: string, cwd: string): string {
  const abs = path.resolve(cwd, file);
  const rel = path.relative(cwd, abs).split(path.sep).join('/');
  return rel || path.basename(abs);
}

function hash32(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

/**
 * Fingerprints unique within the report (GitLab keeps only the first issue of a fingerprint). The first
 * occurrence of a fingerprint keeps it; a later one, in another target, gets hash(fingerprint, target); a
 * later one in the same target (the same file linted twice) hash(fingerprint, target, n), n = 2, 3, ...,
 * the first that is free. Deterministic for a given command line (targets in command-line order).
 */
export function uniqueFingerprints(items: readonly { fingerprint: string; target: string }[]): string[] {
  const used = new Set<string>();
  return items.map(({ fingerprint, target }) => {
    let fp = fingerprint;
    if (used.has(fp)) fp = hash32(`${fingerprint}\u0000${target}`);
    for (let n = 2; used.has(fp); n++) fp = hash32(`${fingerprint}\u0000${target}\u0000${n}`);
    used.add(fp);
    return fp;
  });
}

/** Builds the issue list (exported for tools that want the objects rather than the text). */
export function buildCodeClimate(run: LintRun, ctx: ReporterContext): CodeClimateIssue[] {
  const metas = new Map(run.rules.map((m) => [m.id, m]));
  const open = run.results.flatMap((r) => r.findings.filter((f) => !f.suppressed).map((f) => ({ f, target: r.target })));
  const fps = uniqueFingerprints(open.map(({ f, target }) => ({ fingerprint: f.fingerprint, target })));
  return open.map(({ f, target }, i) => {
    const meta = metas.get(f.ruleId);
    const loc: FindingLocation = f.location ?? { file: target, line: 1, column: 1, endLine: 1, endColumn: 1 };
    const span = spanOf(loc, run.sources[loc.file]);
    return {
      type: 'issue',
      check_name: f.ruleId,
      description: oneLine(f.message),
      content: { body: body(f, meta, ctx) },
      categories: [meta ? CODECLIMATE_CATEGORY[meta.category] : 'Bug Risk'],
      location: { path: codeClimatePath(loc.file, ctx.cwd), lines: { begin: span.line, end: span.endLine } },
      severity: CODECLIMATE_SEVERITY[f.severity],
      fingerprint: fps[i],
    };
  });
}

/** The Code Climate reporter: the issue array, pretty-printed, with a final newline. */
export const codeclimateReporter: Reporter = (run, ctx) => `${JSON.stringify(buildCodeClimate(run, ctx), null, 2)}\n`;
