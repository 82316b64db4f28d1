import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/catalog/image-tag-pinned.js';
import { runCase, ruleTester } from '../helpers/rule-tester.js';

const manager = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: rel-manager
spec:
  template:
    spec:
      containers:
        - name: imply
          image: "${image}"
          env:
            - name: IMPLY_MANAGER_STORE_TYPE
              value: mysql
`;

const dataAgent = (image: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: rel-data
spec:
  template:
    spec:
      initContainers:
      - name: configure-sysctl
        image: "${image}"
      containers:
        - name: imply
          image: "${image}"
          env:
            - name: IMPLY_MANAGER_AGENT_NODE_TYPE
              value: dataTier1
`;

const mysql = (init: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: rel-mysql
  labels: {app: rel-mysql, chart: mysql-1.5.0, release: rel}
spec:
  template:
    spec:
      initContainers:
      - name: "remove-lost-found"
        image: "${init}"
      containers:
      - name: rel-mysql
        image: "mysql:latest"
`;

const testHook = `apiVersion: v1
kind: Pod
metadata:
  name: rel-mysql-test
  annotations: {"helm.sh/hook": test-success}
spec:
  containers:
    - name: t
      image: "dduportal/bats:latest"
`;

ruleTester.run('image-tag-pinned', rule, {
  valid: [
    { name: 'chart defaults (2023.03.1, v15)', values: 'images:\n  pullPolicy: IfNotPresent\n' },
    { name: 'a digest counts as pinned', values: 'images:\n  manager:\n    tag: "latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"\n' },
    { name: 'mysql latest while the bundled MySQL is off (2023 default)', values: 'mysql:\n  imageTag: latest\n' },
    { name: 'ZooKeeper latest while off (YAML 1.1 false)', values: 'deployments:\n  zookeeper: False\nzookeeper:\n  image:\n    tag: latest\n' },
    { name: 'null restores the subchart\'s own pinned tag', values: 'deployments:\n  mysql: true\nmysql:\n  imageTag: null\n' },
    { name: 'Manager not deployed', values: 'deployments:\n  manager: false\nimages:\n  manager:\n    tag: latest\n' },
    { name: 'rendered pinned images', manifest: `${manager('imply/manager:2023.03.1')}---\n${dataAgent('imply/agent:v15')}` },
    { name: 'rendered digest', manifest: manager('imply/manager@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef') },
    { name: 'a registry port is not a tag separator issue', manifest: manager('registry.example:5000/imply/manager:2023.03.1') },
    { name: 'Helm test hooks are not deployed', manifest: testHook },
  ],
  invalid: [
    {
      name: 'images.manager.tag latest',
      values: 'images:\n  manager:\n    tag: latest\n',
      errors: [{ messageId: 'unpinned', path: 'images.manager.tag', line: 3, column: 5, subject: 'images.manager.tag' }],
    },
    {
      name: 'empty agent tag renders "imply/agent:" (no tag); a later -f wins',
      values: ['images:\n  agent:\n    tag: v15\n', 'images:\n  agent:\n    tag: ""\n'],
      errors: [{ messageId: 'unpinned', path: 'images.agent.tag', file: 'values-2.yaml', line: 3, column: 5, subject: 'images.agent.tag' }],
    },
    {
      name: 'bundled MySQL on (non-boolean condition) with latest',
      values: 'deployments:\n  mysql: "yes"\nmysql:\n  imageTag: latest\n',
      errors: [{ messageId: 'unpinned', path: 'mysql.imageTag', line: 4, column: 3, subject: 'mysql.imageTag' }],
    },
    {
      name: '--set of subchart tags on deployed subcharts',
      values: 'images: {}\n',
      sets: [{ flag: '--set', expr: 'zookeeper.image.tag=latest' }, { flag: '--set-string', expr: 'minio.image.tag=LATEST' }],
      errors: [
        { messageId: 'unpinned', path: 'zookeeper.image.tag', subject: 'zookeeper.image.tag' },
        { messageId: 'unpinned', path: 'minio.image.tag', subject: 'minio.image.tag' },
      ],
    },
    {
      name: 'rendered manager :latest',
      manifest: manager('imply/manager:latest'),
      errors: [{ messageId: 'unpinned', object: 'Deployment/rel-manager', path: 'spec.template.spec.containers[0].image', line: 10, column: 18, subject: 'images.manager.tag' }],
    },
    {
      name: 'rendered agent without a tag: init and main container fold into images.agent.tag',
      manifest: dataAgent('imply/agent'),
      errors: [{ messageId: 'unpinned', object: 'StatefulSet/rel-data', path: 'spec.template.spec.initContainers[0].image', line: 10, column: 16, subject: 'images.agent.tag', related: 1 }],
    },
    {
      name: 'rendered subchart images: a manifest-only image and mysql.imageTag',
      manifest: mysql('busybox'),
      errors: [
        { messageId: 'unpinned', object: 'Deployment/rel-mysql', line: 11, column: 16, subject: 'image:busybox' },
        { messageId: 'unpinned', object: 'Deployment/rel-mysql', line: 14, column: 16, subject: 'mysql.imageTag' },
      ],
    },
  ],
});

describe('image-tag-pinned: one mistake, one identity', () => {
  it('values and manifest forms share messageId, message and fingerprint', () => {
    const [a] = runCase(rule, { name: 'v', values: 'images:\n  manager:\n    tag: latest\n' });
    const [b] = runCase(rule, { name: 'm', manifest: manager('imply/manager:latest') });
    expect([a.messageId, a.message, a.fingerprint]).toEqual([b.messageId, b.message, b.fingerprint]);
    expect(a.message).toBe('The imply/manager image is not pinned to a version (tag: latest); pods may run different versions over time. Set images.manager.tag to a fixed release or use a digest.');
  });
});
