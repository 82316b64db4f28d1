import rule from '../../src/rules/catalog/data-persistence.js';
import { agentDoc, stream } from '../fixtures/quickstart-availability.js';
import { ruleTester } from '../helpers/rule-tester.js';

const off = 'dataTier1:\n  persistence:\n    enabled: false\n';

ruleTester.run('data-persistence', rule, {
  valid: [
    { name: 'chart defaults: persistence on (2023)', values: 'images:\n  manager:\n    tag: "2023.03.1"\n' },
    { name: 'chart defaults: persistence on (2021)', values: 'druid: {}\n', chartVersion: '2021.05-1' },
    { name: 'persistence off with extraVolumes var and tmp', values: `${off}  extraVolumes:\n    - name: var\n      emptyDir: {}\n    - name: tmp\n      emptyDir: {}\n` },
    {
      name: 'persistence off with claim templates under custom names (2023 varVolumeName/tmpVolumeName)',
      values: `${off}  varVolumeName: cache\n  tmpVolumeName: scratch\n  extraVolumeClaimTemplates:\n    - metadata:\n        name: cache\n    - metadata:\n        name: scratch\n`,
    },
    { name: 'a tier with replicaCount 0 is skipped', values: 'dataTier2:\n  replicaCount: 0\n  persistence:\n    enabled: false\n' },
    { name: 'a quoted "false" is truthy for {{ if }}: persistence stays on', values: 'dataTier1:\n  persistence:\n    enabled: "false"\n' },
    { name: 'agents not deployed', values: `deployments:\n  agents: false\n${off}` },
    { name: '--set turns persistence back on', values: off, sets: [{ flag: '--set', expr: 'dataTier1.persistence.enabled=true' }] },
    {
      name: 'an additional tier without an explicit persistence setting carries no evidence',
      values: 'additionalDataTiers:\n  - replicaCount: 2\n',
    },
    {
      name: 'rendered data StatefulSet with var/tmp claim templates (prod.r)',
      manifest: agentDoc('data', 'dataTier1', { replicas: 3, mounts: [['var', '/mnt/var'], ['tmp', '/mnt/tmp']], claims: ['var', 'tmp'] }),
    },
    {
      name: 'rendered data pod with var/tmp pod volumes',
      manifest: agentDoc('data', 'dataTier1', { replicas: 3, mounts: [['var', '/mnt/var'], ['tmp', '/mnt/tmp']], volumes: ['var', 'tmp'] }),
    },
    { name: 'master and query pods are not data tiers', manifest: stream(agentDoc('master', 'master', { replicas: 2 }), agentDoc('query', 'query', { replicas: 2 })) },
    { name: 'a rendered data tier scaled to 0', manifest: agentDoc('data2', 'dataTier2', { replicas: 0, mounts: [['var', '/mnt/var'], ['tmp', '/mnt/tmp']] }) },
  ],
  invalid: [
    {
      name: 'persistence off, no volumes',
      values: off,
      errors: [{ messageId: 'noVolumes', severity: 'error', path: 'dataTier1.persistence.enabled', line: 3, column: 5, subject: 'dataTier1.persistence.enabled' }],
    },
    {
      name: 'YAML 1.1 "off", only a var volume',
      values: 'dataTier1:\n  persistence:\n    enabled: off\n  extraVolumes:\n    - name: var\n      emptyDir: {}\n',
      errors: [{ messageId: 'noVolumes', path: 'dataTier1.persistence.enabled', line: 3, column: 5 }],
    },
    {
      name: 'null deletes the default: persistence off',
      values: 'dataTier2:\n  replicaCount: 2\n  persistence:\n    enabled: null\n',
      errors: [{ messageId: 'noVolumes', path: 'dataTier2.persistence.enabled', line: 4, column: 5, subject: 'dataTier2.persistence.enabled' }],
    },
    {
      name: 'a later -f file replaces the extraVolumes list (lists replace)',
      values: [`${off}  extraVolumes:\n    - name: var\n    - name: tmp\n`, 'dataTier1:\n  extraVolumes:\n    - name: var\n'],
      errors: [{ messageId: 'noVolumes', file: 'values-1.yaml', path: 'dataTier1.persistence.enabled', line: 3, column: 5 }],
    },
    {
      name: 'persistence off by --set on the chart default',
      values: 'druid: {}\n',
      sets: [{ flag: '--set', expr: 'dataTier1.persistence.enabled=false' }],
      errors: [{ messageId: 'noVolumes', path: 'dataTier1.persistence.enabled', line: 1, column: 1 }],
    },
    {
      name: 'an additional tier with persistence off explicitly',
      values: 'additionalDataTiers:\n  - replicaCount: 1\n    persistence:\n      enabled: false\n',
      errors: [{ messageId: 'noVolumes', path: 'additionalDataTiers[0].persistence.enabled', line: 4, column: 7, subject: 'additionalDataTiers[0].persistence.enabled' }],
    },
    {
      name: 'rendered data pod mounting var and tmp that nothing backs',
      manifest: agentDoc('data', 'dataTier1', { replicas: 3, mounts: [['var', '/mnt/var'], ['tmp', '/mnt/tmp']] }),
      errors: [{ messageId: 'noVolumes', object: 'StatefulSet/rel-data', line: 1, column: 1, subject: 'dataTier1.persistence.enabled' }],
    },
    {
      name: 'rendered data pod with only an emptyDir var: /mnt/tmp is missing',
      manifest: agentDoc('data3', 'dataTier3', { replicas: 1, mounts: [['var', '/mnt/var']], volumes: ['var'] }),
      errors: [{ messageId: 'noVolumes', object: 'StatefulSet/rel-data3', subject: 'dataTier3.persistence.enabled' }],
    },
  ],
});
