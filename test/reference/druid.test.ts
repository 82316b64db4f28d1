// Reference test (area: druid): the Druid/Pivot configuration rules alone on the real chart 2023.03.1
// files, asserting exactly which rule fires where, plus what the model reads from those files (so that a
// silent rule is silent because the configuration is right, not because its evidence went unread).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelFromTexts } from '../../src/model/build.js';
import { customFilesEvidence, customVersionsEvidence, managerEnvSettings, pivotConfigs, runtimePropertyLists } from '../../src/model/druid.js';
import type { SetFlag } from '../../src/model/values.js';
import customFilesValid from '../../src/rules/catalog/custom-files-valid.js';
import customUserFilesPersistent from '../../src/rules/catalog/custom-user-files-persistent.js';
import druidDirectMemory from '../../src/rules/catalog/druid-direct-memory.js';
import jvmHeapConsistency from '../../src/rules/catalog/jvm-heap-consistency.js';
import jvmMemoryFitsContainer from '../../src/rules/catalog/jvm-memory-fits-container.js';
import managerUpdateDelayFormat from '../../src/rules/catalog/manager-update-delay-format.js';
import noDanglingQuickstartReferences from '../../src/rules/catalog/no-dangling-quickstart-references.js';
import pivotConfigYaml from '../../src/rules/catalog/pivot-config-yaml.js';
import runtimePropertyDuplicate from '../../src/rules/catalog/runtime-property-duplicate.js';
import runtimePropertyFormat from '../../src/rules/catalog/runtime-property-format.js';
import { lint } from '../../src/rules/engine.js';
import { emptyPolicy } from '../../src/rules/policy.js';
import type { Finding, Rule } from '../../src/rules/types.js';

const RULES: Rule[] = [
  runtimePropertyFormat,
  runtimePropertyDuplicate,
  jvmHeapConsistency,
  jvmMemoryFitsContainer,
  druidDirectMemory,
  pivotConfigYaml,
  customFilesValid,
  noDanglingQuickstartReferences,
  customUserFilesPersistent,
  managerUpdateDelayFormat,
];
const REF = path.resolve(import.meta.dirname, '../../../shared/reference/chart-2023.03.1');
const read = (name: string) => ({ path: name, text: fs.readFileSync(path.join(REF, name), 'utf8') });

const userCopy = read('values.public-user-copy.yaml');
const prodOverrides = read('production-overrides.yaml');
const featOverrides = read('features-overrides.yaml');
const qsRendered = read('quickstart.rendered.yaml');
const prodRendered = read('production.rendered.yaml');
const featRendered = read('features.rendered.yaml');

interface Input {
  values?: { path: string; text: string }[];
  manifests?: { path: string; text: string }[];
  sets?: SetFlag[];
}

function run(input: Input): Finding[] {
  const res = lint(modelFromTexts(input), emptyPolicy(), { target: 'reference', rules: RULES });
  expect(res.ruleErrors).toEqual([]);
  return res.findings;
}

/** A finding reduced to what the assertions pin down. */
const where = (f: Finding) => ({ rule: f.ruleId, severity: f.severity, subject: f.subject, at: f.object ?? f.path, file: f.location?.file, line: f.location?.line });

describe('druid rules on the real chart 2023.03.1 files', () => {
  it('values.public-user-copy.yaml: MinIO is on, so its URL in commonRuntimeProperties is live; nothing fires', () => {
    expect(run({ values: [userCopy] }).map(where)).toEqual([]);
  });

  it('production-overrides.yaml over the chart defaults: its list replaces the MinIO lines; nothing fires', () => {
    expect(run({ values: [prodOverrides] }).map(where)).toEqual([]);
  });

  it('values.public-user-copy.yaml + production-overrides.yaml: nothing fires (no error at all)', () => {
    const found = run({ values: [userCopy, prodOverrides] });
    expect(found.filter((f) => f.severity === 'error')).toEqual([]);
    expect(found.map(where)).toEqual([]);
  });

  it('values.public-user-copy.yaml with --set deployments.minio=false: the kept MinIO URL dangles', () => {
    expect(run({ values: [userCopy], sets: [{ flag: '--set', expr: 'deployments.minio=false' }] }).map(where)).toEqual([
      { rule: 'no-dangling-quickstart-references', severity: 'error', subject: 'druid.commonRuntimeProperties[1]', at: 'druid.commonRuntimeProperties[1]', file: 'values.public-user-copy.yaml', line: 154 },
    ]);
  });

  it('features-overrides.yaml layered over both: only the custom version on the emptyDir /mnt/var', () => {
    expect(run({ values: [userCopy, prodOverrides, featOverrides] }).map(where)).toEqual([
      { rule: 'custom-user-files-persistent', severity: 'warning', subject: 'manager.customVersions', at: 'manager.customVersions', file: 'features-overrides.yaml', line: 13 },
    ]);
  });

  it('quickstart.rendered.yaml: the MinIO Deployment is rendered, so imply-minio is live; nothing fires', () => {
    expect(run({ manifests: [qsRendered] }).map(where)).toEqual([]);
  });

  it('production.rendered.yaml: nothing fires (no error at all)', () => {
    expect(run({ manifests: [prodRendered] }).map(where)).toEqual([]);
  });

  it('features.rendered.yaml: the manifest form of the same custom-version finding, same subject', () => {
    expect(run({ manifests: [featRendered] }).map(where)).toEqual([
      { rule: 'custom-user-files-persistent', severity: 'warning', subject: 'manager.customVersions', at: 'Deployment/imply-manager', file: 'features.rendered.yaml', line: 1220 },
    ]);
  });

  it('quickstart.rendered.yaml without its MinIO objects: the rendered common list dangles', () => {
    // Drop every document of the MinIO subchart (as `--set deployments.minio=false` would), keep the rest.
    const docs = qsRendered.text.split(/^---\n/m);
    const kept = docs.map((d) => (/^\s+app: minio(-make-bucket-job)?$/m.test(d) || /^\s+name: imply-minio$/m.test(d) ? '# dropped\n' : d)).join('---\n');
    const line = kept.split('\n').findIndex((l) => l.includes('imply_defaults_commonCustomDruidProperties')) + 2;
    expect(run({ manifests: [{ path: 'quickstart.rendered.yaml', text: kept }] }).map(where)).toEqual([
      { rule: 'no-dangling-quickstart-references', severity: 'error', subject: 'druid.commonRuntimeProperties[1]', at: 'Deployment/imply-manager', file: 'quickstart.rendered.yaml', line },
    ]);
  });
});

describe('what the druid model reads from the real files', () => {
  it('features.rendered.yaml: the per-service lists under their values subjects', () => {
    const lists = runtimePropertyLists(modelFromTexts({ manifests: [featRendered] }));
    expect(lists.map((l) => [l.subject, l.service, l.entries.map((e) => `${e.kind}:${e.text}`)])).toEqual([
      ['druid.commonRuntimeProperties', 'common', ['property:druid.s3.enablePathStyleAccess=false']],
      ['druid.historicalRuntimeProperties', 'historical', ['property:jvm.config.xms=-Xms4g', 'property:jvm.config.xmx=-Xmx4g', 'property:druid.processing.numThreads=7']],
      ['druid.middleManagerRuntimeProperties', 'middleManager', ['property:druid.indexer.runner.javaOpts=-server -Xms1g -Xmx1g -XX:MaxDirectMemorySize=2g']],
      ['druid.brokerRuntimeProperties', 'broker', ['property:druid.processing.buffer.sizeBytes=500MiB']],
    ]);
  });

  it('features values and features.rendered.yaml agree on the lists', () => {
    const fromValues = runtimePropertyLists(modelFromTexts({ values: [userCopy, prodOverrides, featOverrides] }))
      .filter((l) => l.entries.length > 0)
      .map((l) => [l.subject, l.entries.map((e) => e.text)]);
    const fromManifest = runtimePropertyLists(modelFromTexts({ manifests: [featRendered] })).map((l) => [l.subject, l.entries.map((e) => e.text)]);
    expect([...fromValues].sort()).toEqual([...fromManifest].sort());
  });

  it('quickstart.rendered.yaml: the literal-\\n common list with its comment', () => {
    const [common] = runtimePropertyLists(modelFromTexts({ manifests: [qsRendered] }));
    expect(common.entries.map((e) => [e.kind, e.key ?? e.text])).toEqual([
      ['comment', '# MinIO configurations'],
      ['property', 'druid.s3.endpoint.url'],
      ['property', 'druid.s3.enablePathStyleAccess'],
    ]);
  });

  it('features: Pivot YAML, custom files, custom versions and update delay from both inputs', () => {
    for (const model of [modelFromTexts({ manifests: [featRendered] }), modelFromTexts({ values: [userCopy, prodOverrides, featOverrides] })]) {
      expect(pivotConfigs(model).map((p) => p.value)).toEqual([{ stateStore: { type: 'mysql' } }]);
      const files = customFilesEvidence(model);
      expect(files.map((f) => [f.customFiles?.items.map((i) => i.subject), f.userExtensions?.items.map((i) => i.value)])).toEqual([
        [['druid.customFiles[0]'], ['https://artifacts.acme.example/druid/acme-udf.tar.gz']],
      ]);
      expect(customVersionsEvidence(model).map((c) => [c.versions.map((v) => v.value), c.userDir])).toEqual([
        [['2023.03.1-hdp-2.7.3'], { persistent: false, mountPath: '/mnt/var', volume: 'var-volume', source: 'emptyDir' }],
      ]);
      expect(managerEnvSettings(model, 'imply_manager_updateDelay').map((s) => s.value)).toEqual(['PT2H']);
    }
  });
});
