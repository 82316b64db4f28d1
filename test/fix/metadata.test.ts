// Fix stage: rule metadata (`fixable`) against behaviour. Over each rule's `incorrect` values examples
// (docs/rules/<id>.md, which test/docs.test.ts lints) and the two real-world values files: a rule not
// marked fixable never returns a fix; a fixable one does, and every fix it returns, passed to helm as an
// overlay, makes that finding go away.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { incorrectValuesExamples } from '../../src/fix/docs.js';
import { overlayOf } from '../../src/fix/plan.js';
import { buildModel } from '../../src/model/build.js';
import { makeSource } from '../../src/model/source.js';
import { lint } from '../../src/rules/engine.js';
import { emptyPolicy } from '../../src/rules/policy.js';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import type { Rule } from '../../src/rules/types.js';
import { FILL_ME } from '../../src/rules/util.js';
import { findPlaceholder } from '../../src/rules/catalog/unresolved-placeholder.js';
import { REF23, ROOT } from '../helpers/cli.js';

const SHARED = [fs.readFileSync(path.join(ROOT, 'examples/quickstart-values.yaml'), 'utf8'), fs.readFileSync(path.join(REF23, 'values.public-user-copy.yaml'), 'utf8')];

function run(rule: Rule, texts: string[]) {
  const model = buildModel({ values: texts.map((t, i) => makeSource(`v${i}.yaml`, t, 'values')), context: { now: new Date('2026-01-15T00:00:00Z') } });
  return { result: lint(model, emptyPolicy(), { target: 'v', rules: [rule] }), merged: model.values!.merged };
}

it('the placeholder fixes write is one unresolved-placeholder reports', () => {
  expect(findPlaceholder(FILL_ME)).toBe(FILL_ME);
  expect(findPlaceholder(`druid.s3.endpoint.url=${FILL_ME}`)).toBe(FILL_ME);
});

describe.each(BUILTIN_RULES.filter((r) => r.meta.inputs.includes('values')).map((r) => [r.meta.id, r] as const))('%s: fixable metadata matches behaviour', (id, rule) => {
  const examples = [...incorrectValuesExamples(ROOT, id), ...SHARED];
  const cases = examples.map((text) => ({ text, ...run(rule, [text]) })).filter((c) => c.result.findings.some((f) => f.ruleId === id));

  it(rule.meta.fixable ? 'returns fixes, and each resolves its finding' : 'returns no fix', () => {
    const withFix = cases.flatMap((c) => c.result.findings.filter((f) => f.autofix).map((f) => ({ c, f })));
    if (!rule.meta.fixable) {
      expect(withFix.map(({ f }) => f.subject)).toEqual([]);
      return;
    }
    expect(withFix.length, `${id} is marked fixable but none of its firing examples got a fix`).toBeGreaterThan(0);
    for (const { c, f } of withFix) {
      expect(f.autofix!.description.length).toBeGreaterThan(10);
      const overlay = overlayOf(f.autofix!.set, c.merged);
      const again = run(rule, [c.text, JSON.stringify(overlay)]).result;
      expect(again.findings.map((x) => x.fingerprint), `${id}: the fix of ${f.subject} did not resolve it`).not.toContain(f.fingerprint);
    }
  });
});
