// Docs and catalogue drift: RULES.md is the contract (ids, severities), docs are generated from rule
// metadata, and every rule doc's examples are linted.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedDocs } from '../src/cli/info.js';
import { modelFromTexts } from '../src/model/build.js';
import { lint } from '../src/rules/engine.js';
import { emptyPolicy } from '../src/rules/policy.js';
import { BUILTIN_RULES } from '../src/rules/registry.js';

const root = path.resolve(import.meta.dirname, '..');
const rulesMd = fs.readFileSync(path.resolve(root, '../shared/RULES.md'), 'utf8');
const catalogue = [...rulesMd.matchAll(/^\| ([a-z0-9-]+) \| (error|warning|info) \|/gm)].map((m) => ({ id: m[1], severity: m[2] }));

describe('rule catalogue (RULES.md is the contract)', () => {
  it('RULES.md lists the rules', () => {
    expect(catalogue.length).toBeGreaterThan(40);
  });
  for (const { id, severity } of catalogue) {
    it(`${id}: implemented at severity ${severity}, tested and documented`, () => {
      const rule = BUILTIN_RULES.find((r) => r.meta.id === id);
      expect(rule, `no rule ${id} in src/rules/catalog`).toBeDefined();
      expect(rule!.meta.severity).toBe(severity);
      expect(fs.existsSync(path.join(root, 'test/rules', `${id}.test.ts`)), `test/rules/${id}.test.ts`).toBe(true);
      expect(fs.existsSync(path.join(root, 'docs/rules', `${id}.md`)), `docs/rules/${id}.md`).toBe(true);
    });
  }
  it('has no rule outside the catalogue', () => {
    const ids = new Set(catalogue.map((c) => c.id));
    expect(BUILTIN_RULES.map((r) => r.meta.id).filter((id) => !ids.has(id))).toEqual([]);
  });
  it('the registry lists every rule file (npm run gen)', () => {
    expect(() => execFileSync(process.execPath, [path.join(root, 'scripts/gen-registry.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});

describe('generated docs are current (npm run docs)', () => {
  for (const [file, content] of generatedDocs(root)) {
    it(path.relative(root, file), () => {
      expect(fs.existsSync(file), `${path.relative(root, file)} missing: run npm run docs`).toBe(true);
      expect(fs.readFileSync(file, 'utf8') === content, `${path.relative(root, file)} is stale: run npm run docs`).toBe(true);
    });
  }
});

const FENCE = /```yaml (incorrect|correct|previous)( manifest)?((?: [a-z-]+=[^\s`]+)*)\n([\s\S]*?)```/g;

/** ` kube-version=1.30 helm-version=3.1.0` -> model context. */
function attrs(s: string): { kubeVersion?: string; helmVersion?: string } {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/ ([a-z-]+)=([^\s`]+)/g)) out[m[1].replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = m[2];
  return out;
}

describe('rule doc examples', () => {
  for (const rule of BUILTIN_RULES) {
    const file = path.join(root, 'docs/rules', `${rule.meta.id}.md`);
    if (!fs.existsSync(file)) continue;
    const examples = [...fs.readFileSync(file, 'utf8').matchAll(FENCE)];
    if (rule.meta.inputs.some((i) => i !== 'live')) {
      it(`${rule.meta.id} has an incorrect and a correct example`, () => {
        expect(examples.some((e) => e[1] === 'incorrect')).toBe(true);
        expect(examples.some((e) => e[1] === 'correct')).toBe(true);
      });
    }
    examples.forEach((e, i) => {
      const [, kind, manifest, attrText, text] = e;
      if (kind === 'previous') return;
      // A ```yaml previous block right before an example is the state before the update.
      const prev = examples[i - 1]?.[1] === 'previous' ? examples[i - 1] : undefined;
      it(`${rule.meta.id} example ${i + 1} (${kind}${manifest ?? ''}${attrText})`, () => {
        const context = attrs(attrText);
        const previousValues = prev && !prev[2] ? [{ path: 'previous.yaml', text: prev[4] }] : undefined;
        const previousManifests = prev && prev[2] ? [{ path: 'previous.yaml', text: prev[4] }] : undefined;
        const model = modelFromTexts(manifest ? { manifests: [{ path: 'example.yaml', text }], context, previousValues, previousManifests } : { values: [{ path: 'example.yaml', text }], context, previousValues });
        const res = lint(model, emptyPolicy(), { target: 'example', rules: [rule] });
        const mine = res.findings.filter((f) => f.ruleId === rule.meta.id && !f.suppressed);
        if (kind === 'incorrect') expect(mine.length, 'an incorrect example must produce a finding').toBeGreaterThan(0);
        else expect(mine.map((f) => f.message)).toEqual([]);
      });
    });
  }
});
