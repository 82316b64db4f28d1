// `imply-lint chart DIR`: real helm renders a small Imply-like chart; values and manifests are linted
// together, one finding per fingerprint with the other evidence as related locations.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, findingsOf, ROOT } from '../helpers/cli.js';
import { helmBin } from '../helpers/helm.js';

const CHART = path.join(ROOT, 'test/fixtures/imply-mini-chart');
let tmp: string;
let env: Record<string, string>;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-chart-'));
  env = { HELM_BIN: helmBin(), HOME: tmp, PATH: process.env.PATH ?? '' };
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Related = { related: { object?: string; path?: string; file: string }[]; provenance: { kind: string; text: string }; message: string };

describe('imply-lint chart', () => {
  it('lints the chart defaults and the rendered objects together', async () => {
    const r = await cli(['chart', CHART, '--no-config', '--format', 'json'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const f = findingsOf(r.stdout);
    const minio = f.filter((x) => x.ruleId === 'no-quickstart-minio');
    expect(minio).toHaveLength(1);
    const m = minio[0] as unknown as Related & (typeof minio)[number];
    // The values key is the primary place; the rendered MinIO Deployment is related (same fingerprint).
    expect(m.path).toBe('deployments.minio');
    expect(m.provenance.kind).toBe('default');
    expect(m.provenance.text).toContain('imply-mini-chart/values.yaml');
    expect(m.related.some((x) => x.object === 'Deployment/imply-minio')).toBe(true);
  });

  it('production overrides with --kube-version 1.30 render policy/v1 PDBs and give no error', async () => {
    const prod = path.join(tmp, 'prod.yaml');
    fs.copyFileSync(path.join(ROOT, 'examples/production-values.yaml'), prod);
    const r = await cli(['chart', CHART, '-f', prod, '--kube-version', '1.30', '--no-config', '--format', 'json'], { env });
    expect(r.stderr).toBe('');
    const errors = findingsOf(r.stdout).filter((x) => x.severity === 'error');
    expect(errors.map((x) => `${x.ruleId} ${x.path ?? x.object}`)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('--set reaches helm and the values model alike', async () => {
    const r = await cli(['chart', CHART, '--set', 'deployments.minio=false', '--rule', 'no-quickstart-minio', '--no-config', '--format', 'json'], { env });
    expect(r.code).toBe(0);
    expect(findingsOf(r.stdout)).toEqual([]);
  });

  it('the helm version is read from the helm used (helm-version rule has evidence)', async () => {
    const r = await cli(['chart', CHART, '--rule', 'helm-version', '--no-config', '--format', 'json'], { env });
    expect(r.code).toBe(0);
    const old = await cli(['chart', CHART, '--rule', 'helm-version', '--helm-version', '3.1.0', '--no-config', '--format', 'json'], { env });
    expect(findingsOf(old.stdout).map((x) => x.ruleId)).toEqual(['helm-version']);
  });

  it('errors are one line and exit 2: not a chart, no helm, a template failure', async () => {
    const notChart = await cli(['chart', tmp, '--no-config'], { env });
    expect(notChart.code).toBe(2);
    expect(notChart.stderr).toMatch(/no Chart\.yaml/);
    const noHelm = await cli(['chart', CHART, '--no-config'], { env: { PATH: '/nonexistent', HOME: tmp } });
    expect(noHelm.code).toBe(2);
    expect(noHelm.stderr).toMatch(/helm not found/);
    const bad = await cli(['chart', CHART, '--no-config', '-f', path.join(tmp, 'missing.yaml')], { env });
    expect(bad.code).toBe(2);
    for (const x of [notChart, noHelm, bad]) expect(x.stderr.trim().split('\n')).toHaveLength(1);
  });
});
