// docs/examples/gitlab-ci.yml: parses, wires the code quality report (the file --format codeclimate writes
// is the one `artifacts: reports: codequality:` collects, kept on failure), installs this release, and its
// lint job's script lines run as GitLab runs them (bash, in order, stopping at the first failure) in a
// workspace where rendered.yaml comes from real helm (the mini chart, the same -f files).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { ROOT } from '../helpers/cli.js';
import { ensureHelm } from '../helpers/helm.js';

interface Job {
  stage?: string;
  image?: string | { name: string };
  needs?: string[];
  before_script?: string[];
  script: string[];
  artifacts?: { when?: string; paths?: string[]; reports?: { codequality?: string } };
}

const CI = parse(fs.readFileSync(path.join(ROOT, 'docs/examples/gitlab-ci.yml'), 'utf8')) as Record<string, unknown> & { stages: string[]; variables: Record<string, string> };
const lintJob = CI['imply-lint'] as Job;
const renderJob = CI.render as Job;
const BIN = path.join(ROOT, 'bin/imply-lint.js');

let workspace: string;
let binDir: string;

beforeAll(async () => {
  const helm = await ensureHelm();
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-gitlab-'));
  fs.mkdirSync(path.join(workspace, 'helm/imply'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'examples/quickstart-values.yaml'), path.join(workspace, 'helm/imply/values.yaml'));
  fs.copyFileSync(path.join(ROOT, 'examples/production-values.yaml'), path.join(workspace, 'helm/imply/values-prod.yaml'));
  // The render job's output, from the mini chart (the real chart repository is not reachable in tests).
  const r = spawnSync(helm, ['template', 'imply', path.join(ROOT, 'test/fixtures/imply-mini-chart'), '-f', 'helm/imply/values.yaml', '-f', 'helm/imply/values-prod.yaml'], { cwd: workspace, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  fs.writeFileSync(path.join(workspace, 'rendered.yaml'), r.stdout);
  // `npm install --global imply-lint` puts the bin on PATH: here, this checkout's.
  binDir = path.join(workspace, '.bin');
  fs.mkdirSync(binDir);
  fs.symlinkSync(BIN, path.join(binDir, 'imply-lint'));
});

afterAll(() => {
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
});

/** Runs script lines the way a GitLab shell executor does: one bash, stopping at the first failing line. */
function runScript(lines: string[]): { code: number; ran: number; stdout: string; stderr: string } {
  let ran = 0;
  let stdout = '';
  let stderr = '';
  for (const line of lines) {
    ran++;
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', line], {
      cwd: workspace,
      encoding: 'utf8',
      env: { PATH: `${binDir}:${process.env.PATH ?? ''}`, ...CI.variables },
    });
    stdout += r.stdout;
    stderr += r.stderr;
    if (r.status !== 0) return { code: r.status ?? -1, ran, stdout, stderr };
  }
  return { code: 0, ran, stdout, stderr };
}

describe('docs/examples/gitlab-ci.yml', () => {
  it('renders, then lints with a code quality report kept even when the job fails', () => {
    expect(CI.stages).toStrictEqual(['render', 'lint']);
    expect(renderJob.artifacts?.paths).toContain('rendered.yaml');
    expect(lintJob.needs).toContain('render');
    expect(lintJob.artifacts?.when).toBe('always');
    const report = lintJob.artifacts?.reports?.codequality;
    expect(report).toBe('gl-code-quality-report.json');
    const writer = lintJob.script.find((l) => l.includes('--format codeclimate'));
    expect(writer).toContain(`-o ${report}`);
    expect(writer).toContain('--fail-on none');
  });

  it('installs the imply-lint of this release', () => {
    expect(CI.variables.IMPLY_LINT_VERSION).toBe(pkg.version);
    expect(lintJob.before_script).toStrictEqual(['npm install --global "imply-lint@${IMPLY_LINT_VERSION}"']);
  });

  it('its script writes a code quality report and fails the job as imply-lint does', () => {
    const r = runScript(lintJob.script);
    const direct = spawnSync(process.execPath, [BIN, '-f', 'helm/imply/values.yaml', '-f', 'helm/imply/values-prod.yaml', 'rendered.yaml', '--format', 'json'], { cwd: workspace, encoding: 'utf8' });
    expect(r.code, r.stderr).toBe(direct.status);
    expect(r.ran).toBe(lintJob.script.length);
    const issues = JSON.parse(fs.readFileSync(path.join(workspace, 'gl-code-quality-report.json'), 'utf8')) as { check_name: string; description: string; fingerprint: string; severity: string; location: { path: string; lines: { begin: number } } }[];
    const findings = (JSON.parse(direct.stdout) as { results: { findings: { ruleId: string; suppressed?: boolean }[] }[] }).results.flatMap((x) => x.findings).filter((f) => !f.suppressed);
    expect(issues.map((i) => i.check_name).sort()).toStrictEqual(findings.map((f) => f.ruleId).sort());
    for (const i of issues) {
      // GitLab's required fields.
      expect(i.description.length).toBeGreaterThan(0);
      expect(i.fingerprint.length).toBeGreaterThan(0);
      expect(['info', 'minor', 'major', 'critical', 'blocker']).toContain(i.severity);
      expect(['helm/imply/values.yaml', 'helm/imply/values-prod.yaml', 'rendered.yaml']).toContain(i.location.path);
      expect(i.location.lines.begin).toBeGreaterThanOrEqual(1);
    }
  });

  it('a failing lint still leaves the report behind (first line never fails)', () => {
    fs.rmSync(path.join(workspace, 'gl-code-quality-report.json'), { force: true });
    // Quickstart values alone: errors for sure.
    const lines = lintJob.script.map((l) => l.replace(' -f helm/imply/values-prod.yaml', ''));
    const r = runScript(lines);
    expect(r.code).toBe(1);
    expect(r.ran).toBe(lines.length);
    expect(r.stdout).toContain('no-quickstart-minio');
    const issues = JSON.parse(fs.readFileSync(path.join(workspace, 'gl-code-quality-report.json'), 'utf8')) as { severity: string }[];
    expect(issues.some((i) => i.severity === 'critical')).toBe(true);
  });
});
