import rule from '../../src/rules/catalog/no-plaintext-secrets.js';
import { managerYaml } from '../helpers/imply-objects.js';
import { ruleTester } from '../helpers/rule-tester.js';

// Every secret the 2023 defaults carry, emptied; quickstart subcharts off (production-overrides.yaml style).
const clean = `deployments:
  minio: false
  mysql: false
manager:
  metadataStore:
    password: ""
druid:
  metadataStore:
    password: ""
  deepStorage:
    user: ""
    password: ""
`;

ruleTester.run('no-plaintext-secrets', rule, {
  valid: [
    { name: 'all passwords empty (production overrides)', values: clean },
    { name: 'a disabled subchart\'s secrets are not deployed', values: `${clean}mysql:\n  mysqlRootPassword: imply\nminio:\n  secretKey: implypassword\n` },
    { name: 'MySQL disabled with YAML 1.1 "off"', values: `${clean.replace('mysql: false', 'mysql: off')}mysql:\n  mysqlRootPassword: imply\n` },
    { name: 'null deletes chart-default passwords', values: 'deployments:\n  minio: false\nmanager:\n  metadataStore:\n    password: null\ndruid:\n  metadataStore:\n    password: null\n  deepStorage:\n    password: null\n' },
    { name: 'user names are not secrets', values: clean.replace('user: ""', 'user: AKIAEXAMPLE') },
    { name: 'manifest: empty literal values and Secret references', manifest: managerYaml({ authSecret: 'imply-auth-token', licenseSecret: 'imply-secrets' }) },
  ],
  invalid: [
    {
      name: 'metadata-store password in values',
      values: clean.replace('manager:\n  metadataStore:\n    password: ""', 'manager:\n  metadataStore:\n    password: psltest'),
      errors: [{ messageId: 'plaintext', path: 'manager.metadataStore.password', line: 6, column: 5, subject: 'manager.metadataStore.password' }],
    },
    {
      name: 'chart defaults render into plaintext env (minimal file)',
      values: 'deployments:\n  minio: false\n',
      errors: [
        { messageId: 'plaintext', path: 'manager.metadataStore.password', line: 1, column: 1, subject: 'manager.metadataStore.password' },
        { messageId: 'plaintext', path: 'druid.metadataStore.password', line: 1 },
        { messageId: 'plaintext', path: 'druid.deepStorage.password', line: 1 },
      ],
    },
    {
      name: 'a string "false" leaves MinIO on: its secretKey is in the values',
      values: clean.replace('minio: false', 'minio: "false"'),
      errors: [{ messageId: 'plaintext', path: 'minio.secretKey', subject: 'minio.secretKey' }],
    },
    {
      name: 'an inline licence key',
      values: clean.replace('manager:\n  metadataStore:\n    password: ""\n', 'manager:\n  metadataStore:\n    password: ""\n  licenseKey: ACME-1234\n'),
      errors: [{ messageId: 'plaintext', path: 'manager.licenseKey', line: 7, column: 3, subject: 'manager.licenseKey' }],
    },
    {
      name: '--set adds a password',
      values: clean,
      sets: [{ flag: '--set', expr: 'druid.deepStorage.password=hunter2' }],
      errors: [{ messageId: 'plaintext', path: 'druid.deepStorage.password', line: 12, column: 5 }],
    },
    {
      name: 'numbers are secrets too',
      values: clean.replace('    user: ""\n    password: ""', '    user: ""\n    password: 12345'),
      errors: [{ messageId: 'plaintext', path: 'druid.deepStorage.password', line: 12 }],
    },
    {
      name: 'a later file sets one',
      values: [clean, 'druid:\n  metadataStore:\n    password: s3cret\n'],
      errors: [{ messageId: 'plaintext', file: 'values-2.yaml', line: 3, column: 5, subject: 'druid.metadataStore.password' }],
    },
    {
      name: 'manifest: literal password env on the manager (quickstart render)',
      manifest: managerYaml({ store: { password: 'psltest' }, druidStore: { password: 'psltest' }, deepStorage: { user: 'imply', password: 'implypassword' } }),
      errors: [
        { messageId: 'plaintext', object: 'Deployment/rel-manager', path: 'spec.template.spec.containers[0].env[5].value', line: 25, column: 20, subject: 'manager.metadataStore.password' },
        { messageId: 'plaintext', subject: 'druid.metadataStore.password' },
        { messageId: 'plaintext', subject: 'druid.deepStorage.password' },
      ],
    },
    {
      name: 'manifest: admission of a manager with an inline licence',
      manifest: managerYaml({ licenseKey: 'ACME-1234' }),
      wholeStream: false,
      errors: [{ messageId: 'plaintext', object: 'Deployment/rel-manager', line: 15, subject: 'manager.licenseKey' }],
    },
  ],
});
