import { describe, expect, it } from 'vitest';
import { junitReporter, xmlAttr, xmlText } from '../../src/report/junit.js';
import { context, emptyRun, findingOf, oddRun, referenceRun, richRun } from '../fixtures/report/runs.js';
import { kids, parseXml } from '../fixtures/report/xml.js';

describe('junit reporter', () => {
  const run = richRun();
  const xml = junitReporter(run, context());
  const root = parseXml(xml);
  const suites = kids(root, 'testsuite');

  it('is well-formed XML with one testsuite per target', () => {
    expect(root.name).toBe('testsuites');
    expect(root.attrs.name).toBe('imply-lint');
    expect(suites.map((s) => s.attrs.name)).toEqual(run.results.map((r) => r.target));
  });

  it('has one testcase per applicable rule and a failure per unsuppressed finding', () => {
    run.results.forEach((r, i) => {
      const cases = kids(suites[i], 'testcase');
      const names = cases.map((c) => c.attrs.name);
      for (const id of r.applicable) expect(names).toContain(id);
      expect(new Set(names).size).toBe(names.length);
      for (const c of cases) {
        const open = r.findings.filter((f) => f.ruleId === c.attrs.name && !f.suppressed);
        const failures = kids(c, 'failure');
        expect(failures.map((f) => f.attrs.message)).toEqual(open.map((f) => f.message));
        expect(failures.map((f) => f.attrs.type)).toEqual(open.map((f) => f.severity));
      }
      const failedCases = cases.filter((c) => kids(c, 'failure').length > 0).length;
      expect(suites[i].attrs.tests).toBe(String(cases.length));
      expect(suites[i].attrs.failures).toBe(String(failedCases));
    });
    const total = suites.reduce((n, s) => n + Number(s.attrs.tests), 0);
    expect(root.attrs.tests).toBe(String(total));
  });

  it('puts location, provenance and fix in the failure body', () => {
    const suite = suites[run.results.findIndex((r) => r.target === 'values.yaml')];
    const tc = kids(suite, 'testcase').find((c) => c.attrs.name === 'no-quickstart-minio')!;
    expect(tc.attrs.classname).toBe('imply-lint.quickstart');
    const body = kids(tc, 'failure')[0].text;
    expect(body.split('\n')[0]).toBe('values.yaml:3:3');
    expect(body).toContain('path: deployments.minio');
    expect(body).toContain('from: values.yaml:3');
    expect(body).toContain(`fix: ${findingOf(run, 'values.yaml', 'no-quickstart-minio').fix}`);
    expect(body).toContain('docs: https://github.com/imply-lint/imply-lint/blob/main/docs/rules/no-quickstart-minio.md');
  });

  it('marks a rule whose findings are all suppressed as skipped, with the reason', () => {
    for (const [target, reason] of [
      ['suppressed.yaml', 'inline: MinIO is the staging deep storage, see <ticket> & "notes"'],
      ['exempted.yaml', 'policy: Accepted until the S3 bucket exists'],
      ['annotated.rendered.yaml', 'annotation: demo cluster'],
    ]) {
      const suite = suites[run.results.findIndex((r) => r.target === target)];
      const tc = kids(suite, 'testcase').find((c) => c.attrs.name === 'no-quickstart-minio')!;
      expect(kids(tc, 'failure'), target).toHaveLength(0);
      expect(kids(tc, 'skipped')[0].attrs.message, target).toBe(`suppressed (${reason})`);
      expect(Number(suite.attrs.skipped)).toBeGreaterThanOrEqual(1);
    }
  });

  it('uses the severity of the policy as failure type', () => {
    for (const [target, type] of [['warning.yaml', 'warning'], ['info.yaml', 'info']]) {
      const suite = suites[run.results.findIndex((r) => r.target === target)];
      const tc = kids(suite, 'testcase').find((c) => c.attrs.name === 'no-quickstart-minio')!;
      expect(kids(tc, 'failure')[0].attrs.type).toBe(type);
    }
  });

  it('carries the score and chart line as suite properties', () => {
    run.results.forEach((r, i) => {
      const props = Object.fromEntries(kids(kids(suites[i], 'properties')[0], 'property').map((p) => [p.attrs.name, p.attrs.value]));
      expect(Number(props.score)).toBe(r.score.value);
      expect(props.chartLine).toBe(r.chartLine);
      expect(props.failOn).toBe('error');
    });
  });

  it('escapes markup, quotes and line breaks, and replaces characters XML cannot carry', () => {
    expect(xmlText('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(xmlAttr(`"x" 'y'\n\tz`)).toBe('&quot;x&quot; &apos;y&apos;&#10;&#9;z');
    expect(xmlText('esc \u001b bell \u0007 \ud800 ok \u{1F600}')).toBe('esc \uFFFD bell \uFFFD \uFFFD ok \u{1F600}');
    const odd = oddRun();
    const doc = junitReporter(odd, context());
    const parsed = parseXml(doc);
    const names = kids(parsed, 'testsuite').map((s) => s.attrs.name);
    expect(names).toEqual(['odd/emoji values.yaml', 'we,ird:name%<&>.yaml']);
    const weird = kids(parsed, 'testsuite')[1];
    const tc = kids(weird, 'testcase').find((c) => c.attrs.name === 'no-quickstart-minio')!;
    // The suppression reason carried ESC and BEL from the file: replaced, the markup kept as text.
    expect(kids(tc, 'skipped')[0].attrs.message).toBe('suppressed (inline: escape \uFFFD[31mred\uFFFD[0m, bell \uFFFD and <b>&amp;</b>)');
    expect(doc).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });

  it('reports a rule that threw as an <error>', () => {
    const r = richRun();
    r.results[0] = { ...r.results[0], ruleErrors: [{ ruleId: 'no-quickstart-minio', message: 'boom <x>' }] };
    const parsed = parseXml(junitReporter(r, context()));
    const tc = kids(kids(parsed, 'testsuite')[0], 'testcase').find((c) => c.attrs.name === 'no-quickstart-minio')!;
    expect(kids(tc, 'error')[0].attrs.message).toBe('rule no-quickstart-minio failed on values.yaml: boom <x>');
    expect(kids(parsed, 'testsuite')[0].attrs.errors).toBe('1');
  });

  it('writes a zone-less timestamp only when one is injected', () => {
    expect(xml).not.toContain('timestamp=');
    const stamped = parseXml(junitReporter(run, context({ timestamp: '2026-01-15T10:20:30.123Z' })));
    expect(kids(stamped, 'testsuite')[0].attrs.timestamp).toBe('2026-01-15T10:20:30');
  });

  it('parses back with a reader that rejects what is not well-formed', () => {
    for (const bad of ['<a><b></a>', '<a x="1" x="2"/>', '<a>&nbsp;</a>', '<a>x & y</a>', '<a x="<"/>', '<a>\u0001</a>', '<a/><b/>', '<a>']) {
      expect(() => parseXml(bad), bad).toThrow();
    }
    expect(parseXml('<a x="&#10;&amp;"><b>t&lt;</b></a>')).toEqual({ name: 'a', attrs: { x: '\n&' }, text: '', children: [{ name: 'b', attrs: {}, text: 't<', children: [] }] });
  });

  it('is well-formed on the real chart files and on an empty run', () => {
    const ref = referenceRun();
    const parsed = parseXml(junitReporter(ref, context()));
    expect(kids(parsed, 'testsuite')).toHaveLength(5);
    const failures = kids(parsed, 'testsuite').flatMap((s) => kids(s, 'testcase')).flatMap((c) => kids(c, 'failure'));
    expect(failures).toHaveLength(ref.results.flatMap((r) => r.findings).filter((f) => !f.suppressed).length);
    const empty = parseXml(junitReporter(emptyRun(), context()));
    expect(empty.attrs.tests).toBe('0');
    expect(empty.children).toEqual([]);
  });
});
