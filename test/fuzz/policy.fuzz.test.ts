// Fuzz and hostile-input tests of policies and custom rules: hostile YAML in a policy, invalid schemas,
// unknown rule ids, expired exemptions, ReDoS-prone patterns (refused with file:line) and name globs.
// Every failure is a PolicyError with a file and a line, and through the CLI one line and exit 2.
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { modelFromTexts } from '../../src/model/build.js';
import { compileCustomRules, globMatch, MAX_PATTERN_INPUT } from '../../src/rules/custom.js';
import { lint } from '../../src/rules/engine.js';
import { emptyPolicy, PolicyError, resolvePolicy } from '../../src/rules/policy.js';
import type { CustomRuleSpec } from '../../src/rules/policy.js';
import { unsafeRegexReason } from '../../src/rules/regex-safety.js';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import { cli, findingsOf } from '../helpers/cli.js';
import { compactNest, flowNest, laughs } from '../fixtures/hostile/inputs.js';
import { assertPrototypesClean } from './util.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-fuzz-policy-'));
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assertPrototypesClean();
});

const KNOWN = new Set(BUILTIN_RULES.map((r) => r.meta.id));
let n = 0;
function write(text: string | Buffer): string {
  const file = path.join(tmp, `p${n++}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

/** Resolves and compiles a policy file; returns the PolicyError (failing on any other error), or undefined. */
function policyError(file: string): PolicyError | undefined {
  try {
    compileCustomRules(resolvePolicy(file, { cwd: tmp, knownRuleIds: KNOWN, noConfig: true }));
    return undefined;
  } catch (e) {
    if (e instanceof PolicyError) {
      expect(e.message).not.toMatch(/[\n\r]/);
      expect(e.file).toBeTruthy();
      expect(e.line).toBeGreaterThanOrEqual(1);
      return e;
    }
    throw e;
  }
}

const customRule = (schema: string, extra: string[] = []) => ['extends: production', 'customRules:', '  - id: org-rule', '    title: Org rule', '    severity: error', '    target: values', '    path: images.agent.tag', ...extra, `    schema: ${schema}`, '    message: Fix it', ''].join('\n');

describe('hostile policy files', () => {
  it.each([
    ['an alias bomb', () => `extends: production\nsettings:\n  x: ${laughs(10, 9).replace(/\n/g, '\n  ')}`, /aliases/, 1],
    ['100k nested brackets', () => `extends: production\nname: ${flowNest(100_000).slice(3)}`, /depth/, 2],
    ['100k compact block levels', () => `extends: production\nrules:\n  ${compactNest(100_000)}`, /depth/, 3],
    ['a control character', () => 'extends: production\nname: "a\u0007b"\n', /control characters/, 2],
    ['invalid YAML', () => 'extends: production\nrules: {a: [}\n', /invalid policy YAML/, 2],
    ['a list at the top', () => '- extends: production\n', /must be object/, 1],
    ['rules as a list', () => 'extends: production\nrules: [tls-enabled]\n', /rules must be object/, 2],
    ['a severity that is no severity', () => 'rules:\n  tls-enabled: fatal\n', /must be one of/, 2],
    ['an unknown rule id, with a suggestion', () => 'rules:\n  tls-enabeld: off\n', /unknown rule id "tls-enabeld" \(did you mean "tls-enabled"\?\)/, 2],
    ['a __proto__ rule id', () => 'rules:\n  __proto__: {severity: off}\n', /unknown rule id "__proto__"/, 2],
    ['a constructor rule id', () => 'rules:\n  constructor: off\n', /unknown rule id "constructor"/, 2],
    ['an unknown key in settings', () => 'settings:\n  __proto__: {failOn: none}\n', /unknown key "__proto__"/, 2],
    ['an exemption of an unknown rule', () => 'exemptions:\n  - rule: no-such-rule\n    reason: x\n', /unknown rule id "no-such-rule" in exemption/, 2],
    ['an exemption without a reason', () => 'exemptions:\n  - rule: tls-enabled\n', /missing required "reason"/, 2],
    ['an exemption with a date that is no date', () => 'exemptions:\n  - rule: tls-enabled\n    reason: x\n    expires: tomorrow\n', /must match format "date"/, 4],
    ['an exemption on February 30th', () => 'exemptions:\n  - rule: tls-enabled\n    reason: x\n    expires: 2026-02-30\n', /must match format "date"/, 4],
    ['a custom rule reusing a built-in id', () => 'customRules:\n  - {id: tls-enabled, title: T, severity: error, target: values, schema: {}, message: m}\n', /built-in rule id/, 2],
    ['a custom rule with a bad path', () => 'customRules:\n  - {id: org-a, title: T, severity: error, target: values, path: "a..b[", schema: {}, message: m}\n', /invalid path/, 2],
    ['a custom rule with an invalid schema', () => customRule('{type: 12}'), /invalid schema/, 3],
    ['a custom rule with an unknown keyword', () => customRule('{minimumm: 3}'), /invalid schema/, 3],
    ['a custom rule with an unknown format', () => customRule('{format: tag-format}'), /invalid schema/, 3],
    ['a custom rule with a $ref nowhere', () => customRule("{$ref: '#/definitions/nope'}"), /invalid schema/, 3],
    ['a custom rule with a nested-quantifier pattern', () => customRule("{pattern: '^(a+)+$'}"), /refused: a repeated part contains another/, 3],
    ['a custom rule with an overlapping alternation', () => customRule("{items: {pattern: '^(\\d|\\w)+$'}}"), /refused: a repeated alternation/, 3],
    ['a custom rule with a backreference', () => customRule("{patternProperties: {'(a)\\1': {}}}"), /refused: backreferences/, 3],
    ['a custom rule with a pattern that is no regex', () => customRule("{pattern: '(['}"), /not a valid regular expression/, 3],
    ['extends of a missing file', () => 'extends: ./nowhere.yaml\n', /policy not found/, 1],
    ['extends of /dev/zero', () => 'extends: /dev/zero\n', /larger than/, 1],
  ])('%s: PolicyError at file:line', (_name, text, message, line) => {
    if (String(text()).includes('/dev/zero') && !fs.existsSync('/dev/zero')) return;
    const file = write(text());
    const err = policyError(file);
    expect(err?.message).toMatch(message);
    expect(err?.line).toBe(line);
    assertPrototypesClean();
  });

  it('a binary policy file is refused, not crashed on', () => {
    const err = policyError(write(Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0x00, 0xff, 0xfe, 0x0a])));
    expect(err?.message).toMatch(/control characters/);
  });

  it('an extends cycle', () => {
    const a = path.join(tmp, 'cycle-a.yaml');
    const b = path.join(tmp, 'cycle-b.yaml');
    fs.writeFileSync(a, 'extends: ./cycle-b.yaml\n');
    fs.writeFileSync(b, 'extends: [production, ./cycle-a.yaml]\n');
    expect(policyError(a)?.message).toMatch(/extends itself/);
  });

  it('through the CLI: one line, exit 2, file:line:column', async () => {
    const file = write(customRule("{pattern: '^(\\w+\\s?)*$'}"));
    const v = write('images: {agent: {tag: x}}\n');
    const r = await cli(['--policy', file, '--format', 'json', v], { cwd: tmp });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`${path.basename(file)}:3:5: custom rule org-rule: pattern .* refused`));
  });

  it('--rule and --skip-rule with unknown ids through the CLI', async () => {
    const v = write('deployments: {minio: false}\n');
    for (const args of [['--rule', 'no-such-rule'], ['--skip-rule', '__proto__'], ['--rule', 'tls-enabled,constructor']]) {
      const r = await cli(['--no-config', ...args, v], { cwd: tmp });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/unknown rule id/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('expired exemptions', () => {
  const values = 'deployments:\n  minio: true\n';
  const policy = (expires: string) => ['extends: production', 'exemptions:', '  - rule: no-quickstart-minio', '    subject: deployments.minio', '    reason: demo cluster', `    expires: ${expires}`, ''].join('\n');

  it('an exemption in the future suppresses; past its day it stops applying and says so', async () => {
    const v = write(values);
    const future = await cli(['--policy', write(policy('2999-12-31')), '--format', 'json', v], { cwd: tmp });
    const f1 = findingsOf(future.stdout);
    expect(f1.find((f) => f.ruleId === 'no-quickstart-minio')?.suppressed).toBeTruthy();
    expect(f1.some((f) => f.ruleId === 'exemption-expired')).toBe(false);

    const pastFile = write(policy('2000-01-01'));
    const past = await cli(['--policy', pastFile, '--format', 'json', v], { cwd: tmp });
    const f2 = findingsOf(past.stdout);
    expect(f2.find((f) => f.ruleId === 'no-quickstart-minio')?.suppressed).toBeFalsy();
    const expired = f2.find((f) => f.ruleId === 'exemption-expired');
    expect(expired?.location).toMatchObject({ line: 3 });
    expect(past.code).toBe(1);
  });

  it('random expiry dates around "now": expired exactly after the day ends, UTC (500 runs)', () => {
    const now = new Date('2026-01-15T12:00:00Z');
    const rule = BUILTIN_RULES.filter((r) => ['no-quickstart-minio', 'exemption-expired'].includes(r.meta.id));
    fc.assert(
      fc.property(fc.integer({ min: -400, max: 400 }), (days) => {
        const d = new Date(Date.UTC(2026, 0, 15 + days)).toISOString().slice(0, 10);
        const p = { ...emptyPolicy(), exemptions: [{ rule: 'no-quickstart-minio', subject: 'deployments.minio', reason: 'r', expires: d }] };
        const res = lint(modelFromTexts({ values: [{ path: 'v.yaml', text: values }], context: { now } }), p, { target: 't', rules: rule });
        expect(res.ruleErrors).toEqual([]);
        const minio = res.findings.find((f) => f.ruleId === 'no-quickstart-minio');
        const expired = res.findings.some((f) => f.ruleId === 'exemption-expired');
        expect(expired).toBe(days < 0);
        expect(Boolean(minio?.suppressed)).toBe(days >= 0);
      }),
      { numRuns: 500, seed: 6301 },
    );
  });
});

describe('custom rules: patterns, schemas and globs (fast-check, fixed seeds)', () => {
  const spec = (schema: Record<string, unknown>, s: Partial<CustomRuleSpec> = {}): CustomRuleSpec => ({ id: 'org-rule', title: 'T', severity: 'error', target: 'values', schema, message: 'm', source: { file: 'p.yaml', line: 7, column: 5 }, ...s });
  const compile = (schema: Record<string, unknown>) => compileCustomRules({ ...emptyPolicy(), customRules: [spec(schema)] });

  const atom = fc.constantFrom('a', 'b', '\\d', '\\w', '\\s', '.', '[a-z]', '[^/]', '[0-9a-f]', '(?:ab)', '\\.', 'x', '[ab]');
  it('exponential shapes are always refused, with the rule\'s file and line (1000 runs)', () => {
    const shapes: ((x: string, y: string) => string)[] = [
      (x) => `(${x}+)+`,
      (x) => `(${x}*)*`,
      (x) => `(?:${x}+)*$`,
      (x, y) => `(${x}+${y}?)+`,
      (x) => `(${x}|${x})*`,
      (x) => `(${x}|${x}${x})+$`,
      (x) => `(${x}?){20}${x}{20}`,
      (x) => `^(${x})\\1$`,
      (x) => `(?:${x}{2,}){2,}`,
    ];
    fc.assert(
      fc.property(fc.constantFrom(...shapes), atom, atom, fc.constantFrom('pattern', 'patternProperties', 'propertyNames'), (shape, x, y, where) => {
        const p = shape(x, y);
        expect(unsafeRegexReason(p), p).toBeDefined();
        const schema = where === 'pattern' ? { pattern: p } : where === 'patternProperties' ? { patternProperties: { [p]: {} } } : { propertyNames: { pattern: p } };
        let err: unknown;
        try {
          compile(schema);
        } catch (e) {
          err = e;
        }
        expect(err, p).toBeInstanceOf(PolicyError);
        expect(err).toMatchObject({ file: 'p.yaml', line: 7, column: 5 });
      }),
      { numRuns: 1000, seed: 6302 },
    );
  });

  it('random pattern text: refused (PolicyError), or compiled and bounded on pumped input at the cap (400 runs)', () => {
    const piece = fc.constantFrom('a', 'b', '\\d', '\\w', '.', '*', '+', '?', '{2}', '{1,3}', '{2,}', '(', ')', '(?:', '|', '[a-z]', '[^a]', '^', '$', '\\', '\\b', '\\1', '(?<n>', '\\k<n>', '(?=', '(?!', '(?<=');
    const inputs = ['a', 'ab', '1', ' ', 'a1 '].map((u) => u.repeat(Math.floor(MAX_PATTERN_INPUT / u.length)).slice(0, MAX_PATTERN_INPUT - 1) + '!');
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 14, size: 'max' }), (parts) => {
        const p = parts.join('');
        let rules;
        try {
          rules = compile({ type: 'string', pattern: p });
        } catch (e) {
          if (e instanceof PolicyError) return;
          throw e;
        }
        accepted++;
        // The accepted pattern runs on the longest strings it will ever see; the test's own timeout bounds it.
        for (const s of inputs) {
          const model = modelFromTexts({ values: [{ path: 'v.yaml', text: `images:\n  agent:\n    tag: ${JSON.stringify(s)}\n` }] });
          const res = lint(model, emptyPolicy(), { target: 't', rules: rules.map((r) => ({ ...r, check: (m, ctx) => r.check(m, ctx) })) });
          expect(res.ruleErrors).toEqual([]);
        }
      }),
      { numRuns: 400, seed: 6303 },
    );
    expect(accepted).toBeGreaterThan(20);
  });

  it('random schemas: compiled, or a PolicyError; never another error (600 runs)', () => {
    const keyword = fc.constantFrom('type', 'minimum', 'maximum', 'pattern', 'properties', 'required', 'items', 'enum', 'const', 'not', 'anyOf', 'oneOf', 'allOf', 'if', 'then', 'else', 'format', '$ref', 'additionalProperties', 'patternProperties', 'propertyNames', 'minLength', 'maxItems', 'uniqueItems', 'dependencies', '$id', '$schema', '__proto__', 'constructor', 'x-custom');
    const value = fc.oneof(fc.constantFrom('string', 'object', 'integer', 'nope', 'a+', '(a+)+', '#/x', 'date', 'email', 'regex', '^v\\d+$'), fc.integer(), fc.boolean(), fc.constant(null), fc.constant({}), fc.constant([]), fc.array(fc.constantFrom('a', 'b', 1), { maxLength: 3 }));
    const schema = fc.letrec((tie) => ({
      s: fc.array(fc.tuple(keyword, fc.oneof({ depthSize: 'small' }, value, tie('s'), fc.array(tie('s'), { maxLength: 2 }))), { maxLength: 4 }).map((pairs) => {
        const o: Record<string, unknown> = {};
        for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        return o;
      }),
    })).s;
    const model = modelFromTexts({ values: [{ path: 'v.yaml', text: 'images: {agent: {tag: "2023.03"}}\n__proto__: {a: 1}\nlist: [1, "x", {y: null}]\n' }] });
    fc.assert(
      fc.property(schema, (s) => {
        let rules;
        try {
          rules = compile(s);
        } catch (e) {
          if (e instanceof PolicyError) {
            expect(e.message).not.toMatch(/[\n\r]/);
            return;
          }
          throw e;
        }
        const res = lint(model, emptyPolicy(), { target: 't', rules });
        expect(res.ruleErrors).toEqual([]);
        assertPrototypesClean();
      }),
      { numRuns: 600, seed: 6304 },
    );
  });

  it('name globs: match like `*` = any run of characters (2000 runs), and stay linear on hostile ones', () => {
    const reference = (glob: string, s: string) => new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*')}$`).test(s);
    fc.assert(
      fc.property(fc.stringMatching(/^[ab*.-]{0,8}$/), fc.stringMatching(/^[ab.-]{0,10}$/), (glob, name) => {
        expect(globMatch(glob, name), `${glob} ~ ${name}`).toBe(reference(glob, name));
      }),
      { numRuns: 2000, seed: 6305 },
    );
    // As a regular expression this glob backtracks C(253, 40) times on this name; here it is 253 x 81 steps.
    expect(globMatch('*a'.repeat(40) + '*b', 'a'.repeat(253))).toBe(false);
    expect(globMatch('*a'.repeat(40) + '*b', 'a'.repeat(252) + 'b')).toBe(true);
  });

  it('a custom manifest rule with a hostile name glob, through lint', () => {
    const rules = compileCustomRules({ ...emptyPolicy(), customRules: [spec({ required: ['spec'] }, { target: 'manifest', match: { names: ['*a'.repeat(40) + '*b'] } })] });
    const name = 'a'.repeat(253);
    const model = modelFromTexts({ manifests: [{ path: 'm.yaml', text: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name.slice(1)}b\n` }] });
    const res = lint(model, emptyPolicy(), { target: 't', rules });
    expect(res.ruleErrors).toEqual([]);
    expect(res.findings.map((f) => f.object)).toEqual([`ConfigMap/${name.slice(1)}b`]);
  });
});
