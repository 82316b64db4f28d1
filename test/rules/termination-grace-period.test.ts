import rule from '../../src/rules/catalog/termination-grace-period.js';
import { agentDoc, stream, zookeeperDoc } from '../fixtures/quickstart-availability.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run('termination-grace-period', rule, {
  valid: [
    { name: 'chart default 86400 (2023)', values: 'images:\n  manager:\n    tag: "2023.03.1"\n' },
    { name: 'chart default 86400 (0.4)', values: 'druid: {}\n', chartVersion: '0.4.11' },
    { name: 'longer than a day', values: 'agents:\n  terminationGracePeriodSeconds: 172800\n' },
    { name: 'agents not deployed', values: 'deployments:\n  agents: false\nagents:\n  terminationGracePeriodSeconds: 60\n' },
    { name: '--set restores the day', values: 'agents:\n  terminationGracePeriodSeconds: 60\n', sets: [{ flag: '--set', expr: 'agents.terminationGracePeriodSeconds=86400' }] },
    { name: 'rendered agents with 86400', manifest: stream(agentDoc('master', 'master', { replicas: 2, grace: 86400 }), agentDoc('data', 'dataTier1', { replicas: 3, grace: 86400 })) },
    { name: 'the bundled ZooKeeper (1800 s) is no agent', manifest: `${zookeeperDoc(3).replace('    spec:\n', '    spec:\n      terminationGracePeriodSeconds: 1800\n')}` },
  ],
  invalid: [
    {
      name: 'one hour',
      values: 'agents:\n  terminationGracePeriodSeconds: 3600\n',
      errors: [{ messageId: 'tooShort', severity: 'warning', path: 'agents.terminationGracePeriodSeconds', line: 2, column: 3, subject: 'agents.terminationGracePeriodSeconds' }],
    },
    { name: 'a numeric string', values: 'agents:\n  terminationGracePeriodSeconds: "600"\n', errors: [{ messageId: 'tooShort', path: 'agents.terminationGracePeriodSeconds' }] },
    {
      name: 'null deletes the default: Kubernetes uses 30 s',
      values: 'agents:\n  terminationGracePeriodSeconds: null\n',
      errors: [{ messageId: 'tooShort', path: 'agents.terminationGracePeriodSeconds', line: 2, column: 3 }],
    },
    {
      name: 'later -f file lowers it',
      values: ['agents:\n  terminationGracePeriodSeconds: 86400\n', 'agents:\n  terminationGracePeriodSeconds: 300\n'],
      errors: [{ messageId: 'tooShort', file: 'values-2.yaml', line: 2, column: 3 }],
    },
    {
      name: '--set-string lowers it',
      values: 'druid: {}\n',
      sets: [{ flag: '--set-string', expr: 'agents.terminationGracePeriodSeconds=120' }],
      errors: [{ messageId: 'tooShort', path: 'agents.terminationGracePeriodSeconds', line: 1, column: 1 }],
    },
    {
      name: 'rendered agents with 600 s fold into one finding',
      manifest: stream(agentDoc('master', 'master', { replicas: 2, grace: 600 }), agentDoc('query', 'query', { replicas: 2, grace: 600 })),
      errors: [
        {
          messageId: 'tooShort',
          object: 'Deployment/rel-master',
          path: 'spec.template.spec.terminationGracePeriodSeconds',
          line: 11,
          column: 38,
          subject: 'agents.terminationGracePeriodSeconds',
          related: 1,
        },
      ],
    },
    {
      name: 'a rendered agent without the field gets the Kubernetes default, 30 s',
      manifest: agentDoc('data', 'dataTier1', { replicas: 3 }),
      errors: [{ messageId: 'tooShort', object: 'StatefulSet/rel-data', subject: 'agents.terminationGracePeriodSeconds' }],
    },
  ],
});
