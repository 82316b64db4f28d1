// Report stage: the JUnit XML reporter (CI test tabs: GitLab, Jenkins, Azure DevOps). One <testsuite> per
// target, one <testcase> per applicable rule: a <failure> per unsuppressed finding, <skipped> when every
// finding of the rule is suppressed, <error> when the rule itself threw.
import type { Finding, LintResult, RuleMeta } from '../rules/types.js';
import { countFindings } from './json.js';
import type { LintRun, Reporter, ReporterContext } from './types.js';
import { ruleDocUrl } from './types.js';

// Characters XML 1.0 cannot carry at all, even escaped (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone
// surrogates): replaced so one odd byte in a values file never makes the whole report unreadable.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Escapes character data. `\r` is written as a reference so parsers do not normalize it away. */
export function xmlText(s: string): string {
  return s.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Escapes an attribute value (double-quoted); line breaks and tabs as references (attribute normalization). */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');
}

function failureBody(f: Finding, ctx: ReporterContext): string {
  const lines: string[] = [];
  const l = f.location;
  lines.push(l ? `${l.file}:${l.line}:${l.column}` : '(no location)');
  if (f.path) lines.push(`path: ${f.path}`);
  if (f.object) lines.push(`object: ${f.object}`);
  lines.push(`subject: ${f.subject}`);
  if (f.provenance) lines.push(`from: ${f.provenance.text}`);
  lines.push(f.message);
  if (f.fix) lines.push(`fix: ${f.fix}`);
  for (const r of f.related) lines.push(`related: ${r.file}:${r.line}:${r.column}${r.object ? ` ${r.object}` : r.path ? ` ${r.path}` : ''}`);
  lines.push(`fingerprint: ${f.fingerprint}`);
  lines.push(`docs: ${ruleDocUrl(ctx, f.ruleId)}`);
  return lines.join('\n');
}

interface Case {
  id: string;
  meta?: RuleMeta;
  findings: Finding[];
  errors: string[];
}

function casesOf(r: LintResult, metas: Map<string, RuleMeta>): Case[] {
  const cases = new Map<string, Case>();
  const get = (id: string) => {
    let c = cases.get(id);
    if (!c) cases.set(id, (c = { id, meta: metas.get(id), findings: [], errors: [] }));
    return c;
  };
  for (const id of r.applicable) get(id);
  // A finding of a rule not listed as applicable still gets its test case: reporters never drop findings.
  for (const f of r.findings) get(f.ruleId).findings.push(f);
  for (const e of r.ruleErrors) get(e.ruleId).errors.push(e.message);
  return [...cases.values()];
}

function testcase(c: Case, r: LintResult, ctx: ReporterContext): string[] {
  const open = c.findings.filter((f) => !f.suppressed);
  const suppressed = c.findings.filter((f) => f.suppressed);
  const head = `    <testcase${attrs({ name: c.id, classname: `${ctx.toolName}.${c.meta?.category ?? 'rules'}`, file: open[0]?.location?.file })}`;
  const body: string[] = [];
  for (const f of open) {
    body.push(`      <failure${attrs({ message: f.message, type: f.severity })}>${xmlText(failureBody(f, ctx))}</failure>`);
  }
  for (const e of c.errors) body.push(`      <error${attrs({ message: `rule ${c.id} failed on ${r.target}: ${e}`, type: 'RuleError' })}/>`);
  if (open.length === 0 && c.errors.length === 0 && suppressed.length > 0) {
    const reasons = suppressed.map((f) => `${f.suppressed!.kind}: ${f.suppressed!.reason}`);
    body.push(`      <skipped${attrs({ message: `suppressed (${reasons.join('; ')})` })}/>`);
  } else if (suppressed.length > 0) {
    // Failures and suppressions of the same rule: the suppressed ones are listed, not lost.
    const text = suppressed.map((f) => `suppressed ${f.location ? `${f.location.file}:${f.location.line}` : ''} ${f.message} (${f.suppressed!.kind}: ${f.suppressed!.reason})`).join('\n');
    body.push(`      <system-out>${xmlText(text)}</system-out>`);
  }
  if (body.length === 0) return [`${head}/>`];
  return [`${head}>`, ...body, '    </testcase>'];
}

/** JUnit's timestamp is an xs:dateTime without zone or fractions (Ant's schema); ours are UTC. */
function junitTimestamp(t: string | undefined): string | undefined {
  const m = t ? /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})/.exec(t) : null;
  return m ? m[1] : undefined;
}

/** The JUnit reporter. */
export const junitReporter: Reporter = (run: LintRun, ctx: ReporterContext) => {
  const metas = new Map(run.rules.map((m) => [m.id, m]));
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  run.results.forEach((r, i) => {
    const cases = casesOf(r, metas);
    const sFail = cases.filter((c) => c.findings.some((f) => !f.suppressed)).length;
    const sErr = cases.filter((c) => c.errors.length > 0).length;
    const sSkip = cases.filter((c) => c.findings.length > 0 && c.findings.every((f) => f.suppressed) && c.errors.length === 0).length;
    tests += cases.length;
    failures += sFail;
    errors += sErr;
    skipped += sSkip;
    const counts = countFindings([r]);
    const props: [string, string][] = [
      ['score', String(r.score.value)],
      ['inputs', r.inputs.join(',')],
      ['policy', run.policy.name],
      ['failOn', ctx.failOn],
      ['errors', String(counts.errors)],
      ['warnings', String(counts.warnings)],
      ['info', String(counts.info)],
      ['suppressed', String(counts.suppressed)],
    ];
    if (r.chartLine) props.splice(1, 0, ['chartLine', r.chartLine]);
    suites.push(
      `  <testsuite${attrs({ name: r.target, id: i, tests: cases.length, failures: sFail, errors: sErr, skipped: sSkip, timestamp: junitTimestamp(ctx.timestamp) })}>`,
      '    <properties>',
      ...props.map(([k, v]) => `      <property${attrs({ name: k, value: v })}/>`),
      '    </properties>',
      ...cases.flatMap((c) => testcase(c, r, ctx)),
      '  </testsuite>',
    );
  });
  const head = `<testsuites${attrs({ name: ctx.toolName, tests, failures, errors, skipped })}>`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', head, ...suites, '</testsuites>', ''].join('\n');
};
