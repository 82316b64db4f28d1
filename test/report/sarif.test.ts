import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { artifactLocation, buildSarif, codePointColumn, FINGERPRINT_KEY, INFORMATION_URI, pascalCase, sarifReporter, spanOf } from '../../src/report/sarif.js';
import type { LintRun } from '../../src/report/types.js';
import { context, CUSTOM_SECURITY_RULE, DOCS, emptyRun, findingOf, oddRun, REFERENCE, REPO, referenceRun, richRun } from '../fixtures/report/runs.js';

const TOOL_DIR = path.join(REPO, 'node_modules/@microsoft/sarif-multitool-linux');
const schema = JSON.parse(fs.readFileSync(path.join(TOOL_DIR, 'sarif-2.1.0.json'), 'utf8'));
// The Multitool's copy declares draft 2020-12 but uses only draft-04 keywords (`definitions`, no `$defs`,
// boolean-free `minimum`): it is OASIS's draft-04 schema, so compile it as such.
schema.$schema = 'http://json-schema.org/draft-04/schema#';
// CommonJS modules under NodeNext: the default import is module.exports (the class / the function).
const Ajv = AjvDraft04Module as unknown as typeof AjvDraft04Module.default;
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
// Its patterns use escapes that are invalid under the `u` flag.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validateSchema = ajv.compile(schema);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-sarif-'));
// SARIF2006 (UrisShouldBeReachable) fetches every helpUri over the network: off in tests, the rest stays on.
const CONFIG = path.join(tmp, 'validate.xml');
fs.writeFileSync(
  CONFIG,
  '<?xml version="1.0" encoding="utf-8"?>\n<Properties>\n  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">\n' +
    '    <Property Key="RuleEnabled" Value="Disabled" Type="Driver.RuleEnabledState" />\n  </Properties>\n</Properties>\n',
);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/* eslint-disable @typescript-eslint/no-explicit-any */
type Log = any;

function schemaValid(log: unknown): void {
  const ok = validateSchema(log);
  expect(ok, ajv.errorsText(validateSchema.errors, { separator: '\n' })).toBe(true);
}

/** Runs Microsoft's SARIF validator (SARIF and GitHub rule sets); it exits 0 even with errors, so read its log. */
function multitool(name: string, text: string): { level: string; ruleId: string; text: string }[] {
  const bin = path.join(TOOL_DIR, 'Sarif.Multitool');
  const st = fs.statSync(bin);
  if (!(st.mode & 0o100)) fs.chmodSync(bin, st.mode | 0o100);
  const file = path.join(tmp, `${name}.sarif`);
  const log = path.join(tmp, `${name}.log.sarif`);
  fs.writeFileSync(file, text);
  fs.rmSync(log, { force: true });
  execFileSync(bin, ['validate', '--rule-kind', 'Sarif;Gh', '--level', 'Error;Warning;Note', '-c', CONFIG, '-o', log, file], {
    stdio: 'pipe',
    timeout: 120_000,
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
  });
  const out = JSON.parse(fs.readFileSync(log, 'utf8'));
  return (out.runs[0].results ?? []).map((r: Log) => ({
    level: r.level ?? 'warning',
    ruleId: r.ruleId,
    text: JSON.stringify(r.message.arguments ?? r.message.text),
  }));
}

function expectNoValidatorErrors(name: string, text: string): void {
  const results = multitool(name, text);
  const errors = results.filter((r) => r.level === 'error');
  expect(errors.map((e) => `${e.ruleId} ${e.text}`).join('\n')).toBe('');
  // The validator really ran with our configuration (notes for our kebab-case rule ids, SARIF2009; no SARIF2006).
  expect(results.some((r) => r.ruleId === 'SARIF2009')).toBe(true);
  expect(results.some((r) => r.ruleId === 'SARIF2006')).toBe(false);
}

describe('sarif reporter', () => {
  const run = richRun();
  const text = sarifReporter(run, context());
  const log: Log = JSON.parse(text);
  const sarifRun = log.runs[0];
  const rules = sarifRun.tool.driver.rules;

  it('validates against the SARIF 2.1.0 schema', () => {
    expect(log.version).toBe('2.1.0');
    schemaValid(log);
    schemaValid(buildSarif(oddRun(), context()));
    schemaValid(buildSarif(referenceRun(true), context({ timestamp: '2026-01-15T00:00:00.000Z' })));
    schemaValid(buildSarif(emptyRun(), context()));
  });

  it('passes Microsoft SARIF Multitool validation (Sarif;Gh rules) with zero errors', () => {
    expectNoValidatorErrors('rich', text);
    expectNoValidatorErrors('odd', sarifReporter(oddRun(), context()));
    expectNoValidatorErrors('reference', sarifReporter(referenceRun(), context()));
    expectNoValidatorErrors('reference-abs', sarifReporter(referenceRun(true), context({ timestamp: '2026-01-15T00:00:00.000Z' })));
    expectNoValidatorErrors('empty', sarifReporter(emptyRun(), context()));
  }, 300_000);

  it('the validator catches a broken log (the check is not vacuous)', () => {
    const broken = structuredClone(log);
    broken.runs[0].results[0].ruleIndex = 10_000;
    delete broken.runs[0].results[0].locations[0].physicalLocation.region.startLine;
    const errors = multitool('broken', JSON.stringify(broken)).filter((r) => r.level === 'error');
    expect(errors.map((e) => e.ruleId)).toEqual(expect.arrayContaining(['SARIF1009']));
  }, 120_000);

  it('describes the tool and the whole rule catalogue', () => {
    const d = sarifRun.tool.driver;
    expect(d).toMatchObject({ name: 'imply-lint', version: '0.1.0', semanticVersion: '0.1.0', informationUri: INFORMATION_URI });
    expect(INFORMATION_URI).toBe(pkg.homepage.replace(/#.*/, ''));
    expect(rules.map((r: Log) => r.id)).toEqual(run.rules.map((m) => m.id));
    for (const [i, meta] of run.rules.entries()) {
      const r = rules[i];
      expect(r.name).toBe(pascalCase(meta.id));
      expect(r.name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      expect(r.shortDescription.text).toBe(meta.title);
      expect(r.fullDescription.text).toBe(meta.rationale);
      expect(r.help.text).toContain(meta.rationale);
      expect(r.help.text).toContain(`Fix: ${meta.fix}`);
      if (meta.seed) expect(r.help.text).toContain(meta.seed);
      expect(r.help.markdown).toContain('**Fix:**');
      expect(r.helpUri).toBe(`${DOCS}/${meta.id}.md`);
      expect(new URL(r.helpUri).protocol).toBe('https:');
      expect(r.defaultConfiguration.level).toBe({ error: 'error', warning: 'warning', info: 'note' }[meta.severity]);
      expect(r.properties.precision).toMatch(/^(very-high|high|medium|low)$/);
      expect(r.properties['problem.severity']).toBe({ error: 'error', warning: 'warning', info: 'recommendation' }[meta.severity]);
      expect(r.properties.tags).toContain(meta.category);
      if (meta.securitySeverity !== undefined) {
        expect(r.properties['security-severity']).toBe(meta.securitySeverity.toFixed(1));
        expect(r.properties.tags).toContain('security');
      } else expect(r.properties['security-severity']).toBeUndefined();
    }
    const custom = rules.find((r: Log) => r.id === CUSTOM_SECURITY_RULE.id);
    expect(custom.properties['security-severity']).toBe('8.0');
    expect(custom.name).toBe('CustomNoDebugPort');
  });

  it('escapes Markdown in rule help', () => {
    expect(pascalCase('no-quickstart-minio')).toBe('NoQuickstartMinio');
    const meta = { ...CUSTOM_SECURITY_RULE, rationale: 'Set imply_defaults_x and *RuntimeProperties <b>.' };
    const l: Log = buildSarif({ ...emptyRun(), rules: [meta] }, context());
    expect(l.runs[0].tool.driver.rules[0].help.markdown).toContain('Set imply\\_defaults\\_x and \\*RuntimeProperties \\<b\\>.');
  });

  it('leaves helpUri out when the docs base URL is not absolute (the help text keeps the link)', () => {
    const l: Log = buildSarif(emptyRun(), context({ docsBaseUrl: 'docs/rules' }));
    const r = l.runs[0].tool.driver.rules[0];
    expect(r.helpUri).toBeUndefined();
    expect(r.help.text).toContain(`Documentation: docs/rules/${r.id}.md`);
    schemaValid(l);
  });

  it('writes run-level properties GitHub and viewers rely on', () => {
    expect(sarifRun.columnKind).toBe('unicodeCodePoints');
    expect(sarifRun.originalUriBaseIds['%SRCROOT%'].uri).toBe(`file://${REPO}/`);
    expect(sarifRun.automationDetails.id).toBe('imply-lint/production/');
    expect(sarifRun.invocations[0].executionSuccessful).toBe(true);
    expect(Array.isArray(buildSarif(emptyRun(), context()).runs)).toBe(true);
    const empty: Log = buildSarif(emptyRun(), context());
    expect(empty.runs[0].results).toEqual([]);
    expect(empty.runs[0].tool.driver.rules.length).toBe(emptyRun().rules.length);
  });

  it('writes one result per finding, located, with ruleIndex, level and fingerprint', () => {
    const all = run.results.flatMap((r) => r.findings);
    expect(sarifRun.results).toHaveLength(all.length);
    sarifRun.results.forEach((res: Log, i: number) => {
      const f = all[i];
      expect(res.ruleId).toBe(f.ruleId);
      expect(rules[res.ruleIndex].id).toBe(f.ruleId);
      expect(res.level).toBe({ error: 'error', warning: 'warning', info: 'note' }[f.severity]);
      expect(res.message.text).toBe(f.message);
      expect(res.partialFingerprints[FINGERPRINT_KEY]).toBe(f.fingerprint);
      const loc = res.locations[0].physicalLocation;
      expect(loc.artifactLocation.uriBaseId).toBe('%SRCROOT%');
      expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
      expect(loc.region.startColumn).toBeGreaterThanOrEqual(1);
      expect(loc.region.endLine).toBeGreaterThanOrEqual(loc.region.startLine);
      expect(res.properties.subject).toBe(f.subject);
    });
  });

  it('points the values finding at the key, with snippet and provenance', () => {
    const f = findingOf(run, 'values.yaml', 'no-quickstart-minio');
    const res = sarifRun.results.find((r: Log) => r.partialFingerprints[FINGERPRINT_KEY] === f.fingerprint && r.locations[0].physicalLocation.artifactLocation.uri === 'values.yaml');
    expect(res.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'values.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 3, startColumn: 3, endLine: 3, endColumn: 8, snippet: { text: 'minio' } },
      contextRegion: { startLine: 1, startColumn: 1, endLine: 3, endColumn: 14, snippet: { text: '# team values\ndeployments:\n  minio: true' } },
    });
    expect(res.properties).toMatchObject({ subject: 'deployments.minio', path: 'deployments.minio', provenance: 'values.yaml:3' });
    expect(res.suppressions).toBeUndefined();
  });

  it('lists related locations of a manifest finding', () => {
    const res = sarifRun.results.find((r: Log) => r.ruleId === 'no-quickstart-minio' && r.locations[0].physicalLocation.artifactLocation.uri === 'quickstart.rendered.yaml');
    expect(res.properties.object).toBe('Deployment/imply-minio');
    expect(res.relatedLocations.length).toBeGreaterThanOrEqual(2);
    expect(res.relatedLocations.map((r: Log) => r.message.text)).toEqual(expect.arrayContaining(['Secret/imply-minio', 'Service/imply-minio']));
    expect(res.relatedLocations.map((r: Log) => r.id)).toEqual(res.relatedLocations.map((_: unknown, i: number) => i + 1));
  });

  it('marks suppressed findings: comments and annotations in source, exemptions external', () => {
    const sup = (uri: string) =>
      sarifRun.results.find((r: Log) => r.ruleId === 'no-quickstart-minio' && r.locations[0].physicalLocation.artifactLocation.uri === uri).suppressions;
    expect(sup('suppressed.yaml')).toEqual([
      {
        kind: 'inSource',
        status: 'accepted',
        justification: 'MinIO is the staging deep storage, see <ticket> & "notes"',
        location: expect.objectContaining({ physicalLocation: expect.objectContaining({ region: expect.objectContaining({ startLine: 2 }) }) }),
        properties: { type: 'inline' },
      },
    ]);
    expect(sup('exempted.yaml')).toEqual([expect.objectContaining({ kind: 'external', justification: 'Accepted until the S3 bucket exists', properties: { type: 'policy', expires: '2099-12-31' } })]);
    expect(sup('annotated.rendered.yaml')).toEqual([expect.objectContaining({ kind: 'inSource', justification: 'demo cluster', properties: { type: 'annotation' } })]);
  });

  it('counts columns in code points and encodes odd file names', () => {
    const odd: Log = buildSarif(oddRun(), context());
    const res = odd.runs[0].results.find((r: Log) => r.ruleId === 'no-quickstart-minio' && r.locations[0].physicalLocation.artifactLocation.uri.startsWith('odd/'));
    const loc = res.locations[0].physicalLocation;
    expect(loc.artifactLocation.uri).toBe('odd/emoji%20values.yaml');
    // `deployments: {"😀": "x", minio: true}`: UTF-16 column 26, code point column 25.
    expect(loc.region).toMatchObject({ startLine: 2, startColumn: 25, endColumn: 30, snippet: { text: 'minio' } });
    expect(codePointColumn('a\u{1F600}b', 4)).toBe(3);
    expect(codePointColumn('ab', 5)).toBe(5);
    expect(artifactLocation('we,ird:name%<&>.yaml', '/r')).toEqual({ uri: 'we%2Cird%3Aname%25%3C%26%3E.yaml', uriBaseId: '%SRCROOT%' });
  });

  it('uses absolute file URIs for files outside the working directory', () => {
    const abs: Log = buildSarif(referenceRun(true), context());
    const uris = new Set(abs.runs[0].results.map((r: Log) => r.locations[0].physicalLocation.artifactLocation));
    for (const a of uris as Set<Log>) {
      expect(a.uriBaseId).toBeUndefined();
      expect(a.uri.startsWith(`file://${REFERENCE}/`)).toBe(true);
    }
    expect(artifactLocation('../x.yaml', '/r/repo')).toEqual({ uri: 'file:///r/x.yaml' });
    expect(artifactLocation('/r/repo/sub/x.yaml', '/r/repo')).toEqual({ uri: 'sub/x.yaml', uriBaseId: '%SRCROOT%' });
  });

  it('widens zero-width anchors to their line and never ends before it starts', () => {
    const src = 'a: 1\nkind: Deployment   \n';
    expect(spanOf({ file: 'f', line: 2, column: 1, endLine: 2, endColumn: 1 }, src)).toEqual({ line: 2, column: 1, endLine: 2, endColumn: 17 });
    expect(spanOf({ file: 'f', line: 1, column: 1, endLine: 3, endColumn: 1 }, src)).toEqual({ line: 1, column: 1, endLine: 2, endColumn: 20 });
    expect(spanOf({ file: 'f', line: 0, column: 0, endLine: 0, endColumn: 0 }, undefined)).toEqual({ line: 1, column: 1, endLine: 1, endColumn: 1 });
  });

  it('locates a finding without a location at line 1 of its target, and reports rule errors', () => {
    const base = richRun();
    const f = { ...base.results[0].findings[0], location: undefined };
    const r: LintRun = { ...base, results: [{ ...base.results[0], findings: [f], ruleErrors: [{ ruleId: 'no-quickstart-minio', message: 'boom' }] }] };
    const l: Log = buildSarif(r, context());
    expect(l.runs[0].results[0].locations[0].physicalLocation).toMatchObject({ artifactLocation: { uri: 'values.yaml' }, region: { startLine: 1, startColumn: 1 } });
    expect(l.runs[0].invocations[0].executionSuccessful).toBe(false);
    expect(l.runs[0].invocations[0].toolExecutionNotifications[0]).toMatchObject({ level: 'error', associatedRule: { id: 'no-quickstart-minio' } });
    schemaValid(l);
  });

  it('gives a finding of a rule missing from the catalogue a descriptor of its own', () => {
    const base = richRun();
    const r: LintRun = { ...base, rules: base.rules.filter((m) => m.id !== 'no-quickstart-minio') };
    const l: Log = buildSarif(r, context());
    const res = l.runs[0].results.find((x: Log) => x.ruleId === 'no-quickstart-minio');
    expect(l.runs[0].tool.driver.rules[res.ruleIndex].id).toBe('no-quickstart-minio');
    schemaValid(l);
  });
});
