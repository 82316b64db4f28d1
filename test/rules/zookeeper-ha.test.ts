import rule from '../../src/rules/catalog/zookeeper-ha.js';
import { zookeeperDoc } from '../fixtures/quickstart-availability.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run('zookeeper-ha', rule, {
  valid: [
    { name: 'three servers', values: 'zookeeper:\n  replicaCount: 3\n' },
    { name: 'five servers', values: 'zookeeper:\n  replicaCount: 5\n' },
    { name: 'bundled ZooKeeper off: its defaults are not used', values: 'deployments:\n  zookeeper: false\n' },
    { name: 'bundled ZooKeeper off with YAML 1.1 "no"', values: 'deployments:\n  zookeeper: no\nzookeeper:\n  replicaCount: 1\n' },
    { name: 'a numeric string renders as a number', values: 'zookeeper:\n  replicaCount: "3"\n' },
    { name: 'null hands the count to the subchart default we cannot see: no evidence', values: 'zookeeper:\n  replicaCount: null\n' },
    { name: '--set raises the count', values: 'zookeeper:\n  replicaCount: 1\n', sets: [{ flag: '--set', expr: 'zookeeper.replicaCount=3' }] },
    { name: 'later -f file wins', values: ['zookeeper:\n  replicaCount: 1\n', 'zookeeper:\n  replicaCount: 3\n'] },
    { name: 'a 3-server StatefulSet', manifest: zookeeperDoc(3) },
    { name: 'no ZooKeeper objects', manifest: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  labels: {app: other, release: rel}\n' },
  ],
  invalid: [
    {
      name: 'one server, set in the file',
      values: 'zookeeper:\n  replicaCount: 1\n',
      errors: [{ messageId: 'tooFew', severity: 'error', path: 'zookeeper.replicaCount', line: 2, column: 3, subject: 'zookeeper.replicaCount' }],
    },
    {
      name: 'chart default (1) on the 2023 line, anchored at line 1',
      values: 'images:\n  manager:\n    tag: "2023.03.1"\n',
      errors: [{ messageId: 'tooFew', path: 'zookeeper.replicaCount', line: 1, column: 1 }],
    },
    { name: 'chart default (1) on the 2021 line', values: 'druid: {}\n', chartVersion: '2021.05-1', errors: [{ messageId: 'tooFew', path: 'zookeeper.replicaCount' }] },
    { name: 'chart default (1) on the 0.4 line', values: 'druid: {}\n', chartVersion: '0.4.11', errors: [{ messageId: 'tooFew', path: 'zookeeper.replicaCount' }] },
    {
      name: 'a quoted "false" leaves the subchart on',
      values: 'deployments:\n  zookeeper: "false"\nzookeeper:\n  replicaCount: 2\n',
      errors: [{ messageId: 'tooFew', path: 'zookeeper.replicaCount', line: 4, column: 3 }],
    },
    {
      name: 'an even ensemble of 4 is a warning',
      values: 'zookeeper:\n  replicaCount: 4\n',
      errors: [{ messageId: 'even', severity: 'warning', path: 'zookeeper.replicaCount', line: 2, column: 3, subject: 'zookeeper.replicaCount' }],
    },
    {
      name: '--set-string still renders a number',
      values: 'zookeeper:\n  replicaCount: 3\n',
      sets: [{ flag: '--set-string', expr: 'zookeeper.replicaCount=2' }],
      errors: [{ messageId: 'tooFew', path: 'zookeeper.replicaCount' }],
    },
    {
      name: 'the real subchart StatefulSet with one replica',
      manifest: zookeeperDoc(1),
      errors: [{ messageId: 'tooFew', severity: 'error', object: 'StatefulSet/rel-zookeeper', path: 'spec.replicas', line: 12, column: 13, subject: 'zookeeper.replicaCount' }],
    },
    {
      name: 'a StatefulSet without spec.replicas runs the Kubernetes default, 1',
      manifest: zookeeperDoc(undefined),
      errors: [{ messageId: 'tooFew', object: 'StatefulSet/rel-zookeeper', line: 1 }],
    },
    {
      name: 'a 6-server StatefulSet is a warning',
      manifest: zookeeperDoc(6),
      errors: [{ messageId: 'even', severity: 'warning', object: 'StatefulSet/rel-zookeeper', subject: 'zookeeper.replicaCount' }],
    },
  ],
});
