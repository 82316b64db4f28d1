import { expect, it } from 'vitest';
import rule from '../../src/rules/catalog/unknown-key.js';
import { ruleTester, runCase } from '../helpers/rule-tester.js';

ruleTester.run('unknown-key', rule, {
  valid: [
    { name: 'keys of the chart defaults', values: 'deployments:\n  minio: false\nmaster:\n  replicaCount: 2\ndruid:\n  zk:\n    connectString: zk:2181\n' },
    {
      name: 'keys the values file documents only in comments',
      values:
        'security:\n  tls:\n    secretName: imply-ca\n  auth:\n    secretName: imply-auth-token\n  enableLegacyTls: false\nenableLegacyTls: false\nmanager:\n  metadataStore:\n    tlsCert: "-----BEGIN CERTIFICATE-----"\n  service:\n    nodePort: 30080\n  ingress:\n    host: imply.example\ndruid:\n  metadataStore:\n    tlsCert: x\nquery:\n  service:\n    routerNodePort: 30888\ndataTier1:\n  readinessProbe:\n    periodSeconds: 10\n  sidecarContainers: []\n',
    },
    {
      name: 'free-form subtrees are not checked',
      values:
        'manager:\n  resources:\n    limits: {cpu: "2", memory: 4G}\n  nodeSelector:\n    kubernetes.io/os: linux\n  annotations:\n    anything/goes: "1"\n  extraEnv:\n    - {name: A, value: b}\ndataTier1:\n  persistence:\n    enabled: true\n    whatever: 1\n',
    },
    { name: 'subchart values are the subchart\'s own', values: 'zookeeper:\n  replicaCount: 3\n  image:\n    tag: 3.8.4\nminio:\n  mode: distributed\nmysql:\n  imageTag: "8.0.36"\n  mysqlDatabase: imply\n' },
    { name: 'additionalDataTiers items are free-form', values: 'additionalDataTiers:\n  - replicaCount: 1\n    nodeSelector: {tier: hot}\n' },
    { name: 'a null that deletes a chart default is a known key', values: 'manager:\n  licenseKey: null\n' },
    { name: 'a known key set with --set', values: 'images: {}\n', sets: [{ flag: '--set', expr: 'deployments.minio=false' }] },
    { name: 'druid.implyVersion exists in the 2021 line', chartVersion: '2021.05-1', values: 'druid:\n  implyVersion: "2021.05"\n' },
    {
      name: 'lists replace: a typo in a list item of an earlier -f file is gone',
      values: ['druid:\n  customFiles:\n    - pth: x\n', 'druid:\n  customFiles:\n    - path: https://x.example/a.tar.gz\n'],
    },
    { name: 'a mistyped value is value-type\'s business, not an unknown key', values: 'images:\n  manager:\n    tag:\n      latest: true\n' },
  ],
  invalid: [
    {
      name: 'typo in a section name',
      values: 'manager:\n  metadatStore:\n    host: db.internal\n',
      errors: [{ messageId: 'unknown', path: 'manager.metadatStore', line: 2, column: 3, subject: 'manager.metadatStore', severity: 'warning' }],
    },
    {
      name: 'typo in a leaf key',
      values: 'master:\n  replicaCout: 2\n',
      errors: [{ messageId: 'unknown', path: 'master.replicaCout', line: 2, column: 3, subject: 'master.replicaCout' }],
    },
    {
      name: 'a key under the wrong parent',
      values: 'manager:\n  tlsCert: x\n',
      errors: [{ messageId: 'unknown', path: 'manager.tlsCert', line: 2, column: 3 }],
    },
    {
      name: 'an unknown key is reported once, not once per key below it',
      values: 'securty:\n  tls:\n    secretName: imply-ca\n',
      errors: [{ messageId: 'unknown', path: 'securty', line: 1, column: 1, subject: 'securty' }],
    },
    {
      name: 'unknown key inside a customFiles item',
      values: 'druid:\n  customFiles:\n    - path: https://x.example/a.tar.gz\n      executible: true\n',
      errors: [{ messageId: 'unknown', path: 'druid.customFiles[0].executible', line: 4, column: 7, subject: 'druid.customFiles[0].executible' }],
    },
    {
      name: 'a key of another chart line (--chart-version 2021.05-1)',
      chartVersion: '2021.05-1',
      values: 'druid:\n  customFiles: []\n',
      errors: [{ messageId: 'otherLine', path: 'druid.customFiles', line: 2, column: 3 }],
    },
    {
      name: 'the chart line from images.manager.tag (0.4 line has no druid.implyVersion)',
      values: 'images:\n  manager:\n    tag: "2020.10"\ndruid:\n  implyVersion: "2020.10"\n',
      errors: [{ messageId: 'otherLine', path: 'druid.implyVersion', line: 5, column: 3 }],
    },
    {
      name: 'set with --set: located at line 1 of the first file',
      values: 'images: {}\n',
      sets: [{ flag: '--set', expr: 'deployments.minoi=false' }],
      errors: [{ messageId: 'unknown', path: 'deployments.minoi', line: 1, column: 1, subject: 'deployments.minoi' }],
    },
    {
      name: 'in a later -f file: located in that file',
      values: ['deployments:\n  minio: false\n', 'deployments:\n  zookeper: false\n'],
      errors: [{ messageId: 'unknown', file: 'values-2.yaml', line: 2, column: 3, subject: 'deployments.zookeper' }],
    },
    {
      name: 'unknown key under a subchart root with documented keys stays free, but a typo of the root is not',
      values: 'mysq:\n  imageTag: "5.7.44"\n',
      errors: [{ messageId: 'unknown', path: 'mysq', line: 1, column: 1 }],
    },
  ],
});

const msg = (values: string, chartVersion?: string) => runCase(rule, { name: 'm', values, chartVersion })[0]?.message ?? '';

it('unknown-key: suggests the closest sibling', () => {
  expect(msg('manager:\n  metadatStore: {}\n')).toContain('did you mean "metadataStore"?');
  expect(msg('master:\n  replicaCout: 2\n')).toContain('did you mean "replicaCount"?');
});

it('unknown-key: suggests where a misplaced key belongs', () => {
  expect(msg('manager:\n  tlsCert: x\n')).toContain('"manager.metadataStore.tlsCert"');
});

it('unknown-key: names the chart version and the line that has the key', () => {
  const m = msg('druid:\n  customFiles: []\n', '2021.05-1');
  expect(m).toContain('2021.05-1');
  expect(m).toContain('2023.03.1');
});

it('unknown-key: no suggestion when nothing is close', () => {
  expect(msg('zzzzzzzz: 1\n')).not.toContain('did you mean');
});
