// Unit tests of src/model/helm.ts around real helm: argv construction, errors, limits, discovery.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HelmError, findHelm, firstErrorLine, helmVersion, parseHelmVersion, renderChart, templateArgs } from '../../src/model/helm.js';
import { CACHED_HELM, helmBin, PROBE_CHART } from '../helpers/helm.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-helm-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A fake helm: a shell script doing `body`. */
function fakeHelm(name: string, body: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return p;
}

describe('templateArgs', () => {
  it('keeps -f and --set/--set-string in the order given, each flag as one argv entry', () => {
    const args = templateArgs({
      helm: 'helm',
      chartDir: '/c',
      releaseName: 'r',
      namespace: 'ns',
      valuesFiles: ['a.yaml', 'b.yaml'],
      sets: [
        { flag: '--set-string', expr: 'x=1' },
        { flag: '--set', expr: '-leading=dash' },
        { flag: '--set', expr: 'a=b c;$(rm -rf /)' },
      ],
      kubeVersion: '1.30.0',
      apiVersions: ['policy/v1/PodDisruptionBudget'],
    });
    expect(args).toStrictEqual([
      'template', 'r', '/c', '--namespace', 'ns', '--values', 'a.yaml', '--values', 'b.yaml',
      '--set-string=x=1', '--set=-leading=dash', '--set=a=b c;$(rm -rf /)',
      '--kube-version', '1.30.0', '--api-versions=policy/v1/PodDisruptionBudget',
    ]);
  });

  it('names an unnamed release as helm template does', () => {
    expect(templateArgs({ helm: 'helm', chartDir: '/c', valuesFiles: [], sets: [] }).slice(0, 3)).toStrictEqual(['template', 'release-name', '/c']);
  });
});

describe('renderChart', () => {
  it('passes --set values through without a shell (a value with shell syntax stays a value)', async () => {
    const out = await renderChart({ helm: helmBin(), chartDir: PROBE_CHART, releaseName: 'probe', valuesFiles: [], sets: [{ flag: '--set', expr: 'cmd=$(echo hi);`id`' }] });
    expect(out).toContain('"cmd":"$(echo hi);`id`"');
  });

  it('renders into the given namespace', async () => {
    const out = await renderChart({ helm: helmBin(), chartDir: PROBE_CHART, valuesFiles: [], sets: [], namespace: 'team-a' });
    expect(out).toContain('# Source: probe/templates/values.json');
  });

  it('turns helm\'s Error: line into HelmError, skipping warnings before it', async () => {
    const helm = fakeHelm('fails', 'echo "coalesce.go:298: warning: cannot overwrite table with non table" >&2; echo "Error: boom" >&2; exit 1');
    const err = await renderChart({ helm, chartDir: '/c', valuesFiles: [], sets: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmError);
    expect((err as HelmError).message).toBe('Error: boom');
    expect((err as HelmError).exitCode).toBe(1);
    expect((err as HelmError).stderr).toContain('warning');
  });

  it('kills a helm that does not answer in time', async () => {
    const helm = fakeHelm('hangs', 'exec sleep 30');
    const started = Date.now();
    const err = await renderChart({ helm, chartDir: '/c', valuesFiles: [], sets: [], timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmError);
    expect((err as HelmError).message).toMatch(/no answer after 300 ms/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses output past the size limit', async () => {
    const helm = fakeHelm('chatty', 'head -c 200000 /dev/zero | tr "\\0" x');
    const err = await renderChart({ helm, chartDir: '/c', valuesFiles: [], sets: [], maxOutputBytes: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmError);
    expect((err as HelmError).message).toMatch(/output larger than 1000 bytes/);
  });

  it('reports a helm that cannot be started', async () => {
    const err = await renderChart({ helm: path.join(tmp, 'no-such-helm'), chartDir: '/c', valuesFiles: [], sets: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmError);
    expect((err as HelmError).message).toMatch(/cannot run helm .*ENOENT/);
  });
});

describe('helm version and discovery', () => {
  it('reads the version of the real helm', async () => {
    expect(await helmVersion(helmBin())).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('parses helm version --short output', () => {
    expect(parseHelmVersion('v4.1.4+g05fa379\n')).toBe('4.1.4');
    expect(parseHelmVersion('v3.14.0-rc.1+gabc')).toBe('3.14.0-rc.1');
    expect(parseHelmVersion('nonsense')).toBeUndefined();
  });

  it('refuses a helm whose version it cannot read', async () => {
    const helm = fakeHelm('weird', 'echo "who knows"');
    await expect(helmVersion(helm)).rejects.toBeInstanceOf(HelmError);
  });

  it('first error line: the Error: line, else the first non-empty line', () => {
    expect(firstErrorLine('\nwarning: x\nError: y\n\nmore')).toBe('Error: y');
    expect(firstErrorLine('\n  something broke\n')).toBe('something broke');
    expect(firstErrorLine('')).toBe('');
    const v4 = 'Error: imply/templates/q.yaml:61:12\n  executing "q" at <include "x" .>:\n    error calling include:\nimply/templates/_helpers.tpl:87:26\n  executing "x" at <.Values.a.b>:\n    can\'t evaluate field b in type interface {}\n\nUse --debug flag to render out invalid YAML\n';
    expect(firstErrorLine(v4)).toBe("Error: imply/templates/q.yaml:61:12: can't evaluate field b in type interface {}");
  });

  it('findHelm: HELM_BIN wins, then helm on PATH, else undefined', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'path-'));
    fs.symlinkSync(CACHED_HELM, path.join(dir, 'helm'));
    expect(findHelm({ HELM_BIN: '/opt/helm', PATH: dir })).toBe('/opt/helm');
    expect(findHelm({ PATH: ['/nonexistent', dir].join(path.delimiter) })).toBe(path.join(dir, 'helm'));
    expect(findHelm({ PATH: '/nonexistent' })).toBeUndefined();
    expect(findHelm({})).toBeUndefined();
  });
});
