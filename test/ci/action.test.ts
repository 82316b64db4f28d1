// The GitHub Action (action.yml at the repository root): valid action metadata (SchemaStore's schema), every
// expression names a declared input or an existing step output, and the composite steps executed with bash
// the way the runner executes them (test/ci/composite.ts) on the example values: report written, outputs
// set, the action's result following fail-on. Also the example workflow in docs/examples.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { ROOT } from '../helpers/cli.js';
import { evaluate, expressionRefs, loadAction, runComposite } from './composite.js';
import type { ActionResult, UsesHandler } from './composite.js';

const ACTION = loadAction(path.join(ROOT, 'action.yml'));
const SCHEMAS = path.join(import.meta.dirname, 'schemas');
const BIN = path.join(ROOT, 'bin/imply-lint.js');

interface Sarif {
  version: string;
  runs: { tool: { driver: { name: string } }; results: { ruleId: string; suppressions?: unknown[]; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
}

/** Inputs of the actions we call, from their action.yml (github/codeql-action upload-sarif, actions/setup-node). */
const UPLOAD_SARIF_INPUTS = ['sarif_file', 'checkout_path', 'ref', 'sha', 'token', 'matrix', 'category', 'wait-for-processing'];
const SETUP_NODE_INPUTS = ['node-version', 'node-version-file', 'architecture', 'check-latest', 'registry-url', 'scope', 'token', 'cache', 'cache-dependency-path', 'mirror', 'mirror-token'];

let workspace: string;
let uploads: { sarif: Sarif; category: string }[];

const uses: Record<string, UsesHandler> = {
  'actions/setup-node': (w) => {
    // The runner's node is the one set up; it must satisfy the input and imply-lint's engines (>= 20).
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(Number(w['node-version']));
    return 'success';
  },
  'github/codeql-action/upload-sarif': (w) => {
    const sarif = JSON.parse(fs.readFileSync(w.sarif_file, 'utf8')) as Sarif;
    uploads.push({ sarif, category: w.category });
    return 'success';
  },
};

function run(inputs: Record<string, string>): ActionResult {
  uploads = [];
  return runComposite(ACTION, { actionPath: ROOT, workspace, inputs, uses });
}

/** The CLI run directly in the workspace, for comparison. */
function direct(args: string[]): { code: number; findings: { ruleId: string; severity: string; suppressed?: boolean }[] } {
  const r = spawnSync(process.execPath, [BIN, ...args, '--format', 'json'], { cwd: workspace, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  const doc = JSON.parse(r.stdout) as { results: { findings: { ruleId: string; severity: string; suppressed?: boolean }[] }[] };
  return { code: r.status ?? -1, findings: doc.results.flatMap((x) => x.findings).filter((f) => !f.suppressed) };
}

const step = (r: ActionResult, name: string) => {
  const s = r.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step ${name}`);
  return s;
};

beforeAll(() => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-workspace-'));
  fs.copyFileSync(path.join(ROOT, 'examples/quickstart-values.yaml'), path.join(workspace, 'quickstart-values.yaml'));
  fs.copyFileSync(path.join(ROOT, 'examples/production-values.yaml'), path.join(workspace, 'production-values.yaml'));
  fs.mkdirSync(path.join(workspace, 'helm/imply'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'examples/quickstart-values.yaml'), path.join(workspace, 'helm/imply/values.yaml'));
  fs.copyFileSync(path.join(ROOT, 'examples/production-values.yaml'), path.join(workspace, 'helm/imply/values-prod.yaml'));
});

afterAll(() => {
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
});

describe('action.yml metadata', () => {
  it('is valid against SchemaStore github-action.json', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(SCHEMAS, 'github-action.json'), 'utf8')));
    expect(validate(ACTION), JSON.stringify(validate.errors, null, 1)).toBe(true);
    expect(ACTION.runs.using).toBe('composite');
  });

  it('the schema rejects what GitHub rejects (a run step without shell, an unknown key)', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(SCHEMAS, 'github-action.json'), 'utf8')));
    const broken = structuredClone(ACTION);
    delete broken.runs.steps[1].shell;
    expect(validate(broken)).toBe(false);
    expect(validate({ ...ACTION, permissions: {} })).toBe(false);
  });

  it('every expression names a declared input, an earlier step id, or an output that step writes', () => {
    const ids = ACTION.runs.steps.map((s) => s.id).filter(Boolean);
    const refs = expressionRefs(ACTION);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const [ctx, a, b, c] = ref.split('.');
      if (ctx === 'inputs') expect(Object.keys(ACTION.inputs), ref).toContain(a);
      else if (ctx === 'github') expect(['action_path', 'workspace'], ref).toContain(a);
      else {
        expect(ids, ref).toContain(a);
        if (b === 'outputs') {
          const writer = ACTION.runs.steps.find((s) => s.id === a);
          expect(writer?.run, `${ref} is written to GITHUB_OUTPUT`).toMatch(new RegExp(`echo "${c}=`));
        } else expect(['outcome', 'conclusion'], ref).toContain(b);
      }
    }
  });

  it('every input is used, and inputs reach scripts only through env (no ${{ }} inside run:)', () => {
    const used = new Set(expressionRefs(ACTION).filter((r) => r.startsWith('inputs.')).map((r) => r.split('.')[1]));
    expect([...used].sort()).toStrictEqual(Object.keys(ACTION.inputs).sort());
    for (const s of ACTION.runs.steps) if (s.run) expect(s.run, s.name).not.toMatch(/\$\{\{/);
  });

  it('pins the actions it uses to a major version, with inputs those actions declare', () => {
    const used = ACTION.runs.steps.filter((s) => s.uses);
    expect(used.map((s) => s.uses)).toStrictEqual(['actions/setup-node@v4', 'github/codeql-action/upload-sarif@v3']);
    expect(Object.keys(used[0].with ?? {}).every((k) => SETUP_NODE_INPUTS.includes(k))).toBe(true);
    expect(Object.keys(used[1].with ?? {}).every((k) => UPLOAD_SARIF_INPUTS.includes(k))).toBe(true);
    // The upload runs even when an earlier step failed.
    expect(ACTION.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))?.if).toMatch(/^always\(\) && /);
  });

  it('the runner helper evaluates conditions as GitHub does (case-insensitive ==, implicit success())', () => {
    const ctx = { inputs: { format: 'SARIF' }, github: {}, steps: {}, failed: false };
    expect(evaluate("inputs.format == 'sarif'", ctx)).toBe(true);
    expect(evaluate("!(inputs.format != 'sarif') && always()", ctx)).toBe(true);
    expect(() => evaluate('inputs.nope', ctx)).toThrow(/not declared/);
  });
});

describe('action.yml run', () => {
  it('quickstart values: SARIF written and uploaded, outputs set, the action fails (fail-on error)', () => {
    const r = run({ files: 'quickstart-values.yaml' });
    expect(step(r, 'Install imply-lint').stdout).toContain(`imply-lint ${pkg.version} is already installed`);
    const ref = direct(['quickstart-values.yaml']);
    expect(ref.code).toBe(1);
    expect(r.outputs['exit-code']).toBe('1');
    expect(r.outputs['sarif-file']).toBe(path.join(workspace, 'imply-lint.sarif'));
    const sarif = JSON.parse(fs.readFileSync(r.outputs['sarif-file'], 'utf8')) as Sarif;
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].tool.driver.name).toBe('imply-lint');
    const results = sarif.runs.flatMap((x) => x.results);
    expect(results.length).toBe(ref.findings.length);
    expect(r.outputs.findings).toBe(String(ref.findings.length));
    expect(new Set(results.map((x) => x.ruleId))).toStrictEqual(new Set(ref.findings.map((f) => f.ruleId)));
    expect(results.every((x) => x.locations[0].physicalLocation.artifactLocation.uri === 'quickstart-values.yaml')).toBe(true);
    // Uploaded although the lint failed, then the last step fails the action with imply-lint's code.
    expect(uploads).toHaveLength(1);
    expect(uploads[0].category).toBe('imply-lint');
    expect(uploads[0].sarif).toStrictEqual(sarif);
    expect(step(r, 'Fail on findings').outcome).toBe('failure');
    expect(r).toMatchObject({ conclusion: 'failure', exitCode: 1 });
    // Annotations in the log (imply-lint --format github).
    const log = step(r, 'Run imply-lint').stdout;
    expect(log).toMatch(/^::error file=quickstart-values\.yaml,line=\d+/m);
  });

  it('production values: clean, uploaded, the action succeeds', () => {
    const r = run({ files: 'production-values.yaml' });
    expect(direct(['production-values.yaml']).code).toBe(0);
    expect(r.outputs).toMatchObject({ 'exit-code': '0', findings: '0' });
    expect(uploads).toHaveLength(1);
    expect(step(r, 'Fail on findings').outcome).toBe('skipped');
    expect(r).toMatchObject({ conclusion: 'success', exitCode: 0 });
  });

  it('fail-on follows the input: none passes the quickstart; warning and info fail where error passes', () => {
    const none = run({ files: 'quickstart-values.yaml', 'fail-on': 'none' });
    expect(none).toMatchObject({ conclusion: 'success', outputs: { 'exit-code': '0' } });
    expect(Number(none.outputs.findings)).toBeGreaterThan(0);
    // Production values with a single master (a warning) and druid.update disabled (info), no error: the
    // levels tell apart. Compared with the CLI itself on the same inputs.
    const args = ['-f', 'production-values.yaml', '--set', 'master.replicaCount=1', '--set', 'druid.update=disabled'];
    const codes: Record<string, number | null> = {};
    for (const failOn of ['error', 'warning', 'info']) {
      const r = run({ values: 'production-values.yaml', set: 'master.replicaCount=1\ndruid.update=disabled', 'fail-on': failOn });
      const ref = spawnSync(process.execPath, [BIN, ...args, '--fail-on', failOn], { cwd: workspace, env: { PATH: process.env.PATH ?? '' } });
      codes[failOn] = ref.status;
      expect(r.outputs['exit-code'], failOn).toBe(String(ref.status));
      expect(r.conclusion, failOn).toBe(ref.status === 0 ? 'success' : 'failure');
    }
    expect(codes).toStrictEqual({ error: 0, warning: 1, info: 1 });
  });

  it('values + set + policy + args reach imply-lint', () => {
    const r = run({
      values: 'quickstart-values.yaml',
      set: 'deployments.minio=false\n  deployments.mysql=false  \n',
      policy: 'quickstart',
      args: '--rule no-quickstart-minio --rule no-quickstart-mysql --rule auth-enabled',
      'fail-on': 'none',
      format: 'json',
      'sarif-file': 'out/report.json',
    });
    expect(r.outputs['sarif-file']).toBe(path.join(workspace, 'out/report.json'));
    const doc = JSON.parse(fs.readFileSync(r.outputs['sarif-file'], 'utf8')) as { policy: { name: string }; results: { findings: { ruleId: string }[] }[] };
    expect(doc.policy.name).toBe('quickstart');
    const ids = doc.results.flatMap((x) => x.findings.map((f) => f.ruleId));
    expect(ids).not.toContain('no-quickstart-minio');
    expect(ids).not.toContain('no-quickstart-mysql');
    expect(ids.every((id) => id === 'auth-enabled')).toBe(true);
    expect(r.outputs.findings).toBe(String(ids.length));
    // Not SARIF: nothing uploaded.
    expect(uploads).toHaveLength(0);
    expect(step(r, 'Upload SARIF to code scanning').outcome).toBe('skipped');
  });

  it('upload-sarif false and annotations false are honoured; working-directory moves the run', () => {
    const r = run({ files: 'values-prod.yaml', 'working-directory': 'helm/imply', 'upload-sarif': 'false', annotations: 'false' });
    expect(r.outputs['sarif-file']).toBe(path.join(workspace, 'helm/imply/imply-lint.sarif'));
    expect(uploads).toHaveLength(0);
    expect(step(r, 'Run imply-lint').stdout).not.toMatch(/^::/m);
  });

  it('a missing file: exit code 2, no report, no upload, the action fails with 2', () => {
    const r = run({ files: 'no-such-values.yaml' });
    expect(r.outputs).toMatchObject({ 'exit-code': '2', 'sarif-file': '', findings: '' });
    expect(step(r, 'Run imply-lint').stderr).toContain('no-such-values.yaml');
    expect(uploads).toHaveLength(0);
    expect(r).toMatchObject({ conclusion: 'failure', exitCode: 2 });
  });

  it('globs in files are expanded', () => {
    const r = run({ files: '*-values.yaml', 'fail-on': 'none', format: 'json', 'sarif-file': 'glob.json' });
    const doc = JSON.parse(fs.readFileSync(r.outputs['sarif-file'], 'utf8')) as { results: { target: string }[] };
    expect(doc.results.map((x) => x.target).sort()).toStrictEqual(['production-values.yaml', 'quickstart-values.yaml']);
  });
});

describe('docs/examples/github-workflow.yml', () => {
  const workflow = parse(fs.readFileSync(path.join(ROOT, 'docs/examples/github-workflow.yml'), 'utf8')) as {
    permissions: Record<string, string>;
    jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }>;
  };
  const ours = Object.values(workflow.jobs).flatMap((j) => j.steps.filter((s) => s.uses?.startsWith('imply-lint/imply-lint@')));

  it('is a valid workflow (subset of SchemaStore github-workflow.json) that may upload SARIF', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'workflow-subset.schema.json'), 'utf8')));
    expect(validate(workflow), JSON.stringify(validate.errors, null, 1)).toBe(true);
    expect(validate({ ...workflow, jobs: { x: { 'runs-on': 'ubuntu-latest', steps: [{ uses: 'a/b@v1', shell: 'bash' }] } } })).toBe(false);
    expect(workflow.permissions['security-events']).toBe('write');
  });

  it('uses the action at this release with declared inputs only', () => {
    expect(ours.length).toBe(2);
    for (const s of ours) {
      expect(s.uses).toBe(`imply-lint/imply-lint@v${pkg.version}`);
      for (const k of Object.keys(s.with ?? {})) expect(Object.keys(ACTION.inputs)).toContain(k);
    }
  });

  it('its values job runs through the action like imply-lint -f ... -f ... does', () => {
    const r = run(ours[0].with ?? {});
    const ref = spawnSync(process.execPath, [BIN, '-f', 'helm/imply/values.yaml', '-f', 'helm/imply/values-prod.yaml', '--policy', 'production'], { cwd: workspace, env: { PATH: process.env.PATH ?? '' } });
    expect(r.outputs['exit-code']).toBe(String(ref.status));
    expect(uploads).toHaveLength(1);
  });
});
