// Fix stage: the overlay builder and the in-place writer, unit by unit.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { overlayOf, planFix } from '../../src/fix/plan.js';
import type { Relint } from '../../src/fix/plan.js';
import { renderOverlay } from '../../src/fix/render.js';
import { applyEditsToText } from '../../src/fix/write.js';
import { applyReplacement, diffRegion } from '../../src/fix/text-fix.js';
import { buildModel } from '../../src/model/build.js';
import { makeSource } from '../../src/model/source.js';
import { lint } from '../../src/rules/engine.js';
import { emptyPolicy } from '../../src/rules/policy.js';
import { BUILTIN_RULES } from '../../src/rules/registry.js';

function relintFor(text: string): Relint {
  return (overlay) => {
    const files = [makeSource('values.yaml', text, 'values'), ...(overlay ? [makeSource('overlay.yaml', JSON.stringify(overlay), 'values')] : [])];
    const model = buildModel({ values: files, context: { now: new Date('2026-01-15T00:00:00Z') } });
    return { result: lint(model, emptyPolicy(), { target: 'values.yaml', rules: BUILTIN_RULES }), values: model.values };
  };
}

describe('overlayOf', () => {
  it('nests edits and rewrites a list whole from the effective values (Helm replaces lists)', () => {
    const base = { druid: { commonRuntimeProperties: ['a=1', 'b=http://x-minio:9000', 'c=3'] } };
    const o = overlayOf([{ path: ['druid', 'commonRuntimeProperties', 1], value: 'b=<fill-me>' }, { path: ['deployments', 'minio'], value: false }], base);
    expect(o).toEqual({ druid: { commonRuntimeProperties: ['a=1', 'b=<fill-me>', 'c=3'] }, deployments: { minio: false } });
    expect(base.druid.commonRuntimeProperties[1]).toBe('b=http://x-minio:9000');
  });
});

describe('planFix', () => {
  const QUICK = 'deployments:\n  minio: true\n  mysql: false\nmanager:\n  licenseKey: "ABCDEF-secret-licence"\nzookeeper:\n  replicaCount: 1\n';
  const plan = planFix(relintFor(QUICK));
  const set = Object.fromEntries(plan.edits.map((e) => [e.path.join('.'), e.value]));

  it('collects the fixes, follows what they uncover and keeps only what is needed', () => {
    expect(set['deployments.minio']).toBe(false);
    expect(set['zookeeper.replicaCount']).toBe(3);
    expect(set['security.tls.secretName']).toBe('imply-ca');
    // Uncovered by the TLS fix: legacy TLS; by disabling MinIO: the default S3 endpoint.
    expect(set['security.enableLegacyTls']).toBe(false);
    expect(set['druid.commonRuntimeProperties.1']).toBe('druid.s3.endpoint.url=<fill-me>');
    // The disabled MinIO's default secret key needs no edit once MinIO is off.
    expect(Object.keys(set)).not.toContain('minio.secretKey');
    expect(plan.unresolved).toEqual([]);
  });

  it('never writes a secret: the inline licence key is emptied and read from a Secret', () => {
    expect(set['manager.licenseKey']).toBe('');
    // The licence then comes from the Secret manager.secretName names (the 2023 defaults already name one).
    const merged = relintFor(QUICK)(undefined).values!.merged as { manager: { secretName?: string } };
    expect(set['manager.secretName'] ?? merged.manager.secretName).toBe('imply-secrets');
    const text = renderOverlay(plan, relintFor(QUICK)(undefined).values!.merged, ['values.yaml']);
    expect(text).not.toContain('ABCDEF');
  });

  it('names the rules per key and in the header; the overlay parses to the planned values', () => {
    const text = renderOverlay(plan, relintFor(QUICK)(undefined).values!.merged, ['values.yaml']);
    expect(text).toMatch(/^# imply-lint fix: values overlay for values\.yaml\./);
    expect(text).toContain('# fixes: no-quickstart-minio\n  minio: false');
    expect(text).toContain('# fixes: tls-enabled');
    expect(text).toMatch(/Fill in every <fill-me> \(\d+\)/);
    const parsed = parse(text) as Record<string, unknown>;
    expect(parsed).toEqual(overlayOf(plan.edits, relintFor(QUICK)(undefined).values!.merged));
  });

  it('a clean file needs no overlay', () => {
    const p = planFix(relintFor('deployments:\n  manager: false\n  agents: false\n  minio: false\n  zookeeper: false\n  mysql: false\n'));
    expect(p.edits.filter((e) => e.rules.length > 0).map((e) => e.path.join('.'))).toEqual(p.edits.map((e) => e.path.join('.')));
    const q = planFix(relintFor(''));
    expect(q.fixed.length).toBeGreaterThan(0);
  });

  it('skips a list edit that would copy a secret into the overlay', () => {
    const p = planFix(relintFor('deployments:\n  minio: false\ndruid:\n  commonRuntimeProperties:\n    - druid.s3.endpoint.url=http://{{ .Release.Name }}-minio:9000\n    - druid.s3.secretKey=verysecretvalue\n'));
    expect(p.skipped.some((s) => s.ruleId === 'no-dangling-quickstart-references' && /secret/.test(s.reason))).toBe(true);
    const text = renderOverlay(p, relintFor('')(undefined).values!.merged, ['values.yaml']);
    expect(text).not.toContain('verysecretvalue');
  });
});

describe('applyEditsToText (--write)', () => {
  it('keeps comments, key order, quoting, flow style and anchors; changes only the edited values', () => {
    const text = [
      '# my values',
      'defaults: &defs {cpu: "1", memory: 2G}   # flow map with an anchor',
      'deployments:',
      '  minio: true     # quickstart',
      '  zookeeper: true',
      '',
      'security: {}',
      'druid:',
      '  commonRuntimeProperties:',
      '    - "# MinIO configurations"',
      '    - "druid.s3.endpoint.url=http://{{ .Release.Name }}-minio:9000"',
      'query:',
      '  resources: *defs',
      '  replicaCount: 1',
      '',
    ].join('\n');
    const { text: out, reformatted } = applyEditsToText(text, [
      { path: ['deployments', 'minio'], value: false },
      { path: ['security', 'tls', 'secretName'], value: 'imply-ca' },
      { path: ['druid', 'commonRuntimeProperties', 1], value: 'druid.s3.endpoint.url=<fill-me>' },
      { path: ['query', 'replicaCount'], value: 2 },
      { path: ['zookeeper', 'replicaCount'], value: 3 },
    ]);
    expect(reformatted).toBe(false);
    expect(out).toBe(
      [
        '# my values',
        'defaults: &defs {cpu: "1", memory: 2G}   # flow map with an anchor',
        'deployments:',
        '  minio: false     # quickstart',
        '  zookeeper: true',
        '',
        'security:',
        '  tls:',
        '    secretName: imply-ca',
        'druid:',
        '  commonRuntimeProperties:',
        '    - "# MinIO configurations"',
        '    - "druid.s3.endpoint.url=<fill-me>"',
        'query:',
        '  resources: *defs',
        '  replicaCount: 2',
        'zookeeper:',
        '  replicaCount: 3',
        '',
      ].join('\n'),
    );
  });

  it('adds into a non-empty flow map and under an empty key', () => {
    const out = applyEditsToText('security: {auth: {secretName: a}}\nmaster:\n', [
      { path: ['security', 'tls', 'secretName'], value: 'imply-ca' },
      { path: ['master', 'replicaCount'], value: 2 },
    ]).text;
    expect(parse(out)).toEqual({ security: { auth: { secretName: 'a' }, tls: { secretName: 'imply-ca' } }, master: { replicaCount: 2 } });
    expect(out.split('\n')[0]).toMatch(/^security: \{auth: \{secretName: a\}, tls: \{ ?secretName: imply-ca ?\}\}$/);
  });

  it('writes YAML 1.1-safe scalars (Helm reads `no` as false) and replaces a scalar in the way', () => {
    const out = applyEditsToText('a: 1\nsecurity: false\n', [
      { path: ['b'], value: 'no' },
      { path: ['security', 'tls', 'secretName'], value: 'x' },
    ]).text;
    const src = makeSource('v.yaml', out, 'values');
    expect(src.docs[0].value).toEqual({ a: 1, b: 'no', security: { tls: { secretName: 'x' } } });
  });

  it('writes a list the file does not hold whole, from the effective values', () => {
    const out = applyEditsToText('deployments:\n  minio: false\n', [{ path: ['druid', 'commonRuntimeProperties', 1], value: 'b=<fill-me>' }], { druid: { commonRuntimeProperties: ['a=1', 'b=2'] } }).text;
    expect(parse(out)).toEqual({ deployments: { minio: false }, druid: { commonRuntimeProperties: ['a=1', 'b=<fill-me>'] } });
  });

  it('edits the last document of a multi-document values file', () => {
    const out = applyEditsToText('a: 1\n---\n# second\nb: 2\n', [{ path: ['b'], value: 3 }]).text;
    expect(out).toBe('a: 1\n---\n# second\nb: 3\n');
  });
});

describe('diffRegion / applyReplacement', () => {
  for (const [before, after] of [
    ['a: 1\nb: 2\nc: 3\n', 'a: 1\nb: 9\nc: 3\n'],
    ['a: 1\n', 'a: 1\nb: 2\n'],
    ['a: 1\nb: 2', 'a: 1\nb: 3'],
    ['a: 1', 'a: 1\nb: 2\n'],
    ['x: é\ny: 1\n', 'x: é\ny: 2\nz: 3\n'],
  ]) {
    it(`${JSON.stringify(before)} -> ${JSON.stringify(after)}`, () => {
      const r = diffRegion(before, after);
      expect(applyReplacement(before, r)).toBe(after);
    });
  }
});
