import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/catalog/zookeeper-version.js';
import { runCase, ruleTester } from '../helpers/rule-tester.js';

// The bundled ZooKeeper StatefulSet as quickstart.rendered.yaml has it (labels app/release, image zookeeper:3.7.1).
const zkStream = (tag: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: rel-zookeeper
  labels:
    app: zookeeper
    chart: zookeeper-3.2.0
    release: rel
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: zookeeper
          image: "zookeeper:${tag}"
`;

ruleTester.run('zookeeper-version', rule, {
  valid: [
    { name: 'bundled ZooKeeper with the chart\'s image (no tag override)', values: 'deployments:\n  zookeeper: true\n' },
    { name: '3.5 override', values: 'zookeeper:\n  image:\n    tag: "3.5.9"\n' },
    { name: 'bundled ZooKeeper off (YAML 1.1 off) with a 3.4 override', values: 'deployments:\n  zookeeper: off\nzookeeper:\n  image:\n    tag: "3.4.14"\n' },
    { name: 'a non-version tag is no evidence', values: 'zookeeper:\n  image:\n    tag: latest\n' },
    { name: 'rendered zookeeper:3.7.1', manifest: zkStream('3.7.1') },
  ],
  invalid: [
    {
      name: 'a 3.4 tag override on the bundled ZooKeeper',
      values: 'zookeeper:\n  replicaCount: 3\n  image:\n    tag: "3.4.14"\n',
      errors: [{ messageId: 'tooOld', path: 'zookeeper.image.tag', line: 4, column: 5, subject: 'zookeeper.image.tag' }],
    },
    {
      name: 'a quoted "no" leaves the subchart on',
      values: 'deployments:\n  zookeeper: "no"\nzookeeper:\n  image:\n    tag: 3.4.10\n',
      errors: [{ messageId: 'tooOld', line: 5, column: 5 }],
    },
    {
      name: 'the later -f file and --set win',
      values: ['zookeeper:\n  image:\n    tag: "3.6.3"\n', 'deployments:\n  zookeeper: true\n'],
      sets: [{ flag: '--set', expr: 'zookeeper.image.tag=3.4.13' }],
      // 3.6.3 alone would pass: the finding shows --set won. (A --set value is located by the values model.)
      errors: [{ messageId: 'tooOld', path: 'zookeeper.image.tag', subject: 'zookeeper.image.tag' }],
    },
    {
      name: 'rendered zookeeper:3.4.14',
      manifest: zkStream('3.4.14'),
      errors: [{ messageId: 'tooOld', object: 'StatefulSet/rel-zookeeper', path: 'spec.template.spec.containers[0].image', line: 15, column: 18, subject: 'zookeeper.image.tag' }],
    },
  ],
});

describe('zookeeper-version: one mistake, one identity', () => {
  it('values and manifest forms share messageId, message and fingerprint', () => {
    const [a] = runCase(rule, { name: 'v', values: 'zookeeper:\n  image:\n    tag: "3.4.14"\n' });
    const [b] = runCase(rule, { name: 'm', manifest: zkStream('3.4.14') });
    expect([a.messageId, a.message, a.fingerprint]).toEqual([b.messageId, b.message, b.fingerprint]);
  });
});
