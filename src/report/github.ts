// Report stage: the GitHub Actions reporter, one workflow command per unsuppressed finding
// (`::error file=…,line=…::message`), which the runner turns into annotations on the pull request.
import type { Finding, Severity } from '../rules/types.js';
import { relativePath, spanOf } from './sarif.js';
import type { LintRun, Reporter, ReporterContext } from './types.js';

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', info: 'notice' };

/** Escapes a command's message (actions/toolkit `escapeData`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a command property value (actions/toolkit `escapeProperty`): also `:` and `,`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function annotation(f: Finding, run: LintRun, ctx: ReporterContext): string {
  const props: [string, string | number][] = [];
  if (f.location) {
    const s = spanOf(f.location, run.sources[f.location.file]);
    props.push(['file', relativePath(f.location.file, ctx.cwd)], ['line', s.line]);
    // GitHub keeps columns only for single-line annotations.
    if (s.endLine === s.line) props.push(['col', s.column], ['endLine', s.endLine], ['endColumn', s.endColumn]);
    else props.push(['endLine', s.endLine]);
  }
  props.push(['title', f.ruleId]);
  const text = [f.message];
  if (f.fix) text.push(`Fix: ${f.fix}`);
  if (f.provenance) text.push(`From: ${f.provenance.text}`);
  const rendered = props.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
  return `::${COMMAND[f.severity]} ${rendered}::${escapeData(text.join('\n'))}`;
}

/** The GitHub reporter: suppressed findings are not annotated (they are accepted, not problems). */
export const githubReporter: Reporter = (run, ctx) => {
  const lines: string[] = [];
  for (const r of run.results) {
    for (const f of r.findings) if (!f.suppressed) lines.push(annotation(f, run, ctx));
    for (const e of r.ruleErrors) lines.push(`::error title=${escapeProperty(e.ruleId)}::${escapeData(`Rule ${e.ruleId} failed on ${r.target}: ${e.message}`)}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
};
