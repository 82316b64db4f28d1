import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildJsonReport, countFindings, jsonReporter } from '../../src/report/json.js';
import type { LintRun } from '../../src/report/types.js';
import { context, emptyRun, findingOf, oddRun, REPO, referenceRun, richRun } from '../fixtures/report/runs.js';

// CommonJS under NodeNext: the default import is module.exports, the plugin function itself.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'docs/output.schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
addFormats(ajv);
const validate = ajv.compile(schema);

function valid(doc: unknown): void {
  const ok = validate(doc);
  expect(ok, ajv.errorsText(validate.errors, { separator: '\n' })).toBe(true);
}

describe('json reporter', () => {
  const run = richRun();
  const text = jsonReporter(run, context());
  const doc = JSON.parse(text);

  it('validates against docs/output.schema.json (draft-07)', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    valid(doc);
    valid(JSON.parse(jsonReporter(oddRun(), context())));
    valid(JSON.parse(jsonReporter(referenceRun(), context({ timestamp: '2026-01-15T00:00:00Z', failOn: 'warning' }))));
    valid(JSON.parse(jsonReporter(emptyRun(), context())));
  });

  it('has the documented top-level shape', () => {
    expect(Object.keys(doc)).toEqual(['version', 'tool', 'timestamp', 'policy', 'results', 'summary']);
    expect(doc.version).toBe(1);
    expect(doc.tool).toEqual({ name: 'imply-lint', version: '0.1.0' });
    expect(doc.timestamp).toBeNull();
    expect(doc.policy).toEqual({ name: 'production', files: [], failOn: 'error' });
    expect(doc.results.map((r: { target: string }) => r.target)).toEqual(run.results.map((r) => r.target));
  });

  it('keeps every finding, suppressed ones with suppressed: true and the reason', () => {
    run.results.forEach((r, i) => expect(doc.results[i].findings).toHaveLength(r.findings.length));
    const sup = doc.results.find((r: { target: string }) => r.target === 'suppressed.yaml').findings.find((f: { ruleId: string }) => f.ruleId === 'no-quickstart-minio');
    expect(sup.suppressed).toBe(true);
    expect(sup.suppression).toEqual({
      kind: 'inline',
      reason: 'MinIO is the staging deep storage, see <ticket> & "notes"',
      expires: null,
      location: { file: 'suppressed.yaml', line: 2, column: 3, endLine: 2, endColumn: 3 },
    });
    const ex = doc.results.find((r: { target: string }) => r.target === 'exempted.yaml').findings.find((f: { ruleId: string }) => f.ruleId === 'no-quickstart-minio');
    expect(ex.suppression).toMatchObject({ kind: 'policy', reason: 'Accepted until the S3 bucket exists', expires: '2099-12-31', location: { file: '.imply-lint.yaml', line: 4 } });
    const open = doc.results[0].findings.find((f: { ruleId: string }) => f.ruleId === 'no-quickstart-minio');
    expect(open.suppressed).toBe(false);
    expect(open.suppression).toBeNull();
  });

  it('writes findings with location, provenance, fingerprint and doc link', () => {
    const f = findingOf(run, 'values.yaml', 'no-quickstart-minio');
    const j = doc.results[0].findings.find((x: { ruleId: string }) => x.ruleId === 'no-quickstart-minio');
    expect(j).toMatchObject({
      ruleId: 'no-quickstart-minio',
      messageId: 'enabled',
      severity: 'error',
      message: f.message,
      subject: 'deployments.minio',
      fingerprint: f.fingerprint,
      location: { file: 'values.yaml', line: 3, column: 3, endLine: 3, endColumn: 8 },
      path: 'deployments.minio',
      object: null,
      provenance: { kind: 'file', file: 'values.yaml', line: 3, text: 'values.yaml:3' },
      related: [],
      helpUri: 'https://github.com/imply-lint/imply-lint/blob/main/docs/rules/no-quickstart-minio.md',
    });
    const set = doc.results[1].findings.find((x: { ruleId: string }) => x.ruleId === 'no-quickstart-minio');
    expect(set.provenance).toEqual({ kind: 'set', text: '--set deployments.minio=true', flag: '--set', expr: 'deployments.minio=true' });
    const def = doc.results[2].findings.find((x: { ruleId: string }) => x.ruleId === 'no-quickstart-minio');
    expect(def.provenance).toMatchObject({ kind: 'default', chartVersion: '2023.03.1', text: expect.stringMatching(/^chart default \(2023\.03\.1/) });
    const manifest = doc.results.find((r: { target: string }) => r.target === 'quickstart.rendered.yaml').findings.find((x: { ruleId: string }) => x.ruleId === 'no-quickstart-minio');
    expect(manifest.object).toBe('Deployment/imply-minio');
    expect(manifest.related.map((r: { object: string }) => r.object)).toEqual(expect.arrayContaining(['Secret/imply-minio', 'Service/imply-minio']));
    // Same mistake in values and manifests: same fingerprint.
    expect(manifest.fingerprint).toBe(j.fingerprint);
  });

  it('uses the policy severity and counts findings in results and summary', () => {
    const sev = (t: string) => doc.results.find((r: { target: string }) => r.target === t).findings.find((x: { ruleId: string }) => x.ruleId === 'no-quickstart-minio').severity;
    expect(sev('warning.yaml')).toBe('warning');
    expect(sev('info.yaml')).toBe('info');
    const all = run.results.flatMap((r) => r.findings);
    expect(doc.summary).toEqual({
      targets: run.results.length,
      errors: all.filter((f) => !f.suppressed && f.severity === 'error').length,
      warnings: all.filter((f) => !f.suppressed && f.severity === 'warning').length,
      info: all.filter((f) => !f.suppressed && f.severity === 'info').length,
      suppressed: all.filter((f) => f.suppressed).length,
      total: all.length,
      ruleErrors: 0,
    });
    expect(doc.summary.suppressed).toBeGreaterThanOrEqual(3);
    run.results.forEach((r, i) => {
      expect(doc.results[i].counts).toEqual(countFindings([r]));
      expect(doc.results[i].score).toEqual(r.score);
      expect(doc.results[i].chartLine).toBe(r.chartLine ?? null);
    });
  });

  it('is deterministic, ends with a newline, and carries an injected timestamp', () => {
    expect(jsonReporter(run, context())).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
    expect(buildJsonReport(run, context({ timestamp: '2026-01-15T00:00:00Z' })).timestamp).toBe('2026-01-15T00:00:00Z');
  });

  it('has a schema that rejects what the reporter must never write', () => {
    const bad = structuredClone(doc);
    const f = bad.results.find((r: { target: string }) => r.target === 'suppressed.yaml').findings.find((x: { suppressed: boolean }) => x.suppressed);
    f.suppression = null;
    expect(validate(bad)).toBe(false);
    const bad2 = structuredClone(doc);
    bad2.results[0].findings[0].location.line = 0;
    expect(validate(bad2)).toBe(false);
    const bad3 = structuredClone(doc);
    bad3.results[0].findings[0].extra = 1;
    expect(validate(bad3)).toBe(false);
  });

  it('keeps rule errors', () => {
    const r: LintRun = { ...run, results: [{ ...run.results[0], ruleErrors: [{ ruleId: 'x', message: 'boom' }] }] };
    const d = buildJsonReport(r, context());
    valid(d);
    expect(d.results[0].ruleErrors).toEqual([{ ruleId: 'x', message: 'boom' }]);
    expect(d.summary.ruleErrors).toBe(1);
  });
});
