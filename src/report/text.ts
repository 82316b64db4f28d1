// Report stage: the human reporter. Per target, findings grouped by file with `file:line:col`, a code
// frame of the offending YAML, the fix, where the value came from and related places; suppressed
// findings apart with their reason; the readiness score and a summary line. ANSI colours only when asked.
import type { Finding, FindingLocation, LintResult, Provenance, Severity, Suppression } from '../rules/types.js';
import { countFindings } from './json.js';
import type { Counts } from './json.js';
import { spanOf } from './sarif.js';
import type { LintRun, Reporter, ReporterContext } from './types.js';

type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'cyan' | 'green' | 'gray' | 'underline';
const SGR: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  underline: [4, 24],
  red: [31, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  green: [32, 39],
  gray: [90, 39],
};

type Paint = (style: Style, s: string) => string;

function painter(color: boolean): Paint {
  return (style, s) => (color && s ? `\x1b[${SGR[style][0]}m${s}\x1b[${SGR[style][1]}m` : s);
}

const SEVERITY_STYLE: Record<Severity, Style> = { error: 'red', warning: 'yellow', info: 'cyan' };

// C0/C1 controls, DEL and bidirectional overrides: never echo them to a terminal (escape sequences,
// "Trojan Source" reordering) — user files and values flow into messages and code frames.
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** One-line text from user-influenced strings: controls shown as escapes. */
export function clean(s: string): string {
  return s.replace(UNSAFE, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** Source line for a frame: each unsafe character becomes one replacement character (keeps caret columns). */
function cleanLine(s: string): string {
  return s.replace(UNSAFE, '\uFFFD');
}

/** Widest code line shown in a frame; longer lines (JSON in env values) are windowed around the column. */
export const FRAME_WIDTH = 120;
const CONTEXT_LINES = 2;

/**
 * A code frame: a few lines around the location, `>` on the offending lines, carets under the span on
 * its first line. Empty when the source is unknown or the line is past its end.
 */
export function codeFrame(source: string | undefined, loc: FindingLocation, paint: Paint = (_, s) => s): string[] {
  if (source === undefined) return [];
  const lines = source.split('\n').map((l) => l.replace(/\r$/, ''));
  if (source.endsWith('\n')) lines.pop();
  const span = spanOf(loc, source);
  if (span.line > lines.length) return [];
  const first = Math.max(1, span.line - CONTEXT_LINES);
  const last = Math.min(lines.length, span.line + CONTEXT_LINES);
  const width = String(last).length;
  const col0 = span.column - 1;
  // One window for all lines so the carets stay aligned.
  const start = col0 < FRAME_WIDTH - 10 ? 0 : col0 - 20;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const raw = lines[n - 1];
    const marked = n >= span.line && n <= span.endLine;
    let visible = cleanLine(raw.slice(start, start + FRAME_WIDTH));
    const lead = start > 0 && raw.length > 0 ? '…' : '';
    if (raw.length > start + FRAME_WIDTH) visible += '…';
    visible = lead + visible;
    const gutter = `${marked ? '>' : ' '} ${String(n).padStart(width)} |`;
    out.push(`${marked ? paint('bold', gutter) : paint('gray', gutter)}${visible ? ' ' + (marked ? visible : paint('gray', visible)) : ''}`);
    if (n === span.line) {
      const endCol = span.endLine === span.line ? span.endColumn : Math.max(raw.length + 1, span.column + 1);
      const offset = col0 - start;
      const caretLen = Math.max(1, Math.min(endCol - span.column, FRAME_WIDTH - offset));
      const before = (lead + cleanLine(raw.slice(start, start + offset))).replace(/[^\t]/g, ' ').padEnd(lead.length + offset, ' ');
      out.push(`${paint('gray', `  ${' '.repeat(width)} |`)} ${before}${paint('red', '^'.repeat(caretLen))}`);
    }
  }
  return out;
}

function where(l: FindingLocation): string {
  return `${l.file}:${l.line}:${l.column}`;
}

/** How a provenance reads after "from:". */
export function provenanceText(p: Provenance): string {
  if (p.kind === 'file' || p.kind === 'set') return `set by ${clean(p.text)}`;
  return clean(p.text);
}

const SUPPRESSION_KIND: Record<Suppression['kind'], string> = {
  inline: 'inline comment',
  file: 'file comment',
  annotation: 'object annotation',
  policy: 'policy exemption',
};

function suppressionText(s: Suppression): string {
  const at = [s.location ? `${s.location.file}:${s.location.line}` : '', s.expires ? `expires ${s.expires}` : ''].filter(Boolean).join(', ');
  return `${SUPPRESSION_KIND[s.kind]}${at ? ` (${clean(at)})` : ''}: ${clean(s.reason)}`;
}

function headline(f: Finding, fallbackFile: string, paint: Paint): string {
  const loc = f.location ? where(f.location) : `${fallbackFile}:1:1`;
  return `  ${paint('underline', clean(loc))}  ${paint(SEVERITY_STYLE[f.severity], f.severity.padEnd(7))}  ${clean(f.message)}  ${paint('dim', f.ruleId)}`;
}

function findingBlock(f: Finding, target: string, run: LintRun, paint: Paint, frame: boolean): string[] {
  const out = [headline(f, target, paint)];
  if (f.location && frame) for (const l of codeFrame(run.sources[f.location.file], f.location, paint)) out.push(`    ${l}`);
  if (f.fix) out.push(`    ${paint('green', 'fix:')} ${clean(f.fix)}`);
  if (f.provenance) out.push(`    ${paint('dim', 'from:')} ${provenanceText(f.provenance)}`);
  for (const r of f.related) {
    const what = r.object ?? r.path;
    out.push(`    ${paint('dim', 'related:')} ${clean(where(r))}${what ? ` ${clean(what)}` : ''}`);
  }
  return out;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `2 errors, 1 warning, 0 info, 1 suppressed`. */
export function countsText(c: Counts): string {
  return `${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')}, ${c.info} info, ${c.suppressed} suppressed`;
}

function formatScore(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function targetBlock(r: LintResult, run: LintRun, paint: Paint): string[] {
  const facts = [r.inputs.join(', ') || 'no inputs'];
  if (r.chartLine) facts.push(`chart ${r.chartLine}${r.chartLineReason ? ` from ${r.chartLineReason}` : ''}`);
  const out = [`${paint('bold', clean(r.target))}  ${paint('dim', `[${clean(facts.join('; '))}]`)}`];
  const open = r.findings.filter((f) => !f.suppressed);
  const suppressed = r.findings.filter((f) => f.suppressed);

  // Group by file, in the order the engine sorted findings (file, line, column).
  const byFile = new Map<string, Finding[]>();
  for (const f of open) {
    const file = f.location?.file ?? r.target;
    if (!byFile.has(file)) byFile.set(file, []);
    byFile.get(file)!.push(f);
  }
  for (const [file, list] of byFile) {
    out.push('', paint('bold', clean(file)));
    list.forEach((f, i) => {
      if (i > 0) out.push('');
      // Findings anchored at the same place (chart defaults at their nearest parent key) share one frame.
      const prev = list[i - 1]?.location;
      const samePlace = prev !== undefined && f.location !== undefined && prev.line === f.location.line && prev.column === f.location.column;
      out.push(...findingBlock(f, r.target, run, paint, !samePlace));
    });
  }
  if (open.length === 0) out.push('', `  ${paint('green', 'no problems found')}`);

  if (suppressed.length) {
    out.push('', paint('bold', `Suppressed (${suppressed.length}):`));
    for (const f of suppressed) {
      out.push(headline(f, r.target, paint));
      out.push(`    ${paint('dim', 'suppressed by')} ${suppressionText(f.suppressed!)}`);
    }
  }
  for (const e of r.ruleErrors) out.push('', paint('red', `  rule ${clean(e.ruleId)} failed: ${clean(e.message)}`));

  const counts = countFindings([r]);
  const score = `score ${formatScore(r.score.value)}/100`;
  out.push('', `${paint('bold', clean(r.target))}: ${paint(r.score.value >= 100 ? 'green' : 'bold', score)} (production readiness), ${countsText(counts)}`);
  return out;
}

/** The text reporter. */
export const textReporter: Reporter = (run: LintRun, ctx: ReporterContext) => {
  const paint = painter(ctx.color);
  const blocks = run.results.map((r) => targetBlock(r, run, paint).join('\n'));
  const c = countFindings(run.results);
  const ruleErrors = run.results.reduce((n, r) => n + r.ruleErrors.length, 0);
  const tail = [`${plural(run.results.length, 'target')}`, `policy ${clean(run.policy.name)}`, `fail-on ${ctx.failOn}`];
  const baselined = run.baselined !== undefined ? `, ${run.baselined} baselined` : '';
  let summary = `${countsText(c)}${baselined}${ruleErrors ? `, ${plural(ruleErrors, 'rule error')}` : ''} (${tail.join(', ')})`;
  summary = paint('bold', paint(c.errors || ruleErrors ? 'red' : c.warnings ? 'yellow' : 'green', summary));
  return `${[...blocks, summary].join('\n\n')}\n`;
};
