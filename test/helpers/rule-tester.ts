// Test helper: ESLint-style table tests for one rule. Each case lints with that rule alone and asserts the
// exact findings (messageId, severity, location, subject). Values and manifest forms of one mistake must
// share id and fingerprint: a case may say `sameAs: 'other case name'` to assert that.
import { describe, expect, it } from 'vitest';
import { modelFromTexts } from '../../src/model/build.js';
import type { LiveFacts, ModelContext } from '../../src/model/types.js';
import type { SetFlag } from '../../src/model/values.js';
import { fingerprint, lint } from '../../src/rules/engine.js';
import { emptyPolicy } from '../../src/rules/policy.js';
import type { ResolvedPolicy } from '../../src/rules/policy.js';
import type { Finding, Rule, Severity } from '../../src/rules/types.js';

export interface ExpectedError {
  messageId: string;
  severity?: Severity;
  /** Values path (formatted) or undefined. */
  path?: string;
  /** `Kind/name` for manifest findings. */
  object?: string;
  /** File of the primary location (default: the case's first file). */
  file?: string;
  line?: number;
  column?: number;
  subject?: string;
  suppressed?: boolean;
  /** Number of related locations. */
  related?: number;
}

export interface RuleCase {
  name: string;
  /** Values files (YAML texts) layered like `-f a -f b`. */
  values?: string | string[];
  sets?: SetFlag[];
  /** A rendered manifest stream. */
  manifest?: string;
  previousValues?: string;
  /** The object(s) before an update (admission oldObject). */
  previousManifest?: string;
  options?: Record<string, unknown>;
  severity?: Severity;
  chartVersion?: string;
  context?: Partial<ModelContext>;
  /** False: one object at admission. */
  wholeStream?: boolean;
  live?: LiveFacts;
  policy?: Partial<ResolvedPolicy>;
  errors?: ExpectedError[];
}

export interface RuleTests {
  valid: RuleCase[];
  invalid: RuleCase[];
}

function files(text: string | string[] | undefined, prefix: string) {
  if (text === undefined) return undefined;
  const list = Array.isArray(text) ? text : [text];
  return list.map((t, i) => ({ path: list.length === 1 ? `${prefix}.yaml` : `${prefix}-${i + 1}.yaml`, text: t }));
}

/** Lints a case with `rule` alone (plus any extra rules) and returns the findings. */
export function runCase(rule: Rule, c: RuleCase, extraRules: Rule[] = []): Finding[] {
  const model = modelFromTexts({
    values: files(c.values, 'values'),
    sets: c.sets,
    manifests: c.manifest !== undefined ? [{ path: 'manifest.yaml', text: c.manifest }] : undefined,
    previousValues: c.previousValues !== undefined ? [{ path: 'previous.yaml', text: c.previousValues }] : undefined,
    previousManifests: c.previousManifest !== undefined ? [{ path: 'previous.yaml', text: c.previousManifest }] : undefined,
    chartVersion: c.chartVersion,
    context: c.context,
    wholeStream: c.wholeStream,
    live: c.live,
  });
  const policy: ResolvedPolicy = { ...emptyPolicy(), ...c.policy };
  policy.rules = { ...policy.rules, [rule.meta.id]: { severity: c.severity, options: c.options } };
  const result = lint(model, policy, { target: c.name, rules: [rule, ...extraRules] });
  if (result.ruleErrors.length) throw new Error(`rule threw: ${result.ruleErrors.map((e) => e.message).join('; ')}`);
  return result.findings.filter((f) => f.ruleId === rule.meta.id);
}

export const ruleTester = {
  run(id: string, rule: Rule, tests: RuleTests): void {
    describe(id, () => {
      it('has a matching id and complete metadata', () => {
        expect(rule.meta.id).toBe(id);
        for (const k of ['title', 'rationale', 'fix', 'subject'] as const) expect(rule.meta[k], k).toBeTruthy();
        expect(Object.keys(rule.meta.messages).length).toBeGreaterThan(0);
      });
      const names = new Set<string>();
      const all = [...tests.valid, ...tests.invalid];
      for (const c of all) {
        if (names.has(c.name)) throw new Error(`${id}: duplicate case name "${c.name}"`);
        names.add(c.name);
      }
      it('has an invalid case for every input kind it declares', () => {
        for (const kind of rule.meta.inputs) {
          if (kind === 'live') expect(tests.invalid.some((c) => c.live), `${id}: no live invalid case`).toBe(true);
          if (kind === 'values') expect(tests.invalid.some((c) => c.values !== undefined || c.sets), `${id}: no values invalid case`).toBe(true);
          if (kind === 'manifest') expect(tests.invalid.some((c) => c.manifest !== undefined), `${id}: no manifest invalid case`).toBe(true);
        }
      });
      for (const c of tests.valid) {
        it(`valid: ${c.name}`, () => {
          const found = runCase(rule, c).filter((f) => !f.suppressed);
          expect(found.map((f) => `${f.messageId} ${f.path ?? f.object ?? ''} ${f.message}`)).toEqual([]);
        });
      }
      for (const c of tests.invalid) {
        it(`invalid: ${c.name}`, () => {
          if (!c.errors || c.errors.length === 0) throw new Error(`${id}: invalid case "${c.name}" lists no errors`);
          for (const e of c.errors) if (!(e.messageId in rule.meta.messages)) throw new Error(`${id}: unknown messageId ${e.messageId}`);
          const found = runCase(rule, c);
          expect(found.length, found.map((f) => `${f.messageId} ${f.path ?? f.object} ${f.location?.line}:${f.location?.column}`).join('\n')).toBe(c.errors.length);
          c.errors.forEach((e, i) => {
            const f = found[i];
            expect(f.messageId).toBe(e.messageId);
            if (e.severity) expect(f.severity).toBe(e.severity);
            if (e.path !== undefined) expect(f.path).toBe(e.path);
            if (e.object !== undefined) expect(f.object).toBe(e.object);
            if (e.line !== undefined) expect(f.location?.line).toBe(e.line);
            if (e.column !== undefined) expect(f.location?.column).toBe(e.column);
            if (e.file !== undefined) expect(f.location?.file).toBe(e.file);
            if (e.subject !== undefined) {
              expect(f.subject).toBe(e.subject);
              expect(f.fingerprint).toBe(fingerprint(id, e.subject));
            }
            if (e.suppressed !== undefined) expect(Boolean(f.suppressed)).toBe(e.suppressed);
            if (e.related !== undefined) expect(f.related.length).toBe(e.related);
            expect(f.location, 'every finding is located').toBeDefined();
            expect(f.location!.line).toBeGreaterThanOrEqual(1);
          });
        });
      }
    });
  },
};
