import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/build.js';
import { makeSource } from '../../src/model/source.js';
import rule from '../../src/rules/catalog/druid-change-not-applied.js';
import { fingerprint, lint } from '../../src/rules/engine.js';
import { emptyPolicy } from '../../src/rules/policy.js';
import { managerDoc, productionManagerEnv } from '../fixtures/quickstart-availability.js';
import { ruleTester } from '../helpers/rule-tester.js';

const base = 'druid:\n  update: disabled\n  implyVersion: "2023.03.1"\n  zk:\n    connectString: "zk-0:2181,zk-1:2181,zk-2:2181"\n';

// The rule tester builds previous *values* only; the previous-manifest (admission oldObject) form is
// tested below with the model built directly, so the table declares the values input alone.
ruleTester.run('druid-change-not-applied', { ...rule, meta: { ...rule.meta, inputs: ['values'] } }, {
  valid: [
    { name: 'no previous values: no update to compare', values: base.replace('2023.03.1', '2023.09') },
    { name: 'nothing changed', values: base, previousValues: base },
    { name: 'a druid change with update rolling is applied', values: base.replace('disabled', 'rolling').replace('2023.03.1', '2023.09'), previousValues: base },
    { name: 'switching to rolling in the same upgrade applies the change', values: base.replace('disabled', 'rolling').replace('zk-2:2181', 'zk-3:2181'), previousValues: base },
    { name: 'only non-druid settings change', values: `${base}master:\n  replicaCount: 3\n`, previousValues: `${base}master:\n  replicaCount: 2\n` },
    { name: 'writing out a chart default is no change', values: `${base}  deepStorage:\n    type: s3\n`, previousValues: base },
  ],
  invalid: [
    {
      name: 'implyVersion changes while update is disabled',
      values: base.replace('2023.03.1', '2023.09'),
      previousValues: base,
      errors: [{ messageId: 'notApplied', severity: 'warning', path: 'druid.implyVersion', line: 3, column: 3, subject: 'druid.implyVersion' }],
    },
    {
      name: 'the chart default (disabled) applies when druid.update is not set; zk leaves are compared one by one',
      values: 'druid:\n  zk:\n    connectString: "a:2181,b:2181,c:2181"\n    basePath: imply2\n',
      previousValues: 'druid:\n  zk:\n    connectString: "a:2181,b:2181,d:2181"\n',
      errors: [
        { messageId: 'notApplied', path: 'druid.zk.connectString', line: 3, column: 5, subject: 'druid.zk.connectString' },
        { messageId: 'notApplied', path: 'druid.zk.basePath', line: 4, column: 5, subject: 'druid.zk.basePath' },
      ],
    },
    {
      name: 'a runtime-property list replaced by a later -f file',
      values: [`${base}  commonRuntimeProperties:\n    - a=1\n    - b=2\n`, 'druid:\n  commonRuntimeProperties:\n    - a=1\n'],
      previousValues: `${base}  commonRuntimeProperties:\n    - a=1\n    - b=2\n`,
      errors: [{ messageId: 'notApplied', file: 'values-2.yaml', path: 'druid.commonRuntimeProperties', line: 2, column: 3, subject: 'druid.commonRuntimeProperties' }],
    },
    {
      name: 'a --set change to the deep storage path',
      values: base,
      sets: [{ flag: '--set', expr: 'druid.deepStorage.path=s3://new/' }],
      previousValues: base,
      errors: [{ messageId: 'notApplied', path: 'druid.deepStorage.path', subject: 'druid.deepStorage.path' }],
    },
    {
      name: 'null deletes a druid default',
      values: `${base}  deepStorage:\n    user: null\n`,
      previousValues: base,
      errors: [{ messageId: 'notApplied', path: 'druid.deepStorage.user', line: 7, column: 5 }],
    },
    {
      name: 'additional tiers\' runtime properties are cluster defaults too',
      values: `${base}additionalDataTiers:\n  - replicaCount: 1\n    customHistoricalRuntimeProperties: [druid.server.maxSize=1]\n`,
      previousValues: `${base}additionalDataTiers:\n  - replicaCount: 1\n    customHistoricalRuntimeProperties: []\n`,
      errors: [{ messageId: 'notApplied', path: 'additionalDataTiers', line: 6, column: 1, subject: 'additionalDataTiers' }],
    },
  ],
});

/** An admission UPDATE of the manager Deployment: oldObject vs object. */
function review(oldText: string, newText: string) {
  const model = buildModel({
    manifests: [makeSource('object.yaml', newText, 'manifest')],
    previousManifests: [makeSource('oldObject.yaml', oldText, 'manifest')],
    wholeStream: false,
    context: { now: new Date('2026-01-15T00:00:00Z'), admission: { operation: 'UPDATE', dryRun: false } },
  });
  const res = lint(model, emptyPolicy(), { target: 'review', rules: [rule] });
  expect(res.ruleErrors).toEqual([]);
  return res.findings;
}

const disabled = { IMPLY_MANAGER_DEFAULTS_UPDATE_TYPE: 'disabled' };

describe('druid-change-not-applied: manifests (admission oldObject)', () => {
  it('reports a changed imply_defaults_* env under the values subject', () => {
    const f = review(managerDoc(productionManagerEnv(disabled)), managerDoc(productionManagerEnv({ ...disabled, imply_defaults_zkHosts: 'a:2181,b:2181,c:2181' })));
    expect(f.map((x) => [x.messageId, x.severity, x.subject, x.object, x.path, x.location?.file, x.location?.line, x.location?.column])).toEqual([
      ['notApplied', 'warning', 'druid.zk.connectString', 'Deployment/rel-manager', 'spec.template.spec.containers[0].env[7].value', 'object.yaml', 30, 22],
    ]);
    expect(f[0].fingerprint).toBe(fingerprint('druid-change-not-applied', 'druid.zk.connectString'));
  });

  it('gives the values form the same message for the same change', () => {
    const byValues = lint(
      buildModel({
        values: [makeSource('values.yaml', 'druid:\n  zk:\n    connectString: "a:2181,b:2181,c:2181"\n', 'values')],
        previousValues: [makeSource('previous.yaml', 'druid:\n  zk:\n    connectString: "zk-0.zk:2181,zk-1.zk:2181,zk-2.zk:2181"\n', 'previous-values')],
        context: { now: new Date('2026-01-15T00:00:00Z') },
      }),
      emptyPolicy(),
      { target: 'v', rules: [rule] },
    ).findings;
    const byManifest = review(managerDoc(productionManagerEnv(disabled)), managerDoc(productionManagerEnv({ ...disabled, imply_defaults_zkHosts: 'a:2181,b:2181,c:2181' })));
    expect(byValues.map((x) => [x.messageId, x.message, x.fingerprint])).toEqual(byManifest.map((x) => [x.messageId, x.message, x.fingerprint]));
  });

  it('maps per-service property lists, and an env var that disappears, to their values keys', () => {
    const before = managerDoc(productionManagerEnv({ ...disabled, imply_defaults_brokerCustomDruidProperties: 'druid.processing.numThreads=2', imply_defaults_implyVersion: '2023.03.1' }));
    const after = managerDoc(productionManagerEnv({ ...disabled, imply_defaults_brokerCustomDruidProperties: 'druid.processing.numThreads=4' }));
    expect(review(before, after).map((x) => [x.subject, x.object, x.location?.line])).toEqual([
      ['druid.implyVersion', 'Deployment/rel-manager', 1],
      ['druid.brokerRuntimeProperties', 'Deployment/rel-manager', 44],
    ]);
  });

  it('stays silent when the update type is rolling, or when only non-default env changes', () => {
    expect(review(managerDoc(productionManagerEnv()), managerDoc(productionManagerEnv({ imply_defaults_zkHosts: 'x:2181' })))).toEqual([]);
    expect(review(managerDoc(productionManagerEnv(disabled)), managerDoc(productionManagerEnv({ ...disabled, IMPLY_MANAGER_STORE_HOST: 'db2', imply_defaults_customImplyVersions: '2023.03.1-hdp' })))).toEqual([]);
  });

  it('needs the previous object: a lone object is no update', () => {
    const model = buildModel({ manifests: [makeSource('object.yaml', managerDoc(productionManagerEnv(disabled)), 'manifest')], wholeStream: false, context: { now: new Date(0) } });
    expect(lint(model, emptyPolicy(), { target: 'x', rules: [rule] }).findings).toEqual([]);
  });
});
