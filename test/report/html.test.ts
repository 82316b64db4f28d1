import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AREAS, esc, htmlReporter } from '../../src/report/html.js';
import { codeFrame, textReporter } from '../../src/report/text.js';
import type { LintRun } from '../../src/report/types.js';
import { ruleDocUrl } from '../../src/report/types.js';
import type { Finding, LintResult } from '../../src/rules/types.js';
import { context, DOCS, emptyRun, findingOf, HOSTILE_VALUES, oddRun, richRun, runOf } from '../fixtures/report/runs.js';


function hostileRun(): LintRun {
  return runOf([{ target: 'hostile <values>.yaml', values: [{ path: 'hostile <values>.yaml', text: HOSTILE_VALUES }] }]);
}

function unescape(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** Visible text of an HTML fragment (tags dropped, entities decoded). */
function textOf(html: string): string {
  return unescape(html.replace(/<[^>]*>/g, ''));
}

const VOID = new Set(['meta', 'input', 'br', 'hr', 'img', 'link', 'wbr']);

/** Checks that elements nest properly (no user text broke out of its element) and returns the names of the opened elements. */
function checkTags(html: string): string[] {
  const body = html.replace(/<style>[\s\S]*?<\/style>/, '<style></style>').replace(/<script>[\s\S]*?<\/script>/, '<script></script>');
  const stack: string[] = [];
  const names: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)(?:\s[^<>]*)?>|<!DOCTYPE html>/g)) {
    if (!m[2]) continue;
    const name = m[2].toLowerCase();
    if (!m[1]) names.push(name);
    if (VOID.has(name)) continue;
    if (m[1]) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else stack.push(name);
  }
  expect(stack).toEqual([]);
  // No stray angle brackets outside tags: user text is escaped.
  expect(body.replace(/<(\/?)([a-zA-Z][\w-]*)(?:\s[^<>]*)?>|<!DOCTYPE html>/g, '')).not.toMatch(/[<>]/);
  return names;
}

/** The HTML of one target's section. */
function sectionOf(html: string, r: LintResult, run: LintRun): string {
  const i = run.results.indexOf(r);
  const start = html.indexOf(`<section class="target" id="t${i + 1}"`);
  expect(start, r.target).toBeGreaterThan(0);
  const next = html.indexOf(`<section class="target" id="t${i + 2}"`, start);
  return html.slice(start, next < 0 ? html.indexOf('<footer>', start) : next);
}

/** The `<li class="finding"...>` … `</li>` blocks of a section, with their attributes. */
function findingBlocks(section: string, cls = 'finding'): { attrs: Record<string, string>; html: string }[] {
  const out: { attrs: Record<string, string>; html: string }[] = [];
  for (const m of section.matchAll(new RegExp(`<li class="${cls}"([^>]*)>([\\s\\S]*?)\\n</li>`, 'g'))) {
    const attrs = Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], unescape(a[2])]));
    out.push({ attrs, html: m[2] });
  }
  return out;
}

function blockOf(section: string, f: Finding, cls = 'finding') {
  const b = findingBlocks(section, cls).find((x) => x.attrs['data-fingerprint'] === f.fingerprint && x.attrs['data-rule'] === f.ruleId);
  expect(b, `${f.ruleId} ${f.fingerprint}`).toBeDefined();
  return b!;
}

function sha256(s: string): string {
  return `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
}

describe('html reporter', () => {
  const run = richRun();
  const out = htmlReporter(run, context());

  it('writes one self-contained HTML5 document: nothing fetched, inline style and script pinned by a CSP', () => {
    expect(out.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')).toBe(true);
    expect(out.endsWith('</html>\n')).toBe(true);
    const tags = checkTags(out);
    expect(tags.filter((t) => t === 'style')).toHaveLength(1);
    expect(tags.filter((t) => t === 'script')).toHaveLength(1);
    for (const t of ['link', 'img', 'iframe', 'object', 'embed', 'base', 'video', 'audio', 'source']) expect(tags, t).not.toContain(t);
    // No attribute loads anything; the only URLs are rule-doc links and in-page anchors.
    expect(out).not.toMatch(/\ssrc\s*=/i);
    expect(out).not.toMatch(/\s(srcset|poster|data|action|formaction)\s*=/i);
    const style = out.match(/<style>([\s\S]*?)<\/style>/)![1];
    const script = out.match(/<script>([\s\S]*?)<\/script>/)![1];
    expect(style).not.toMatch(/@import|url\(|@font-face/i);
    expect(script).not.toMatch(/fetch|XMLHttpRequest|import\(|https?:|innerHTML|eval/);
    const hrefs = [...out.matchAll(/\shref="([^"]*)"/g)].map((m) => unescape(m[1]));
    expect(hrefs.length).toBeGreaterThan(run.results.length);
    for (const h of hrefs) expect(h.startsWith('#') || h.startsWith(DOCS), h).toBe(true);
    // Any attribute holding a URL is a docs link (user text quoting URLs, e.g. in code frames, is escaped text).
    const tagsText = [...out.matchAll(/<[a-zA-Z][^<>]*>/g)].map((m) => m[0]);
    let urls = 0;
    for (const t of tagsText) {
      for (const a of t.matchAll(/\s([\w-]+)="([^"]*)"/g)) {
        if (!/^\s*((https?|ftp|file|data|javascript|blob|wss?):|\/\/)/i.test(unescape(a[2]))) continue;
        urls++;
        expect(`${a[1]}=${unescape(a[2])}`).toMatch(new RegExp(`^href=${DOCS.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
      }
    }
    expect(urls).toBeGreaterThan(0);
    const csp = out.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/)![1];
    expect(csp).toBe(`default-src 'none'; style-src ${sha256(style)}; script-src ${sha256(script)}; img-src data:; base-uri 'none'; form-action 'none'`);
    expect(out).toMatch(/<title>imply-lint report: \d+ errors?, \d+ warnings?, \d+ info<\/title>/);
  });

  it('escapes user input everywhere: messages, code frames, suppression reasons, file names', () => {
    const hostile = hostileRun();
    const html = htmlReporter(hostile, context());
    checkTags(html);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/<img|<b>|alert\(1\)<|<\/pre><(?!\/)/);
    expect(html.match(/<pre/g)?.length).toBe(html.match(/<\/pre>/g)?.length);
    const [r] = hostile.results;
    const section = sectionOf(html, r, hostile);
    expect(section).toContain('<h2>hostile &lt;values&gt;.yaml</h2>');
    const unknown = findingOf(hostile, r.target, 'unknown-key');
    const u = blockOf(section, unknown);
    expect(textOf(u.html)).toContain(unknown.message);
    expect(u.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // The code frame quotes the line, escaped, with the same text as the text reporter.
    const frame = u.html.match(/<pre class="frame"[^>]*>([\s\S]*?)<\/pre>/)![1];
    expect(textOf(frame).split('\n')).toEqual(codeFrame(hostile.sources[r.target], unknown.location!));
    expect(textOf(frame)).toContain('"<script>alert(1)</script>": "</pre><img src=http://example.com/x.png>"');
    const tag = blockOf(section, findingOf(hostile, r.target, 'image-tag-pinned'));
    expect(textOf(tag.html)).toContain('imply/manager:</pre><script>alert(2)</script>');
    const minio = blockOf(section, findingOf(hostile, r.target, 'no-quickstart-minio'), 'suppressed-finding');
    expect(minio.html).toContain('<span class="reason">see &lt;/pre&gt;&lt;script&gt;alert(&quot;reason&quot;)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt;</span>');
  });

  it('escapes the five HTML metacharacters and drops what UTF-8 cannot carry', () => {
    expect(esc(`<a href="x" onclick='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(esc('a\u0000b\ud800c\u{1F600}')).toBe('a\uFFFDb\uFFFDc\u{1F600}');
    const odd = oddRun();
    const html = htmlReporter(odd, context());
    checkTags(html);
    expect(html).toContain('data-target="we,ird:name%&lt;&amp;&gt;.yaml"');
    // Terminal escapes from a suppression reason are shown as text, never raw.
    expect(html).not.toMatch(/\x1b|\x07/);
  });

  it('shows per target the readiness score, the counts by severity and the findings grouped by area then severity', () => {
    const categories = new Map(run.rules.map((m) => [m.id, m.category as string]));
    const areaOrder = AREAS.map((a) => a.id as string);
    for (const r of run.results) {
      const section = sectionOf(out, r, run);
      expect(section).toContain(`data-score="${r.score.value}"`);
      const shown = Number.isInteger(r.score.value) ? String(r.score.value) : r.score.value.toFixed(1);
      expect(section).toContain(`<div class="score-value">${shown}</div>`);
      expect(section).toContain(`passed weight ${r.score.passedWeight} of ${r.score.applicableWeight}`);
      const open = r.findings.filter((f) => !f.suppressed);
      const count = (sev: string) => open.filter((f) => f.severity === sev).length;
      for (const sev of ['error', 'warning', 'info']) expect(section, `${r.target} ${sev}`).toMatch(new RegExp(`<li data-count-of="${sev}" data-count="${count(sev)}"><span class="n">${count(sev)}</span>`));
      expect(section).toContain(`<li data-count-of="suppressed" data-count="${r.findings.length - open.length}">`);

      const blocks = findingBlocks(section);
      expect(blocks.map((b) => b.attrs['data-fingerprint'] + b.attrs['data-rule']).sort()).toEqual(open.map((f) => f.fingerprint + f.ruleId).sort());
      // Areas in the catalogue's order, severities in rank order within an area.
      const seen = blocks.map((b) => [areaOrder.indexOf(b.attrs['data-area']), ['error', 'warning', 'info'].indexOf(b.attrs['data-severity'])]);
      const sorted = [...seen].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      expect(seen).toEqual(sorted);
      for (const b of blocks) expect(b.attrs['data-area']).toBe(categories.get(b.attrs['data-rule']) ?? 'other');
      // The area table agrees with the findings.
      for (const area of new Set(blocks.map((b) => b.attrs['data-area']))) {
        const row = section.match(new RegExp(`<tr data-area="${area}">(.*?)</tr>`))![1];
        for (const sev of ['error', 'warning', 'info']) {
          const n = blocks.filter((b) => b.attrs['data-area'] === area && b.attrs['data-severity'] === sev).length;
          expect(row).toContain(`<td data-count-of="${sev}" data-count="${n}">${n}</td>`);
        }
      }
      if (open.length === 0) expect(section).toContain('<p class="none">No problems found.</p>');
    }
    // Run totals in the header.
    const header = out.slice(out.indexOf('<header>'), out.indexOf('</header>'));
    const all = run.results.flatMap((r) => r.findings);
    expect(header).toContain(`<li data-count-of="error" data-count="${all.filter((f) => !f.suppressed && f.severity === 'error').length}">`);
    expect(header).toContain(`<li data-count-of="suppressed" data-count="${all.filter((f) => f.suppressed).length}">`);
    expect(header).toContain('policy <strong>production</strong>');
    expect(header).toContain('fail-on error');
  });

  it('shows each finding with its docs link, message, location, code frame (as the text reporter), fix, provenance, fingerprint', () => {
    const r = run.results.find((x) => x.target === 'values.yaml')!;
    const f = findingOf(run, 'values.yaml', 'no-quickstart-minio');
    const b = blockOf(sectionOf(out, r, run), f);
    expect(b.attrs['data-severity']).toBe('error');
    expect(b.html).toContain(`<a class="rule" href="${ruleDocUrl(context(), 'no-quickstart-minio')}" title="${esc(run.rules.find((m) => m.id === f.ruleId)!.title)}">no-quickstart-minio</a>`);
    expect(b.html).toContain(`<span class="message">${esc(f.message)}</span>`);
    expect(b.html).toContain('<div class="loc">values.yaml:3:3</div>');
    expect(b.html).toContain(`<dd class="fix">${esc(f.fix)}</dd>`);
    expect(b.html).toContain('<dd class="provenance">set by values.yaml:3</dd>');
    expect(b.html).toContain(`<code class="fingerprint">${f.fingerprint}</code>`);
    expect(b.html).toContain('<dt>path</dt><dd><code>deployments.minio</code></dd>');
    const frame = b.html.match(/<pre class="frame" data-file="values.yaml" data-line="3">([\s\S]*?)<\/pre>/)![1];
    expect(frame).toContain('<span class="hit">&gt; 3 |   minio: true</span>');
    expect(frame).toContain('<span class="caret">    |   ^^^^^</span>');
    // The same lines as the text reporter's frame.
    const text = textReporter(run, context()).split('\n');
    const at = text.indexOf(`  values.yaml:3:3  error    ${f.message}  no-quickstart-minio`);
    expect(textOf(frame).split('\n')).toEqual(text.slice(at + 1, at + 5).map((l) => l.slice(4)));
    // Every finding row links to its rule's page.
    for (const x of findingBlocks(out).concat(findingBlocks(out, 'suppressed-finding'))) {
      expect(x.html).toContain(`<a class="rule" href="${DOCS}/${x.attrs['data-rule']}.md"`);
    }
  });

  it('lists related locations of a folded manifest finding', () => {
    const r = run.results.find((x) => x.target === 'quickstart.rendered.yaml')!;
    const f = findingOf(run, r.target, 'no-quickstart-minio');
    expect(f.related.length).toBeGreaterThan(0);
    const b = blockOf(sectionOf(out, r, run), f);
    for (const x of f.related) expect(b.html).toContain(`<li class="related"><span class="loc">${x.file}:${x.line}:${x.column}</span> <code>${x.object}</code></li>`);
    expect(b.html).toContain(`<dt>object</dt><dd><code>${f.object}</code></dd>`);
  });

  it('lists suppressed findings apart, with kind, place, reason and expiry', () => {
    const check = (target: string, kind: string, suppression: string) => {
      const r = run.results.find((x) => x.target === target)!;
      const section = sectionOf(out, r, run);
      const f = findingOf(run, target, 'no-quickstart-minio');
      expect(f.suppressed?.kind).toBe(kind);
      const b = blockOf(section, f, 'suppressed-finding');
      expect(b.attrs['data-suppression-kind']).toBe(kind);
      expect(textOf(b.html.match(/<dd class="suppression">(.*?)<\/dd>/)![1])).toBe(suppression);
      expect(findingBlocks(section).some((x) => x.attrs['data-fingerprint'] === f.fingerprint)).toBe(false);
      const n = r.findings.filter((x) => x.suppressed).length;
      expect(section).toContain(`<section class="suppressed" data-count="${n}">\n<h3>Suppressed <span class="muted">(${n})</span></h3>`);
    };
    check('suppressed.yaml', 'inline', 'inline comment at suppressed.yaml:2: MinIO is the staging deep storage, see <ticket> & "notes"');
    check('exempted.yaml', 'policy', 'policy exemption at .imply-lint.yaml:4, expires 2099-12-31: Accepted until the S3 bucket exists');
    const annotated = findingOf(run, 'annotated.rendered.yaml', 'no-quickstart-minio').suppressed!.location!.line;
    check('annotated.rendered.yaml', 'annotation', `object annotation at annotated.rendered.yaml:${annotated}: demo cluster`);
    expect(out).toContain('see &lt;ticket&gt; &amp; &quot;notes&quot;');
    // A target without suppressions has no such section.
    expect(sectionOf(out, run.results.find((x) => x.target === 'values.yaml')!, run)).not.toContain('class="suppressed"');
  });

  it('says so when a target has no problems, and when nothing was linted', () => {
    const rules = richRun().rules;
    const clean = runOf([{ target: 'clean.yaml', values: [{ path: 'clean.yaml', text: 'a: 1\n' }], policy: { rules: Object.fromEntries(rules.map((m) => [m.id, { severity: 'off' as const }])) } }]);
    const html = htmlReporter(clean, context());
    checkTags(html);
    expect(html).toContain('<p class="none">No problems found.</p>');
    expect(html).toContain('<div class="score ok" data-score="100"');
    expect(html).not.toContain('id="filters"');
    const empty = htmlReporter(emptyRun(), context());
    checkTags(empty);
    expect(empty).toContain('<p class="none">Nothing was linted.</p>');
    expect(empty).toContain('<li data-count-of="error" data-count="0">');
  });

  it('is deterministic: a timestamp only when the context carries one; the docs base URL is honoured', () => {
    expect(htmlReporter(richRun(), context())).toBe(out);
    expect(out).not.toMatch(/<time/);
    const stamped = htmlReporter(run, context({ timestamp: '2026-01-02T03:04:05Z' }));
    expect(stamped).toContain('<time datetime="2026-01-02T03:04:05Z">2026-01-02T03:04:05Z</time>');
    const other = htmlReporter(run, context({ docsBaseUrl: 'https://docs.example.org/r/?a="b"&c=1/' }));
    expect(other).toContain('href="https://docs.example.org/r/?a=&quot;b&quot;&amp;c=1/no-quickstart-minio.md"');
  });

  it('shows the baselined count when the CLI left known findings out', () => {
    const html = htmlReporter({ ...run, baselined: 4 }, context());
    expect(html).toContain('<span data-baselined="4">4 baselined (not shown)</span>');
    expect(out).not.toContain('baselined');
  });
});
