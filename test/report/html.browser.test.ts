// The HTML report in a real headless browser (Debian's chromium driven by playwright-core; no browser is
// downloaded): the page renders, what it shows agrees with the JSON report of the same inputs, it loads
// nothing, logs no errors and runs no injected script. CI installs chromium (scripts/ci-services.sh).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/report/json.js';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import { cli, REF23, ROOT } from '../helpers/cli.js';
import { HOSTILE_VALUES as HOSTILE_FIXTURE } from '../fixtures/report/runs.js';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

const HOSTILE_VALUES = ['# imply-lint-disable-file no-plaintext-secrets -- lab secrets, rotated </pre> nightly', HOSTILE_FIXTURE].join('\n');

const POLICY = [
  'extends: production',
  'exemptions:',
  '  - rule: zookeeper-ha',
  '    reason: Single ZooKeeper until <the ensemble> & "ops" are ready',
  '    expires: 2099-12-31',
  '',
].join('\n');

interface Case {
  name: string;
  json: JsonReport;
  file: string;
}

/** What the page shows, read from the DOM in the browser. */
interface Shown {
  title: string;
  run: Record<string, number>;
  targets: {
    target: string;
    score: string;
    scoreVisible: boolean;
    counts: Record<string, number>;
    rows: { rule: string; severity: string; fingerprint: string; href: string; linkText: string; visible: boolean }[];
    suppressed: { rule: string; kind: string; fingerprint: string; href: string; text: string }[];
  }[];
}

async function shown(page: Page): Promise<Shown> {
  return page.evaluate(() => {
    const num = (el: Element | null) => Number(el?.getAttribute('data-count'));
    const counts = (ul: Element | null) => Object.fromEntries([...(ul?.querySelectorAll('li[data-count-of]') ?? [])].map((li) => [li.getAttribute('data-count-of')!, Number(li.querySelector('.n')!.textContent)]));
    return {
      title: document.title,
      run: counts(document.querySelector('header ul.counts')),
      targets: [...document.querySelectorAll('section.target')].map((s) => ({
        target: s.getAttribute('data-target')!,
        score: (s.querySelector('.score-value') as HTMLElement).innerText,
        scoreVisible: (s.querySelector('.score-value') as HTMLElement).checkVisibility(),
        counts: { ...counts(s.querySelector('ul.counts')), suppressedSection: s.querySelector('section.suppressed') ? num(s.querySelector('section.suppressed')) : 0 },
        rows: [...s.querySelectorAll('li.finding')].map((li) => {
          const a = li.querySelector('a.rule') as HTMLAnchorElement | null;
          return {
            rule: li.getAttribute('data-rule')!,
            severity: li.getAttribute('data-severity')!,
            fingerprint: li.getAttribute('data-fingerprint')!,
            href: a?.getAttribute('href') ?? '',
            linkText: a?.textContent ?? '',
            visible: (li as HTMLElement).checkVisibility(),
          };
        }),
        suppressed: [...s.querySelectorAll('li.suppressed-finding')].map((li) => ({
          rule: li.getAttribute('data-rule')!,
          kind: li.getAttribute('data-suppression-kind')!,
          fingerprint: li.getAttribute('data-fingerprint')!,
          href: li.querySelector('a.rule')?.getAttribute('href') ?? '',
          text: (li as HTMLElement).innerText,
        })),
      })),
    };
  });
}

function formatScore(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function tally(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

describe('html report in chromium', () => {
  let browser: Browser;
  let tmp: string;
  const cases: Case[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium, as scripts/ci-services.sh does) or set CHROMIUM_BIN`);
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-html-'));

    // 1. The quickstart example values and the real chart's quickstart rendering.
    const inputs = ['examples/quickstart-values.yaml', path.join(REF23, 'quickstart.rendered.yaml')];
    const qsHtml = path.join(tmp, 'quickstart.html');
    const a = await cli([...inputs, '--format', 'json']);
    const b = await cli([...inputs, '--format', 'html', '-o', qsHtml]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([1, 1, '', '']);
    cases.push({ name: 'quickstart', json: JSON.parse(a.stdout) as JsonReport, file: qsHtml });

    // 2. Suppressions of every kind, with markup in the values and in the reasons.
    const dir = path.join(tmp, 'suppressions');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, '.imply-lint.yaml'), POLICY);
    fs.writeFileSync(path.join(dir, 'hostile.yaml'), HOSTILE_VALUES);
    const stream = fs.readFileSync(path.join(REF23, 'quickstart.rendered.yaml'), 'utf8');
    const annotated = stream.replace(
      /(# Source: imply\/charts\/minio\/templates\/deployment\.yaml\napiVersion: apps\/v1\nkind: Deployment\nmetadata:\n)/,
      '$1  annotations:\n    imply-lint.io/exempt: no-quickstart-minio\n    imply-lint.io/exempt-reason: demo cluster <until Q3>\n',
    );
    expect(annotated).not.toBe(stream);
    fs.writeFileSync(path.join(dir, 'annotated.rendered.yaml'), annotated);
    const c = await cli(['hostile.yaml', 'annotated.rendered.yaml', '--format', 'json'], { cwd: dir });
    const d = await cli(['hostile.yaml', 'annotated.rendered.yaml', '--format', 'html'], { cwd: dir });
    expect([c.code, d.code, c.stderr, d.stderr]).toEqual([1, 1, '', '']);
    const supHtml = path.join(tmp, 'suppressions.html');
    fs.writeFileSync(supHtml, d.stdout);
    cases.push({ name: 'suppressions', json: JSON.parse(c.stdout) as JsonReport, file: supHtml });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Opens a report; returns the page plus everything it logged, requested or popped up. */
  async function open(file: string, opts: { javaScriptEnabled?: boolean } = {}) {
    const context = await browser.newContext({ viewport: { width: 1200, height: 1400 }, ...opts });
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (dlg) => {
      problems.push(`dialog: ${dlg.message()}`);
      void dlg.dismiss();
    });
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(file).href;
    const res = await page.goto(url, { waitUntil: 'load' });
    expect(res?.ok() ?? true).toBe(true);
    return { page, context, problems, requests, url };
  }

  it('has two reports to check, with findings and suppressions of every kind', () => {
    expect(cases.map((c) => c.name)).toEqual(['quickstart', 'suppressions']);
    expect(cases[0].json.summary.errors).toBeGreaterThan(0);
    const kinds = new Set(cases[1].json.results.flatMap((r) => r.findings.filter((f) => f.suppressed).map((f) => f.suppression!.kind)));
    expect([...kinds].sort()).toEqual(['annotation', 'file', 'inline', 'policy']);
  });

  for (const name of ['quickstart', 'suppressions']) {
    it(`${name}: renders, shows what the JSON report says, loads nothing and logs no errors`, async () => {
      const c = cases.find((x) => x.name === name)!;
      const { page, context, problems, requests, url } = await open(c.file);
      try {
        const s = await shown(page);
        const j = c.json;
        expect(s.title).toBe(`imply-lint report: ${j.summary.errors} errors, ${j.summary.warnings} warnings, ${j.summary.info} info`);
        expect(await page.locator('h1').innerText()).toBe('Production readiness report');
        expect(s.run).toEqual({ error: j.summary.errors, warning: j.summary.warnings, info: j.summary.info, suppressed: j.summary.suppressed });
        expect(s.targets.map((t) => t.target)).toEqual(j.results.map((r) => r.target));
        j.results.forEach((r, i) => {
          const t = s.targets[i];
          expect(t.scoreVisible, r.target).toBe(true);
          expect(t.score, r.target).toBe(formatScore(r.score.value));
          expect(Number(t.score)).toBe(r.score.value);
          expect(t.counts).toEqual({ error: r.counts.errors, warning: r.counts.warnings, info: r.counts.info, suppressed: r.counts.suppressed, suppressedSection: r.counts.suppressed });
          const open = r.findings.filter((f) => !f.suppressed);
          // Per severity and per rule, the rows in the DOM are the JSON's findings.
          expect(tally(t.rows.map((x) => x.severity))).toEqual(tally(open.map((f) => f.severity)));
          expect(tally(t.rows.map((x) => x.rule))).toEqual(tally(open.map((f) => f.ruleId)));
          expect(t.rows.map((x) => `${x.rule} ${x.severity} ${x.fingerprint}`).sort()).toEqual(open.map((f) => `${f.ruleId} ${f.severity} ${f.fingerprint}`).sort());
          const help = new Map(r.findings.map((f) => [f.ruleId, f.helpUri]));
          for (const row of t.rows) {
            expect(row.href).toBe(help.get(row.rule));
            expect(row.href.endsWith(`/${row.rule}.md`)).toBe(true);
            expect(row.linkText).toBe(row.rule);
            expect(row.visible).toBe(true);
          }
          const sup = r.findings.filter((f) => f.suppressed);
          expect(t.suppressed).toHaveLength(sup.length);
          expect(t.suppressed.map((x) => `${x.rule} ${x.kind} ${x.fingerprint}`).sort()).toEqual(sup.map((f) => `${f.ruleId} ${f.suppression!.kind} ${f.fingerprint}`).sort());
          for (const x of t.suppressed) {
            const f = sup.find((y) => y.fingerprint === x.fingerprint && y.ruleId === x.rule)!;
            expect(x.text).toContain(f.suppression!.reason);
            if (f.suppression!.expires) expect(x.text).toContain(`expires ${f.suppression!.expires}`);
            expect(x.href).toBe(f.helpUri);
          }
        });
        expect(problems).toEqual([]);
        expect(requests).toEqual([url]);
        // No injected markup became an element.
        expect(await page.locator('section.target img, section.target b, section.target script').count()).toBe(0);
      } finally {
        await context.close();
      }
    });
  }

  it('filters by severity and area with the inline script, and reads fully without it', async () => {
    const c = cases.find((x) => x.name === 'quickstart')!;
    const { page, context, problems } = await open(c.file);
    try {
      const visible = (sel: string) => page.evaluate((q) => [...document.querySelectorAll(q)].filter((e) => (e as HTMLElement).checkVisibility()).length, sel);
      const warnings = c.json.summary.warnings;
      expect(warnings).toBeGreaterThan(0);
      expect(await page.locator('#filters').isVisible()).toBe(true);
      expect(await visible('li.finding[data-severity="warning"]')).toBe(warnings);
      await page.getByLabel('warnings', { exact: true }).uncheck();
      expect(await visible('li.finding[data-severity="warning"]')).toBe(0);
      expect(await visible('li.finding[data-severity="error"]')).toBe(c.json.summary.errors);
      await page.getByLabel('Security', { exact: true }).uncheck();
      const category = new Map(BUILTIN_RULES.map((r) => [r.meta.id, r.meta.category as string]));
      const open = c.json.results.flatMap((r) => r.findings).filter((f) => !f.suppressed);
      const securityErrors = open.filter((f) => f.severity === 'error' && category.get(f.ruleId) === 'security').length;
      expect(securityErrors).toBeGreaterThan(0);
      expect(await visible('li.finding[data-area="security"]')).toBe(0);
      expect(await visible('section.area[data-area="security"]')).toBe(0);
      expect(await visible('li.finding[data-severity="error"]')).toBe(c.json.summary.errors - securityErrors);
      await page.getByLabel('warnings', { exact: true }).check();
      await page.getByLabel('Security', { exact: true }).check();
      expect(await visible('li.finding')).toBe(c.json.summary.errors + warnings + c.json.summary.info);

      const shot = path.join(process.env.HTML_REPORT_SCREENSHOT_DIR ?? tmp, 'html-report.png');
      await page.screenshot({ path: shot, fullPage: false });
      expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
    const noJs = await open(c.file, { javaScriptEnabled: false });
    try {
      expect(await noJs.page.locator('#filters').isVisible()).toBe(false);
      const rows = noJs.page.locator('li.finding');
      expect(await rows.count()).toBe(c.json.summary.errors + c.json.summary.warnings + c.json.summary.info);
      for (const row of await rows.all()) expect(await row.isVisible()).toBe(true);
      expect(noJs.problems).toEqual([]);
    } finally {
      await noJs.context.close();
    }
  });

  it('the page is the same however it is produced (stdout or -o)', async () => {
    const inputs = ['examples/quickstart-values.yaml', path.join(REF23, 'quickstart.rendered.yaml')];
    const viaStdout = await cli([...inputs, '--format', 'html'], { cwd: ROOT });
    expect(viaStdout.stdout).toBe(fs.readFileSync(cases[0].file, 'utf8'));
  });
});
