// imply-lint as a Helm post-renderer, with the real helm (v4: post-renderers are plugins). The plugin in
// deploy/helm-plugin is installed into a temporary HELM_DATA_HOME (never the user's) and calls this
// checkout's CLI through IMPLY_LINT_BIN. Also: `helm template | imply-lint -`, the post-render command on
// its own (byte-for-byte pass-through) and the wrapper run the way helm 3 runs an executable.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { makeSource } from '../../src/model/source.js';
import { cli, findingsOf, ROOT } from '../helpers/cli.js';
import { ensureHelm } from '../helpers/helm.js';

const CHART = path.join(ROOT, 'test/fixtures/imply-mini-chart');
const PLUGIN_DIR = path.join(ROOT, 'deploy/helm-plugin');
const WRAPPER = path.join(PLUGIN_DIR, 'imply-lint-post-render');
const BIN = path.join(ROOT, 'bin/imply-lint.js');
const QUICKSTART = path.join(ROOT, 'examples/quickstart-values.yaml');
const PRODUCTION = path.join(ROOT, 'examples/production-values.yaml');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let helm: string;
let tmp: string;
let env: Record<string, string>;

function exec(cmd: string, args: string[], opts: { input?: string | Buffer; env?: Record<string, string> } = {}): Run {
  const r = spawnSync(cmd, args, { cwd: ROOT, env: opts.env ?? env, input: opts.input, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const runHelm = (...args: string[]): Run => exec(helm, args);
const template = (values: string, ...extra: string[]): Run => runHelm('template', CHART, '-f', values, ...extra);
/**
 * helm with its stderr on a real pipe, as in a CI log or `helm ... 2>&1 | tee` (node's own child stdio are
 * socket pairs, which the wrapper cannot reopen through /proc).
 */
const templateLogged = (values: string, ...extra: string[]): Run =>
  exec('bash', ['-c', 'set -o pipefail; { "$@" 2>&1 1>&3 3>&- | cat >&2; } 3>&1', 'bash', helm, 'template', CHART, '-f', values, ...extra]);

/**
 * The objects of a rendered stream, as data (comments, key order and layout ignored), read as helm reads
 * YAML (the mini chart's MinIO `command: [ ... ]` continues a flow sequence at the key's indentation,
 * which helm accepts and a strict YAML 1.2 parser does not).
 */
function objects(stream: string): unknown[] {
  const src = makeSource('rendered', stream, 'manifest');
  for (const d of src.docs) expect(d.errors, `document ${d.index} parses`).toStrictEqual([]);
  return src.docs.map((d) => d.value).filter((o) => o !== null && o !== undefined);
}

/** What identifies a finding independently of where the stream came from. */
const keys = (fs_: { ruleId: string; subject: string; severity: string }[]): string[] => fs_.map((f) => `${f.severity} ${f.ruleId} ${f.subject}`).sort();

beforeAll(async () => {
  helm = await ensureHelm();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-post-render-'));
  env = {
    PATH: process.env.PATH ?? '',
    HOME: tmp,
    HELM_DATA_HOME: path.join(tmp, 'data'),
    HELM_CONFIG_HOME: path.join(tmp, 'config'),
    HELM_CACHE_HOME: path.join(tmp, 'cache'),
    HELM_PLUGINS: path.join(tmp, 'data/plugins'),
    IMPLY_LINT_BIN: BIN,
    NO_COLOR: '1',
  };
  const installed = runHelm('plugin', 'install', PLUGIN_DIR);
  expect(installed.code, installed.stderr).toBe(0);
  // An identity post-renderer: what helm makes of a post-renderer that changes nothing.
  const identity = path.join(tmp, 'identity');
  fs.mkdirSync(identity);
  fs.writeFileSync(
    path.join(identity, 'plugin.yaml'),
    'apiVersion: v1\ntype: postrenderer/v1\nname: identity\nversion: 0.1.0\nruntime: subprocess\nruntimeConfig:\n  platformCommand:\n    - command: cat\n',
  );
  const id = runHelm('plugin', 'install', identity);
  expect(id.code, id.stderr).toBe(0);
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('helm 4 post-renderer plugin (deploy/helm-plugin)', () => {
  it('installs as a postrenderer/v1 plugin named imply-lint, versioned with the package', () => {
    const list = runHelm('plugin', 'list');
    expect(list.code, list.stderr).toBe(0);
    const row = list.stdout.split('\n').find((l) => l.startsWith('imply-lint'));
    expect(row?.split(/\s+/).slice(0, 4)).toStrictEqual(['imply-lint', pkg.version, 'postrenderer/v1', 'v1']);
  });

  it('quickstart values: helm fails, and its error output carries the findings', async () => {
    const r = templateLogged(QUICKSTART, '--post-renderer', 'imply-lint');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('failed to invoke post-renderer plugin "imply-lint"');
    // Every error imply-lint reports on the same render reaches helm's stderr (the wrapper points the
    // report at it: helm 4 drops a plugin's own stderr).
    const plain = template(QUICKSTART);
    expect(plain.code, plain.stderr).toBe(0);
    const direct = await cli(['-', '--format', 'json'], { stdin: plain.stdout });
    const errors = findingsOf(direct.stdout).filter((f) => f.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const f of errors) expect(r.stderr).toContain(f.ruleId);
    expect(r.stderr).toMatch(new RegExp(`${errors.length} errors, \\d+ warnings`));
    // The report comes before helm's own error line.
    expect(r.stderr.indexOf('no-quickstart-minio')).toBeLessThan(r.stderr.indexOf('Error: '));
  });

  it('the findings through helm are those of the plain render (--post-renderer-args -o FILE --format json)', async () => {
    const out = path.join(tmp, 'report.json');
    const r = template(QUICKSTART, '--post-renderer', 'imply-lint', '--post-renderer-args', '--format=json', '--post-renderer-args', '-o', '--post-renderer-args', out);
    expect(r.code).not.toBe(0);
    const viaHelm = findingsOf(fs.readFileSync(out, 'utf8'));
    const direct = await cli(['-', '--format', 'json'], { stdin: template(QUICKSTART).stdout });
    expect(keys(viaHelm)).toStrictEqual(keys(findingsOf(direct.stdout)));
  });

  it('post-renderer args reach imply-lint: --fail-on=none lets the quickstart render through', () => {
    const r = template(QUICKSTART, '--post-renderer', 'imply-lint', '--post-renderer-args', '--fail-on=none');
    expect(r.code, r.stderr).toBe(0);
    expect(objects(r.stdout)).toStrictEqual(objects(template(QUICKSTART).stdout));
  });

  it('production values: helm succeeds and renders what it renders without imply-lint', () => {
    const r = templateLogged(PRODUCTION, '--post-renderer', 'imply-lint');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('0 errors');
    // Byte for byte what helm makes of an identity post-renderer (helm re-serializes post-rendered YAML) ...
    const identity = template(PRODUCTION, '--post-renderer', 'identity');
    expect(identity.code, identity.stderr).toBe(0);
    expect(r.stdout).toBe(identity.stdout);
    // ... and the same objects as the plain render.
    const plain = template(PRODUCTION);
    const a = objects(r.stdout);
    expect(a.length).toBeGreaterThan(10);
    expect(isDeepStrictEqual(a, objects(plain.stdout))).toBe(true);
  });

  it('a broken imply-lint fails the install with the reason on helm stderr', () => {
    const r = templateLogged(PRODUCTION, '--post-renderer', 'imply-lint', '--post-renderer-args', '--policy=no-such-policy-file.yaml');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^imply-lint: .*no-such-policy-file/m);
  });
});

describe('helm template | imply-lint -', () => {
  it('gives the findings of linting the rendered file, at the same lines', async () => {
    const rendered = template(QUICKSTART);
    expect(rendered.code, rendered.stderr).toBe(0);
    const file = path.join(tmp, 'rendered.yaml');
    fs.writeFileSync(file, rendered.stdout);
    // A real pipe: helm's stdout into the bundled CLI's stdin.
    const piped = exec('sh', ['-c', `"${helm}" template "${CHART}" -f "${QUICKSTART}" | "${process.execPath}" "${BIN}" - --format json`]);
    expect(piped.code).toBe(1);
    const fromFile = exec(process.execPath, [BIN, file, '--format', 'json']);
    expect(fromFile.code).toBe(1);
    const where = (out: string) => findingsOf(out).map((f) => `${f.ruleId} ${f.subject} ${f.location?.line}:${f.location?.column}`).sort();
    expect(where(piped.stdout)).toStrictEqual(where(fromFile.stdout));
    expect(where(piped.stdout).length).toBeGreaterThan(5);
  });
});

describe('imply-lint post-render (the command)', () => {
  it('passes a clean stream through byte for byte, report on stderr', async () => {
    const rendered = template(PRODUCTION).stdout;
    for (const text of [rendered, `\uFEFF${rendered.replace(/\n/g, '\r\n')}`]) {
      const r = await cli(['post-render'], { stdin: text });
      expect(r.code, r.stderr).toBe(0);
      expect(Buffer.from(r.stdout).equals(Buffer.from(text))).toBe(true);
      expect(r.stderr).toContain('0 errors, 0 warnings');
    }
  });

  it('writes nothing to stdout when findings reach --fail-on; --fail-on none passes them through', async () => {
    const rendered = template(QUICKSTART).stdout;
    const failing = await cli(['post-render'], { stdin: rendered });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toBe('');
    expect(failing.stderr).toContain('no-quickstart-mysql');
    const passing = await cli(['post-render', '--fail-on', 'none'], { stdin: rendered });
    expect(passing.code).toBe(0);
    expect(passing.stdout).toBe(rendered);
  });

  it('lints -f values together with the stream (values evidence too)', async () => {
    const rendered = template(QUICKSTART).stdout;
    const r = await cli(['post-render', '-f', QUICKSTART, '--format', 'json', '-o', path.join(tmp, 'with-values.json')], { stdin: rendered });
    expect(r.code).toBe(1);
    const findings = findingsOf(fs.readFileSync(path.join(tmp, 'with-values.json'), 'utf8'));
    expect(findings.some((f) => f.location?.file.endsWith('quickstart-values.yaml'))).toBe(true);
  });

  it('refuses file arguments, a second stdin and non-UTF-8 input with exit 2 and no output', async () => {
    const extra = await cli(['post-render', 'examples/production-values.yaml'], { stdin: 'a: 1\n' });
    expect(extra).toMatchObject({ code: 2, stdout: '' });
    expect(extra.stderr).toMatch(/stdin/);
    const dash = await cli(['post-render', '-f', '-'], { stdin: 'a: 1\n' });
    expect(dash).toMatchObject({ code: 2, stdout: '' });
    const latin1 = await cli(['post-render'], { stdin: Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]) });
    expect(latin1).toMatchObject({ code: 2, stdout: '' });
  });
});

describe('the wrapper run as helm 3 runs a post-renderer executable', () => {
  it('reads stdin, writes the manifests to stdout and the report to its own stderr', () => {
    const rendered = template(PRODUCTION).stdout;
    const ok = exec(WRAPPER, [], { input: rendered });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(rendered);
    expect(ok.stderr).toContain('0 errors');
    const bad = exec(WRAPPER, ['--policy', 'production'], { input: template(QUICKSTART).stdout });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('no-quickstart-minio');
  });

  it('says so when imply-lint cannot be found', () => {
    const r = exec(WRAPPER, [], { input: 'a: 1\n', env: { PATH: '/nonexistent' } });
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('imply-lint not found');
  });
});
