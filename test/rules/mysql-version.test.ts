import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/catalog/mysql-version.js';
import { runCase, ruleTester } from '../helpers/rule-tester.js';

// The bundled MySQL subchart as the real chart renders it (features.rendered.yaml): `app: <rel>-mysql`.
const mysqlStream = (tag: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: rel-mysql
  labels:
    app: rel-mysql
    chart: "mysql-1.5.0"
    release: "rel"
spec:
  template:
    spec:
      initContainers:
      - name: "remove-lost-found"
        image: "busybox:1.29.3"
      containers:
      - name: rel-mysql
        image: "mysql:${tag}"
`;

const mysqlTestHook = `apiVersion: v1
kind: Pod
metadata:
  name: rel-mysql-test
  labels: {app: rel-mysql, release: rel}
  annotations:
    "helm.sh/hook": test-success
spec:
  containers:
    - name: rel-test
      image: "mysql:5.7.14"
`;

ruleTester.run('mysql-version', rule, {
  valid: [
    { name: 'bundled MySQL off (2023.03.1 default)', values: 'images:\n  pullPolicy: IfNotPresent\n' },
    { name: 'off with YAML 1.1 "no", even with an old tag', values: 'deployments:\n  mysql: no\nmysql:\n  imageTag: "5.7.14"\n' },
    { name: 'on with the 2023.03.1 values\' 5.7.39', values: 'deployments:\n  mysql: true\n' },
    { name: 'on with MySQL 8', values: 'deployments:\n  mysql: true\nmysql:\n  imageTag: "8.0.36"\n' },
    { name: 'a floating 5.7 tag pulls the newest 5.7 patch', values: 'deployments:\n  mysql: true\nmysql:\n  imageTag: "5.7"\n' },
    { name: 'exactly 5.7.21', values: 'deployments:\n  mysql: true\nmysql:\n  imageTag: 5.7.21\n' },
    { name: 'a non-version tag is no evidence', values: 'deployments:\n  mysql: true\nmysql:\n  imageTag: latest\n' },
    { name: 'rendered mysql:5.7.39', manifest: mysqlStream('5.7.39') },
    { name: 'a Helm test pod is not the deployed server', manifest: mysqlTestHook },
  ],
  invalid: [
    {
      name: '2021.05-1 line: MySQL on by default with the subchart default 5.7.14',
      values: 'images:\n  pullPolicy: IfNotPresent\n',
      chartVersion: '2021.05-1',
      errors: [{ messageId: 'tooOld', path: 'mysql.imageTag', file: 'values.yaml', line: 1, column: 1, subject: 'mysql.imageTag' }],
    },
    {
      name: '0.4 line chosen from images.manager.tag',
      values: 'images:\n  manager:\n    tag: "2021.02"\n',
      errors: [{ messageId: 'tooOld', path: 'mysql.imageTag', line: 1, column: 1 }],
    },
    {
      name: 'a string "false" leaves the subchart on',
      values: 'deployments:\n  mysql: "false"\nmysql:\n  imageTag: "5.7.20"\n',
      errors: [{ messageId: 'tooOld', path: 'mysql.imageTag', line: 4, column: 3, subject: 'mysql.imageTag' }],
    },
    {
      name: 'null deletes the 2023 default: the subchart\'s own 5.7.14 applies',
      values: 'deployments:\n  mysql: true\nmysql:\n  imageTag: null\n',
      errors: [{ messageId: 'tooOld', path: 'mysql.imageTag', line: 4, column: 3 }],
    },
    {
      name: 'the later -f file wins',
      values: ['deployments:\n  mysql: true\nmysql:\n  imageTag: "5.7.39"\n', 'mysql:\n  imageTag: "5.7.14"\n'],
      errors: [{ messageId: 'tooOld', file: 'values-2.yaml', line: 2, column: 3 }],
    },
    {
      name: '--set turns MySQL on and --set-string sets the tag',
      values: 'images: {}\n',
      sets: [
        { flag: '--set', expr: 'deployments.mysql=true' },
        { flag: '--set-string', expr: 'mysql.imageTag=5.6.51' },
      ],
      errors: [{ messageId: 'tooOld', path: 'mysql.imageTag', line: 1, column: 1 }],
    },
    {
      name: 'rendered bundled MySQL Deployment with mysql:5.7.14',
      manifest: mysqlStream('5.7.14'),
      errors: [{ messageId: 'tooOld', object: 'Deployment/rel-mysql', path: 'spec.template.spec.containers[0].image', line: 17, column: 16, subject: 'mysql.imageTag' }],
    },
  ],
});

describe('mysql-version: one mistake, one identity', () => {
  it('values and manifest forms share messageId, message and fingerprint', () => {
    const [a] = runCase(rule, { name: 'v', values: 'deployments:\n  mysql: true\nmysql:\n  imageTag: "5.7.14"\n' });
    const [b] = runCase(rule, { name: 'm', manifest: mysqlStream('5.7.14') });
    expect([a.messageId, a.message, a.fingerprint]).toEqual([b.messageId, b.message, b.fingerprint]);
  });
});
