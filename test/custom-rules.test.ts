// Custom rules: policy customRules compiled with ajv into Rule objects, located findings, and the ReDoS guard.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { modelFromTexts } from '../src/model/build.js';
import { compileCustomRules, MAX_PATTERN_INPUT, schemaPatterns } from '../src/rules/custom.js';
import { fingerprint, lint } from '../src/rules/engine.js';
import { emptyPolicy, PolicyError, resolvePolicy } from '../src/rules/policy.js';
import type { CustomRuleSpec, ResolvedPolicy } from '../src/rules/policy.js';
import { unsafeRegexReason } from '../src/rules/regex-safety.js';
import { BUILTIN_RULES } from '../src/rules/registry.js';

const SRC = { file: '.imply-lint.yaml', line: 12, column: 5 };

function spec(s: Partial<CustomRuleSpec>): CustomRuleSpec {
  return { id: 'org-rule', title: 'Org rule', severity: 'error', target: 'values', schema: {}, message: 'Our platform requires it', source: SRC, ...s };
}

function policyWith(...specs: CustomRuleSpec[]): ResolvedPolicy {
  return { ...emptyPolicy(), customRules: specs };
}

function lintWith(p: ResolvedPolicy, input: Parameters<typeof modelFromTexts>[0]) {
  const rules = compileCustomRules(p);
  const res = lint(modelFromTexts(input), p, { target: 't', rules });
  expect(res.ruleErrors).toEqual([]);
  return res.findings;
}

const deployment = (name: string, replicas: number, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${extra}spec:
  replicas: ${replicas}
`;

describe('compileCustomRules', () => {
  it('no custom rules, no Rule objects', () => {
    expect(compileCustomRules(emptyPolicy())).toEqual([]);
  });

  it('builds complete metadata from the spec', () => {
    const [r] = compileCustomRules(policyWith(spec({ id: 'min-data', title: 'Three data servers', severity: 'warning', path: 'dataTier1.replicaCount', fix: 'Set dataTier1.replicaCount to 3.', schema: { minimum: 3 } })));
    expect(r.meta).toMatchObject({ id: 'min-data', title: 'Three data servers', severity: 'warning', inputs: ['values'], fix: 'Set dataTier1.replicaCount to 3.', tags: ['custom'] });
    expect(r.meta.rationale).toContain('.imply-lint.yaml:12');
    expect(Object.keys(r.meta.messages)).toEqual(['violation']);
  });
});

describe('custom rules on values', () => {
  const minData = spec({ id: 'min-data', path: 'dataTier1.replicaCount', schema: { type: 'integer', minimum: 3 }, message: 'Run at least three data servers' });

  it('validates values.get(path) and locates the user key', () => {
    const found = lintWith(policyWith(minData), { values: [{ path: 'v.yaml', text: 'dataTier1:\n  replicaCount: 2\n' }] });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ ruleId: 'min-data', messageId: 'violation', severity: 'error', subject: 'dataTier1.replicaCount', path: 'dataTier1.replicaCount' });
    expect(found[0].location).toMatchObject({ file: 'v.yaml', line: 2, column: 3 });
    expect(found[0].message).toBe('Run at least three data servers (dataTier1.replicaCount must be >= 3)');
    expect(found[0].fingerprint).toBe(fingerprint('min-data', 'dataTier1.replicaCount'));
  });

  it('checks the effective value: a chart default the user did not set counts', () => {
    const found = lintWith(policyWith(minData), { values: [{ path: 'v.yaml', text: 'dataTier1:\n  resources: {}\n' }] });
    expect(found.map((f) => [f.subject, f.location?.line, f.provenance?.kind])).toEqual([['dataTier1.replicaCount', 1, 'default']]);
  });

  it('passes when the value satisfies the schema', () => {
    expect(lintWith(policyWith(minData), { values: [{ path: 'v.yaml', text: 'dataTier1:\n  replicaCount: 3\n' }] })).toEqual([]);
  });

  it('an absent path is validated as null (what templates see)', () => {
    const r = spec({ id: 'auth-secret', path: 'security.auth.secretName', schema: { type: 'string', minLength: 1 } });
    const found = lintWith(policyWith(r), { values: [{ path: 'v.yaml', text: 'security: {}\n' }] });
    expect(found.map((f) => f.subject)).toEqual(['security.auth.secretName']);
    expect(found[0].location?.line).toBe(1);
  });

  it('without path: the whole merged values; required names the missing key in the subject', () => {
    const r = spec({ id: 'tls-required', schema: { properties: { security: { type: 'object', required: ['tls'] } } } });
    const found = lintWith(policyWith(r), { values: [{ path: 'v.yaml', text: 'images: {}\nsecurity:\n  auth:\n    secretName: a\n' }] });
    expect(found).toHaveLength(1);
    expect(found[0].subject).toBe('/security/tls');
    expect(found[0].path).toBe('security');
    expect(found[0].location?.line).toBe(2);
    expect(found[0].message).toContain("must have required property 'tls'");
  });

  it('one finding per ajv error, each at its own instance path', () => {
    const r = spec({ id: 'versions', path: 'images', schema: { properties: { manager: { properties: { tag: { pattern: '^\\d{4}\\.\\d{2}' } } }, agent: { properties: { tag: { enum: ['v15', 'v16'] } } } } } });
    const found = lintWith(policyWith(r), { values: [{ path: 'v.yaml', text: 'images:\n  manager:\n    tag: latest\n  agent:\n    tag: v9\n' }] });
    expect(found.map((f) => [f.subject, f.location?.line, f.location?.column])).toEqual([
      ['images/manager/tag', 3, 5],
      ['images/agent/tag', 5, 5],
    ]);
  });

  it('an extra key is located at that key', () => {
    const r = spec({ id: 'no-extra', path: 'security', schema: { type: 'object', properties: { tls: {}, auth: {} }, additionalProperties: false } });
    const found = lintWith(policyWith(r), { values: [{ path: 'v.yaml', text: 'security:\n  tls: {secretName: a}\n  enableLegacyTls: false\n' }] });
    expect(found.map((f) => [f.subject, f.path, f.location?.line])).toEqual([['security/enableLegacyTls', 'security.enableLegacyTls', 3]]);
    expect(found[0].message).toContain('unexpected key "enableLegacyTls"');
  });

  it('a policy severity overrides the spec severity', () => {
    const p = policyWith(minData);
    p.rules['min-data'] = { severity: 'info' };
    const found = lintWith(p, { values: [{ path: 'v.yaml', text: 'dataTier1:\n  replicaCount: 1\n' }] });
    expect(found[0].severity).toBe('info');
  });

  it('stays silent on manifest-only input', () => {
    expect(lintWith(policyWith(minData), { manifests: [{ path: 'm.yaml', text: deployment('imply-query', 1) }] })).toEqual([]);
  });
});

describe('custom rules on manifests', () => {
  const replicas = spec({ id: 'ha-replicas', target: 'manifest', match: { kinds: ['Deployment'] }, schema: { properties: { spec: { properties: { replicas: { minimum: 2 } } } } }, message: 'Run two replicas' });

  it('validates every matching object; the same violation on two objects is one finding', () => {
    const text = `${deployment('imply-query', 1)}---\n${deployment('imply-master', 1)}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  replicas: 0\n`;
    const found = lintWith(policyWith(replicas), { manifests: [{ path: 'm.yaml', text }] });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ subject: 'Deployment/spec/replicas', object: 'Deployment/imply-query', path: 'spec.replicas' });
    expect(found[0].location).toMatchObject({ file: 'm.yaml', line: 6, column: 13 });
    expect(found[0].related.map((r) => [r.object, r.line])).toEqual([['Deployment/imply-master', 13]]);
    expect(found[0].message).toBe('Run two replicas (Deployment spec.replicas must be >= 2)');
  });

  it('match by name glob and apiVersion', () => {
    const r = { ...replicas, match: { kinds: ['Deployment'], names: ['imply-*'], apiVersions: ['apps/v1'] } };
    const text = `${deployment('imply-query', 1)}---\n${deployment('other', 1)}`;
    const found = lintWith(policyWith(r), { manifests: [{ path: 'm.yaml', text }] });
    expect(found.map((f) => [f.object, f.related.length])).toEqual([['Deployment/imply-query', 0]]);
    const none = lintWith(policyWith({ ...r, match: { apiVersions: ['apps/v1beta2'] } }), { manifests: [{ path: 'm.yaml', text }] });
    expect(none).toEqual([]);
  });

  it('without match: every object; helm test hooks are skipped', () => {
    const r = spec({ id: 'labelled', target: 'manifest', schema: { properties: { metadata: { required: ['labels'] } } } });
    const text = `${deployment('a', 1)}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations: {"helm.sh/hook": test}\n`;
    const found = lintWith(policyWith(r), { manifests: [{ path: 'm.yaml', text }] });
    expect(found.map((f) => [f.subject, f.object])).toEqual([['Deployment/metadata/labels', 'Deployment/a']]);
  });

  it('works on one object at admission', () => {
    const found = lintWith(policyWith(replicas), { manifests: [{ path: 'm.yaml', text: deployment('imply-query', 1) }], wholeStream: false });
    expect(found).toHaveLength(1);
  });
});

describe('custom rules: refused at policy load (PolicyError with file:line)', () => {
  const refuse = (s: Partial<CustomRuleSpec>) => {
    try {
      compileCustomRules(policyWith(spec(s)));
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyError);
      return e as PolicyError;
    }
    throw new Error('not refused');
  };

  it('a pattern with nested quantifiers', () => {
    const e = refuse({ path: 'images.manager.tag', schema: { type: 'string', pattern: '^(\\d+)+$' } });
    expect([e.file, e.line, e.column]).toEqual(['.imply-lint.yaml', 12, 5]);
    expect(e.message).toContain('nested quantifiers');
  });

  it('a patternProperties key with a backreference', () => {
    expect(refuse({ schema: { patternProperties: { '^(a)\\1$': {} } } }).message).toContain('backreference');
  });

  it('a nested pattern deep inside the schema', () => {
    expect(refuse({ schema: { properties: { a: { items: { anyOf: [{ pattern: '(x|xy)*z' }] } } } } }).message).toContain('alternation');
  });

  it('an invalid regular expression', () => {
    expect(refuse({ schema: { pattern: '([a-z' } }).message).toContain('not a valid regular expression');
  });

  it('a schema ajv cannot compile', () => {
    expect(refuse({ schema: { type: 'strin' } }).message).toContain('invalid schema');
  });

  it('an unknown keyword (a typo would make a rule that never fires)', () => {
    expect(refuse({ schema: { minimun: 3 } }).message).toContain('unknown keyword');
  });

  it('an unknown format', () => {
    expect(refuse({ schema: { type: 'string', format: 'hostnam' } }).message).toContain('invalid schema');
  });

  it('data that looks like a pattern is not a pattern', () => {
    expect(compileCustomRules(policyWith(spec({ schema: { const: { pattern: '(a+)+' }, properties: { pattern: { type: 'string' } } } })))).toHaveLength(1);
  });
});

describe('custom rules: string length cap', () => {
  it('a string longer than the cap is not run through the pattern and is reported as such', () => {
    const r = spec({ id: 'cert', path: 'manager.licenseKey', schema: { type: 'string', pattern: '^[A-Za-z0-9+/=]*$' } });
    const long = 'A'.repeat(MAX_PATTERN_INPUT + 1);
    const found = lintWith(policyWith(r), { values: [{ path: 'v.yaml', text: `manager:\n  licenseKey: ${long}\n` }] });
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain(`longer than ${MAX_PATTERN_INPUT} characters`);
    expect(lintWith(policyWith(r), { values: [{ path: 'v.yaml', text: `manager:\n  licenseKey: ${'A'.repeat(MAX_PATTERN_INPUT)}\n` }] })).toEqual([]);
  });

  it('an accepted pattern with two overlapping quantifiers stays fast at the cap', () => {
    const r = spec({ id: 'q', path: 'manager.licenseKey', schema: { type: 'string', pattern: '^\\d+\\d+$' } });
    const t0 = performance.now();
    const found = lintWith(policyWith(r), { values: [{ path: 'v.yaml', text: `manager:\n  licenseKey: "${'1'.repeat(MAX_PATTERN_INPUT - 1)}x"\n` }] });
    expect(found).toHaveLength(1);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});

describe('custom rules from a policy file', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-custom-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const known = new Set(BUILTIN_RULES.map((r) => r.meta.id));

  it('loads, sets severity through rules:, and lints', () => {
    const file = path.join(tmp, 'custom.yaml');
    fs.writeFileSync(
      file,
      [
        'extends: production',
        'rules:',
        '  min-data: warning',
        'customRules:',
        '  - id: min-data',
        '    title: Three data servers',
        '    severity: error',
        '    target: values',
        '    path: dataTier1.replicaCount',
        '    schema: {minimum: 3}',
        '    message: Run at least three data servers',
        '',
      ].join('\n'),
    );
    const p = resolvePolicy(file, { cwd: tmp, knownRuleIds: known });
    const found = lintWith(p, { values: [{ path: 'v.yaml', text: 'dataTier1:\n  replicaCount: 2\n' }] });
    expect(found.map((f) => [f.ruleId, f.severity])).toEqual([['min-data', 'warning']]);
  });

  it('an unsafe pattern points at the custom rule in the file', () => {
    const file = path.join(tmp, 'evil.yaml');
    fs.writeFileSync(file, ['extends: production', 'customRules:', '  - id: tag-format', '    title: Tag format', '    severity: error', '    target: values', '    path: images.agent.tag', '    schema:', "      pattern: '^(v\\d+)*$'", '    message: Use vNN tags', ''].join('\n'));
    const p = resolvePolicy(file, { cwd: tmp, knownRuleIds: known });
    let err: unknown;
    try {
      compileCustomRules(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).line).toBe(3);
    expect((err as PolicyError).file).toContain('evil.yaml');
  });
});

describe('unsafeRegexReason (ReDoS guard)', () => {
  it.each([
    ['(a+)+', 'nested'],
    ['(a*)*b', 'nested'],
    ['^([a-z]+)*$', 'nested'],
    ['(\\w+\\s?)+$', 'nested'],
    ['^(([a-z])+.)+[A-Z]([a-z])+$', 'nested'],
    ['(x+x+)+y', 'nested'],
    ['(?:a{2,}){3,}', 'nested'],
    ['(.*)*', 'nested'],
    ['(a?){25}a{25}', 'empty'],
    ['(a|a)*', 'alternation'],
    ['(a|ab)*c', 'alternation'],
    ['(\\d|\\w)+$', 'alternation'],
    ['(?:[a-z]|\\w)+', 'alternation'],
    ['(a)\\1', 'backreference'],
    ['(?<q>["\'])\\k<q>', 'backreference'],
    ['^\\d+\\d+\\d+$', 'three or more'],
    ['.*a.*a.*a', 'three or more'],
    ['\\s*\\s*\\s*x', 'three or more'],
    ['^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)+[a-z]{2,}$', 'nested'],
  ])('refuses %s', (p, why) => {
    expect(unsafeRegexReason(p)).toContain(why);
  });

  it.each([
    '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
    '^\\d{4}\\.\\d{2}(\\.\\d+)?$',
    '^(mysql|postgresql)$',
    '^s3://[^/]+/.*$',
    '^[A-Z_][A-Z0-9_]*$',
    '(com|org|net)+',
    '^\\d+\\.\\d+\\.\\d+$',
    '^[a-z]+-[a-z]+-[a-z]+$',
    '^.*foo.*$',
    'a{2,5}b',
    '(?:ab)+',
    '^v\\d+(-java(8|11|17))?$',
    '^PT(\\d+H)?(\\d+M)?(\\d+S)?$',
    '[\\]\\\\(]+',
    '\\p{L}+',
    '^\\u{1F600}+$',
  ])('accepts %s', (p) => {
    expect(unsafeRegexReason(p)).toBeUndefined();
  });

  it('accepted patterns run fast on adversarial input at the cap', () => {
    const inputs = ['a'.repeat(MAX_PATTERN_INPUT - 1) + '!', '1'.repeat(MAX_PATTERN_INPUT - 1) + 'x', ' '.repeat(MAX_PATTERN_INPUT - 1) + '\u0000'];
    for (const p of ['^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', '^\\d+\\.\\d+\\.\\d+$', '^.*foo.*$', '^[a-z]+-[a-z]+-[a-z]+$', '(com|org|net)+$']) {
      expect(unsafeRegexReason(p)).toBeUndefined();
      const re = new RegExp(p, 'u');
      const t0 = performance.now();
      for (const s of inputs) re.test(s);
      expect(performance.now() - t0, p).toBeLessThan(2_000);
    }
  });

  it('reports invalid patterns', () => {
    expect(unsafeRegexReason('(')).toContain('not a valid regular expression');
    expect(unsafeRegexReason('a{')).toContain('not a valid regular expression');
  });

  it('finds every pattern of a schema, not data', () => {
    const s = { pattern: 'a', properties: { pattern: { pattern: 'b' }, x: { patternProperties: { '^c': { pattern: 'd' } } } }, enum: [{ pattern: 'e' }], default: { pattern: 'f' } };
    expect(schemaPatterns(s).sort()).toEqual(['^c', 'a', 'b', 'd']);
  });
});
