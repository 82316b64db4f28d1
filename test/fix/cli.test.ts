// Fix stage, end to end: lint -> fix -> lint again (in-process CLI), --write on temp copies, and real helm
// rendering the fixed values (probe chart and the Imply-like mini chart).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderChart } from '../../src/model/helm.js';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import { cli, findingsOf, REF23, ROOT } from '../helpers/cli.js';
import { ensureHelm, PROBE_CHART, probeJson } from '../helpers/helm.js';

const FIXABLE = new Set(BUILTIN_RULES.filter((r) => r.meta.fixable).map((r) => r.meta.id));
const QUICKSTART = path.join(ROOT, 'examples/quickstart-values.yaml');
const PUBLIC = path.join(REF23, 'values.public-user-copy.yaml');
const MINI = path.join(ROOT, 'test/fixtures/imply-mini-chart');

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-fix-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function ruleIds(args: string[]): Promise<string[]> {
  const r = await cli([...args, '--format', 'json', '--fail-on', 'none']);
  expect(r.code, r.stderr).toBe(0);
  return [...new Set(findingsOf(r.stdout).filter((f) => !f.suppressed).map((f) => f.ruleId))].sort();
}

const CASES = [
  {
    name: 'examples/quickstart-values.yaml',
    file: QUICKSTART,
    fixed: ['auth-enabled', 'imply-version-pinned', 'no-plaintext-secrets', 'no-quickstart-minio', 'no-quickstart-mysql', 'replicas-ha', 'tls-enabled', 'update-strategy', 'zookeeper-ha'],
  },
  {
    name: 'values.public-user-copy.yaml (real 2023.03.1 values)',
    file: PUBLIC,
    fixed: ['auth-enabled', 'imply-version-pinned', 'no-plaintext-secrets', 'no-quickstart-minio', 'replicas-ha', 'tls-enabled', 'update-strategy', 'zookeeper-ha'],
  },
];

describe.each(CASES)('imply-lint fix $name', ({ file, fixed }) => {
  let overlay: string;
  let before: string[];
  beforeAll(async () => {
    before = await ruleIds([file]);
    const r = await cli(['fix', file, '-o', path.join(dir, `${path.basename(file)}.overlay.yaml`)]);
    expect(r.code, r.stderr).toBe(0);
    overlay = path.join(dir, `${path.basename(file)}.overlay.yaml`);
    expect(r.stderr).toMatch(/^imply-lint fix: \d+ finding\(s\) fixed by the overlay .*; \d+ placeholder\(s\) to fill in\./);
  });

  it('fixes exactly the fixable rules that fired; only placeholders and rules without a safe fix remain', async () => {
    const after = await ruleIds(['-f', file, '-f', overlay]);
    expect(before.filter((id) => FIXABLE.has(id) && !after.includes(id))).toEqual(fixed);
    expect(after.filter((id) => FIXABLE.has(id))).toEqual([]);
    expect(after).toContain('unresolved-placeholder');
    for (const id of after) expect(id === 'unresolved-placeholder' || !FIXABLE.has(id), id).toBe(true);
  });

  it('the overlay names the rules it fixes and holds no secret from the input', () => {
    const text = fs.readFileSync(overlay, 'utf8');
    for (const id of fixed) expect(text).toContain(id);
    for (const secret of ['implypassword', 'psltest', 'password: imply\n']) expect(text).not.toContain(secret);
  });

  it('stdout form equals the -o file', async () => {
    const r = await cli(['fix', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(fs.readFileSync(overlay, 'utf8'));
  });

  it('real helm: the probe chart renders merged values that lint clean of the fixed rules', async () => {
    const helm = await ensureHelm();
    const out = await renderChart({ helm, chartDir: PROBE_CHART, releaseName: 'imply', valuesFiles: [file, overlay], sets: [] });
    const merged = path.join(dir, `${path.basename(file)}.merged.json`);
    fs.writeFileSync(merged, JSON.stringify(probeJson(out)));
    // The probe chart brings defaults of its own (a dataTier1 with one pod): compare the findings that were fixed.
    const was = await cli([file, '--format', 'json', '--fail-on', 'none']);
    const fixedKeys = findingsOf(was.stdout).filter((f) => fixed.includes(f.ruleId)).map((f) => `${f.ruleId} ${f.subject}`);
    expect(fixedKeys.length).toBeGreaterThanOrEqual(fixed.length);
    const now = await cli(['-f', merged, '--release-name', 'imply', '--format', 'json', '--fail-on', 'none']);
    const nowKeys = new Set(findingsOf(now.stdout).map((f) => `${f.ruleId} ${f.subject}`));
    expect(fixedKeys.filter((k) => nowKeys.has(k))).toEqual([]);
  }, 60_000);

  it('real helm: imply-lint chart on the mini chart with the overlay reports none of the fixed rules', async () => {
    const helm = await ensureHelm();
    const r = await cli(['chart', MINI, '-f', file, '-f', overlay, '--format', 'json', '--fail-on', 'none'], { env: { HELM_BIN: helm } });
    expect(r.code, r.stderr).toBe(0);
    const ids = new Set(findingsOf(r.stdout).filter((f) => !f.suppressed).map((f) => f.ruleId));
    for (const id of fixed) expect(ids.has(id), id).toBe(false);
    // Without the overlay the same chart run does report them (the test sees the evidence).
    const plain = await cli(['chart', MINI, '-f', file, '--format', 'json', '--fail-on', 'none'], { env: { HELM_BIN: helm } });
    const plainIds = new Set(findingsOf(plain.stdout).map((f) => f.ruleId));
    expect(fixed.filter((id) => plainIds.has(id))).toEqual(fixed);
  }, 60_000);

  it('--write edits a copy in place: same result, comments kept, only the fixed lines change', async () => {
    const copy = path.join(dir, `write-${path.basename(file)}`);
    fs.copyFileSync(file, copy);
    fs.chmodSync(copy, 0o644);
    const original = fs.readFileSync(copy, 'utf8');
    const r = await cli(['fix', copy, '--write']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/rewritten through the YAML Document API/);
    const edited = fs.readFileSync(copy, 'utf8');
    const comments = (t: string) => t.split('\n').filter((l) => /^\s*#/.test(l));
    expect(comments(edited)).toEqual(comments(original));
    const after = await ruleIds([copy]);
    expect(after.filter((id) => FIXABLE.has(id))).toEqual([]);
    for (const id of fixed) expect(after).not.toContain(id);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('imply-lint fix: usage', () => {
  it('refuses manifests (fix works on values)', async () => {
    const r = await cli(['fix', path.join(REF23, 'quickstart.rendered.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fix works on Helm values, not rendered manifests/);
  });
  it('refuses --write on stdin, -o with --write, and no input', async () => {
    expect((await cli(['fix', '-', '--write'], { stdin: 'a: 1\n' })).stderr).toMatch(/cannot edit stdin/);
    expect((await cli(['fix', QUICKSTART, '--write', '-o', 'x.yaml'])).code).toBe(2);
    expect((await cli(['fix'])).code).toBe(2);
  });
  it('reads stdin for an overlay; a file with nothing to fix gives an empty overlay and exit 0', async () => {
    const r = await cli(['fix', '-'], { stdin: fs.readFileSync(QUICKSTART, 'utf8') });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('deployments:');
    // Fixing already fixed values: nothing left to fix.
    const fixedOnce = path.join(dir, 'fixed-once.yaml');
    fs.writeFileSync(fixedOnce, r.stdout);
    const c = await cli(['fix', '-f', QUICKSTART, '-f', fixedOnce]);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/\{\}\n$/);
    expect(c.stderr).toMatch(/0 finding\(s\) fixed/);
  });
  it('--write puts a value in the file that set it, the rest in the last values file', async () => {
    const a = path.join(dir, 'a.yaml');
    const b = path.join(dir, 'b.yaml');
    fs.writeFileSync(a, '# base\ndeployments:\n  minio: true\n');
    fs.writeFileSync(b, '# env\nzookeeper:\n  replicaCount: 1\n');
    const r = await cli(['fix', '-f', a, '-f', b, '--write']);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(a, 'utf8')).toBe('# base\ndeployments:\n  minio: false\n');
    const bText = fs.readFileSync(b, 'utf8');
    expect(bText).toMatch(/^# env\nzookeeper:\n  replicaCount: 3\n/);
    expect(bText).toContain('secretName: imply-ca');
  });
  it('rules --format json says fixable for every rule', async () => {
    const r = await cli(['rules', '--format', 'json']);
    const list = JSON.parse(r.stdout) as { id: string; fixable: boolean }[];
    expect(list.every((m) => typeof m.fixable === 'boolean')).toBe(true);
    expect(list.find((m) => m.id === 'tls-enabled')?.fixable).toBe(true);
    expect(list.find((m) => m.id === 'zookeeper-version')?.fixable).toBe(false);
  });
});
