// .pre-commit-hooks.yaml: valid against SchemaStore's pre-commit-hooks schema, a node hook whose entry is
// this package's bin, a files/exclude pattern that picks values files and leaves chart sources alone, and
// the entry run exactly as pre-commit runs it (entry + args + file names) with the exit codes documented.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { ROOT } from '../helpers/cli.js';

interface Hook {
  id: string;
  name: string;
  entry: string;
  language: string;
  files?: string;
  exclude?: string;
  types?: string[];
  pass_filenames?: boolean;
  args?: string[];
}

const HOOKS = parse(fs.readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const hook = HOOKS.find((h) => h.id === 'imply-lint') as Hook;

/** pre-commit's file selection: re.search of files, then not exclude (the patterns are in the JS subset). */
const selected = (file: string) => new RegExp(hook.files ?? '').test(file) && !new RegExp(hook.exclude ?? '^$').test(file);

/**
 * What pre-commit executes: the entry (split like a shell would; its executable is the package bin, which
 * `npm install -g` of this package puts on PATH) + the hook's args + the file names.
 */
function runHook(args: string[], files: string[]): { code: number; stdout: string; stderr: string } {
  const [exe, ...entryArgs] = hook.entry.split(/\s+/);
  expect(pkg.bin).toHaveProperty(exe);
  const bin = path.join(ROOT, (pkg.bin as Record<string, string>)[exe]);
  const r = spawnSync(process.execPath, [bin, ...entryArgs, ...(hook.args ?? []), ...args, ...files], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('.pre-commit-hooks.yaml', () => {
  it('is valid against SchemaStore pre-commit-hooks.json', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'schemas/pre-commit-hooks.json'), 'utf8')));
    expect(validate(HOOKS), JSON.stringify(validate.errors, null, 1)).toBe(true);
    expect(validate([{ id: 'x', name: 'x', entry: 'x' }])).toBe(false); // language is required
  });

  it('is a node hook running the package bin on the files it is given', () => {
    expect(hook).toMatchObject({ name: 'imply-lint', entry: 'imply-lint', language: 'node', pass_filenames: true });
    // pre-commit installs a node hook with npm install + npm pack: the bin and the bundle must be packed.
    expect(pkg.files).toEqual(expect.arrayContaining(['bin', 'dist']));
    expect(pkg.scripts.prepare).toBeTruthy();
  });

  it('selects values files and leaves chart sources and other YAML alone', () => {
    for (const f of ['values.yaml', 'helm/imply/values-prod.yaml', 'examples/quickstart-values.yaml', 'env/prod-values.yml', 'deploy/values.production.yaml']) expect(selected(f), f).toBe(true);
    for (const f of ['Chart.yaml', 'charts/imply/values.yaml', 'mychart/templates/values-configmap.yaml', '.github/workflows/ci.yml', 'policies/production.yaml', 'values.json']) expect(selected(f), f).toBe(false);
  });

  it('exit codes as documented: 1 on findings, 0 when clean or below --fail-on, 2 on a file it cannot lint', () => {
    const both = runHook([], ['examples/quickstart-values.yaml', 'examples/production-values.yaml']);
    expect(both.code).toBe(1);
    expect(both.stdout).toContain('examples/quickstart-values.yaml');
    expect(both.stdout).toContain('no-quickstart-minio');
    expect(runHook([], ['examples/production-values.yaml']).code).toBe(0);
    expect(runHook(['--fail-on', 'none'], ['examples/quickstart-values.yaml']).code).toBe(0);
    const missing = runHook([], ['examples/no-such-values.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no-such-values.yaml');
  });

  it('each file is linted on its own (no layering across the files pre-commit passes)', () => {
    const r = runHook(['--format', 'json'], ['examples/quickstart-values.yaml', 'examples/production-values.yaml']);
    const doc = JSON.parse(r.stdout) as { results: { target: string; findings: unknown[] }[] };
    expect(doc.results.map((x) => x.target)).toStrictEqual(['examples/quickstart-values.yaml', 'examples/production-values.yaml']);
    expect(doc.results[1].findings).toStrictEqual([]);
  });
});
