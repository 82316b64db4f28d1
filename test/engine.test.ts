// Engine: fingerprints, folding into related locations, suppressions (inline, annotation, policy), expiry,
// rule errors, post-phase usage and the readiness score (docs/scoring.md).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { modelFromTexts } from '../src/model/build.js';
import type { DeploymentModel } from '../src/model/types.js';
import minio from '../src/rules/catalog/no-quickstart-minio.js';
import { fingerprint, formatMessage, isExpired, lint, SCORE_WEIGHTS } from '../src/rules/engine.js';
import { emptyPolicy } from '../src/rules/policy.js';
import type { ResolvedPolicy } from '../src/rules/policy.js';
import { defineRule } from '../src/rules/types.js';
import type { Anchor, Category, InputKind, PolicyExemption, Rule, RuleContext, Severity, SuppressionUsage } from '../src/rules/types.js';

/** A rule that reports what it is told to, for driving the engine. */
function probe(id: string, opts: { severity?: Severity; inputs?: InputKind[]; category?: Category; phase?: 'post'; report?: (m: DeploymentModel, ctx: RuleContext) => void } = {}): Rule {
  return defineRule({
    meta: {
      id,
      title: id,
      severity: opts.severity ?? 'error',
      category: opts.category ?? 'availability',
      inputs: opts.inputs ?? ['values', 'manifest'],
      rationale: 'test',
      fix: 'test',
      subject: 'test',
      messages: { m: 'problem with {{subject}}', other: 'other {{x}}' },
      phase: opts.phase,
    },
    check(m, ctx) {
      opts.report?.(m, ctx);
    },
  });
}

/** Reports `deployments.minio` (values) or every Deployment (manifest) under one subject. */
const at = (subject: string, anchors: (m: DeploymentModel) => Anchor[], severity?: Severity) => (m: DeploymentModel, ctx: RuleContext) => {
  for (const a of anchors(m)) ctx.report({ messageId: 'm', data: { subject }, subject, at: a, severity });
};

const values = (text: string) => modelFromTexts({ values: [{ path: 'values.yaml', text }] });
const pol = (p: Partial<ResolvedPolicy> = {}): ResolvedPolicy => ({ ...emptyPolicy(), ...p });

const minioValues = 'deployments:\n  minio: true\n';
const minioManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: rel-minio
  labels: {app: minio, release: rel}
spec:
  template:
    spec:
      containers:
        - name: minio
          image: minio/minio:RELEASE.2020-03-06T22-23-56Z
`;

describe('fingerprint', () => {
  it('is the first 32 hex digits of sha256(ruleId NUL subject)', () => {
    const want = createHash('sha256').update('no-quickstart-minio\u0000deployments.minio').digest('hex').slice(0, 32);
    expect(fingerprint('no-quickstart-minio', 'deployments.minio')).toBe(want);
    expect(fingerprint('no-quickstart-minio', 'deployments.minio')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('differs by rule and by subject, and the separator keeps them apart', () => {
    const fps = new Set([fingerprint('a', 'b'), fingerprint('b', 'a'), fingerprint('a', 'c'), fingerprint('a\u0000b', ''), fingerprint('ab', '')]);
    expect(fps.size).toBe(5);
  });

  it('is equal for the values and the manifest form of one mistake (file, line and object names left out)', () => {
    const v = lint(values(minioValues), pol(), { target: 'v', rules: [minio] }).findings;
    const m = lint(modelFromTexts({ manifests: [{ path: 'rendered/other-name.yaml', text: minioManifest }] }), pol(), { target: 'm', rules: [minio] }).findings;
    expect(v).toHaveLength(1);
    expect(m).toHaveLength(1);
    expect(v[0].location?.file).not.toBe(m[0].location?.file);
    expect(v[0].fingerprint).toBe(m[0].fingerprint);
    expect(v[0].message).toBe(m[0].message);
  });

  it('is stable across runs and inputs that move the evidence', () => {
    const a = lint(values(minioValues), pol(), { target: 'a', rules: [minio] }).findings[0];
    const b = lint(values('# moved down\nimages: {}\ndeployments:\n  minio: true\n'), pol(), { target: 'b', rules: [minio] }).findings[0];
    expect(a.location?.line).not.toBe(b.location?.line);
    expect(a.fingerprint).toBe(b.fingerprint);
  });
});

describe('folding', () => {
  const model = values('a: 1\nb: 2\nc: 3\n');
  const anchors = (): Anchor[] => [{ values: ['a'] }, { values: ['b'] }, { values: ['c'] }, { values: ['b'] }];

  it('findings sharing a fingerprint become one, the other places related (no repeats)', () => {
    const r = probe('fold', { report: at('same', anchors) });
    const [f, ...rest] = lint(model, pol(), { target: 't', rules: [r] }).findings;
    expect(rest).toEqual([]);
    expect(f.location?.line).toBe(1);
    expect(f.related.map((x) => [x.line, x.path])).toEqual([
      [2, 'b'],
      [3, 'c'],
    ]);
  });

  it('different subjects stay separate findings, sorted by location', () => {
    const r = probe('sep', {
      report: (_m, ctx) => {
        ctx.report({ messageId: 'm', subject: 'y', at: { values: ['c'] } });
        ctx.report({ messageId: 'm', subject: 'x', at: { values: ['a'] } });
      },
    });
    expect(lint(model, pol(), { target: 't', rules: [r] }).findings.map((f) => [f.subject, f.location?.line])).toEqual([
      ['x', 1],
      ['y', 3],
    ]);
  });

  it('the folded finding takes the highest variant severity', () => {
    const r = probe('sev', {
      severity: 'error',
      report: (_m, ctx) => {
        ctx.report({ messageId: 'm', subject: 's', at: { values: ['a'] }, severity: 'info' });
        ctx.report({ messageId: 'm', subject: 's', at: { values: ['b'] }, severity: 'warning' });
      },
    });
    expect(lint(model, pol(), { target: 't', rules: [r] }).findings[0].severity).toBe('warning');
  });

  it('a policy severity overrides variants', () => {
    const r = probe('sev2', { report: (_m, ctx) => ctx.report({ messageId: 'm', subject: 's', at: { values: ['a'] }, severity: 'warning' }) });
    expect(lint(model, pol({ rules: { sev2: { severity: 'info' } } }), { target: 't', rules: [r] }).findings[0].severity).toBe('info');
  });

  it('explicit related anchors are listed', () => {
    const r = probe('rel', { report: (_m, ctx) => ctx.report({ messageId: 'm', subject: 's', at: { values: ['a'] }, related: [{ values: ['c'] }, { values: ['a'] }] }) });
    expect(lint(model, pol(), { target: 't', rules: [r] }).findings[0].related.map((x) => x.line)).toEqual([3]);
  });

  it('manifest objects fold into one finding naming the first object', () => {
    const text = `${minioManifest}---\n${minioManifest.replace('name: rel-minio', 'name: rel-minio-2')}`;
    const r = probe('objs', { report: at('deployments.minio', (m) => m.manifests!.objects.map((o) => ({ object: o }))) });
    const [f] = lint(modelFromTexts({ manifests: [{ path: 'm.yaml', text }] }), pol(), { target: 't', rules: [r] }).findings;
    expect(f.object).toBe('Deployment/rel-minio');
    expect(f.related.map((x) => x.object)).toEqual(['Deployment/rel-minio-2']);
  });
});

describe('inline suppressions', () => {
  const run = (text: string, rules: Rule[] = [minio]) => lint(values(text), pol(), { target: 't', rules }).findings;

  it('next-line with a reason suppresses the finding on the next content line', () => {
    const [f] = run('deployments:\n  # imply-lint-disable-next-line no-quickstart-minio -- demo cluster\n\n  # another comment\n  minio: true\n');
    expect(f.suppressed).toMatchObject({ kind: 'inline', reason: 'demo cluster', location: { line: 2, column: 3 } });
  });

  it('next-line without a reason does not apply', () => {
    const [f] = run('deployments:\n  # imply-lint-disable-next-line no-quickstart-minio\n  minio: true\n');
    expect(f.suppressed).toBeUndefined();
  });

  it('next-line naming another rule does not apply; naming several does', () => {
    expect(run('deployments:\n  # imply-lint-disable-next-line tls-enabled -- x\n  minio: true\n')[0].suppressed).toBeUndefined();
    expect(run('deployments:\n  # imply-lint-disable-next-line tls-enabled, no-quickstart-minio -- x\n  minio: true\n')[0].suppressed?.kind).toBe('inline');
  });

  it('next-line naming no rule suppresses every rule on that line', () => {
    expect(run('deployments:\n  # imply-lint-disable-next-line -- everything here is a demo\n  minio: true\n')[0].suppressed?.kind).toBe('inline');
  });

  it('next-line only covers its line', () => {
    expect(run('# imply-lint-disable-next-line no-quickstart-minio -- x\nimages: {}\ndeployments:\n  minio: true\n')[0].suppressed).toBeUndefined();
  });

  it('file suppression with a reason covers the whole file, not other files', () => {
    const [f] = run('# imply-lint-disable-file no-quickstart-minio -- quickstart values\ndeployments:\n  minio: true\n');
    expect(f.suppressed).toMatchObject({ kind: 'file', reason: 'quickstart values' });
    const m = modelFromTexts({ values: [{ path: 'a.yaml', text: '# imply-lint-disable-file no-quickstart-minio -- x\nimages: {}\n' }, { path: 'b.yaml', text: minioValues }] });
    expect(lint(m, pol(), { target: 't', rules: [minio] }).findings[0].suppressed).toBeUndefined();
  });

  it('file suppression without a reason does not apply', () => {
    expect(run('# imply-lint-disable-file no-quickstart-minio\ndeployments:\n  minio: true\n')[0].suppressed).toBeUndefined();
  });

  it('a suppressed finding is still listed (reporters decide what to show)', () => {
    const res = lint(values('deployments:\n  # imply-lint-disable-next-line no-quickstart-minio -- x\n  minio: true\n'), pol(), { target: 't', rules: [minio] });
    expect(res.findings).toHaveLength(1);
  });
});

describe('annotation exemptions', () => {
  const manifest = (ann: string) => minioManifest.replace('  labels: {app: minio, release: rel}\n', `  labels: {app: minio, release: rel}\n  annotations:\n${ann}\n`);
  const run = (ann: string) => lint(modelFromTexts({ manifests: [{ path: 'm.yaml', text: manifest(ann) }] }), pol(), { target: 't', rules: [minio] }).findings;

  it('exempt + exempt-reason suppresses the rule on that object', () => {
    const [f] = run('    imply-lint.io/exempt: no-quickstart-minio\n    imply-lint.io/exempt-reason: staging mirror');
    expect(f.suppressed).toMatchObject({ kind: 'annotation', reason: 'staging mirror' });
  });

  it('"*" exempts every rule; a list may be comma separated', () => {
    expect(run('    imply-lint.io/exempt: "*"\n    imply-lint.io/exempt-reason: x')[0].suppressed?.kind).toBe('annotation');
    expect(run('    imply-lint.io/exempt: "tls-enabled,no-quickstart-minio"\n    imply-lint.io/exempt-reason: x')[0].suppressed?.kind).toBe('annotation');
  });

  it('without a reason, or naming another rule, it does not apply', () => {
    expect(run('    imply-lint.io/exempt: no-quickstart-minio')[0].suppressed).toBeUndefined();
    expect(run('    imply-lint.io/exempt: tls-enabled\n    imply-lint.io/exempt-reason: x')[0].suppressed).toBeUndefined();
  });

  it('an annotation on a folded (related) object exempts the finding', () => {
    const text = `${minioManifest}---\n${manifest('    imply-lint.io/exempt: objs\n    imply-lint.io/exempt-reason: x').replace('name: rel-minio', 'name: rel-minio-2')}`;
    const r = probe('objs', { report: at('deployments.minio', (m) => m.manifests!.objects.map((o) => ({ object: o }))) });
    const [f] = lint(modelFromTexts({ manifests: [{ path: 'm.yaml', text }] }), pol(), { target: 't', rules: [r] }).findings;
    expect(f.object).toBe('Deployment/rel-minio');
    expect(f.suppressed?.kind).toBe('annotation');
  });
});

describe('policy exemptions', () => {
  const src = { file: '.imply-lint.yaml', range: { line: 4, column: 5, endLine: 4, endColumn: 30 } };
  const ex = (e: Partial<PolicyExemption>): PolicyExemption => ({ reason: 'accepted', source: src, ...e });
  const run = (exemptions: PolicyExemption[], now?: Date) =>
    lint(modelFromTexts({ values: [{ path: 'v.yaml', text: minioValues }], context: now ? { now } : undefined }), pol({ exemptions }), { target: 't', rules: [minio] }).findings[0];

  it('by rule + subject', () => {
    expect(run([ex({ rule: 'no-quickstart-minio', subject: 'deployments.minio' })]).suppressed).toMatchObject({ kind: 'policy', reason: 'accepted', location: { file: '.imply-lint.yaml', line: 4 } });
    expect(run([ex({ rule: 'no-quickstart-minio', subject: 'deployments.mysql' })]).suppressed).toBeUndefined();
    expect(run([ex({ rule: 'tls-enabled', subject: 'deployments.minio' })]).suppressed).toBeUndefined();
  });

  it('by rule alone (every subject of that rule)', () => {
    expect(run([ex({ rule: 'no-quickstart-minio' })]).suppressed?.kind).toBe('policy');
  });

  it('by fingerprint', () => {
    expect(run([ex({ fingerprint: fingerprint('no-quickstart-minio', 'deployments.minio') })]).suppressed?.kind).toBe('policy');
    expect(run([ex({ fingerprint: fingerprint('no-quickstart-minio', 'other') })]).suppressed).toBeUndefined();
  });

  it('an expired exemption stops applying the day after its date (UTC)', () => {
    const e = [ex({ rule: 'no-quickstart-minio', expires: '2026-01-15' })];
    expect(run(e, new Date('2026-01-15T23:59:59Z')).suppressed).toMatchObject({ kind: 'policy', expires: '2026-01-15' });
    expect(run(e, new Date('2026-01-16T00:00:00Z')).suppressed).toBeUndefined();
  });

  it('isExpired: dates are end of day UTC, timestamps exact, garbage never expires', () => {
    const now = new Date('2026-01-15T12:00:00Z');
    expect(isExpired(undefined, now)).toBe(false);
    expect(isExpired('2026-01-14', now)).toBe(true);
    expect(isExpired('2026-01-15', now)).toBe(false);
    expect(isExpired('2026-01-15T11:59:59Z', now)).toBe(true);
    expect(isExpired('2026-01-15T12:00:01Z', now)).toBe(false);
    expect(isExpired('someday', now)).toBe(false);
  });

  it('the first matching suppression wins: inline before policy', () => {
    const m = modelFromTexts({ values: [{ path: 'v.yaml', text: 'deployments:\n  # imply-lint-disable-next-line no-quickstart-minio -- inline\n  minio: true\n' }] });
    const [f] = lint(m, pol({ exemptions: [ex({ rule: 'no-quickstart-minio' })] }), { target: 't', rules: [minio] }).findings;
    expect(f.suppressed?.kind).toBe('inline');
  });
});

describe('rule errors and post-phase rules', () => {
  it('a rule that throws is recorded and the others still run', () => {
    const bad = probe('bad', {
      report: () => {
        throw new Error('boom');
      },
    });
    const res = lint(values(minioValues), pol(), { target: 't', rules: [bad, minio] });
    expect(res.ruleErrors).toEqual([{ ruleId: 'bad', message: 'boom' }]);
    expect(res.findings.map((f) => f.ruleId)).toEqual(['no-quickstart-minio']);
  });

  it('an unknown messageId is a rule error', () => {
    const bad = probe('bad2', { report: (_m, ctx) => ctx.report({ messageId: 'nope', subject: 's', at: { none: true } }) });
    expect(lint(values('a: 1\n'), pol(), { target: 't', rules: [bad] }).ruleErrors[0].message).toContain('unknown messageId nope');
  });

  it('post rules run after suppressions and see how they were used', () => {
    let seen: SuppressionUsage | undefined;
    const post = probe('post', { category: 'hygiene', phase: 'post', report: (_m, ctx) => (seen = ctx.usage) });
    lint(values('deployments:\n  # imply-lint-disable-next-line no-quickstart-minio -- x\n  minio: true\n  # imply-lint-disable-next-line tls-enabled -- y\n  mysql: false\n'), pol(), { target: 't', rules: [minio, post] });
    expect(seen?.inline.map((u) => [u.line, u.used, u.hasReason])).toEqual([
      [2, true, true],
      [4, false, true],
    ]);
  });

  it('formatMessage fills known placeholders and keeps unknown ones', () => {
    expect(formatMessage('{{a}} and {{ b }} and {{c}}', { a: 1, b: 'x' })).toBe('1 and x and {{c}}');
  });
});

describe('readiness score', () => {
  const model = values('a: 1\n');
  const fail = (id: string, o: Parameters<typeof probe>[1] = {}) => probe(id, { ...o, report: (_m, ctx) => ctx.report({ messageId: 'm', subject: id, at: { values: ['a'] } }) });
  const pass = (id: string, o: Parameters<typeof probe>[1] = {}) => probe(id, o);

  it('weights error 5, warning 2, info 1', () => {
    expect(SCORE_WEIGHTS).toEqual({ error: 5, warning: 2, info: 1 });
  });

  it('100 x passed weight / applicable weight, one decimal', () => {
    // error fails (5), warning passes (2), info passes (1): 3/8 = 37.5
    const res = lint(model, pol(), { target: 't', rules: [fail('e', { severity: 'error' }), pass('w', { severity: 'warning' }), pass('i', { severity: 'info' })] });
    expect(res.score).toEqual({ value: 37.5, passedWeight: 3, applicableWeight: 8 });
  });

  it('rounds to one decimal', () => {
    // 2 of 3 warnings pass: 4/6 = 66.666… -> 66.7
    const res = lint(model, pol(), { target: 't', rules: [fail('a', { severity: 'warning' }), pass('b', { severity: 'warning' }), pass('c', { severity: 'warning' })] });
    expect(res.score.value).toBe(66.7);
  });

  it('the policy severity sets the weight, not the finding\'s variant severity', () => {
    const variant = probe('v', { severity: 'error', report: (_m, ctx) => ctx.report({ messageId: 'm', subject: 's', at: { values: ['a'] }, severity: 'info' }) });
    const res = lint(model, pol({ rules: { p: { severity: 'info' } } }), { target: 't', rules: [variant, pass('p', { severity: 'error' })] });
    // v: weight 5 (its default, the variant does not count), failed; p: weight 1 (policy), passed.
    expect(res.score).toEqual({ value: 16.7, passedWeight: 1, applicableWeight: 6 });
  });

  it('a rule with only suppressed findings passes', () => {
    const m = values('# imply-lint-disable-next-line e -- accepted\na: 1\n');
    const res = lint(m, pol(), { target: 't', rules: [fail('e'), pass('w', { severity: 'warning' })] });
    expect(res.score).toEqual({ value: 100, passedWeight: 7, applicableWeight: 7 });
  });

  it('off rules, rules that cannot see this input and hygiene rules (but three) are left out', () => {
    const rules = [
      fail('off-rule'),
      fail('live-only', { inputs: ['live'] }),
      fail('yaml-ish', { category: 'hygiene' }),
      fail('unknown-key', { category: 'hygiene', severity: 'warning' }),
      pass('value-type', { category: 'hygiene' }),
      pass('unresolved-placeholder', { category: 'hygiene' }),
      pass('e'),
    ];
    const res = lint(model, pol({ rules: { 'off-rule': { severity: 'off' } } }), { target: 't', rules });
    // unknown-key 2 (failed) + value-type 5 + unresolved-placeholder 5 + e 5 = 17, passed 15.
    expect(res.score).toEqual({ value: 88.2, passedWeight: 15, applicableWeight: 17 });
    expect(res.applicable).not.toContain('off-rule');
    expect(res.applicable).not.toContain('live-only');
    expect(res.applicable).toContain('yaml-ish');
  });

  it('nothing applicable scores 100', () => {
    expect(lint(model, pol(), { target: 't', rules: [] }).score).toEqual({ value: 100, passedWeight: 0, applicableWeight: 0 });
  });
});
