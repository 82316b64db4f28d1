// Reference test (area: quickstart-availability): the quickstart, ZooKeeper, metadata-store, deep-storage,
// availability and update rules alone on the real chart 2023.03.1 files, asserting exactly which rule
// fires where (values path / object, file, line). Also lints the update rules' doc examples, whose
// incorrect/correct blocks need the `yaml previous` block before them as --previous-values.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel, modelFromTexts } from '../../src/model/build.js';
import { makeSource } from '../../src/model/source.js';
import dataPersistence from '../../src/rules/catalog/data-persistence.js';
import deepStorageProduction from '../../src/rules/catalog/deep-storage-production.js';
import druidChangeNotApplied from '../../src/rules/catalog/druid-change-not-applied.js';
import externalMetadataStoreConfigured from '../../src/rules/catalog/external-metadata-store-configured.js';
import externalZookeeperConfigured from '../../src/rules/catalog/external-zookeeper-configured.js';
import externalZookeeperHa from '../../src/rules/catalog/external-zookeeper-ha.js';
import metadataStoreSwitch from '../../src/rules/catalog/metadata-store-switch.js';
import noQuickstartMysql from '../../src/rules/catalog/no-quickstart-mysql.js';
import replicasHa from '../../src/rules/catalog/replicas-ha.js';
import terminationGracePeriod from '../../src/rules/catalog/termination-grace-period.js';
import updateStrategy from '../../src/rules/catalog/update-strategy.js';
import zookeeperHa from '../../src/rules/catalog/zookeeper-ha.js';
import { lint } from '../../src/rules/engine.js';
import { emptyPolicy } from '../../src/rules/policy.js';
import type { Finding, Rule } from '../../src/rules/types.js';

const RULES: Rule[] = [
  noQuickstartMysql,
  zookeeperHa,
  externalZookeeperHa,
  externalZookeeperConfigured,
  externalMetadataStoreConfigured,
  deepStorageProduction,
  replicasHa,
  dataPersistence,
  terminationGracePeriod,
  updateStrategy,
  druidChangeNotApplied,
  metadataStoreSwitch,
];
const ROOT = path.resolve(import.meta.dirname, '../..');
const REF = path.resolve(ROOT, '../shared/reference/chart-2023.03.1');
const read = (name: string) => ({ path: name, text: fs.readFileSync(path.join(REF, name), 'utf8') });
const NOW = new Date('2026-01-15T00:00:00Z');

function findings(res: ReturnType<typeof lint>): Finding[] {
  expect(res.ruleErrors).toEqual([]);
  return res.findings;
}

function run(input: Parameters<typeof modelFromTexts>[0]): Finding[] {
  return findings(lint(modelFromTexts(input), emptyPolicy(), { target: 'reference', rules: RULES }));
}

/** An update: previous and current inputs (values files, or manifest streams as admission old/new). */
function runUpdate(kind: 'values' | 'manifest', previous: string, current: string): Finding[] {
  const role = kind === 'values' ? 'values' : 'manifest';
  const model = buildModel({
    [kind === 'values' ? 'values' : 'manifests']: [makeSource(current, read(current).text, role)],
    [kind === 'values' ? 'previousValues' : 'previousManifests']: [makeSource(previous, read(previous).text, kind === 'values' ? 'previous-values' : 'manifest')],
    context: { now: NOW },
  });
  return findings(lint(model, emptyPolicy(), { target: 'update', rules: RULES }));
}

/** A finding reduced to what the assertions pin down: rule, message, severity, where, subject. */
const brief = (f: Finding) => [f.ruleId, f.messageId, f.severity, f.object ?? f.path, `${f.location?.file}:${f.location?.line}:${f.location?.column}`, f.subject];

describe('quickstart-availability rules on chart 2023.03.1', () => {
  it('values.public-user-copy.yaml: one-server ZooKeeper, single master and query pods, druid.update disabled', () => {
    const f = run({ values: [read('values.public-user-copy.yaml')] });
    expect(f.map(brief)).toEqual([
      ['update-strategy', 'disabled', 'info', 'druid.update', 'values.public-user-copy.yaml:123:3', 'druid.update'],
      ['replicas-ha', 'single', 'warning', 'master.replicaCount', 'values.public-user-copy.yaml:171:3', 'master.replicaCount'],
      ['replicas-ha', 'single', 'warning', 'query.replicaCount', 'values.public-user-copy.yaml:220:3', 'query.replicaCount'],
      ['zookeeper-ha', 'tooFew', 'error', 'zookeeper.replicaCount', 'values.public-user-copy.yaml:552:3', 'zookeeper.replicaCount'],
    ]);
    // deployments.mysql: false there, so the external PostgreSQL store is checked and passes.
    expect(f.some((x) => x.ruleId === 'external-metadata-store-configured' || x.ruleId === 'no-quickstart-mysql')).toBe(false);
  });

  it('production-overrides.yaml (over the 2023 chart defaults): no finding at all', () => {
    expect(run({ values: [read('production-overrides.yaml')] }).map(brief)).toEqual([]);
  });

  it('quickstart.rendered.yaml: the same problems in their manifest form, same subjects and messages', () => {
    const f = run({ manifests: [read('quickstart.rendered.yaml')] });
    expect(f.map(brief)).toEqual([
      ['update-strategy', 'disabled', 'info', 'Deployment/imply-manager', 'quickstart.rendered.yaml:1371:20', 'druid.update'],
      ['replicas-ha', 'single', 'warning', 'Deployment/imply-master', 'quickstart.rendered.yaml:1464:13', 'master.replicaCount'],
      ['replicas-ha', 'single', 'warning', 'Deployment/imply-query', 'quickstart.rendered.yaml:1604:13', 'query.replicaCount'],
      ['zookeeper-ha', 'tooFew', 'error', 'StatefulSet/imply-zookeeper', 'quickstart.rendered.yaml:1748:13', 'zookeeper.replicaCount'],
    ]);
    const byValues = run({ values: [read('values.public-user-copy.yaml')] });
    expect(f.map((x) => [x.ruleId, x.message, x.fingerprint])).toEqual(byValues.map((x) => [x.ruleId, x.message, x.fingerprint]));
  });

  it('production.rendered.yaml: no finding at all (external ZooKeeper of 3, external MySQL, S3, 2/2/3 replicas, rolling)', () => {
    expect(run({ manifests: [read('production.rendered.yaml')] }).map(brief)).toEqual([]);
  });

  it('features.rendered.yaml: the bundled MySQL Deployment (labelled app: imply-mysql), its objects folded in', () => {
    const f = run({ manifests: [read('features.rendered.yaml')] });
    expect(f.map(brief)).toEqual([['no-quickstart-mysql', 'enabled', 'error', 'Deployment/imply-mysql', 'features.rendered.yaml:1011:1', 'deployments.mysql']]);
    // Secret, test ConfigMap, PVC and Service; the test Pod is a Helm test hook and not included.
    expect(f[0].related.map((r) => `${r.object}@${r.line}`)).toEqual(['Secret/imply-mysql@57', 'ConfigMap/imply-mysql-test@76', 'PersistentVolumeClaim/imply-mysql@798', 'Service/imply-mysql@816']);
  });

  it('production-overrides.yaml + features-overrides.yaml: the values form of the same MySQL finding', () => {
    const f = run({ values: [read('production-overrides.yaml'), read('features-overrides.yaml')] });
    expect(f.map(brief)).toEqual([['no-quickstart-mysql', 'enabled', 'error', 'deployments.mysql', 'features-overrides.yaml:4:3', 'deployments.mysql']]);
    expect(f[0].fingerprint).toBe(run({ manifests: [read('features.rendered.yaml')] })[0].fingerprint);
  });

  it('no error-level finding on either production input', () => {
    for (const f of [...run({ values: [read('production-overrides.yaml')] }), ...run({ manifests: [read('production.rendered.yaml')] })]) expect(f.severity).not.toBe('error');
  });
});

describe('update rules on real inputs', () => {
  const changed = [
    'druid.commonRuntimeProperties',
    'druid.deepStorage.password',
    'druid.deepStorage.path',
    'druid.deepStorage.user',
    'druid.implyVersion',
    'druid.metadataStore.host',
    'druid.metadataStore.password',
    'druid.metadataStore.port',
    'druid.metadataStore.type',
    'druid.metadataStore.user',
    'druid.zk.connectString',
  ];

  it('values: production -> quickstart values with druid.update disabled: every changed druid key, once', () => {
    const f = runUpdate('values', 'production-overrides.yaml', 'values.public-user-copy.yaml').filter((x) => x.ruleId === 'druid-change-not-applied');
    expect(f.map((x) => x.subject).sort()).toEqual(changed);
    expect(f.find((x) => x.subject === 'druid.zk.connectString')?.location?.line).toBe(135);
    expect(f.every((x) => x.severity === 'warning' && x.path === x.subject && x.object === undefined)).toBe(true);
  });

  it('manifests: the production manager replaced by the quickstart one: the same keys from imply_defaults_* env', () => {
    const f = runUpdate('manifest', 'production.rendered.yaml', 'quickstart.rendered.yaml').filter((x) => x.ruleId === 'druid-change-not-applied');
    expect(f.map((x) => x.subject).sort()).toEqual(changed);
    expect(f.every((x) => x.object === 'Deployment/imply-manager')).toBe(true);
    expect(f.find((x) => x.subject === 'druid.zk.connectString')?.location?.line).toBe(1378);
    // imply_defaults_implyVersion is gone from the quickstart manager: anchored at the object.
    expect(f.find((x) => x.subject === 'druid.implyVersion')?.location?.line).toBe(1325);
  });

  it('quickstart -> production values: druid.update rolling applies the changes, and no metadata store left <release>-mysql', () => {
    const f = runUpdate('values', 'values.public-user-copy.yaml', 'production-overrides.yaml');
    expect(f.filter((x) => x.ruleId === 'druid-change-not-applied' || x.ruleId === 'metadata-store-switch')).toEqual([]);
  });
});

describe('doc examples of the update rules (previous block + incorrect/correct block)', () => {
  const FENCE = /```yaml (previous|incorrect|correct)\n([\s\S]*?)```/g;
  for (const rule of [druidChangeNotApplied, metadataStoreSwitch]) {
    const text = fs.readFileSync(path.join(ROOT, 'docs/rules', `${rule.meta.id}.md`), 'utf8');
    const blocks = [...text.matchAll(FENCE)].map((m) => ({ kind: m[1], text: m[2] }));
    it(`${rule.meta.id}: each incorrect example fires, each correct one does not`, () => {
      let previous: string | undefined;
      let checked = 0;
      for (const b of blocks) {
        if (b.kind === 'previous') {
          previous = b.text;
          continue;
        }
        expect(previous, 'an example needs a `yaml previous` block before it').toBeDefined();
        const model = modelFromTexts({ values: [{ path: 'example.yaml', text: b.text }], previousValues: [{ path: 'previous.yaml', text: previous! }] });
        const mine = findings(lint(model, emptyPolicy(), { target: 'doc', rules: [rule] })).filter((f) => f.ruleId === rule.meta.id);
        if (b.kind === 'incorrect') expect(mine.length).toBeGreaterThan(0);
        else expect(mine.map((f) => f.message)).toEqual([]);
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(2);
    });
  }
});
