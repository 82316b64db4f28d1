import { describe, expect, it } from 'vitest';
import { clean, codeFrame, countsText, FRAME_WIDTH, textReporter } from '../../src/report/text.js';
import type { LintRun } from '../../src/report/types.js';
import { context, emptyRun, findingOf, oddRun, referenceRun, richRun, runOf } from '../fixtures/report/runs.js';

const ANSI = /\x1b\[[0-9;]*m/;

/** The block of lines of one target (from its header to its score line). */
function targetBlock(out: string, target: string): string[] {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${target}  [`));
  const end = lines.findIndex((l, i) => i > start && l.startsWith(`${target}: score `));
  expect(start, `header of ${target}`).toBeGreaterThanOrEqual(0);
  expect(end, `score line of ${target}`).toBeGreaterThan(start);
  return lines.slice(start, end + 1);
}

/** The lines of one finding: its headline and the indented lines under it. */
function findingLines(block: string[], headline: string): string[] {
  const i = block.findIndex((l) => l.startsWith(`  ${headline}`));
  expect(i, headline).toBeGreaterThanOrEqual(0);
  const out = [block[i]];
  for (let j = i + 1; j < block.length && block[j].startsWith('    '); j++) out.push(block[j]);
  return out;
}

describe('text reporter', () => {
  const run = richRun();
  const out = textReporter(run, context());

  it('prints no colours unless asked, and ANSI colours when asked', () => {
    expect(out).not.toMatch(ANSI);
    const colored = textReporter(run, context({ color: true }));
    expect(colored).toMatch(/\x1b\[31merror/);
    expect(colored).toMatch(/\x1b\[33mwarning/);
    expect(colored).toMatch(/\x1b\[36minfo/);
    // Same text once the colours are stripped.
    expect(colored.replace(/\x1b\[[0-9;]*m/g, '')).toBe(out);
  });

  it('groups findings by file with file:line:col, severity, message and rule id', () => {
    const block = targetBlock(out, 'values.yaml');
    expect(block[0]).toBe('values.yaml  [values; chart 2023.03.1 from newest line (nothing else decides)]');
    expect(block).toContain('values.yaml');
    const f = findingOf(run, 'values.yaml', 'no-quickstart-minio');
    const lines = findingLines(block, 'values.yaml:3:3');
    expect(lines[0]).toBe(`  values.yaml:3:3  error    ${f.message}  no-quickstart-minio`);
  });

  it('shows a code frame with a caret under the column range, the fix and the provenance', () => {
    const lines = findingLines(targetBlock(out, 'values.yaml'), 'values.yaml:3:3');
    expect(lines.slice(1)).toEqual([
      '      1 | # team values',
      '      2 | deployments:',
      '    > 3 |   minio: true',
      '        |   ^^^^^',
      `    fix: ${findingOf(run, 'values.yaml', 'no-quickstart-minio').fix}`,
      '    from: set by values.yaml:3',
    ]);
  });

  it('names --set flags and chart defaults as provenance', () => {
    const set = findingLines(targetBlock(out, 'set-flag'), 'base.yaml:');
    const minioSet = targetBlock(out, 'set-flag').join('\n');
    expect(minioSet).toContain('    from: set by --set deployments.minio=true');
    expect(set[0]).toMatch(/^ {2}base\.yaml:\d+:\d+ {2}/);
    const defaults = targetBlock(out, 'defaults.yaml').join('\n');
    expect(defaults).toMatch(/ {4}from: chart default \(2023\.03\.1(, assumed)?\)/);
  });

  it('lists related locations of a folded manifest finding', () => {
    const block = targetBlock(out, 'quickstart.rendered.yaml');
    const f = findingOf(run, 'quickstart.rendered.yaml', 'no-quickstart-minio');
    const lines = findingLines(block, `quickstart.rendered.yaml:${f.location!.line}:${f.location!.column}  error    ${f.message}`);
    expect(lines).toContain(`    > ${f.location!.line} | apiVersion: apps/v1`);
    expect(lines).toContain(`    from: Deployment/imply-minio (quickstart.rendered.yaml:${f.location!.line})`);
    for (const r of f.related) expect(lines).toContain(`    related: quickstart.rendered.yaml:${r.line}:${r.column} ${r.object}`);
    expect(f.related.length).toBeGreaterThan(0);
  });

  it('lists suppressed findings separately with their reason', () => {
    const check = (target: string, file: string, reason: string | RegExp) => {
      const block = targetBlock(out, target);
      const at = block.findIndex((l) => /^Suppressed \(\d+\):$/.test(l));
      expect(at, target).toBeGreaterThan(0);
      const isHeadline = (l: string) => /^ {2}\S.*:\d+:\d+ {2}/.test(l) && l.endsWith('  no-quickstart-minio');
      const head = block.findIndex((l, i) => i > at && isHeadline(l));
      expect(block[head]).toMatch(new RegExp(`^ {2}${file.replace(/\./g, '\\.')}:\\d+:\\d+ {2}error`));
      if (typeof reason === 'string') expect(block[head + 1]).toBe(`    suppressed by ${reason}`);
      else expect(block[head + 1].replace(/^ {4}suppressed by /, '')).toMatch(reason);
      // Not in the open findings above.
      expect(block.slice(0, at).some(isHeadline)).toBe(false);
    };
    check('suppressed.yaml', 'suppressed.yaml', 'inline comment (suppressed.yaml:2): MinIO is the staging deep storage, see <ticket> & "notes"');
    check('exempted.yaml', 'exempted.yaml', 'policy exemption (.imply-lint.yaml:4, expires 2099-12-31): Accepted until the S3 bucket exists');
    check('annotated.rendered.yaml', 'annotated.rendered.yaml', /^object annotation \(annotated\.rendered\.yaml:\d+\): demo cluster$/);
  });

  it('prints the score per target and a summary line', () => {
    for (const r of run.results) {
      const block = targetBlock(out, r.target);
      const counts = { errors: 0, warnings: 0, info: 0, suppressed: 0 };
      for (const f of r.findings) {
        if (f.suppressed) counts.suppressed++;
        else if (f.severity === 'error') counts.errors++;
        else if (f.severity === 'warning') counts.warnings++;
        else counts.info++;
      }
      const score = Number.isInteger(r.score.value) ? String(r.score.value) : r.score.value.toFixed(1);
      expect(block.at(-1)).toBe(`${r.target}: score ${score}/100 (production readiness), ${countsText({ ...counts, total: r.findings.length })}`);
    }
    const last = out.trimEnd().split('\n').at(-1)!;
    expect(last).toMatch(/^\d+ errors?, \d+ warnings?, \d+ info, \d+ suppressed \(9 targets, policy production, fail-on error\)$/);
    expect(countsText({ errors: 1, warnings: 2, info: 0, suppressed: 3, total: 6 })).toBe('1 error, 2 warnings, 0 info, 3 suppressed');
  });

  it('says so when a target has no problems', () => {
    const clean = runOf([{ target: 'clean.yaml', values: [{ path: 'clean.yaml', text: 'a: 1\n' }], policy: { rules: Object.fromEntries(run.rules.map((m) => [m.id, { severity: 'off' as const }])) } }]);
    const text = textReporter(clean, context());
    expect(text).toContain('  no problems found');
    expect(text).toContain('clean.yaml: score 100/100');
    expect(textReporter(emptyRun(), context())).toBe('0 errors, 0 warnings, 0 info, 0 suppressed (0 targets, policy production, fail-on error)\n');
  });

  it('shows one frame for consecutive findings at the same place', () => {
    const r = runOf([{ target: 'root.yaml', values: [{ path: 'root.yaml', text: 'a: 1\n' }] }]);
    const atRoot = r.results[0].findings.filter((f) => !f.suppressed && f.location?.line === 1 && f.location.column === 1);
    expect(atRoot.length).toBeGreaterThan(1);
    const text = textReporter(r, context());
    expect(text.split('\n').filter((l) => l === '    > 1 | a: 1')).toHaveLength(1);
    expect(text.split('\n').filter((l) => l.startsWith('  root.yaml:1:1  '))).toHaveLength(atRoot.length);
  });

  it('never echoes control characters from user files', () => {
    const odd = textReporter(oddRun(), context({ color: false }));
    expect(odd).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(odd).toContain('inline comment (we,ird:name%<&>.yaml:2): escape \\u001b[31mred\\u001b[0m, bell \\u0007 and <b>&amp;</b>');
    expect(clean('a\nb\u202ec')).toBe('a\\nb\\u202ec');
  });

  it('keeps carets aligned after tabs and windows long lines', () => {
    const tabbed = codeFrame('x:\n\tkey: "v"\n', { file: 'f', line: 2, column: 2, endLine: 2, endColumn: 5 });
    expect(tabbed).toEqual(['  1 | x:', '> 2 | \tkey: "v"', '    | \t^^^']);
    const long = `k: "${'x'.repeat(300)}TARGET${'y'.repeat(300)}"`;
    const col = long.indexOf('TARGET') + 1;
    const frame = codeFrame(`${long}\n`, { file: 'f', line: 1, column: col, endLine: 1, endColumn: col + 6 });
    expect(frame[0].length).toBeLessThanOrEqual(FRAME_WIDTH + 10);
    expect(frame[0]).toMatch(/^> 1 \| …x+TARGETy+…$/);
    const caretAt = frame[1].indexOf('^');
    expect(frame[0].slice(caretAt, caretAt + 6)).toBe('TARGET');
    expect(frame[1].endsWith('^^^^^^')).toBe(true);
    expect(codeFrame(undefined, { file: 'f', line: 1, column: 1, endLine: 1, endColumn: 1 })).toEqual([]);
    expect(codeFrame('a: 1\n', { file: 'f', line: 9, column: 1, endLine: 9, endColumn: 1 })).toEqual([]);
  });

  it('shows rule errors and works on the real chart files', () => {
    const r: LintRun = { ...run, results: [{ ...run.results[0], ruleErrors: [{ ruleId: 'zookeeper-ha', message: 'boom' }] }] };
    const text = textReporter(r, context());
    expect(text).toContain('  rule zookeeper-ha failed: boom');
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/, 1 rule error \(1 target,/);
    const ref = textReporter(referenceRun(), context());
    for (const t of ['values.public-user-copy.yaml', 'production-overrides.yaml', 'quickstart.rendered.yaml', 'production.rendered.yaml', 'features.rendered.yaml']) {
      targetBlock(ref, t);
    }
    expect(ref).toContain('values.public-user-copy.yaml:');
  });
});
