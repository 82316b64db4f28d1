// Policies: the three packs, extends chains, errors with file:line, the severity-only fold, config discovery
// and --rule/--skip-rule.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseYamlStream } from '../src/model/yaml.js';
import { applyRuleFlags, BUILTIN_PACKS, emptyPolicy, findConfig, packsDir, PolicyError, resolvePolicy, suggest } from '../src/rules/policy.js';
import { validatePolicyDoc } from '../src/rules/policy-validate.js';
import { BUILTIN_RULES } from '../src/rules/registry.js';

const rulesMd = fs.readFileSync(path.resolve(import.meta.dirname, '../../shared/RULES.md'), 'utf8');
const CATALOGUE = [...rulesMd.matchAll(/^\| ([a-z0-9-]+) \| (error|warning|info) \|/gm)].map((m) => m[1]);
const KNOWN = new Set([...CATALOGUE, ...BUILTIN_RULES.map((r) => r.meta.id)]);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-policy-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(rel: string, lines: string[]): string {
  const file = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function policyError(fn: () => unknown): PolicyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PolicyError) return e;
    throw e;
  }
  throw new Error('no PolicyError');
}

const resolve = (ref: string | undefined, cwd = tmp, noConfig = true) => resolvePolicy(ref, { cwd, knownRuleIds: KNOWN, noConfig });

describe('built-in packs', () => {
  it('RULES.md lists the catalogue the packs refer to', () => {
    expect(CATALOGUE.length).toBeGreaterThan(40);
  });

  for (const pack of BUILTIN_PACKS) {
    it(`${pack}.yaml validates against policies/schema.json and names only catalogue rules`, () => {
      const text = fs.readFileSync(path.join(packsDir(), `${pack}.yaml`), 'utf8');
      const docs = parseYamlStream(text);
      expect(docs.flatMap((d) => d.errors)).toEqual([]);
      const doc = docs.find((d) => d.value !== undefined)!.value as { rules?: Record<string, unknown> };
      expect(validatePolicyDoc(doc)).toBeUndefined();
      for (const id of Object.keys(doc.rules ?? {})) expect(CATALOGUE, id).toContain(id);
    });

    it(`${pack} resolves`, () => {
      const p = resolve(pack);
      expect(p.name).toBe(pack);
      expect(p.files.at(-1)).toBe(`policies/${pack}.yaml`);
      expect(p.settings.secretNames).toEqual({ ca: 'imply-ca', auth: 'imply-auth-token', license: 'imply-secrets' });
      expect(p.settings.failOn).toBe('error');
    });
  }

  it('production is the whole catalogue at default severities', () => {
    const p = resolve('production');
    expect(p.rules).toEqual({});
    expect(p.files).toEqual(['policies/production.yaml']);
    expect(p.settings.mode).toBe('enforce');
  });

  it('quickstart extends staging extends production; the later pack wins', () => {
    const p = resolve('quickstart');
    expect(p.files).toEqual(['policies/production.yaml', 'policies/staging.yaml', 'policies/quickstart.yaml']);
    expect(p.rules['zookeeper-ha']?.severity).toBe('off'); // staging: warning, quickstart: off
    expect(p.rules['metadata-store-tls']?.severity).toBe('off'); // staging: info
    expect(p.rules['tls-enabled']?.severity).toBe('warning');
    const s = resolve('staging');
    expect(s.rules['zookeeper-ha']?.severity).toBe('warning');
    expect(s.rules['replicas-ha']?.severity).toBe('info');
  });

  it('no reference and no config: production', () => {
    expect(resolve(undefined).files).toEqual(['policies/production.yaml']);
  });
});

describe('policy files and extends chains', () => {
  it('a file extends a pack and another file; options merge, later settings win', () => {
    write('chain/base.yaml', ['extends: staging', 'rules:', '  replicas-ha:', '    severity: warning', '    options: {minReplicas: 3, tiers: [master]}', 'settings:', '  secretNames: {ca: acme-ca}']);
    const child = write('chain/child.yaml', ['extends: ./base.yaml', 'name: acme', 'rules:', '  replicas-ha:', '    options: {tiers: [master, query]}', 'settings:', '  maxWarnings: 10']);
    const p = resolve(child);
    expect(p.name).toBe('acme');
    expect(p.files.slice(0, 2)).toEqual(['policies/production.yaml', 'policies/staging.yaml']);
    expect(p.files).toHaveLength(4);
    expect(p.rules['replicas-ha']).toEqual({ severity: 'warning', options: { minReplicas: 3, tiers: ['master', 'query'] } });
    expect(p.settings.secretNames).toEqual({ ca: 'acme-ca', auth: 'imply-auth-token', license: 'imply-secrets' });
    expect(p.settings.maxWarnings).toBe(10);
  });

  it('a severity-only entry keeps the options set earlier', () => {
    write('sev/base.yaml', ['extends: production', 'rules:', '  termination-grace-period: {severity: warning, options: {minSeconds: 3600}}']);
    const child = write('sev/child.yaml', ['extends: ./base.yaml', 'rules:', '  termination-grace-period: error']);
    expect(resolve(child).rules['termination-grace-period']).toEqual({ severity: 'error', options: { minSeconds: 3600 } });
  });

  it('an options-only entry keeps the severity set earlier', () => {
    write('opt/base.yaml', ['rules:', '  termination-grace-period: info']);
    const child = write('opt/child.yaml', ['extends: ./base.yaml', 'rules:', '  termination-grace-period: {options: {minSeconds: 60}}']);
    expect(resolve(child).rules['termination-grace-period']).toEqual({ severity: 'info', options: { minSeconds: 60 } });
  });

  it('a file without extends builds on production', () => {
    const f = write('plain.yaml', ['rules:', '  replicas-ha: off']);
    const p = resolve(f);
    expect(p.files[0]).toBe('policies/production.yaml');
    expect(p.rules['replicas-ha']?.severity).toBe('off');
  });

  it('an extends list is applied in order', () => {
    write('list/a.yaml', ['rules:', '  replicas-ha: warning']);
    write('list/b.yaml', ['rules:', '  replicas-ha: info']);
    const f = write('list/main.yaml', ['extends: [production, ./a.yaml, ./b.yaml]']);
    expect(resolve(f).rules['replicas-ha']?.severity).toBe('info');
  });

  it('exemptions keep where they are written', () => {
    const f = write('ex.yaml', ['extends: production', 'exemptions:', '  - rule: no-quickstart-minio', '    subject: deployments.minio', '    reason: demo', '    expires: 2026-03-31']);
    const [e] = resolve(f).exemptions;
    expect(e).toMatchObject({ rule: 'no-quickstart-minio', subject: 'deployments.minio', reason: 'demo', expires: '2026-03-31' });
    expect(e.source?.range.line).toBe(3);
    expect(e.source?.file).toContain('ex.yaml');
  });

  it('custom rules are collected with their position; a later file replaces one of the same id', () => {
    write('cr/base.yaml', ['customRules:', '  - {id: org-a, title: A, severity: error, target: values, schema: {}, message: a}']);
    const f = write('cr/child.yaml', ['extends: ./base.yaml', 'rules:', '  org-a: warning', 'customRules:', '  - id: org-a', '    title: A2', '    severity: info', '    target: manifest', '    schema: {}', '    message: a2']);
    const p = resolve(f);
    expect(p.customRules.map((c) => [c.id, c.title, c.source.line])).toEqual([['org-a', 'A2', 5]]);
    expect(p.rules['org-a']?.severity).toBe('warning');
  });
});

describe('policy errors carry file:line', () => {
  it('an unknown rule id, at its key, with a suggestion', () => {
    const f = write('bad/unknown.yaml', ['extends: production', 'rules:', '  replicas-ha: warning', '  no-quickstart-mino: off']);
    const e = policyError(() => resolve(f));
    expect([e.line, e.column]).toEqual([4, 3]);
    expect(e.file).toContain('unknown.yaml');
    expect(e.message).toContain('unknown rule id "no-quickstart-mino"');
    expect(e.message).toContain('did you mean "no-quickstart-minio"?');
  });

  it('an invalid severity, at its value', () => {
    const f = write('bad/severity.yaml', ['extends: production', 'rules:', '  replicas-ha: fatal']);
    const e = policyError(() => resolve(f));
    expect(e.line).toBe(3);
    expect(e.message).toContain('invalid policy');
  });

  it('an invalid severity inside an object entry', () => {
    const f = write('bad/severity2.yaml', ['rules:', '  replicas-ha:', '    severity: critical']);
    expect(policyError(() => resolve(f)).line).toBe(3);
  });

  it('an unknown top-level key, at the key', () => {
    const f = write('bad/key.yaml', ['extends: production', 'rulez: {}']);
    const e = policyError(() => resolve(f));
    expect([e.line, e.column]).toEqual([2, 1]);
    expect(e.message).toContain('unknown key "rulez"');
  });

  it('an exemption without a reason', () => {
    const f = write('bad/noreason.yaml', ['exemptions:', '  - rule: replicas-ha']);
    const e = policyError(() => resolve(f));
    expect(e.line).toBe(2);
    expect(e.message).toContain('reason');
  });

  it('an exemption naming an unknown rule', () => {
    const f = write('bad/exrule.yaml', ['exemptions:', '  - rule: replica-ha', '    reason: x']);
    const e = policyError(() => resolve(f));
    expect(e.line).toBe(2);
    expect(e.message).toContain('did you mean "replicas-ha"?');
  });

  it('YAML that does not parse', () => {
    const f = write('bad/yaml.yaml', ['rules:', '  replicas-ha: [warning']);
    const e = policyError(() => resolve(f));
    expect(e.message).toContain('invalid policy YAML');
    expect(e.line).toBeGreaterThanOrEqual(2);
  });

  it('a missing file, and a cycle', () => {
    expect(policyError(() => resolve(path.join(tmp, 'nope.yaml'))).message).toContain('policy not found');
    write('cyc/a.yaml', ['extends: ./b.yaml']);
    write('cyc/b.yaml', ['extends: ./a.yaml']);
    expect(policyError(() => resolve(path.join(tmp, 'cyc/a.yaml'))).message).toContain('cycle');
  });

  it('a custom rule that reuses a built-in id', () => {
    const f = write('bad/custom.yaml', ['customRules:', '  - {id: replicas-ha, title: x, severity: error, target: values, schema: {}, message: x}']);
    const e = policyError(() => resolve(f));
    expect(e.line).toBe(2);
    expect(e.message).toContain('built-in rule id');
  });
});

describe('.imply-lint.yaml discovery (findConfig)', () => {
  it('finds the config in cwd or a parent, stopping at the git root', () => {
    const repo = path.join(tmp, 'repo');
    fs.mkdirSync(path.join(repo, '.git'), { recursive: true });
    fs.mkdirSync(path.join(repo, 'deploy/imply'), { recursive: true });
    const cfg = write('repo/.imply-lint.yaml', ['extends: staging', 'rules:', '  replicas-ha: off']);
    expect(findConfig(path.join(repo, 'deploy/imply'))).toBe(cfg);
    expect(findConfig(repo)).toBe(cfg);
    // Above the repository, nothing.
    write('outer/.imply-lint.yaml', ['extends: production']);
    const inner = path.join(tmp, 'outer/project');
    fs.mkdirSync(path.join(inner, '.git'), { recursive: true });
    expect(findConfig(inner)).toBeUndefined();
  });

  it('also finds .imply-lint.yml', () => {
    const dir = path.join(tmp, 'yml');
    fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
    const cfg = write('yml/.imply-lint.yml', ['extends: quickstart']);
    expect(findConfig(dir)).toBe(cfg);
  });

  it('resolvePolicy uses the discovered config unless told not to', () => {
    const cwd = path.join(tmp, 'repo/deploy/imply');
    const p = resolve(undefined, cwd, false);
    expect(p.files.slice(0, 2)).toEqual(['policies/production.yaml', 'policies/staging.yaml']);
    expect(p.rules['replicas-ha']?.severity).toBe('off');
    expect(resolve(undefined, cwd, true).files).toEqual(['policies/production.yaml']);
    expect(resolve('quickstart', cwd, false).files.at(-1)).toBe('policies/quickstart.yaml');
  });
});

describe('applyRuleFlags (--rule / --skip-rule)', () => {
  const ids = ['a', 'b', 'c'];
  const base = () => ({ ...emptyPolicy(), rules: { a: { severity: 'warning' as const, options: { x: 1 } } } });

  it('--rule turns every other rule off and keeps options', () => {
    const p = applyRuleFlags(base(), ids, ['a'], []);
    expect(p.rules).toEqual({ a: { severity: 'warning', options: { x: 1 } }, b: { severity: 'off' }, c: { severity: 'off' } });
  });

  it('--skip-rule turns those off, keeping their options', () => {
    const p = applyRuleFlags(base(), ids, [], ['a']);
    expect(p.rules).toEqual({ a: { severity: 'off', options: { x: 1 } } });
  });

  it('both, and the input policy is not changed', () => {
    const b = base();
    const p = applyRuleFlags(b, ids, ['a', 'b'], ['b']);
    expect(p.rules.b?.severity).toBe('off');
    expect(p.rules.c?.severity).toBe('off');
    expect(p.rules.a?.severity).toBe('warning');
    expect(b.rules).toEqual({ a: { severity: 'warning', options: { x: 1 } } });
  });

  it('no flags: unchanged', () => {
    expect(applyRuleFlags(base(), ids, [], []).rules).toEqual(base().rules);
  });
});

describe('suggest', () => {
  it('suggests within a small distance only', () => {
    expect(suggest('replica-ha', ['replicas-ha', 'tls-enabled'])).toBe(' (did you mean "replicas-ha"?)');
    expect(suggest('zzz', ['replicas-ha'])).toBe('');
  });
});
