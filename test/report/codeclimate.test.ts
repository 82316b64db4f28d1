// The Code Climate / GitLab Code Quality reporter: GitLab's documented fields, validated against a schema
// written from GitLab's docs (test/fixtures/report/gitlab-codequality.schema.json), unique fingerprints.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { MAIN_HELP } from '../../src/cli/help.js';
import { buildCodeClimate, CODECLIMATE_CATEGORY, CODECLIMATE_SEVERITY, codeClimatePath, codeclimateReporter, uniqueFingerprints } from '../../src/report/codeclimate.js';
import { FORMATS, reporters } from '../../src/report/index.js';
import type { LintRun } from '../../src/report/types.js';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import { cli, ROOT } from '../helpers/cli.js';
import { context, DOCS, emptyRun, FIXTURES, findingOf, MINIO_ON, oddRun, REFERENCE, REPO, referenceRun, richRun, runOf } from '../fixtures/report/runs.js';

const schema = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'gitlab-codequality.schema.json'), 'utf8'));
// strictRequired off: the location's anyOf requires properties declared beside it, not inside it.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
const validate = ajv.compile(schema);

function valid(doc: unknown): void {
  const ok = validate(doc);
  expect(ok, ajv.errorsText(validate.errors, { separator: '\n' })).toBe(true);
}

const hash32 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);
const openCount = (run: LintRun) => run.results.reduce((n, r) => n + r.findings.filter((f) => !f.suppressed).length, 0);

describe('codeclimate reporter', () => {
  const run = richRun();
  const text = codeclimateReporter(run, context());
  const issues = JSON.parse(text);

  it('validates against the GitLab Code Quality schema', () => {
    expect(schema.$comment).toContain('https://docs.gitlab.com/ci/testing/code_quality/');
    valid(issues);
    valid(buildCodeClimate(oddRun(), context()));
    valid(buildCodeClimate(referenceRun(), context()));
    valid(buildCodeClimate(referenceRun(true), context()));
    expect(buildCodeClimate(emptyRun(), context())).toEqual([]);
    expect(codeclimateReporter(emptyRun(), context())).toBe('[]\n');
  });

  it('the schema is not vacuous', () => {
    const broken = structuredClone(issues);
    broken[0].severity = 'error';
    delete broken[1].location.lines;
    broken[2].location.path = './values.yaml';
    broken[3].description = 'two\nlines';
    delete broken[4].check_name;
    expect(validate(broken)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/0/severity', '/1/location', '/2/location/path', '/3/description', '/4']));
  });

  it('writes one issue per finding with the exact documented shape', () => {
    const one = runOf([{ target: 'values.yaml', values: [{ path: 'values.yaml', text: MINIO_ON }] }]);
    const f = findingOf(one, 'values.yaml', 'no-quickstart-minio');
    const meta = BUILTIN_RULES.find((r) => r.meta.id === 'no-quickstart-minio')!.meta;
    const out = buildCodeClimate(one, context());
    expect(out).toHaveLength(openCount(one));
    const issue = out.find((i) => i.check_name === 'no-quickstart-minio');
    expect(issue).toEqual({
      type: 'issue',
      check_name: 'no-quickstart-minio',
      description: f.message,
      content: {
        body: `**${meta.title}**\n\n${meta.rationale}\n\n**Fix:** ${f.fix}\n\nValue from: values.yaml:3\n\nSubject: \`deployments.minio\`\n\n[Rule documentation](${DOCS}/no-quickstart-minio.md)`,
      },
      categories: ['Bug Risk'],
      location: { path: 'values.yaml', lines: { begin: 3, end: 3 } },
      severity: 'critical',
      fingerprint: f.fingerprint,
    });
    expect(Object.keys(issue!)).toEqual(['type', 'check_name', 'description', 'content', 'categories', 'location', 'severity', 'fingerprint']);
    expect(f.message).toMatch(/minio/i);
  });

  it('leaves suppressed findings out (inline comments, annotations, policy exemptions)', () => {
    expect(issues).toHaveLength(openCount(run));
    expect(openCount(run)).toBeLessThan(run.results.reduce((n, r) => n + r.findings.length, 0));
    const minio = issues.filter((i: { check_name: string }) => i.check_name === 'no-quickstart-minio').map((i: { location: { path: string } }) => i.location.path);
    expect(minio).not.toContain('suppressed.yaml');
    expect(minio).not.toContain('exempted.yaml');
    expect(minio).toEqual(expect.arrayContaining(['values.yaml', 'warning.yaml', 'info.yaml', 'quickstart.rendered.yaml']));
  });

  it('makes fingerprints unique: the first occurrence keeps ours, later ones hash it with their target', () => {
    const fps = issues.map((i: { fingerprint: string }) => i.fingerprint);
    expect(new Set(fps).size).toBe(fps.length);
    const ours = run.results.flatMap((r) => r.findings.filter((f) => !f.suppressed).map((f) => ({ fp: f.fingerprint, target: r.target })));
    // The run really has shared fingerprints (MinIO in several targets).
    expect(new Set(ours.map((o) => o.fp)).size).toBeLessThan(ours.length);
    const seen = new Set<string>();
    ours.forEach((o, i) => {
      expect(fps[i]).toBe(seen.has(o.fp) ? hash32(`${o.fp}\u0000${o.target}`) : o.fp);
      seen.add(o.fp);
    });
    // Deterministic.
    expect(codeclimateReporter(richRun(), context())).toBe(text);
  });

  it('uniqueFingerprints: the same target twice gets a counter', () => {
    const out = uniqueFingerprints([
      { fingerprint: 'a', target: 't' },
      { fingerprint: 'a', target: 't' },
      { fingerprint: 'a', target: 't' },
      { fingerprint: 'a', target: 'u' },
      { fingerprint: 'b', target: 't' },
    ]);
    expect(out).toEqual(['a', hash32('a\u0000t'), hash32('a\u0000t\u00002'), hash32('a\u0000u'), 'b']);
  });

  it('maps severities and categories', () => {
    const sev = (target: string) => issues.find((i: { check_name: string; location: { path: string } }) => i.check_name === 'no-quickstart-minio' && i.location.path === target).severity;
    expect([sev('values.yaml'), sev('warning.yaml'), sev('info.yaml')]).toEqual(['critical', 'major', 'info']);
    expect(CODECLIMATE_SEVERITY).toEqual({ error: 'critical', warning: 'major', info: 'info' });
    for (const r of BUILTIN_RULES) expect(CODECLIMATE_CATEGORY[r.meta.category], r.meta.id).toBeDefined();
    const security = issues.find((i: { check_name: string }) => i.check_name === 'no-default-credentials');
    expect(security.categories).toEqual(['Security']);
  });

  it('a finding of a rule missing from the catalogue still gets a category', () => {
    const one = runOf([{ target: 'values.yaml', values: [{ path: 'values.yaml', text: MINIO_ON }] }]);
    const out = buildCodeClimate({ ...one, rules: [] }, context());
    expect(out.length).toBeGreaterThan(0);
    for (const i of out) {
      expect(i.categories).toEqual(['Bug Risk']);
      expect(i.content.body).not.toContain('undefined');
    }
    valid(out);
  });

  it('paths are relative to the working directory, without ./; files outside it get ../', () => {
    expect(codeClimatePath('values.yaml', REPO)).toBe('values.yaml');
    expect(codeClimatePath('./a/b.yaml', REPO)).toBe('a/b.yaml');
    expect(codeClimatePath(path.join(REPO, 'x/y.yaml'), REPO)).toBe('x/y.yaml');
    const abs = buildCodeClimate(referenceRun(true), context());
    expect(abs.length).toBeGreaterThan(0);
    const rel = path.relative(REPO, REFERENCE).split(path.sep).join('/');
    for (const i of abs) expect(i.location.path.startsWith(`${rel}/`), i.location.path).toBe(true);
  });

  it('descriptions are one line even when the input carries control characters', () => {
    const out = buildCodeClimate(oddRun(), context());
    expect(out.length).toBeGreaterThan(0);
    for (const i of out) expect(i.description).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(out.map((i) => i.location.path)).toEqual(expect.arrayContaining(['odd/emoji values.yaml']));
  });

  it('is a --format of the CLI', async () => {
    expect(FORMATS).toContain('codeclimate');
    expect(reporters.codeclimate).toBe(codeclimateReporter);
    expect(MAIN_HELP).toMatch(/--format FMT .*codeclimate/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-cc-'));
    try {
      fs.copyFileSync(path.join(ROOT, 'examples/quickstart-values.yaml'), path.join(dir, 'values.yaml'));
      const r = await cli(['--no-config', 'values.yaml', '--format', 'codeclimate', '-o', 'out/gl-code-quality-report.json'], { cwd: dir });
      expect(r.code).toBe(1);
      const doc = JSON.parse(fs.readFileSync(path.join(dir, 'out/gl-code-quality-report.json'), 'utf8'));
      valid(doc);
      expect(doc.length).toBeGreaterThan(10);
      expect(new Set(doc.map((i: { location: { path: string } }) => i.location.path))).toEqual(new Set(['values.yaml']));
      // With a baseline that knows them all: an empty report.
      await cli(['--no-config', 'values.yaml', '--write-baseline', 'b.json'], { cwd: dir });
      const none = await cli(['--no-config', 'values.yaml', '--format', 'codeclimate', '--baseline', 'b.json'], { cwd: dir });
      expect(none.code).toBe(0);
      expect(JSON.parse(none.stdout)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
