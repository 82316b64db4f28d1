// Fuzz and hostile-input tests of the CLI (in-process run(argv, io)): whatever the bytes, flags or YAML,
// the exit code is 0, 1 or 2; exit 2 prints exactly one line `imply-lint: ...` and no stack; otherwise
// `--format json` prints valid JSON. No "internal error" ever (that would be a bug escaping as exit 2).
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import type { CliResult } from '../helpers/cli.js';
import { HOSTILE_CASES } from '../fixtures/hostile/inputs.js';
import { assertPrototypesClean, YAMLISH_TOKENS } from './util.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-fuzz-cli-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assertPrototypesClean();
});

/** The CLI contract for any input; returns the rule ids found when it linted. */
function contract(r: CliResult, what: string): string[] {
  expect([0, 1, 2], what).toContain(r.code);
  expect(r.stderr, what).not.toMatch(/internal error/);
  expect(r.stderr, what).not.toMatch(/\n\s+at /);
  if (r.code === 2) {
    expect(r.stderr.endsWith('\n'), what).toBe(true);
    expect(r.stderr.slice(0, -1), what).not.toMatch(/[\n\r]/);
    expect(r.stderr, what).toMatch(/^imply-lint: /);
    expect(r.stdout, what).toBe('');
    return [];
  }
  expect(r.stderr, what).toBe('');
  const doc = JSON.parse(r.stdout) as { results: { findings: { ruleId: string; location?: { line: number; column: number } }[] }[] };
  const findings = doc.results.flatMap((x) => x.findings);
  for (const f of findings) {
    if (!f.location) continue;
    expect(f.location.line, what).toBeGreaterThanOrEqual(1);
    expect(f.location.column, what).toBeGreaterThanOrEqual(1);
  }
  return [...new Set(findings.map((f) => f.ruleId))];
}

const lintJson = (args: string[], opts: { stdin?: string | Buffer } = {}) => cli(['--no-config', '--format', 'json', ...args], { cwd: tmp, ...opts });

describe('explicit hostile files', () => {
  for (const c of HOSTILE_CASES) {
    it(`${c.name}: exit ${c.expect.exit} (${c.about})`, async () => {
      const file = path.join(tmp, `${c.name}.yaml`);
      fs.writeFileSync(file, c.input());
      const r = await lintJson([file]);
      const rules = contract(r, c.name);
      expect(r.code, r.stderr).toBe(c.expect.exit);
      if (c.expect.exit === 2) expect(r.stderr).toMatch(c.expect.stderr);
      else for (const id of c.expect.rules ?? []) expect(rules).toContain(id);
      fs.rmSync(file);
    });
  }

  it('the same hostile bytes on stdin', async () => {
    for (const c of HOSTILE_CASES.filter((x) => !/huge|too-large|many-keys|separator|bad-separators|end-markers/.test(x.name))) {
      const r = await lintJson(['-'], { stdin: c.input() });
      contract(r, c.name);
      expect(r.code, c.name).toBe(c.expect.exit);
    }
  });

  it('a hostile file as a manifest stream and as --previous-values', async () => {
    for (const c of HOSTILE_CASES.filter((x) => x.expect.exit === 2 && !/too-large/.test(x.name))) {
      const file = path.join(tmp, `${c.name}.yaml`);
      fs.writeFileSync(file, c.input());
      const ok = path.join(tmp, 'ok.yaml');
      fs.writeFileSync(ok, 'deployments: {minio: false}\n');
      for (const args of [['--previous-values', file, ok], ['-f', ok, '-f', file]]) {
        const r = await lintJson(args);
        contract(r, c.name);
        expect(r.code, `${c.name} ${args[0]}`).toBe(2);
      }
      fs.rmSync(file);
    }
  });

  it('a device or endless input is cut off at the byte limit', async () => {
    if (!fs.existsSync('/dev/zero')) return;
    const r = await lintJson(['/dev/zero']);
    contract(r, '/dev/zero');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/dev\/zero: limit exceeded \(bytes\)/);
  });

  it('a file that is not there, a directory, an unreadable file', async () => {
    const dir = path.join(tmp, 'empty-dir');
    fs.mkdirSync(dir, { recursive: true });
    const locked = path.join(tmp, 'locked.yaml');
    fs.writeFileSync(locked, 'a: 1\n');
    fs.chmodSync(locked, 0o000);
    const unreadable = process.getuid?.() !== 0; // root reads it anyway
    for (const args of [[path.join(tmp, 'missing.yaml')], [dir], ['-f', dir], ...(unreadable ? [[locked]] : [])]) {
      const r = await lintJson(args);
      contract(r, args.join(' '));
      expect(r.code, args.join(' ')).toBe(2);
    }
  });

  it('hostile --set expressions are one-line errors', async () => {
    for (const expr of ['a' + '[0]'.repeat(5000) + '=1', 'a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.aa.bb.cc.dd.ee=1', 'a[-1]=1', 'a[99999999]=1', 'a={x', 'a[0]=1,a.b=2', '__proto__.polluted=1,constructor.prototype.polluted=1']) {
      const r = await lintJson(['--set', expr]);
      contract(r, expr.slice(0, 40));
    }
    assertPrototypesClean();
  });
});

describe('random input through the CLI (fast-check, fixed seeds)', () => {
  it('random bytes on stdin: exit 0/1/2, one line on exit 2, JSON otherwise (600 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600, size: 'max' }), async (bytes) => {
        contract(await lintJson(['-'], { stdin: Buffer.from(bytes) }), 'bytes');
      }),
      { numRuns: 600, seed: 6101 },
    );
  });

  it('random UTF-8 text on stdin (400 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300, size: 'max' }), async (text) => {
        contract(await lintJson(['-'], { stdin: text }), 'text');
      }),
      { numRuns: 400, seed: 6102 },
    );
  });

  it('YAML-ish token soup as values and as a manifest stream (600 runs)', async () => {
    const manifestHead = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n';
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...YAMLISH_TOKENS), { maxLength: 80, size: 'max' }), fc.boolean(), async (tokens, manifest) => {
        const text = (manifest ? manifestHead : '') + tokens.join('');
        contract(await lintJson(['-'], { stdin: text }), 'soup');
      }),
      { numRuns: 600, seed: 6103 },
    );
  });

  it('random lint flags and values (500 runs)', async () => {
    const ok = () => {
      const f = path.join(tmp, 'flags-ok.yaml');
      if (!fs.existsSync(f)) fs.writeFileSync(f, 'deployments: {minio: false}\n');
      return f;
    };
    const word = fc.oneof(fc.constantFrom('error', 'warning', 'info', 'none', 'json', 'sarif', 'text', 'junit', 'github', '2023.03', '1.29', '3.14.0', 'x', '', '-', '--', '0', '-1', '1e9', 'tls-enabled', 'nope', 'a=1', 'a[0]=1'), fc.string({ maxLength: 12 }));
    const flag = fc.constantFrom('--format', '--fail-on', '--max-warnings', '--set', '--set-string', '--chart-version', '--kube-version', '--helm-version', '--rule', '--skip-rule', '--release-name', '--policy', '--docs-base-url', '--quiet', '--no-color', '--color', '--bogus', '-f', '--values', '--help');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(flag, word), { maxLength: 5 }), async (pairs) => {
        const args = pairs.flatMap(([f, w]) => (f === '--quiet' || f === '--no-color' || f === '--color' ? [f] : [f, w]));
        const r = await cli(['lint', '--no-config', ...args, ok()], { cwd: tmp });
        expect([0, 1, 2]).toContain(r.code);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
        if (r.code === 2) expect(r.stderr.trim().split('\n')).toHaveLength(1);
      }),
      { numRuns: 500, seed: 6104 },
    );
  });
});
