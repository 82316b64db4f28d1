import rule from '../../src/rules/catalog/replicas-ha.js';
import { agentDoc, stream } from '../fixtures/quickstart-availability.js';
import { ruleTester } from '../helpers/rule-tester.js';

const ha = 'master:\n  replicaCount: 2\nquery:\n  replicaCount: 2\ndataTier1:\n  replicaCount: 3\n';

ruleTester.run('replicas-ha', rule, {
  valid: [
    { name: 'two masters, two query pods, three data pods', values: ha },
    { name: 'a tier with replicaCount 0 is not deployed', values: ha.replace('dataTier1:\n  replicaCount: 3', 'dataTier1:\n  replicaCount: 0') },
    { name: 'numeric strings render as numbers', values: 'master:\n  replicaCount: "2"\nquery:\n  replicaCount: "3"\n' },
    { name: 'agents not deployed', values: 'deployments:\n  agents: false\n' },
    { name: 'dataTier2 is not one of the checked tiers', values: `${ha}dataTier2:\n  replicaCount: 1\n` },
    { name: '--set raises the defaults', values: 'druid: {}\n', sets: [{ flag: '--set', expr: 'master.replicaCount=2,query.replicaCount=2' }] },
    {
      name: 'rendered agents with 2/2/3 replicas',
      manifest: stream(agentDoc('master', 'master', { replicas: 2 }), agentDoc('query', 'query', { replicas: 2 }), agentDoc('data', 'dataTier1', { replicas: 3 })),
    },
    { name: 'a rendered tier scaled to 0', manifest: agentDoc('data', 'dataTier1', { replicas: 0 }) },
  ],
  invalid: [
    {
      name: 'chart defaults on the 2023 line: one master, one query pod',
      values: 'images:\n  manager:\n    tag: "2023.03.1"\n',
      errors: [
        { messageId: 'single', path: 'master.replicaCount', line: 1, column: 1, subject: 'master.replicaCount' },
        { messageId: 'single', path: 'query.replicaCount', line: 1, column: 1, subject: 'query.replicaCount' },
      ],
    },
    {
      name: 'one data pod set in the file',
      values: ha.replace('replicaCount: 3', 'replicaCount: 1'),
      errors: [{ messageId: 'single', severity: 'warning', path: 'dataTier1.replicaCount', line: 6, column: 3, subject: 'dataTier1.replicaCount' }],
    },
    {
      name: 'later -f file lowers the query tier',
      values: [ha, 'query:\n  replicaCount: 1\n'],
      errors: [{ messageId: 'single', file: 'values-2.yaml', path: 'query.replicaCount', line: 2, column: 3 }],
    },
    {
      name: 'null deletes the count: Kubernetes runs one',
      values: ha.replace('master:\n  replicaCount: 2', 'master:\n  replicaCount: null'),
      errors: [{ messageId: 'single', path: 'master.replicaCount', line: 2, column: 3 }],
    },
    {
      name: '2021 line defaults',
      values: 'dataTier1:\n  replicaCount: 2\n',
      chartVersion: '2021.05-1',
      errors: [
        { messageId: 'single', path: 'master.replicaCount' },
        { messageId: 'single', path: 'query.replicaCount' },
      ],
    },
    {
      name: 'rendered master Deployment with one replica',
      manifest: stream(agentDoc('master', 'master', { replicas: 1 }), agentDoc('query', 'query', { replicas: 2 })),
      errors: [{ messageId: 'single', object: 'Deployment/rel-master', path: 'spec.replicas', line: 8, column: 13, subject: 'master.replicaCount' }],
    },
    {
      name: 'a data StatefulSet without spec.replicas runs the Kubernetes default, 1',
      manifest: agentDoc('data', 'dataTier1', {}),
      errors: [{ messageId: 'single', object: 'StatefulSet/rel-data', line: 1, subject: 'dataTier1.replicaCount' }],
    },
  ],
});
