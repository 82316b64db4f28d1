import rule from '../../src/rules/catalog/no-quickstart-minio.js';
import { ruleTester } from '../helpers/rule-tester.js';

const minioObjects = `
apiVersion: v1
kind: Secret
metadata:
  name: rel-minio
  labels: {app: minio, release: rel}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: rel-minio
  labels: {app: minio, release: rel}
spec:
  template:
    spec:
      containers:
        - name: minio
          image: minio/minio:RELEASE.2020-03-06T22-23-56Z
`;

ruleTester.run('no-quickstart-minio', rule, {
  valid: [
    { name: 'disabled in values', values: 'deployments:\n  minio: false\n' },
    { name: 'disabled with YAML 1.1 "no" (Helm reads it as false)', values: 'deployments:\n  minio: no\n' },
    { name: 'disabled by --set', values: 'images: {}\n', sets: [{ flag: '--set', expr: 'deployments.minio=false' }] },
    { name: 'no minio objects', manifest: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  labels: {release: rel, app: other}\n' },
    {
      name: 'a MinIO test hook is not a deployed component',
      manifest: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  labels: {app: minio, release: rel}\n  annotations: {"helm.sh/hook": test}\n',
    },
  ],
  invalid: [
    {
      name: 'enabled explicitly',
      values: 'deployments:\n  minio: true\n',
      errors: [{ messageId: 'enabled', path: 'deployments.minio', line: 2, column: 3, subject: 'deployments.minio' }],
    },
    {
      name: 'string "false" leaves the subchart on',
      values: 'deployments:\n  minio: "false"\n',
      errors: [{ messageId: 'enabled', path: 'deployments.minio', line: 2, column: 3 }],
    },
    {
      name: 'chart default anchored at the nearest parent key',
      values: 'deployments:\n  mysql: false\n',
      errors: [{ messageId: 'enabled', path: 'deployments.minio', line: 1, column: 1 }],
    },
    {
      name: 'later -f file wins',
      values: ['deployments:\n  minio: false\n', 'deployments:\n  minio: true\n'],
      errors: [{ messageId: 'enabled', file: 'values-2.yaml', line: 2 }],
    },
    {
      name: 'MinIO objects in a rendered stream fold into one finding on the Deployment',
      manifest: minioObjects,
      errors: [{ messageId: 'enabled', object: 'Deployment/rel-minio', line: 8, subject: 'deployments.minio', related: 1 }],
    },
  ],
});
