// CLI golden scenarios: args in, exit code and output out (in-process through run(argv, io)).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, findingsOf } from '../helpers/cli.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-cli-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function write(name: string, text: string | Buffer): string {
  const p = path.join(tmp, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

const oneLine = (s: string) => {
  expect(s.trim().split('\n')).toHaveLength(1);
  expect(s).not.toMatch(/\n\s+at /);
};

describe('exit code 2: nothing could be linted', () => {
  it('no input', async () => {
    const r = await cli(['--no-config', '--format', 'json']);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
  });
  it('missing file', async () => {
    const r = await cli(['--no-config', path.join(tmp, 'nope.yaml')]);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/nope\.yaml: no such file/);
  });
  it('binary file', async () => {
    const r = await cli(['--no-config', write('bin.yaml', Buffer.from([0x61, 0x3a, 0x00, 0x01, 0x02]))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/binary/);
    oneLine(r.stderr);
  });
  it('invalid UTF-8', async () => {
    const r = await cli(['--no-config', write('latin1.yaml', Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/UTF-8/);
  });
  it('unknown flag', async () => {
    const r = await cli(['--bogus', 'x.yaml']);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/--bogus/);
  });
  it('bad --format, --fail-on, --max-warnings, --kube-version', async () => {
    const v = write('ok.yaml', 'deployments: {minio: false}\n');
    for (const args of [['--format', 'xml'], ['--fail-on', 'fatal'], ['--max-warnings', 'many'], ['--kube-version', 'latest']]) {
      const r = await cli(['--no-config', ...args, v]);
      expect(r.code, args.join(' ')).toBe(2);
      oneLine(r.stderr);
    }
  });
  it('invalid --set', async () => {
    const r = await cli(['--no-config', '--set', 'a.b']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid --set/);
  });
  it('unknown --rule id', async () => {
    const r = await cli(['--no-config', '--rule', 'no-such-rule', write('ok2.yaml', 'a: 1\n')]);
    expect(r.code).toBe(2);
  });
  it('invalid policy names the line', async () => {
    const p = write('bad-policy.yaml', 'rules:\n  tls-enabled: error\n  tls-enabeld: warning\n');
    const r = await cli(['--policy', p, write('ok3.yaml', 'a: 1\n')]);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/bad-policy\.yaml:3:3: .*unknown rule id "tls-enabeld".*did you mean "tls-enabled"/);
  });
  it('alias bomb is a limit, not a hang', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const r = await cli(['--no-config', write('bomb.yaml', bomb.join('\n') + '\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/limit exceeded/);
  });
});

describe('inputs', () => {
  it('reads values from stdin with -', async () => {
    const r = await cli(['--no-config', '--format', 'json', '-'], { stdin: 'deployments:\n  minio: true\n' });
    expect(r.code).toBe(1);
    const f = findingsOf(r.stdout).find((x) => x.ruleId === 'no-quickstart-minio');
    expect(f?.location).toMatchObject({ file: '<stdin>', line: 2, column: 3 });
  });
  it('reads manifests from stdin with - (detected from content)', async () => {
    const m = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: r-minio\n  labels: {app: minio, release: r}\nspec: {template: {spec: {containers: [{name: minio, image: "minio/minio:RELEASE.2020"}]}}}\n';
    const r = await cli(['--no-config', '--format', 'json', '-'], { stdin: m });
    expect(findingsOf(r.stdout).find((x) => x.ruleId === 'no-quickstart-minio')?.object).toBe('Deployment/r-minio');
  });
  it('a kind: List is read as manifests', async () => {
    const m = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: r-minio, labels: {app: minio, release: r}}\n';
    const r = await cli(['--no-config', '--format', 'json', '-'], { stdin: m });
    const f = findingsOf(r.stdout).find((x) => x.ruleId === 'no-quickstart-minio');
    expect(f?.object).toBe('Deployment/r-minio');
    expect(f?.location?.line).toBe(4);
  });
  it('walks directories; each file is its own target', async () => {
    write('dir/a.yaml', 'deployments: {minio: true}\n');
    write('dir/sub/b.yml', 'deployments: {minio: false}\n');
    write('dir/notes.txt', 'ignored');
    const r = await cli(['--no-config', '--format', 'json', path.join(tmp, 'dir')]);
    const doc = JSON.parse(r.stdout) as { results: { target: string }[] };
    expect(doc.results.map((x) => path.basename(x.target))).toEqual(['a.yaml', 'b.yml']);
  });
  it('-f layers values like helm; --set applies after them', async () => {
    const a = write('layer-a.yaml', 'deployments:\n  minio: true\n');
    const b = write('layer-b.yaml', 'deployments:\n  minio: false\n');
    const r1 = await cli(['--no-config', '--format', 'json', '--rule', 'no-quickstart-minio', '-f', a, '-f', b]);
    expect(r1.code).toBe(0);
    const r2 = await cli(['--no-config', '--format', 'json', '--rule', 'no-quickstart-minio', '-f', b, '--set', 'deployments.minio=true']);
    expect(r2.code).toBe(1);
    const f = findingsOf(r2.stdout)[0] as unknown as { provenance: { kind: string; text: string } };
    expect(f.provenance.kind).toBe('set');
    expect(f.provenance.text).toBe('--set deployments.minio=true');
  });
  it('a YAML syntax error is a located finding, not exit 2', async () => {
    const r = await cli(['--no-config', '--format', 'json', write('broken.yaml', 'a: [1, 2\nb: c\n')]);
    expect(r.code).toBe(1);
    const f = findingsOf(r.stdout).find((x) => x.ruleId === 'yaml-syntax');
    expect(f?.location?.line).toBeGreaterThanOrEqual(1);
  });
  it('an empty or comment-only file is fine', async () => {
    const r = await cli(['--no-config', '--format', 'json', '--rule', 'yaml-syntax', write('empty.yaml', '# nothing here\n')]);
    expect(r.code).toBe(0);
  });
});

describe('output and thresholds', () => {
  const v = () => write('mixed.yaml', 'images:\n  manager:\n    tag: "2023.03.1"\ndeployments:\n  minio: true\n');
  it('--fail-on none exits 0 with findings', async () => {
    expect((await cli(['--no-config', '--fail-on', 'none', v()])).code).toBe(0);
  });
  it('--quiet reports errors only', async () => {
    const r = await cli(['--no-config', '--quiet', '--format', 'json', v()]);
    expect(findingsOf(r.stdout).every((x) => x.severity === 'error')).toBe(true);
  });
  it('--max-warnings 0 fails on warnings alone', async () => {
    const w = write('warn.yaml', 'druid:\n  update: hard\n');
    const only = ['--rule', 'update-strategy'];
    expect((await cli(['--no-config', ...only, w])).code).toBe(0);
    expect((await cli(['--no-config', ...only, '--max-warnings', '0', w])).code).toBe(1);
    expect((await cli(['--no-config', ...only, '--fail-on', 'warning', w])).code).toBe(1);
  });
  it('-o writes the report to a file and nothing to stdout', async () => {
    const out = path.join(tmp, 'out/report.sarif');
    const r = await cli(['--no-config', '--format', 'sarif', '-o', out, v()]);
    expect(r.stdout).toBe('');
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).version).toBe('2.1.0');
  });
  it('text output shows file:line:col, a code frame and the score', async () => {
    const r = await cli(['--no-config', '--no-color', v()]);
    expect(r.stdout).toMatch(/mixed\.yaml:5:3/);
    expect(r.stdout).toMatch(/minio: true/);
    expect(r.stdout).toMatch(/score/i);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });
});

describe('suppressions through the CLI', () => {
  it('an inline suppression with a reason suppresses; JSON keeps it', async () => {
    const p = write('sup.yaml', 'deployments:\n  # imply-lint-disable-next-line no-quickstart-minio -- demo cluster\n  minio: true\n');
    const r = await cli(['--no-config', '--format', 'json', '--rule', 'no-quickstart-minio', '--rule', 'suppression-missing-reason', p]);
    expect(r.code).toBe(0);
    const f = findingsOf(r.stdout);
    expect(f).toHaveLength(1);
    expect(f[0].suppressed).toBe(true);
  });
  it('without a reason it does not apply and is itself an error', async () => {
    const p = write('sup2.yaml', 'deployments:\n  # imply-lint-disable-next-line no-quickstart-minio\n  minio: true\n');
    const r = await cli(['--no-config', '--format', 'json', '--rule', 'no-quickstart-minio', '--rule', 'suppression-missing-reason', p]);
    expect(r.code).toBe(1);
    const ids = findingsOf(r.stdout).filter((x) => !x.suppressed).map((x) => x.ruleId).sort();
    expect(ids).toEqual(['no-quickstart-minio', 'suppression-missing-reason']);
  });
});

describe('policies from files', () => {
  it('.imply-lint.yaml is discovered and flags win over it', async () => {
    const dir = path.join(tmp, 'proj');
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.imply-lint.yaml'), 'rules:\n  no-quickstart-minio: warning\n');
    fs.writeFileSync(path.join(dir, 'v.yaml'), 'deployments:\n  minio: true\n');
    const r = await cli(['--format', 'json', '--rule', 'no-quickstart-minio', 'v.yaml'], { cwd: dir });
    expect(findingsOf(r.stdout)[0].severity).toBe('warning');
    expect(r.code).toBe(0);
    const r2 = await cli(['--format', 'json', '--rule', 'no-quickstart-minio', '--fail-on', 'warning', 'v.yaml'], { cwd: dir });
    expect(r2.code).toBe(1);
    const r3 = await cli(['--format', 'json', '--no-config', '--rule', 'no-quickstart-minio', 'v.yaml'], { cwd: dir });
    expect(findingsOf(r3.stdout)[0].severity).toBe('error');
  });
  it('the quickstart pack allows the quickstart', async () => {
    const r = await cli(['--policy', 'quickstart', 'examples/quickstart-values.yaml', '--format', 'json']);
    expect(findingsOf(r.stdout).some((x) => x.ruleId === 'no-quickstart-minio')).toBe(false);
  });
});

describe('info commands', () => {
  it('rules lists the catalogue in text, json and markdown', async () => {
    const t = await cli(['rules']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/no-quickstart-minio\s+error/);
    const j = JSON.parse((await cli(['rules', '--format', 'json'])).stdout) as { id: string }[];
    expect(j.length).toBeGreaterThan(40);
    expect((await cli(['rules', '--format', 'markdown'])).stdout).toMatch(/^# Rules/);
  });
  it('explain prints one rule; an unknown id suggests', async () => {
    const r = await cli(['explain', 'tls-enabled']);
    expect(r.stdout).toMatch(/^tls-enabled \(error, security\)/);
    const bad = await cli(['explain', 'tls-enabeld']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/did you mean "tls-enabled"/);
  });
  it('schema prints a values.schema.json with defaults', async () => {
    const r = await cli(['schema', '--chart-version', '2021.05-1']);
    const s = JSON.parse(r.stdout) as { properties: { deployments: { properties: { mysql: { default: boolean } } } } };
    expect(s.properties.deployments.properties.mysql.default).toBe(true);
    expect(r.stdout).not.toMatch(/"x-/);
    expect((await cli(['schema', '--chart-version', 'banana'])).code).toBe(2);
  });
  it('--version and --help', async () => {
    expect((await cli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect((await cli(['--help'])).stdout).toMatch(/Exit codes/);
  });
});
