import rule from '../../src/rules/catalog/no-default-credentials.js';
import { managerYaml } from '../helpers/imply-objects.js';
import { ruleTester } from '../helpers/rule-tester.js';

// The MinIO Secret exactly as quickstart.rendered.yaml has it (accesskey imply / secretkey implypassword).
const minioSecret = `apiVersion: v1
kind: Secret
metadata:
  name: imply-minio
  labels:
    app: minio
    chart: minio-5.0.16
    release: imply
    heritage: Helm
type: Opaque
data:
  accesskey: "aW1wbHk="
  secretkey: "aW1wbHlwYXNzd29yZA=="
`;

// The bundled MySQL's Secret as features.rendered.yaml has it (root password "imply").
const mysqlSecret = `apiVersion: v1
kind: Secret
metadata:
  name: imply-mysql
  namespace: default
  labels:
    app: imply-mysql
    chart: "mysql-1.5.0"
    release: "imply"
    heritage: "Helm"
type: Opaque
data:
  mysql-root-password:  "aW1wbHk="
  mysql-password: "WGsxc2dsZE5JUA=="
`;

// Production-like values: no static credentials, quickstart subcharts off.
const clean = 'deployments:\n  minio: false\n  mysql: false\ndruid:\n  deepStorage:\n    user: ""\n    password: ""\n';

ruleTester.run('no-default-credentials', rule, {
  valid: [
    { name: 'no static credentials, subcharts off', values: clean },
    { name: 'a disabled MinIO\'s default secretKey is not used', values: `${clean}minio:\n  secretKey: implypassword\n` },
    { name: 'a MySQL disabled with YAML 1.1 "no" is not deployed', values: 'deployments:\n  minio: false\n  mysql: no\ndruid:\n  deepStorage:\n    password: ""\nmysql:\n  mysqlRootPassword: imply\n' },
    { name: 'a user name alone is no credential', values: `${clean.replace('user: ""', 'user: imply')}` },
    { name: 'imply as a password for a non-root user is not the documented pair', values: `${clean}manager:\n  metadataStore:\n    user: imply_app\n    password: imply\n` },
    { name: 'manager off: its metadata store and druid defaults are not used', values: 'deployments:\n  manager: false\n  minio: false\n' },
    { name: 'null deletes the chart\'s default deep-storage password', values: 'deployments:\n  minio: false\ndruid:\n  deepStorage:\n    password: null\n' },
    { name: 'manifest: production manager (passwords empty)', manifest: managerYaml() },
    { name: 'manifest: MinIO Secret with its own keys', manifest: minioSecret.replace('aW1wbHlwYXNzd29yZA==', Buffer.from('s3cr3t-from-vault-0000000000').toString('base64')) },
    {
      name: 'manifest: a test hook is not a deployed component',
      manifest: mysqlSecret.replace('  namespace: default', '  namespace: default\n  annotations:\n    helm.sh/hook: test-success'),
    },
  ],
  invalid: [
    {
      name: 'deep storage keeps the chart\'s implypassword (public values file)',
      values: `${clean.replace('password: ""', 'password: implypassword')}`,
      errors: [{ messageId: 'defaultCredential', path: 'druid.deepStorage.password', line: 7, column: 5, subject: 'druid.deepStorage.password' }],
    },
    {
      name: 'chart defaults: deep storage and the (enabled) MinIO',
      values: 'images:\n  manager:\n    tag: "2023.03.1"\n',
      errors: [
        { messageId: 'defaultCredential', path: 'druid.deepStorage.password', line: 1, column: 1, subject: 'druid.deepStorage.password' },
        { messageId: 'defaultCredential', path: 'minio.secretKey', line: 1, column: 1, subject: 'minio.secretKey' },
      ],
    },
    {
      name: 'a string "false" leaves MinIO on',
      values: 'deployments:\n  minio: "false"\n  mysql: false\ndruid:\n  deepStorage:\n    password: ""\n',
      errors: [{ messageId: 'defaultCredential', path: 'minio.secretKey', line: 1, column: 1, subject: 'minio.secretKey' }],
    },
    {
      name: 'bundled MySQL on with the chart\'s root password',
      values: 'deployments:\n  minio: false\n  mysql: true\ndruid:\n  deepStorage:\n    password: ""\n',
      errors: [{ messageId: 'defaultCredential', path: 'mysql.mysqlRootPassword', subject: 'mysql.mysqlRootPassword' }],
    },
    {
      name: 'the seed\'s root/imply metadata-store example',
      values: `${clean}manager:\n  metadataStore:\n    user: root\n    password: imply\n`,
      errors: [{ messageId: 'defaultCredential', path: 'manager.metadataStore.password', line: 11, column: 5, subject: 'manager.metadataStore.password' }],
    },
    {
      name: 'the seed\'s supersecret used as a password',
      values: `${clean}  metadataStore:\n    password: supersecret\n`,
      errors: [{ messageId: 'defaultCredential', path: 'druid.metadataStore.password', line: 9, column: 5 }],
    },
    {
      name: '--set puts the default back',
      values: clean,
      sets: [{ flag: '--set', expr: 'druid.deepStorage.password=implypassword' }],
      errors: [{ messageId: 'defaultCredential', path: 'druid.deepStorage.password', line: 7 }],
    },
    {
      name: 'a later -f file wins',
      values: [clean, 'druid:\n  deepStorage:\n    password: implypassword\n'],
      errors: [{ messageId: 'defaultCredential', file: 'values-2.yaml', line: 3, column: 5 }],
    },
    {
      name: 'chart line 2021.05-1: root/imply metadata stores, bundled MySQL and MinIO on by default',
      values: 'druid:\n  update: rolling\n',
      chartVersion: '2021.05-1',
      errors: [
        { messageId: 'defaultCredential', path: 'manager.metadataStore.password' },
        { messageId: 'defaultCredential', path: 'druid.metadataStore.password' },
        { messageId: 'defaultCredential', path: 'druid.deepStorage.password' },
        { messageId: 'defaultCredential', path: 'mysql.mysqlRootPassword' },
        { messageId: 'defaultCredential', path: 'minio.secretKey' },
      ],
    },
    {
      name: 'manifest: the quickstart MinIO Secret',
      manifest: minioSecret,
      errors: [{ messageId: 'defaultCredential', object: 'Secret/imply-minio', path: 'data.secretkey', line: 13, column: 14, subject: 'minio.secretKey' }],
    },
    {
      name: 'manifest: admission of the bundled MySQL Secret',
      manifest: mysqlSecret,
      wholeStream: false,
      errors: [{ messageId: 'defaultCredential', object: 'Secret/imply-mysql', path: 'data.mysql-root-password', line: 13, subject: 'mysql.mysqlRootPassword' }],
    },
    {
      name: 'manifest: deep-storage password env rendered from the chart default',
      manifest: managerYaml({ deepStorage: { user: 'imply', password: 'implypassword' } }),
      errors: [{ messageId: 'defaultCredential', object: 'Deployment/rel-manager', subject: 'druid.deepStorage.password' }],
    },
    {
      name: 'manifest: manager store root/imply',
      manifest: managerYaml({ store: { user: 'root', password: 'imply' } }),
      errors: [{ messageId: 'defaultCredential', object: 'Deployment/rel-manager', path: 'spec.template.spec.containers[0].env[5].value', line: 25, subject: 'manager.metadataStore.password' }],
    },
    {
      name: 'manifest: a literal MYSQL_ROOT_PASSWORD',
      manifest: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: imply-mysql\n  labels: {app: imply-mysql, release: imply}\nspec:\n  template:\n    spec:\n      containers:\n        - name: imply-mysql\n          image: mysql:5.7.39\n          env:\n            - name: MYSQL_ROOT_PASSWORD\n              value: imply\n',
      errors: [{ messageId: 'defaultCredential', object: 'Deployment/imply-mysql', line: 14, subject: 'mysql.mysqlRootPassword' }],
    },
  ],
});
