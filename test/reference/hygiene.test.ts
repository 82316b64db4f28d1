// Reference test (area: hygiene): the hygiene rules, alone, on the real chart 2023.03.1 files.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelFromTexts } from '../../src/model/build.js';
import { envVar } from '../../src/model/manifests.js';
import { isMap } from '../../src/model/path.js';
import { lint } from '../../src/rules/engine.js';
import { emptyPolicy } from '../../src/rules/policy.js';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import type { Finding } from '../../src/rules/types.js';

const IDS = ['unknown-key', 'value-type', 'unresolved-placeholder', 'yaml-syntax', 'duplicate-key', 'suppression-missing-reason', 'exemption-expired', 'suppression-unused'];
const RULES = BUILTIN_RULES.filter((r) => IDS.includes(r.meta.id));
const dir = path.resolve(import.meta.dirname, '../../../shared/reference/chart-2023.03.1');
const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');

function run(opts: Parameters<typeof modelFromTexts>[0]): Finding[] {
  const res = lint(modelFromTexts(opts), emptyPolicy(), { target: 'reference', rules: RULES });
  expect(res.ruleErrors).toEqual([]);
  return res.findings;
}

const brief = (fs: Finding[]) => fs.map((f) => `${f.ruleId} ${f.messageId} ${f.location?.file}:${f.location?.line}:${f.location?.column} ${f.subject}`);

describe('hygiene rules on the real 2023.03.1 files', () => {
  it('all eight rules are in the registry', () => {
    expect(RULES.map((r) => r.meta.id).sort()).toEqual([...IDS].sort());
  });

  it('values.public-user-copy.yaml: clean on the 2023 line', () => {
    expect(brief(run({ values: [{ path: 'values.public-user-copy.yaml', text: read('values.public-user-copy.yaml') }] }))).toEqual([]);
  });

  it('values.public-user-copy.yaml read as the 2021.05-1 chart: exactly the 2023-only keys are unknown-key (otherLine)', () => {
    const found = run({ values: [{ path: 'values.public-user-copy.yaml', text: read('values.public-user-copy.yaml') }], chartVersion: '2021.05-1' });
    expect(new Set(found.map((f) => `${f.ruleId}/${f.messageId}/${f.severity}`))).toEqual(new Set(['unknown-key/otherLine/warning']));
    const perTier = (t: string, line: number, gap: number) => [
      [`${t}.headlessService`, line],
      [`${t}.extraPorts`, line + 5 + gap],
      [`${t}.topologySpreadConstraints`, line + 9 + gap],
    ];
    // Data tiers have extraVolumeClaimTemplates between headlessService and extraPorts.
    const dataTier = (t: string, base: number) => [
      ...perTier(t, base, 1),
      [`${t}.securityContext`, base + 22],
      [`${t}.containerSecurityContext`, base + 24],
      [`${t}.tmpVolumeName`, base + 28],
      [`${t}.tmpVolumeSubpath`, base + 29],
      [`${t}.varVolumeName`, base + 30],
      [`${t}.varVolumeSubpath`, base + 31],
    ];
    const expected = [
      ['manager.ingress.pathType', 87],
      ['manager.securityContext', 107],
      ['manager.containerSecurityContext', 108],
      ['druid.customFiles', 142],
      ['druid.userExtensions', 143],
      ...perTier('master', 179, 0),
      ['master.securityContext', 195],
      ['master.containerSecurityContext', 197],
      ...perTier('query', 240, 0),
      ['query.ingress.pivot.pathType', 255],
      ['query.ingress.router.pathType', 266],
      ['query.securityContext', 279],
      ['query.containerSecurityContext', 281],
      ...dataTier('dataTier1', 330),
      ...dataTier('dataTier2', 416),
      ...dataTier('dataTier3', 493),
      ['additionalDataTiers', 543],
    ];
    expect(found.map((f) => [f.subject, f.location?.line])).toEqual(expected);
  });

  it('production-overrides.yaml: no finding at all (no unknown-key, no error)', () => {
    expect(brief(run({ values: [{ path: 'production-overrides.yaml', text: read('production-overrides.yaml') }] }))).toEqual([]);
  });

  it('production + features overrides (every optional feature on): no finding', () => {
    const found = run({
      values: [
        { path: 'production-overrides.yaml', text: read('production-overrides.yaml') },
        { path: 'features-overrides.yaml', text: read('features-overrides.yaml') },
      ],
    });
    expect(brief(found)).toEqual([]);
  });

  it('quickstart.rendered.yaml: no yaml-syntax finding for the MinIO command quirk, and the object is whole', () => {
    const text = read('quickstart.rendered.yaml');
    expect(text.split('\n')[1272]).toBe('          command: [ "/bin/sh",');
    const m = modelFromTexts({ manifests: [{ path: 'quickstart.rendered.yaml', text }] });
    const res = lint(m, emptyPolicy(), { target: 'quickstart', rules: RULES });
    expect(brief(res.findings)).toEqual([]);
    // Not a silently truncated object: the MinIO container keeps what follows the flow sequence.
    const minio = m.manifests!.objects.find((o) => o.ref === 'Deployment/imply-minio')!;
    expect(envVar(minio, 'MINIO_ACCESS_KEY')).toBeDefined();
    const spec = (minio.raw.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0];
    expect(spec.command).toEqual(['/bin/sh', '-ce', '/usr/bin/docker-entrypoint.sh minio -S /etc/minio/certs/ server /export']);
    expect(isMap(spec.resources)).toBe(true);
    expect(Object.keys(spec)).not.toContain('-ce');
  });

  it('production.rendered.yaml: no finding (no placeholder false positive in scripts or %{...}%)', () => {
    const text = read('production.rendered.yaml');
    expect(text).toContain('${');
    expect(text).toContain('%{druid_common_runtime_druid_host}%');
    expect(brief(run({ manifests: [{ path: 'production.rendered.yaml', text }] }))).toEqual([]);
  });

  it('features.rendered.yaml: no finding (scripts with ${VAR}, the pivot %{...}% env, JSON env values)', () => {
    const text = read('features.rendered.yaml');
    expect(text).toContain('${CONF_PATH}/conf.zip');
    expect(brief(run({ manifests: [{ path: 'features.rendered.yaml', text }] }))).toEqual([]);
  });
});

describe('hygiene rules on the real files with one mistake planted', () => {
  it('a placeholder in production-overrides.yaml and in production.rendered.yaml: same subject and fingerprint', () => {
    const values = read('production-overrides.yaml').replace('    host: imply-metadata.db.prod.internal', '    host: ${METADATA_HOST}');
    const v = run({ values: [{ path: 'production-overrides.yaml', text: values }] });
    expect(brief(v)).toEqual(['unresolved-placeholder placeholder production-overrides.yaml:23:5 manager.metadataStore.host']);
    const lines = read('production.rendered.yaml').split('\n');
    expect(lines[945]).toBe('            value: "imply-metadata.db.prod.internal"');
    lines[945] = '            value: "${METADATA_HOST}"';
    const m = run({ manifests: [{ path: 'production.rendered.yaml', text: lines.join('\n') }] });
    expect(brief(m)).toEqual(['unresolved-placeholder placeholder production.rendered.yaml:946:20 manager.metadataStore.host']);
    expect(m[0].object).toBe('Deployment/imply-manager');
    expect(m[0].fingerprint).toBe(v[0].fingerprint);
    expect(m[0].message).toBe(v[0].message);
  });

  it('a typo in the public values copy: unknown-key with a suggestion', () => {
    const text = read('values.public-user-copy.yaml').replace('  metadataStore:\n    type: postgresql\n    host: postgres', '  metadatStore:\n    type: postgresql\n    host: postgres');
    const found = run({ values: [{ path: 'values.public-user-copy.yaml', text }] });
    expect(brief(found)).toEqual(['unknown-key unknown values.public-user-copy.yaml:55:3 manager.metadatStore']);
    expect(found[0].message).toContain('did you mean "metadataStore"?');
  });

  it('a quoted "false" and a duplicated key in production-overrides.yaml', () => {
    const text = read('production-overrides.yaml').replace('  minio: false\n', '  minio: "false"\n  zookeeper: false\n');
    const found = run({ values: [{ path: 'production-overrides.yaml', text }] });
    expect(brief(found)).toEqual([
      'value-type nonBooleanCondition production-overrides.yaml:12:3 deployments.minio',
      'duplicate-key duplicate production-overrides.yaml:13:3 deployments.zookeeper',
    ]);
    expect(found[1].related.map((r) => r.line)).toEqual([10]);
  });
});
