// The launcher (bin/imply-lint.js) runs the single-file CommonJS bundle dist/cli.cjs from V8's code cache
// (docs/performance.md section 1): same behaviour as the ES module build, the build's cache accepted, a
// user cache only when that one does not fit, and still none of the heavy dependencies on the lint path.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REF23, ROOT, cli } from '../helpers/cli.js';

const BIN = path.join(ROOT, 'bin/imply-lint.js');
const ESM = path.join(ROOT, 'dist/cli.js');
const VALUES = path.join(REF23, 'values.public-user-copy.yaml');
const RENDERED = path.join(REF23, 'quickstart.rendered.yaml');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-startup-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function node(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bin/imply-lint.js', () => {
  it('is built: dist/cli.cjs ends with its build id, and the build wrote a code cache for this Node', () => {
    const text = fs.readFileSync(path.join(ROOT, 'dist/cli.cjs'), 'utf8');
    const id = /imply-lint-build:([0-9a-f]{16})\n$/.exec(text)?.[1];
    expect(id).toBeDefined();
    expect(fs.readdirSync(path.join(ROOT, 'dist/compile-cache'))).toContain(`${id}-${process.version}-${process.arch}.cache`);
  });

  const cases: [string, string[]][] = [
    ['values, text', ['--no-config', VALUES]],
    ['values, json', ['--no-config', '--format', 'json', VALUES]],
    ['rendered manifests, sarif', ['--no-config', '--format', 'sarif', RENDERED]],
    ['--version', ['--version']],
    ['rules', ['rules']],
    ['a missing file', ['--no-config', path.join(tmp, 'nope.yaml')]],
    ['a bad flag', ['--no-such-flag', VALUES]],
  ];
  for (const [what, args] of cases) {
    it(`prints what the ES module build prints: ${what}`, () => {
      const a = node([BIN, ...args]);
      const b = node([ESM, ...args]);
      expect(a.stderr).toBe(b.stderr);
      expect(a.stdout).toBe(b.stdout);
      expect(a.code).toBe(b.code);
      expect(a.stdout.length + a.stderr.length).toBeGreaterThan(0);
    });
  }

  it('reads a document only js-yaml reads like Go (js-yaml loaded lazily) as the in-process CLI does', async () => {
    const file = path.join(tmp, 'lenient.yaml');
    // A flow sequence continued at its key's indentation: the `yaml` package reports BAD_INDENT, Go reads it.
    fs.writeFileSync(file, 'image:\n  tag: "1"\nlist: [a,\nb]\n');
    const args = ['--no-config', '--format', 'json', file];
    const a = node([BIN, ...args]);
    const b = await cli(args);
    expect(a.stdout).toBe(b.stdout);
    expect(a.code).toBe(b.code);
    expect(a.stdout).not.toMatch(/BAD_INDENT/);
  });

  it("uses the build's cache (writes no user cache) and makes one when V8 flags differ, then reuses it", () => {
    const dir = path.join(tmp, 'cache');
    const env = { IMPLY_LINT_COMPILE_CACHE: dir };
    const plain = node([BIN, '--no-config', VALUES], env);
    expect(plain.code, plain.stderr).toBe(1);
    expect(fs.existsSync(dir)).toBe(false);
    // Another V8 flag: the build's cache would be rejected, so the first run writes its own...
    const first = node(['--stack-size=900', BIN, '--no-config', VALUES], env);
    expect(first.stdout).toBe(plain.stdout);
    const files = fs.readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+-f[0-9a-f]+\.cache$/);
    const inode = fs.statSync(path.join(dir, files[0])).ino;
    // ...which the next run accepts (it would replace the file otherwise).
    const second = node(['--stack-size=900', BIN, '--no-config', VALUES], env);
    expect(second.stdout).toBe(plain.stdout);
    expect(fs.readdirSync(dir)).toEqual(files);
    expect(fs.statSync(path.join(dir, files[0])).ino).toBe(inode);
  });

  it("removes other builds' caches untouched for a week when it writes one, and nothing else", () => {
    const dir = path.join(tmp, 'prune');
    fs.mkdirSync(dir);
    const old = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    const files = { stale: '0000000000000000-v20.0.0-x64.cache', recent: '1111111111111111-v20.0.0-x64.cache', other: 'notes.txt' };
    for (const f of Object.values(files)) fs.writeFileSync(path.join(dir, f), 'x');
    fs.utimesSync(path.join(dir, files.stale), old, old);
    fs.utimesSync(path.join(dir, files.other), old, old);
    const r = node(['--stack-size=902', BIN, '--version'], { IMPLY_LINT_COMPILE_CACHE: dir });
    expect(r.code).toBe(0);
    const left = fs.readdirSync(dir);
    expect(left).not.toContain(files.stale);
    expect(left).toEqual(expect.arrayContaining([files.recent, files.other]));
    expect(left).toHaveLength(3);
  });

  it('IMPLY_LINT_COMPILE_CACHE=0 reads and writes no cache, same output', () => {
    const off = node(['--stack-size=900', BIN, '--no-config', VALUES], { IMPLY_LINT_COMPILE_CACHE: '0', HOME: path.join(tmp, 'home') });
    expect(off.code).toBe(1);
    expect(off.stdout).toBe(node([ESM, '--no-config', VALUES]).stdout);
    expect(fs.existsSync(path.join(tmp, 'home'))).toBe(false);
  });

  it('a cache dir that cannot be made (HOME under /proc, where recursive mkdirSync spins) costs nothing', () => {
    const r = node(['--stack-size=902', BIN, '--no-config', VALUES], { HOME: '/proc/self' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(node([ESM, '--no-config', VALUES]).stdout);
  });

  it('a corrupt cache file is rejected by V8: the run still succeeds and replaces it', () => {
    const dir = path.join(tmp, 'stale');
    const env = { IMPLY_LINT_COMPILE_CACHE: dir };
    const first = node(['--stack-size=901', BIN, '--no-config', VALUES], env);
    const [made] = fs.readdirSync(dir);
    fs.writeFileSync(path.join(dir, made), Buffer.alloc(4096, 7));
    const again = node(['--stack-size=901', BIN, '--no-config', VALUES], env);
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe(first.stdout);
    expect(again.code).toBe(1);
    expect(fs.statSync(path.join(dir, made)).size).toBeGreaterThan(4096);
  });

  it('the lint path loads none of the heavy or lazily required dependencies', () => {
    const trace = path.join(tmp, 'trace.txt');
    const hook = path.join(tmp, 'trace-require.cjs');
    fs.writeFileSync(
      hook,
      [
        "const Module = require('node:module');",
        "const fs = require('node:fs');",
        'const load = Module._load;',
        'Module._load = function (request, ...rest) {',
        "  if (!request.startsWith('.') && !request.startsWith('/') && !request.startsWith('node:')) fs.appendFileSync(process.env.TRACE_FILE, request + '\\n');",
        '  return load.call(this, request, ...rest);',
        '};',
        '',
      ].join('\n'),
    );
    const heavy = ['fastify', '@kubernetes/client-node', 'pino', 'prom-client', 'mysql2', 'pg', 'node-forge', 'semver', 'ajv', 'ajv-formats'];
    // js-yaml only when a document needs it: the real chart's quickstart render has one such document.
    for (const [args, avoid] of [
      [['--no-config', '--format', 'json', VALUES], [...heavy, 'js-yaml']],
      [['--no-config', RENDERED], heavy],
    ]) {
      fs.writeFileSync(trace, '');
      const r = node(['--require', hook, '--import', path.join(ROOT, 'test/fixtures/trace/register.mjs'), BIN, ...args], { TRACE_FILE: trace, IMPLY_LINT_COMPILE_CACHE: '0' });
      expect(r.code, r.stderr).toBeLessThanOrEqual(1);
      const loaded = fs.readFileSync(trace, 'utf8').split('\n').filter(Boolean);
      for (const h of avoid) expect(loaded.filter((s) => s === h || s.startsWith(`${h}/`)), h).toEqual([]);
    }
    // Nor node:crypto (fingerprints hash in JavaScript; the bundle loads crypto on first use).
    const list = path.join(tmp, 'modules.json');
    const dump = path.join(tmp, 'dump-modules.cjs');
    fs.writeFileSync(dump, "process.on('exit', () => require('node:fs').writeFileSync(process.env.LIST_FILE, JSON.stringify(process.moduleLoadList)));\n");
    const d = node(['--require', dump, BIN, '--no-config', '--format', 'sarif', VALUES], { LIST_FILE: list, IMPLY_LINT_COMPILE_CACHE: '0' });
    expect(d.code, d.stderr).toBe(1);
    const builtins = JSON.parse(fs.readFileSync(list, 'utf8')) as string[];
    expect(builtins).toContain('NativeModule vm');
    expect(builtins.filter((m) => /crypto/.test(m))).toEqual([]);
    // The trace sees what the bundle requires lazily: a policy with custom rules loads ajv.
    const policy = path.join(tmp, 'custom.yaml');
    fs.writeFileSync(policy, 'customRules:\n  - id: acme-tier-limits\n    title: Data tiers set a memory limit\n    severity: warning\n    target: values\n    path: dataTier1.resources\n    schema: { required: [limits] }\n    message: dataTier1 must set resources.limits\n');
    fs.writeFileSync(trace, '');
    const r = node(['--require', hook, BIN, '--policy', policy, VALUES], { TRACE_FILE: trace, IMPLY_LINT_COMPILE_CACHE: '0' });
    expect(r.code, r.stderr).toBeLessThanOrEqual(1);
    expect(fs.readFileSync(trace, 'utf8').split('\n')).toContain('ajv');
  });
});
