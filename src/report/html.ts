// Report stage: the HTML reporter, one self-contained page (inline CSS, a few lines of inline JS for the
// filters, nothing fetched). Per target: the readiness score, counts by severity, findings grouped by area
// (rule category) and severity with code frames and links to the rule docs, suppressed findings with
// their reasons. The page reads fully without JS; a Content-Security-Policy with hashes of the inline
// style and script keeps anything else (an escaping slip, a stray URL) from running or loading.
import { createHash } from 'node:crypto';
import type { Category, Finding, LintResult, RuleMeta, Severity, Suppression } from '../rules/types.js';
import { countFindings } from './json.js';
import type { Counts } from './json.js';
import { clean, codeFrame, provenanceText } from './text.js';
import type { LintRun, Reporter, ReporterContext } from './types.js';
import { ruleDocUrl } from './types.js';

// Lone surrogates cannot be written as UTF-8; NUL is a parse error in HTML text.
const NOT_HTML = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Escapes text for HTML content and double- or single-quoted attribute values. */
export function esc(s: string): string {
  return s
    .replace(NOT_HTML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** One-line user-influenced text (controls shown as escapes, as the text reporter does), escaped. */
function txt(s: string): string {
  return esc(clean(s));
}

/** Areas in the order the page shows them (RULES.md sections), with their headings. */
export const AREAS: readonly { id: Category | 'other'; title: string }[] = [
  { id: 'quickstart', title: 'Quickstart components' },
  { id: 'security', title: 'Security' },
  { id: 'versions', title: 'Versions and compatibility' },
  { id: 'druid', title: 'Druid / Pivot configuration' },
  { id: 'availability', title: 'Availability' },
  { id: 'live', title: 'Live checks' },
  { id: 'hygiene', title: 'Hygiene' },
  { id: 'other', title: 'Other rules' },
];

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
const SEVERITY_TITLE: Record<Severity, string> = { error: 'Errors', warning: 'Warnings', info: 'Info' };

const SUPPRESSION_KIND: Record<Suppression['kind'], string> = {
  inline: 'inline comment',
  file: 'file comment',
  annotation: 'object annotation',
  policy: 'policy exemption',
};

const CSS = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --card: #f6f8fa;
  --error: #cf222e; --warning: #9a6700; --info: #0969da; --ok: #1a7f37; --mark: #fff8c5; --code: #f6f8fa; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --card: #151b23;
    --error: #ff7b72; --warning: #d29922; --info: #58a6ff; --ok: #3fb950; --mark: #3b2e00; --code: #010409; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 0; word-break: break-all; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h4 { font-size: 1rem; margin: 1rem 0 .5rem; }
a { color: var(--info); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
.muted { color: var(--muted); }
.meta { color: var(--muted); margin: 0 0 1rem; }
.meta span + span::before { content: " · "; }
.filters { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin: 1rem 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
.filters legend { font-weight: 600; padding: 0 .25rem; }
.filters label { white-space: nowrap; }
nav.targets ol { margin: .25rem 0 1rem; }
section.target { border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; margin: 1.5rem 0; }
.head { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem 2rem; justify-content: space-between; }
.facts { color: var(--muted); margin: .25rem 0 0; word-break: break-all; }
.score { text-align: center; min-width: 9rem; }
.score .score-value { font-size: 2.4rem; font-weight: 700; line-height: 1; }
.score.ok .score-value { color: var(--ok); }
.score meter { width: 9rem; display: block; margin: .25rem auto; }
.score .weights { font-size: .8rem; color: var(--muted); }
ul.counts { list-style: none; display: flex; flex-wrap: wrap; gap: .5rem; padding: 0; margin: 1rem 0 0; }
ul.counts li { border: 1px solid var(--line); border-radius: 999px; padding: .1rem .75rem; background: var(--card); }
ul.counts .n { font-weight: 700; }
table.areas { border-collapse: collapse; margin: 1rem 0; font-size: .9rem; }
table.areas th, table.areas td { border: 1px solid var(--line); padding: .2rem .6rem; text-align: right; }
table.areas th:first-child, table.areas td:first-child { text-align: left; }
.sev { display: inline-block; min-width: 4.8rem; text-align: center; font-size: .75rem; font-weight: 700; text-transform: uppercase;
  border-radius: 4px; padding: 0 .4rem; color: #fff; }
.sev-error { background: var(--error); } .sev-warning { background: var(--warning); } .sev-info { background: var(--info); }
@media (prefers-color-scheme: dark) { .sev { color: #0d1117; } }
ol.findings { list-style: none; padding: 0; margin: 0; }
li.finding, li.suppressed-finding { border: 1px solid var(--line); border-left: 4px solid var(--info); border-radius: 6px; background: var(--card);
  padding: .6rem .9rem; margin: .6rem 0; }
li.finding[data-severity="error"] { border-left-color: var(--error); }
li.finding[data-severity="warning"] { border-left-color: var(--warning); }
li.suppressed-finding { border-left-color: var(--muted); }
.finding-head { display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: baseline; }
.finding-head .message { flex: 1 1 20rem; font-weight: 600; }
.finding-head a.rule { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
.loc { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; word-break: break-all; }
dl.details { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .75rem; margin: .5rem 0 0; }
dl.details dt { color: var(--muted); }
dl.details dd { margin: 0; word-break: break-word; }
dl.details ul { margin: 0; padding-left: 1.1rem; }
pre.frame { background: var(--code); border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin: .5rem 0; overflow-x: auto; }
pre.frame .hit { background: var(--mark); display: inline-block; min-width: 100%; }
pre.frame .caret { color: var(--error); font-weight: 700; }
pre.frame .ctx { color: var(--muted); }
.none { color: var(--ok); font-weight: 600; }
.rule-errors { color: var(--error); }
footer { color: var(--muted); font-size: .85rem; margin: 2rem 0 1rem; }
[hidden] { display: none !important; }
`;

// Progressive enhancement only: the filters start hidden and everything is shown without JS.
const JS = `
(function () {
  var form = document.getElementById('filters');
  if (!form) return;
  form.hidden = false;
  function apply() {
    var off = {};
    form.querySelectorAll('input').forEach(function (i) { if (!i.checked) off[i.value] = true; });
    document.querySelectorAll('li.finding').forEach(function (el) {
      el.hidden = Boolean(off['severity:' + el.dataset.severity] || off['area:' + el.dataset.area]);
    });
    document.querySelectorAll('.severity-group, section.area').forEach(function (g) {
      g.hidden = g.querySelector('li.finding:not([hidden])') === null;
    });
    document.querySelectorAll('section.suppressed').forEach(function (s) { s.hidden = Boolean(off['suppressed']); });
  }
  form.addEventListener('change', apply);
})();
`;

function sha256(s: string): string {
  return `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
}

function formatScore(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function areaOf(f: Finding, rules: Map<string, RuleMeta>): Category | 'other' {
  return rules.get(f.ruleId)?.category ?? 'other';
}

function whereText(l: { file: string; line: number; column: number }): string {
  return `${l.file}:${l.line}:${l.column}`;
}

/** The code frame of the text reporter (same lines), marked up: offending lines, carets, context. */
function frameHtml(f: Finding, run: LintRun): string {
  if (!f.location) return '';
  const lines = codeFrame(run.sources[f.location.file], f.location);
  if (lines.length === 0) return '';
  const body = lines
    .map((l) => {
      if (l.startsWith('>')) return `<span class="hit">${esc(l)}</span>`;
      if (/^ {2} *\|/.test(l)) return `<span class="caret">${esc(l)}</span>`;
      return `<span class="ctx">${esc(l)}</span>`;
    })
    .join('\n');
  return `<pre class="frame" data-file="${esc(f.location.file)}" data-line="${f.location.line}">${body}</pre>`;
}

function ruleLink(f: Finding, ctx: ReporterContext, rules: Map<string, RuleMeta>): string {
  const title = rules.get(f.ruleId)?.title;
  return `<a class="rule" href="${esc(ruleDocUrl(ctx, f.ruleId))}"${title ? ` title="${txt(title)}"` : ''}>${esc(f.ruleId)}</a>`;
}

function locationText(f: Finding, target: string): string {
  return f.location ? whereText(f.location) : `${target}:1:1`;
}

function findingHtml(f: Finding, r: LintResult, run: LintRun, ctx: ReporterContext, rules: Map<string, RuleMeta>): string {
  const details: string[] = [];
  if (f.fix) details.push(`<dt>fix</dt><dd class="fix">${txt(f.fix)}</dd>`);
  if (f.provenance) details.push(`<dt>from</dt><dd class="provenance">${esc(provenanceText(f.provenance))}</dd>`);
  const about = f.path ?? f.object;
  if (about) details.push(`<dt>${f.path ? 'path' : 'object'}</dt><dd><code>${txt(about)}</code></dd>`);
  details.push(`<dt>subject</dt><dd><code>${txt(f.subject)}</code></dd>`);
  if (f.related.length) {
    const items = f.related.map((x) => {
      const what = x.object ?? x.path;
      return `<li class="related"><span class="loc">${txt(whereText(x))}</span>${what ? ` <code>${txt(what)}</code>` : ''}</li>`;
    });
    details.push(`<dt>related</dt><dd><ul>${items.join('')}</ul></dd>`);
  }
  details.push(`<dt>fingerprint</dt><dd><code class="fingerprint">${esc(f.fingerprint)}</code></dd>`);
  return [
    `<li class="finding" data-severity="${f.severity}" data-rule="${esc(f.ruleId)}" data-area="${areaOf(f, rules)}" data-fingerprint="${esc(f.fingerprint)}">`,
    `<div class="finding-head"><span class="sev sev-${f.severity}">${f.severity}</span><span class="message">${txt(f.message)}</span>${ruleLink(f, ctx, rules)}</div>`,
    `<div class="loc">${txt(locationText(f, r.target))}</div>`,
    frameHtml(f, run),
    `<dl class="details">${details.join('')}</dl>`,
    `</li>`,
  ].join('\n');
}

function suppressionHtml(s: Suppression): string {
  const parts = [`<span class="kind" data-kind="${s.kind}">${SUPPRESSION_KIND[s.kind]}</span>`];
  if (s.location) parts.push(` at <span class="loc">${txt(`${s.location.file}:${s.location.line}`)}</span>`);
  if (s.expires) parts.push(`, <span class="expires">expires ${txt(s.expires)}</span>`);
  parts.push(`: <span class="reason">${txt(s.reason)}</span>`);
  return parts.join('');
}

function suppressedHtml(f: Finding, r: LintResult, ctx: ReporterContext, rules: Map<string, RuleMeta>): string {
  const s = f.suppressed!;
  return [
    `<li class="suppressed-finding" data-severity="${f.severity}" data-rule="${esc(f.ruleId)}" data-suppression-kind="${s.kind}" data-fingerprint="${esc(f.fingerprint)}">`,
    `<div class="finding-head"><span class="sev sev-${f.severity}">${f.severity}</span><span class="message">${txt(f.message)}</span>${ruleLink(f, ctx, rules)}</div>`,
    `<div class="loc">${txt(locationText(f, r.target))}</div>`,
    `<dl class="details"><dt>suppressed by</dt><dd class="suppression">${suppressionHtml(s)}</dd>`,
    `<dt>fingerprint</dt><dd><code class="fingerprint">${esc(f.fingerprint)}</code></dd></dl>`,
    `</li>`,
  ].join('\n');
}

function countsHtml(c: Counts, scope: string): string {
  const item = (key: string, n: number, label: string) => `<li data-count-of="${key}" data-count="${n}"><span class="n">${n}</span> ${label}</li>`;
  return [
    `<ul class="counts" data-scope="${scope}">`,
    item('error', c.errors, c.errors === 1 ? 'error' : 'errors'),
    item('warning', c.warnings, c.warnings === 1 ? 'warning' : 'warnings'),
    item('info', c.info, 'info'),
    item('suppressed', c.suppressed, 'suppressed'),
    `</ul>`,
  ].join('\n');
}

/** Open findings by area, then severity, in the engine's order within a group. */
function grouped(open: Finding[], rules: Map<string, RuleMeta>): { area: (typeof AREAS)[number]; bySeverity: [Severity, Finding[]][] }[] {
  const out = [];
  for (const area of AREAS) {
    const inArea = open.filter((f) => areaOf(f, rules) === area.id);
    if (inArea.length === 0) continue;
    const bySeverity: [Severity, Finding[]][] = [];
    for (const sev of SEVERITIES) {
      const list = inArea.filter((f) => f.severity === sev);
      if (list.length) bySeverity.push([sev, list]);
    }
    out.push({ area, bySeverity });
  }
  return out;
}

function areaTable(groups: ReturnType<typeof grouped>, id: string): string {
  const rows = groups.map(({ area, bySeverity }) => {
    const n = (s: Severity) => bySeverity.find(([x]) => x === s)?.[1].length ?? 0;
    const cells = SEVERITIES.map((s) => `<td data-count-of="${s}" data-count="${n(s)}">${n(s)}</td>`).join('');
    return `<tr data-area="${area.id}"><td><a href="#${id}-${area.id}">${esc(area.title)}</a></td>${cells}</tr>`;
  });
  return `<table class="areas"><thead><tr><th>Area</th><th>Errors</th><th>Warnings</th><th>Info</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function targetHtml(r: LintResult, i: number, run: LintRun, ctx: ReporterContext, rules: Map<string, RuleMeta>): string {
  const id = `t${i + 1}`;
  const facts = [r.inputs.join(', ') || 'no inputs'];
  if (r.chartLine) facts.push(`chart ${r.chartLine}${r.chartLineReason ? ` from ${r.chartLineReason}` : ''}`);
  const open = r.findings.filter((f) => !f.suppressed);
  const suppressed = r.findings.filter((f) => f.suppressed);
  const counts = countFindings([r]);
  const score = formatScore(r.score.value);
  const out: string[] = [
    `<section class="target" id="${id}" data-target="${esc(r.target)}">`,
    `<div class="head"><div><h2>${txt(r.target)}</h2><p class="facts">${txt(facts.join('; '))}</p></div>`,
    `<div class="score${r.score.value >= 100 ? ' ok' : ''}" data-score="${r.score.value}" title="production readiness score">`,
    `<div class="score-value">${score}</div><meter min="0" max="100" low="60" high="90" optimum="100" value="${r.score.value}">${score}/100</meter>`,
    `<div>production readiness / 100</div><div class="weights">passed weight ${r.score.passedWeight} of ${r.score.applicableWeight}</div></div></div>`,
    countsHtml(counts, 'target'),
  ];
  const groups = grouped(open, rules);
  if (open.length === 0) out.push(`<p class="none">No problems found.</p>`);
  else {
    out.push(areaTable(groups, id));
    for (const { area, bySeverity } of groups) {
      const n = bySeverity.reduce((k, [, l]) => k + l.length, 0);
      out.push(`<section class="area" id="${id}-${area.id}" data-area="${area.id}" data-count="${n}">`, `<h3>${esc(area.title)} <span class="muted">(${n})</span></h3>`);
      for (const [sev, list] of bySeverity) {
        out.push(`<div class="severity-group" data-severity="${sev}" data-count="${list.length}">`, `<h4>${SEVERITY_TITLE[sev]} <span class="muted">(${list.length})</span></h4>`);
        out.push(`<ol class="findings">`, ...list.map((f) => findingHtml(f, r, run, ctx, rules)), `</ol>`, `</div>`);
      }
      out.push(`</section>`);
    }
  }
  if (suppressed.length) {
    out.push(
      `<section class="suppressed" data-count="${suppressed.length}">`,
      `<h3>Suppressed <span class="muted">(${suppressed.length})</span></h3>`,
      `<p class="muted">Suppressed findings do not fail the run or lower the score.</p>`,
      `<ol class="findings">`,
      ...suppressed.map((f) => suppressedHtml(f, r, ctx, rules)),
      `</ol>`,
      `</section>`,
    );
  }
  if (r.ruleErrors.length) {
    out.push(`<section class="rule-errors"><h3>Rule errors</h3><ul>`, ...r.ruleErrors.map((e) => `<li data-rule="${esc(e.ruleId)}"><code>${txt(e.ruleId)}</code> failed: ${txt(e.message)}</li>`), `</ul></section>`);
  }
  out.push(`</section>`);
  return out.join('\n');
}

function filtersHtml(run: LintRun, rules: Map<string, RuleMeta>): string {
  const present = new Set(run.results.flatMap((r) => r.findings.filter((f) => !f.suppressed).map((f) => areaOf(f, rules))));
  const box = (value: string, label: string) => `<label><input type="checkbox" value="${value}" checked> ${esc(label)}</label>`;
  return [
    `<form id="filters" hidden>`,
    `<fieldset class="filters"><legend>Show</legend>`,
    ...SEVERITIES.map((s) => box(`severity:${s}`, SEVERITY_TITLE[s].toLowerCase())),
    ...AREAS.filter((a) => present.has(a.id)).map((a) => box(`area:${a.id}`, a.title)),
    box('suppressed', 'suppressed'),
    `</fieldset></form>`,
  ].join('\n');
}

/** The HTML reporter. */
export const htmlReporter: Reporter = (run: LintRun, ctx: ReporterContext) => {
  const rules = new Map(run.rules.map((m) => [m.id, m]));
  const c = countFindings(run.results);
  const ruleErrors = run.results.reduce((n, r) => n + r.ruleErrors.length, 0);
  const csp = `default-src 'none'; style-src ${sha256(CSS)}; script-src ${sha256(JS)}; img-src data:; base-uri 'none'; form-action 'none'`;
  const meta = [
    `<span>${plural(run.results.length, 'target')}</span>`,
    `<span>policy <strong>${txt(run.policy.name)}</strong>${run.policy.files.length ? ` (${txt(run.policy.files.join(', '))})` : ''}</span>`,
    `<span>fail-on ${esc(ctx.failOn)}</span>`,
    `<span>${esc(ctx.toolName)} ${esc(ctx.version)}</span>`,
  ];
  // With --baseline the CLI left the findings the baseline knew out of the results.
  if (run.baselined !== undefined) meta.push(`<span data-baselined="${run.baselined}">${run.baselined} baselined (not shown)</span>`);
  if (ctx.timestamp) meta.push(`<span>generated <time datetime="${esc(ctx.timestamp)}">${esc(ctx.timestamp)}</time></span>`);
  const body: string[] = [
    `<main>`,
    `<header>`,
    `<h1>Production readiness report</h1>`,
    `<p class="meta">${meta.join('')}</p>`,
    countsHtml(c, 'run'),
    ruleErrors ? `<p class="rule-errors">${plural(ruleErrors, 'rule error')}</p>` : '',
    `</header>`,
  ];
  if (run.results.length > 1) {
    body.push(
      `<nav class="targets"><ol>`,
      ...run.results.map((r, i) => `<li><a href="#t${i + 1}">${txt(r.target)}</a> <span class="muted">score ${formatScore(r.score.value)}</span></li>`),
      `</ol></nav>`,
    );
  }
  if (run.results.some((r) => r.findings.length)) body.push(filtersHtml(run, rules));
  if (run.results.length === 0) body.push(`<p class="none">Nothing was linted.</p>`);
  body.push(...run.results.map((r, i) => targetHtml(r, i, run, ctx, rules)));
  body.push(`<footer>Generated by ${esc(ctx.toolName)} ${esc(ctx.version)}. Rule documentation: <a href="${esc(ctx.docsBaseUrl)}">${esc(ctx.docsBaseUrl)}</a>.</footer>`, `</main>`);
  return [
    `<!DOCTYPE html>`,
    `<html lang="en">`,
    `<head>`,
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    `<meta name="generator" content="${esc(`${ctx.toolName} ${ctx.version}`)}">`,
    `<title>${esc(ctx.toolName)} report: ${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')}, ${c.info} info</title>`,
    `<style>${CSS}</style>`,
    `</head>`,
    `<body>`,
    ...body.filter(Boolean),
    `<script>${JS}</script>`,
    `</body>`,
    `</html>`,
    ``,
  ].join('\n');
};
