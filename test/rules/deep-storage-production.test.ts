import rule from '../../src/rules/catalog/deep-storage-production.js';
import { managerDoc, productionManagerEnv } from '../fixtures/quickstart-availability.js';
import { ruleTester } from '../helpers/rule-tester.js';

const ds = (type: string, path: string) => `druid:\n  deepStorage:\n    type: ${type}\n    path: ${path}\n`;

ruleTester.run('deep-storage-production', rule, {
  valid: [
    { name: 'S3 with a bucket', values: ds('s3', '"s3://acme/prod/"') },
    { name: 'chart default (s3://imply/) on the 2023 line', values: 'images:\n  manager:\n    tag: "2023.03.1"\n' },
    { name: 'chart default on the 2021 line', values: 'druid: {}\n', chartVersion: '2021.05-1' },
    { name: 'chart default on the 0.4 line', values: 'druid: {}\n', chartVersion: '0.4.11' },
    { name: '--set replaces a local type', values: ds('local', '/mnt/deep'), sets: [{ flag: '--set', expr: 'druid.deepStorage.type=google' }] },
    { name: 'production manager env', manifest: managerDoc(productionManagerEnv()) },
    {
      name: 'a manager without the deep storage env carries no evidence',
      manifest: managerDoc([
        ['IMPLY_MANAGER_STORE_TYPE', 'mysql'],
        ['IMPLY_MANAGER_DEFAULTS_UPDATE_TYPE', 'rolling'],
      ]),
    },
  ],
  invalid: [
    {
      name: 'local deep storage',
      values: ds('local', '/mnt/deep'),
      errors: [{ messageId: 'typeNotProduction', path: 'druid.deepStorage.type', line: 3, column: 5, subject: 'druid.deepStorage.type' }],
    },
    { name: 'noop deep storage, any case', values: ds('NoOp', '"x"'), errors: [{ messageId: 'typeNotProduction', path: 'druid.deepStorage.type' }] },
    {
      name: 'empty type and path',
      values: ds('""', '""'),
      errors: [
        { messageId: 'typeMissing', path: 'druid.deepStorage.type', line: 3, column: 5, subject: 'druid.deepStorage.type' },
        { messageId: 'pathMissing', path: 'druid.deepStorage.path', line: 4, column: 5, subject: 'druid.deepStorage.path' },
      ],
    },
    {
      name: 'null deletes the chart default path',
      values: 'druid:\n  deepStorage:\n    path: null\n',
      errors: [{ messageId: 'pathMissing', path: 'druid.deepStorage.path', line: 3, column: 5 }],
    },
    {
      name: 'later -f file switches to local',
      values: [ds('s3', '"s3://a/"'), 'druid:\n  deepStorage:\n    type: local\n'],
      errors: [{ messageId: 'typeNotProduction', file: 'values-2.yaml', line: 3, column: 5 }],
    },
    {
      name: 'manager env with local deep storage',
      manifest: managerDoc(productionManagerEnv({ imply_defaults_deepStorageType: 'local' })),
      errors: [
        {
          messageId: 'typeNotProduction',
          object: 'Deployment/rel-manager',
          path: 'spec.template.spec.containers[0].env[11].value',
          line: 38,
          column: 22,
          subject: 'druid.deepStorage.type',
        },
      ],
    },
    {
      name: 'manager env with an empty path',
      manifest: managerDoc(productionManagerEnv({ imply_defaults_deepStoragePath: '' })),
      errors: [{ messageId: 'pathMissing', object: 'Deployment/rel-manager', line: 40, subject: 'druid.deepStorage.path' }],
    },
  ],
});
