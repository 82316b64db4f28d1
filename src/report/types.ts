// Report stage: what every reporter receives. A reporter is a pure function (run, ctx) => string: it
// never filters findings, never decides exit codes, never reads files or the clock.
import type { LintResult, RuleMeta, Severity } from '../rules/types.js';

/** Everything one CLI invocation produced. */
export interface LintRun {
  results: LintResult[];
  /** The rule catalogue of this run (built-ins plus the policy's custom rules), for rule metadata. */
  rules: RuleMeta[];
  policy: { name: string; files: string[] };
  /** Texts of the input files by displayed path (for code frames). */
  sources: Record<string, string>;
  /** With --baseline: how many findings the baseline knew (left out of `results`); absent without one. */
  baselined?: number;
}

export interface ReporterContext {
  /** Working directory: SARIF URIs are relative to it. */
  cwd: string;
  toolName: string;
  version: string;
  /** Base URL of the rule docs; a rule's page is `${docsBaseUrl}/${id}.md`. */
  docsBaseUrl: string;
  /** Colours (text reporter, only on a TTY unless --no-color). */
  color: boolean;
  /** The threshold at which findings fail the run (shown in summaries, never used to filter). */
  failOn: Severity | 'none';
  /** Fixed timestamp for reports that carry one (injected; reporters never read the clock). */
  timestamp?: string;
}

export type Reporter = (run: LintRun, ctx: ReporterContext) => string;

/** The documentation URL of a rule. */
export function ruleDocUrl(ctx: Pick<ReporterContext, 'docsBaseUrl'>, id: string): string {
  return `${ctx.docsBaseUrl.replace(/\/+$/, '')}/${id}.md`;
}
