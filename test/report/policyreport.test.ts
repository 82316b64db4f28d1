// PolicyReport output (wgpolicyk8s.io/v1alpha2 and openreports.io/v1alpha1): every emitted object validates
// against the vendored CRD schema (test/fixtures/crds), summaries count the results, the status and severity
// mapping, one report per object with findings plus one per target, and the CLI end to end on the examples and
// the real chart's rendered quickstart.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  REPORT_APIS,
  buildReport,
  openReportsReporter,
  policyNameOf,
  policyReportReporter,
  reportName,
  reportsOfRun,
  resultOf,
  severityOf,
  statusOf,
  summarize,
  timestampOf,
} from '../../src/report/policyreport.js';
import type { ReportObject, ReportResult } from '../../src/report/policyreport.js';
import { reporters, FORMATS } from '../../src/report/index.js';
import { crdOf, reportProblems } from '../fixtures/crds/validate.js';
import { CUSTOM_SECURITY_RULE, context, emptyRun, findingOf, oddRun, referenceRun, richRun } from '../fixtures/report/runs.js';
import { cli, REF23, ROOT } from '../helpers/cli.js';

type Obj = Record<string, any>;
const TS = '2026-03-01T10:00:00.123Z';

function docs(text: string): Obj[] {
  return parseAllDocuments(text).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Obj;
  });
}

function expectValid(objs: readonly unknown[]): void {
  for (const o of objs) expect(reportProblems(o), JSON.stringify((o as Obj).metadata)).toEqual([]);
}

function expectSummaries(objs: readonly Obj[]): void {
  for (const o of objs) {
    const counted = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 } as Record<string, number>;
    for (const r of o.results) counted[r.result]++;
    expect(o.summary).toEqual(counted);
  }
}

describe('mapping', () => {
  it('result: suppressed -> skip, error -> fail, warning and info -> warn', () => {
    expect(statusOf({ severity: 'error' })).toBe('fail');
    expect(statusOf({ severity: 'warning' })).toBe('warn');
    expect(statusOf({ severity: 'info' })).toBe('warn');
    for (const s of ['error', 'warning', 'info'] as const) {
      expect(statusOf({ severity: s, suppressed: true })).toBe('skip');
      expect(statusOf({ severity: s, suppressed: { kind: 'policy', reason: 'accepted' } })).toBe('skip');
    }
  });

  it('severity: error -> high (critical at security-severity 9.0+), warning -> medium, info -> info', () => {
    const table: [Parameters<typeof severityOf>, string][] = [
      [['error'], 'high'],
      [['error', 8.9], 'high'],
      [['error', 9], 'critical'],
      [['error', 10], 'critical'],
      [['warning'], 'medium'],
      [['warning', 9.5], 'medium'],
      [['info'], 'info'],
      [['info', 9], 'info'],
    ];
    for (const [args, want] of table) expect(severityOf(...args), JSON.stringify(args)).toBe(want);
    const enumOf = crdOf('wgpolicyk8s.io/v1alpha2', 'PolicyReport').schema.properties.results.items.properties.severity.enum as string[];
    for (const [args] of table) expect(enumOf).toContain(severityOf(...args));
  });

  it('timestamps: seconds and nanos of the ISO time, sub-millisecond digits kept', () => {
    expect(timestampOf('1970-01-01T00:00:01Z')).toEqual({ seconds: 1, nanos: 0 });
    expect(timestampOf(TS)).toEqual({ seconds: Date.parse('2026-03-01T10:00:00Z') / 1000, nanos: 123_000_000 });
    expect(timestampOf('2026-03-01T10:00:00.123456789Z')).toEqual({ seconds: Date.parse('2026-03-01T10:00:00Z') / 1000, nanos: 123_456_789 });
    expect(timestampOf('2026-03-01T12:00:00.5+02:00')).toEqual({ seconds: Date.parse('2026-03-01T10:00:00Z') / 1000, nanos: 500_000_000 });
    expect(timestampOf('yesterday')).toBeUndefined();
  });

  it('report names: DNS-safe, at most 63 characters, hashed when changed or shortened', () => {
    expect(reportName('deployment', 'imply-manager')).toBe('imply-lint-deployment-imply-manager');
    const upper = reportName('Deployment', 'imply-manager');
    expect(upper).toBe('imply-lint-deployment-imply-manager');
    const dotted = reportName('configmap', 'imply.conf');
    expect(dotted).toMatch(/^imply-lint-configmap-imply-conf-[0-9a-f]{10}$/);
    // Two names that sanitize alike stay apart.
    expect(reportName('configmap', 'imply_conf')).not.toBe(dotted);
    const long = reportName('statefulset', 'x'.repeat(300));
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^imply-lint-statefulset-x+-[0-9a-f]{10}$/);
    expect(reportName('statefulset', 'y'.repeat(300))).not.toBe(long);
    for (const n of [upper, dotted, long, reportName('examples/quickstart-values.yaml'), reportName('--set'), reportName('ÄÖÜ 中文')]) {
      expect(n).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(n.length).toBeLessThanOrEqual(63);
    }
  });

  it('policy: imply-lint for the default policy, else the policy name', () => {
    expect(policyNameOf('default')).toBe('imply-lint');
    expect(policyNameOf('')).toBe('imply-lint');
    expect(policyNameOf('production')).toBe('production');
  });

  it('a suppressed finding carries the suppression in properties; the summary counts it as skip', () => {
    const run = richRun();
    const f = findingOf(run, 'exempted.yaml', 'no-quickstart-minio');
    const r = resultOf(f, { policy: 'production', rule: run.rules.find((m) => m.id === f.ruleId), timestamp: timestampOf(TS) });
    expect(r).toMatchObject({
      policy: 'production',
      rule: 'no-quickstart-minio',
      result: 'skip',
      severity: 'high',
      category: 'quickstart',
      source: 'imply-lint',
      timestamp: { seconds: expect.any(Number), nanos: 123_000_000 },
      properties: { suppressed: 'true', suppressionKind: 'policy', suppressionReason: 'Accepted until the S3 bucket exists', suppressionExpires: '2099-12-31', fingerprint: f.fingerprint, subject: 'deployments.minio', path: 'deployments.minio' },
    });
    expect(r.properties!.location).toMatch(/^exempted\.yaml:\d+:\d+$/);
    const report = buildReport({ api: 'wgpolicyk8s.io/v1alpha2', name: 'x', results: [r] });
    expect(report.summary).toEqual({ pass: 0, fail: 0, warn: 0, error: 0, skip: 1 });
  });

  it('summarize counts each status', () => {
    const mk = (result: ReportResult['result']): ReportResult => ({ policy: 'p', rule: 'r', result, source: 'imply-lint' });
    expect(summarize(['pass', 'pass', 'fail', 'warn', 'warn', 'warn', 'error', 'skip'].map((s) => mk(s as ReportResult['result'])))).toEqual({ pass: 2, fail: 1, warn: 3, error: 1, skip: 1 });
    expect(summarize([])).toEqual({ pass: 0, fail: 0, warn: 0, error: 0, skip: 0 });
  });
});

describe('reports of a run', () => {
  const ctx = context({ timestamp: TS });

  it('every object of every fixture run validates against its CRD, for both APIs', () => {
    for (const run of [richRun(), referenceRun(), referenceRun(true), oddRun(), emptyRun()]) {
      for (const api of Object.keys(REPORT_APIS) as (keyof typeof REPORT_APIS)[]) {
        const objs = reportsOfRun(run, ctx, api);
        expect(objs.length).toBeGreaterThanOrEqual(run.results.length);
        expectValid(objs);
        expectSummaries(objs);
        for (const o of objs) expect(o.apiVersion).toBe(api);
      }
    }
  });

  it('one report per target, plus one per manifest object with findings, scoped to it', () => {
    const run = richRun();
    const objs = reportsOfRun(run, ctx, 'wgpolicyk8s.io/v1alpha2');
    const byTarget = (t: string) => objs.filter((o) => o.metadata.annotations?.['imply-lint.io/target'] === t);
    const values = byTarget('values.yaml');
    expect(values).toHaveLength(1);
    expect(values[0].metadata.name).toBe(reportName('values.yaml'));
    expect(values[0].scope).toBeUndefined();
    const minio = values[0].results.find((r) => r.rule === 'no-quickstart-minio')!;
    expect(minio).toMatchObject({ result: 'fail', severity: 'high', category: 'quickstart' });
    expect(minio.properties!.location).toBe('values.yaml:3:3');
    expect(minio.properties!.helpUri).toMatch(/\/no-quickstart-minio\.md$/);

    const qs = byTarget('quickstart.rendered.yaml');
    const result = run.results.find((r) => r.target === 'quickstart.rendered.yaml')!;
    const objects = new Set(result.findings.map((f) => f.object).filter(Boolean));
    expect(objects.size).toBeGreaterThan(1);
    expect(qs).toHaveLength(objects.size + 1);
    for (const o of qs.filter((x) => x.scope)) {
      const ref = `${o.scope!.kind}/${o.scope!.name}`;
      expect(objects).toContain(ref);
      expect(o.metadata.name).toBe(reportName(o.scope!.kind, o.scope!.name));
      for (const r of o.results) {
        expect(r.resources).toEqual([o.scope]);
        expect(r.properties!.object).toBe(ref);
      }
      // Exactly this object's findings.
      expect(o.results.map((r) => r.properties!.fingerprint).sort()).toEqual(result.findings.filter((f) => f.object === ref).map((f) => f.fingerprint).sort());
    }
    // Every finding appears exactly once across the target's reports.
    const all = qs.flatMap((o) => o.results.filter((r) => r.result !== 'pass').map((r) => r.properties!.fingerprint));
    expect(all.sort()).toEqual(result.findings.map((f) => f.fingerprint).sort());
  });

  it('pass results: one per applicable rule that found nothing, in the target report', () => {
    const run = richRun();
    const objs = reportsOfRun(run, ctx, 'wgpolicyk8s.io/v1alpha2');
    for (const r of run.results) {
      const own = objs.find((o) => o.metadata.annotations?.['imply-lint.io/target'] === r.target && !o.scope)!;
      const fired = new Set(r.findings.map((f) => f.ruleId));
      const passes = own.results.filter((x) => x.result === 'pass');
      expect(passes.map((p) => p.rule).sort()).toEqual(r.applicable.filter((id) => !fired.has(id)).sort());
      for (const p of passes) {
        const m = run.rules.find((x) => x.id === p.rule)!;
        expect(p).toMatchObject({ policy: 'production', message: m.title, category: m.category, source: 'imply-lint' });
      }
    }
  });

  it('severity variants and suppressions: warning, info, inline and annotation suppressions', () => {
    const objs = reportsOfRun(richRun(), ctx, 'wgpolicyk8s.io/v1alpha2');
    const rule = (target: string, id: string) => objs.filter((o) => o.metadata.annotations?.['imply-lint.io/target'] === target).flatMap((o) => o.results).find((r) => r.rule === id)!;
    expect(rule('warning.yaml', 'no-quickstart-minio')).toMatchObject({ result: 'warn', severity: 'medium' });
    expect(rule('info.yaml', 'no-quickstart-minio')).toMatchObject({ result: 'warn', severity: 'info' });
    expect(rule('suppressed.yaml', 'no-quickstart-minio')).toMatchObject({ result: 'skip', properties: { suppressed: 'true', suppressionKind: 'inline' } });
    expect(rule('suppressed.yaml', 'no-quickstart-minio').properties!.suppressionReason).toContain('MinIO is the staging deep storage');
    expect(rule('annotated.rendered.yaml', 'no-quickstart-minio')).toMatchObject({ result: 'skip', properties: { suppressionKind: 'annotation', suppressionReason: 'demo cluster' } });
    expect(rule('set-flag', 'no-quickstart-minio').properties!.provenance).toContain('--set deployments.minio=true');
  });

  it('rules that threw are error results', () => {
    const run = richRun();
    run.results[0] = { ...run.results[0], ruleErrors: [{ ruleId: 'replicas-ha', message: 'boom' }] };
    const objs = reportsOfRun(run, ctx, 'openreports.io/v1alpha1');
    const own = objs.find((o) => o.metadata.annotations?.['imply-lint.io/target'] === run.results[0].target && !o.scope)!;
    expect(own.results.find((r) => r.result === 'error')).toMatchObject({ rule: 'replicas-ha', message: 'boom', source: 'imply-lint' });
    expect(own.summary.error).toBe(1);
    expectValid(objs);
  });

  it('a custom rule of security-severity 8 at error is high; no timestamp without ctx.timestamp', () => {
    const run = richRun();
    const f = { ...findingOf(run, 'values.yaml', 'no-quickstart-minio'), ruleId: CUSTOM_SECURITY_RULE.id };
    const r = resultOf(f, { policy: 'p', rule: CUSTOM_SECURITY_RULE });
    expect(r.severity).toBe('high');
    expect(r.category).toBe('security');
    expect(r.timestamp).toBeUndefined();
    const objs = reportsOfRun(run, context(), 'wgpolicyk8s.io/v1alpha2');
    for (const o of objs) for (const x of o.results) expect(x.timestamp).toBeUndefined();
    expectValid(objs);
  });

  it('openreports: Report kind, a top-level source and a source per result; PolicyReport has no top-level source', () => {
    const run = richRun();
    const wg = reportsOfRun(run, ctx, 'wgpolicyk8s.io/v1alpha2');
    const or = reportsOfRun(run, ctx, 'openreports.io/v1alpha1');
    expect(new Set(wg.map((o) => o.kind))).toEqual(new Set(['PolicyReport']));
    expect(new Set(or.map((o) => o.kind))).toEqual(new Set(['Report']));
    for (const o of wg) expect(o).not.toHaveProperty('source');
    for (const o of or) {
      expect(o.source).toBe('imply-lint');
      for (const r of o.results) expect(r.source).toBe('imply-lint');
    }
    // Same results otherwise.
    expect(or.map((o) => ({ ...o, apiVersion: '', kind: '', source: undefined }))).toEqual(wg.map((o) => ({ ...o, apiVersion: '', kind: '', source: undefined })));
    // Cluster kinds exist for both and validate too.
    for (const api of ['wgpolicyk8s.io/v1alpha2', 'openreports.io/v1alpha1'] as const) {
      const c = buildReport({ api, name: 'imply-lint-clusterrole-x', cluster: true, namespace: 'ignored', scope: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'x' }, results: wg[0].results });
      expect(c.kind).toBe(REPORT_APIS[api].clusterKind);
      expect(c.metadata.namespace).toBeUndefined();
      expectValid([c]);
    }
  });

  it('the validator is strict: unknown fields, bad enums and bad names are caught', () => {
    const good = reportsOfRun(richRun(), ctx, 'wgpolicyk8s.io/v1alpha2')[0];
    const bad = (mut: (o: Obj) => void): string[] => {
      const o = structuredClone(good) as Obj;
      mut(o);
      return reportProblems(o);
    };
    expect(bad((o) => (o.source = 'imply-lint'))).not.toEqual([]); // top-level source: openreports only
    expect(bad((o) => (o.results[0].result = 'info'))).not.toEqual([]);
    expect(bad((o) => (o.results[0].severity = 'error'))).not.toEqual([]);
    expect(bad((o) => (o.results[0].properties = { n: 1 }))).not.toEqual([]);
    expect(bad((o) => (o.results[0].timestamp = { seconds: 1 }))).not.toEqual([]);
    expect(bad((o) => (o.metadata.name = 'Not_DNS'))).not.toEqual([]);
    expect(bad((o) => delete o.results[0].policy)).not.toEqual([]);
    expect(bad(() => undefined)).toEqual([]);
  });
});

describe('reporters', () => {
  it('are registered as --format policyreport and openreports', () => {
    expect(FORMATS).toContain('policyreport');
    expect(FORMATS).toContain('openreports');
    expect(reporters.policyreport).toBe(policyReportReporter);
    expect(reporters.openreports).toBe(openReportsReporter);
  });

  it('write a YAML stream that parses back to the objects, long messages unfolded', () => {
    const run = richRun();
    const ctx = context({ timestamp: TS });
    const text = policyReportReporter(run, ctx);
    expect(text.startsWith('---\n')).toBe(true);
    expect(docs(text)).toEqual(JSON.parse(JSON.stringify(reportsOfRun(run, ctx, 'wgpolicyk8s.io/v1alpha2'))));
    expect(docs(openReportsReporter(run, ctx))).toEqual(JSON.parse(JSON.stringify(reportsOfRun(run, ctx, 'openreports.io/v1alpha1'))));
    expect(policyReportReporter(emptyRun(), ctx)).toBe('');
    // Shared timestamps and scopes are written out, not as YAML anchors and aliases.
    expect(text).not.toMatch(/[&*]a\d+\b/);
    // Not folded: each message sits whole on its line (kubectl get -o yaml shows them the same way).
    const messages = reportsOfRun(run, ctx, 'wgpolicyk8s.io/v1alpha2').flatMap((o) => o.results.map((r) => r.message ?? '')).filter((m) => m.length > 80 && !/["'\\#:]/.test(m));
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) expect(text).toContain(m);
  });
});

describe('CLI end to end', () => {
  const QUICKSTART = path.join(REF23, 'quickstart.rendered.yaml');

  it('--format policyreport on examples/quickstart-values.yaml: one valid report with its findings and passes', async () => {
    const r = await cli(['examples/quickstart-values.yaml', '--format', 'policyreport']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const objs = docs(r.stdout);
    expect(objs).toHaveLength(1);
    expectValid(objs);
    expectSummaries(objs);
    const o = objs[0] as ReportObject;
    expect(o).toMatchObject({ apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: { name: expect.stringMatching(/^imply-lint-examples-quickstart-values-yaml-[0-9a-f]{10}$/), labels: { 'app.kubernetes.io/managed-by': 'imply-lint' } } });
    expect(o.summary.fail).toBeGreaterThan(0);
    expect(o.summary.pass).toBeGreaterThan(0);
    const json = JSON.parse((await cli(['examples/quickstart-values.yaml', '--format', 'json'])).stdout) as Obj;
    const findings = json.results[0].findings as Obj[];
    expect(o.results.filter((x) => x.result !== 'pass').map((x) => `${x.rule} ${x.properties!.fingerprint}`).sort()).toEqual(findings.map((f) => `${f.ruleId} ${f.fingerprint}`).sort());
    expect(o.summary.fail).toBe(findings.filter((f) => f.severity === 'error' && !f.suppressed).length);
    // The CLI passes the time: every result has one, close to now.
    for (const x of o.results) expect(Math.abs(x.timestamp!.seconds - Date.now() / 1000)).toBeLessThan(120);
  });

  it('--format openreports on the real quickstart.rendered.yaml: a Report per object with findings, all valid', async () => {
    const r = await cli([QUICKSTART, '--format', 'openreports', '--fail-on', 'none']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const objs = docs(r.stdout);
    expectValid(objs);
    expectSummaries(objs);
    const scoped = objs.filter((o) => o.scope);
    expect(scoped.length).toBeGreaterThan(1);
    for (const o of objs) expect(o).toMatchObject({ apiVersion: 'openreports.io/v1alpha1', kind: 'Report', source: 'imply-lint' });
    const minio = scoped.find((o) => o.scope.kind === 'Deployment' && o.scope.name === 'imply-minio');
    expect(minio?.results.map((x: Obj) => x.rule)).toContain('no-quickstart-minio');
    expect(minio?.metadata.name).toBe('imply-lint-deployment-imply-minio');
    const names = objs.map((o) => o.metadata.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('-o FILE writes the stream; an unknown format lists the new ones', async () => {
    const out = path.join(ROOT, 'node_modules/.cache/policyreport-test/out.yaml');
    const r = await cli(['examples/production-values.yaml', '--format', 'policyreport', '-o', out, '--fail-on', 'none']);
    expect(r.code).toBe(0);
    const bad = await cli(['examples/production-values.yaml', '--format', 'polr']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('policyreport');
    expect(bad.stderr).toContain('openreports');
    const { readFileSync } = await import('node:fs');
    expectValid(docs(readFileSync(out, 'utf8')));
  });
});
