import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/catalog/manager-cluster-version-skew.js';
import { runCase, ruleTester } from '../helpers/rule-tester.js';
import { managerWithVersion } from '../helpers/version-objects.js';

const manager = (image: string, implyVersion: string, customVersions?: string) => managerWithVersion(image, implyVersion, customVersions);

const values = (implyVersion: string, managerTag: string) => `images:\n  manager:\n    tag: "${managerTag}"\ndruid:\n  implyVersion: "${implyVersion}"\n`;

ruleTester.run('manager-cluster-version-skew', rule, {
  valid: [
    { name: 'same version (production-overrides.yaml)', values: values('2023.03.1', '2023.03.1') },
    { name: 'Manager newer than the cluster', values: values('2023.01', '2023.03.1') },
    { name: 'YYYY.MM cluster on a YYYY.MM.P Manager of that month', values: values('2023.03', '2023.03.1') },
    { name: 'implyVersion empty: nothing to compare', values: 'druid:\n  implyVersion: ""\n' },
    { name: 'a custom version the Manager was given', values: `${values('2024.01-hdp-2.7.3', '2023.03.1')}manager:\n  customVersions:\n    - 2024.01-hdp-2.7.3\n` },
    { name: 'Manager tag not a version (latest)', values: values('2023.09', 'latest') },
    { name: 'Manager not deployed (deployments.manager: false)', values: `${values('2023.09', '2023.03.1')}deployments:\n  manager: false\n` },
    { name: 'rendered, equal versions', manifest: manager('imply/manager:2023.03.1', '2023.03.1') },
    { name: 'rendered, custom version listed', manifest: manager('imply/manager:2023.03.1', '2023.09-hdp', '[{"version":"2023.09-hdp"}]') },
  ],
  invalid: [
    {
      name: 'cluster newer than the Manager',
      values: values('2023.09', '2023.03.1'),
      errors: [{ messageId: 'clusterNewer', severity: 'warning', path: 'druid.implyVersion', line: 5, column: 3, subject: 'druid.implyVersion', related: 1 }],
    },
    {
      name: 'air-gapped: error',
      values: values('2023.03.2', '2023.03.1'),
      options: { airGapped: true },
      errors: [{ messageId: 'clusterNewer', severity: 'error', path: 'druid.implyVersion' }],
    },
    {
      name: 'suffixes are ignored; a later -f file wins',
      values: [values('2023.03.1', '2023.03.1'), 'druid:\n  implyVersion: "2023.04-hdp-2.7.3"\n'],
      errors: [{ messageId: 'clusterNewer', file: 'values-2.yaml', line: 2, column: 3 }],
    },
    {
      name: 'a Manager tag from the chart default (2023.03.1) and --set implyVersion',
      values: 'images:\n  pullPolicy: IfNotPresent\n',
      sets: [{ flag: '--set-string', expr: 'druid.implyVersion=2024.01' }],
      errors: [{ messageId: 'clusterNewer', path: 'druid.implyVersion', subject: 'druid.implyVersion' }],
    },
    {
      name: 'rendered: imply_defaults_implyVersion newer than the manager image',
      manifest: manager('imply/manager:2023.03.1', '2023.09.1'),
      errors: [{ messageId: 'clusterNewer', severity: 'warning', object: 'Deployment/rel-manager', path: 'spec.template.spec.containers[0].env[1].value', line: 16, column: 22, subject: 'druid.implyVersion', related: 1 }],
    },
  ],
});

describe('manager-cluster-version-skew: one mistake, one identity', () => {
  it('values and manifest forms share messageId, message and fingerprint', () => {
    const [a] = runCase(rule, { name: 'v', values: values('2023.09.1', '2023.03.1') });
    const [b] = runCase(rule, { name: 'm', manifest: manager('imply/manager:2023.03.1', '2023.09.1') });
    expect([a.messageId, a.message, a.fingerprint]).toEqual([b.messageId, b.message, b.fingerprint]);
  });
  it('declares its option schema and default', () => {
    expect(rule.meta.defaultOptions).toEqual({ airGapped: false });
    expect(rule.meta.options).toMatchObject({ type: 'object', properties: { airGapped: { type: 'boolean' } } });
  });
});
