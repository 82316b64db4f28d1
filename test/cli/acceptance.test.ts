// Acceptance: the "done means" on the real reference data, through the CLI as users run it.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayPath } from '../../src/cli/inputs.js';
import { REF23, ROOT, cli, findingsOf } from '../helpers/cli.js';

const rel = (f: string) => displayPath(path.join(REF23, f), ROOT);

/** 1-based line of the first line matching `re` after line `from`. */
function lineOf(file: string, re: RegExp, from = 1): number {
  const lines = fs.readFileSync(path.join(REF23, file), 'utf8').split('\n');
  for (let i = from - 1; i < lines.length; i++) if (re.test(lines[i])) return i + 1;
  throw new Error(`${re} not in ${file}`);
}

describe('values.public-user-copy.yaml (real public values, 2023.03.1)', () => {
  it('gives no-quickstart-minio, zookeeper-ha, tls-enabled and no-default-credentials at the right lines', async () => {
    const r = await cli(['--format', 'json', '--no-config', path.join(REF23, 'values.public-user-copy.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const f = findingsOf(r.stdout);
    const by = (id: string) => f.filter((x) => x.ruleId === id);
    const file = 'values.public-user-copy.yaml';
    expect(by('no-quickstart-minio').map((x) => [x.path, x.location?.line])).toEqual([['deployments.minio', lineOf(file, /^ {2}minio: true/)]]);
    const zk = by('zookeeper-ha');
    expect(zk).toHaveLength(1);
    expect(zk[0].severity).toBe('error');
    expect(zk[0].location?.line).toBe(lineOf(file, /^ {2}replicaCount: 1/, lineOf(file, /^zookeeper:/)));
    const tls = by('tls-enabled');
    expect(tls).toHaveLength(1);
    expect(tls[0].location?.line).toBe(lineOf(file, /^security: \{\}/));
    const creds = by('no-default-credentials');
    expect(creds.length).toBeGreaterThan(0);
    // The deep-storage password `implypassword` is a documented default, used by the deployed deep storage.
    expect(creds.some((x) => x.location?.line === lineOf(file, /password: implypassword/))).toBe(true);
    // TLS is off there: legacy TLS is moot.
    expect(by('legacy-tls-disabled')).toEqual([]);
    for (const x of f) expect(x.location?.file).toBe(rel(file));
  });
});

describe('quickstart.rendered.yaml (real helm output)', () => {
  it('gives the quickstart, TLS and credential findings on the right objects, and no yaml-syntax', async () => {
    const r = await cli(['--format', 'json', '--no-config', path.join(REF23, 'quickstart.rendered.yaml')]);
    expect(r.code).toBe(1);
    const f = findingsOf(r.stdout);
    const ids = new Set(f.map((x) => x.ruleId));
    expect(ids.has('yaml-syntax')).toBe(false);
    const one = (id: string) => f.filter((x) => x.ruleId === id);
    expect(one('no-quickstart-minio').map((x) => x.object)).toEqual(['Deployment/imply-minio']);
    expect(one('zookeeper-ha').map((x) => x.object)).toEqual(['StatefulSet/imply-zookeeper']);
    expect(one('tls-enabled').map((x) => x.object)).toContain('Deployment/imply-manager');
    expect(one('no-default-credentials').length).toBeGreaterThan(0);
    expect(one('removed-api-version')).toEqual([]); // no --kube-version: no evidence
  });

  it('with --kube-version 1.30 gives removed-api-version on the PodDisruptionBudgets', async () => {
    const r = await cli(['--format', 'json', '--no-config', '--kube-version', '1.30', path.join(REF23, 'quickstart.rendered.yaml')]);
    const f = findingsOf(r.stdout).filter((x) => x.ruleId === 'removed-api-version');
    expect(f.length).toBeGreaterThan(0);
    const objects = f.flatMap((x) => [x.object, ...((x as unknown as { related: { object: string }[] }).related ?? []).map((y) => y.object)]);
    for (const name of ['imply-zookeeper', 'imply-data', 'imply-master', 'imply-query']) expect(objects).toContain(`PodDisruptionBudget/${name}`);
    expect(f.every((x) => x.severity === 'error')).toBe(true);
  });
});

describe('production inputs', () => {
  it('production-overrides.yaml over the chart defaults gives no error-level finding', async () => {
    const r = await cli(['--format', 'json', '--no-config', path.join(REF23, 'production-overrides.yaml')]);
    const errors = findingsOf(r.stdout).filter((x) => x.severity === 'error');
    expect(errors.map((x) => `${x.ruleId} ${x.path ?? x.object}`)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('production.rendered.yaml gives no error-level finding (also with --kube-version 1.30)', async () => {
    const r = await cli(['--format', 'json', '--no-config', '--kube-version', '1.30', path.join(REF23, 'production.rendered.yaml')]);
    const errors = findingsOf(r.stdout).filter((x) => x.severity === 'error');
    expect(errors.map((x) => `${x.ruleId} ${x.path ?? x.object}`)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('examples/production-values.yaml passes and examples/quickstart-values.yaml does not', async () => {
    expect((await cli(['--no-config', 'examples/production-values.yaml'])).code).toBe(0);
    const q = await cli(['--no-config', 'examples/quickstart-values.yaml']);
    expect(q.code).toBe(1);
    expect(q.stdout).toContain('no-quickstart-minio');
  });
});

describe('one fingerprint from values to rendered manifest', () => {
  it('values and manifest forms of the same mistakes share rule id, message and fingerprint', async () => {
    const v = findingsOf((await cli(['--format', 'json', '--no-config', path.join(REF23, 'values.public-user-copy.yaml')])).stdout);
    const m = findingsOf((await cli(['--format', 'json', '--no-config', path.join(REF23, 'quickstart.rendered.yaml')])).stdout);
    for (const id of ['no-quickstart-minio', 'zookeeper-ha', 'tls-enabled', 'auth-enabled']) {
      const a = v.find((x) => x.ruleId === id);
      const b = m.find((x) => x.ruleId === id);
      expect(a, id).toBeDefined();
      expect(b, id).toBeDefined();
      expect(b!.fingerprint).toBe(a!.fingerprint);
      expect((b as unknown as { message: string }).message).toBe((a as unknown as { message: string }).message);
    }
  });
});
