import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/build.js';
import { makeSource } from '../../src/model/source.js';
import rule from '../../src/rules/catalog/metadata-store-switch.js';
import { fingerprint, lint } from '../../src/rules/engine.js';
import { emptyPolicy } from '../../src/rules/policy.js';
import { managerDoc, productionManagerEnv } from '../fixtures/quickstart-availability.js';
import { ruleTester } from '../helpers/rule-tester.js';

const external = 'deployments:\n  mysql: false\nmanager:\n  metadataStore:\n    host: db.internal\n';

// The rule tester builds previous *values* only; the previous-manifest (admission oldObject) form is
// tested below with the model built directly, so the table declares the values input alone.
ruleTester.run('metadata-store-switch', { ...rule, meta: { ...rule.meta, inputs: ['values'] } }, {
  valid: [
    { name: 'no previous values', values: external, chartVersion: '2021.05-1' },
    { name: 'external before and after', values: external, previousValues: external.replace('db.internal', 'old-db.internal') },
    { name: 'bundled before and after (2021 defaults)', values: 'druid: {}\n', previousValues: 'druid: {}\n', chartVersion: '2021.05-1' },
    { name: 'template before, the same Service by literal name after', values: 'manager:\n  metadataStore:\n    host: imply-mysql\n', previousValues: 'druid: {}\n', chartVersion: '2021.05-1', context: { releaseName: 'imply' } },
    {
      name: 'without the release name a literal <x>-mysql may be the same Service: no evidence',
      values: 'manager:\n  metadataStore:\n    host: imply-mysql.default.svc\n',
      previousValues: 'druid: {}\n',
      chartVersion: '2021.05-1',
    },
    { name: 'moving between two external databases', values: external, previousValues: external.replace('db.internal', 'db-old') },
  ],
  invalid: [
    {
      name: '2021 line: the upgrade leaves the bundled MySQL (chart default host) for an external database',
      values: external,
      previousValues: 'druid: {}\n',
      chartVersion: '2021.05-1',
      errors: [{ messageId: 'switched', severity: 'warning', path: 'manager.metadataStore.host', line: 5, column: 5, subject: 'manager.metadataStore.host' }],
    },
    {
      name: 'the literal release Service before, resolved with --release-name',
      values: external,
      previousValues: 'manager:\n  metadataStore:\n    host: prod-mysql\n',
      context: { releaseName: 'prod' },
      errors: [{ messageId: 'switched', path: 'manager.metadataStore.host', line: 5, column: 5 }],
    },
    {
      name: 'moved by --set over the 2021 default',
      values: 'druid: {}\n',
      sets: [{ flag: '--set', expr: 'manager.metadataStore.host=db.internal' }],
      previousValues: 'druid: {}\n',
      chartVersion: '2021.05-1',
      errors: [{ messageId: 'switched', path: 'manager.metadataStore.host', line: 1, column: 1 }],
    },
    {
      name: 'a later -f file moves it',
      values: ['manager:\n  metadataStore:\n    host: "{{ .Release.Name }}-mysql"\n', external],
      previousValues: 'manager:\n  metadataStore:\n    host: "{{ .Release.Name }}-mysql"\n',
      errors: [{ messageId: 'switched', file: 'values-2.yaml', line: 5, column: 5 }],
    },
  ],
});

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

describe('metadata-store-switch: manifests (admission oldObject)', () => {
  it('reports the manager leaving <release>-mysql, with the values subject', () => {
    const f = review(managerDoc(productionManagerEnv({ IMPLY_MANAGER_STORE_HOST: 'rel-mysql' })), managerDoc(productionManagerEnv()));
    expect(f.map((x) => [x.messageId, x.severity, x.subject, x.object, x.path, x.location?.file, x.location?.line, x.location?.column])).toEqual([
      ['switched', 'warning', 'manager.metadataStore.host', 'Deployment/rel-manager', 'spec.template.spec.containers[0].env[1].value', 'object.yaml', 18, 22],
    ]);
    expect(f[0].fingerprint).toBe(fingerprint('metadata-store-switch', 'manager.metadataStore.host'));
  });

  it('stays silent when the host stays on the bundled Service or was external before', () => {
    const bundled = managerDoc(productionManagerEnv({ IMPLY_MANAGER_STORE_HOST: 'rel-mysql' }));
    expect(review(bundled, managerDoc(productionManagerEnv({ IMPLY_MANAGER_STORE_HOST: 'rel-mysql.default.svc.cluster.local' })))).toEqual([]);
    expect(review(managerDoc(productionManagerEnv()), managerDoc(productionManagerEnv({ IMPLY_MANAGER_STORE_HOST: 'db2' })))).toEqual([]);
  });
});
