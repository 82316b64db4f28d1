import rule from '../../src/rules/catalog/custom-files-valid.js';
import { ENV_VALUE_COLUMN, envValueLine, managerDoc } from '../helpers/druid-fixtures.js';
import { ruleTester } from '../helpers/rule-tester.js';

const featuresFiles = 'druid:\n  customFiles:\n    - path: "https://artifacts.acme.example/druid/udf.tar.gz"\n      executable: false\n      unpack: true\n      hadoopDependency: false\n      classpath: true\n  userExtensions:\n    acme-udf: "https://artifacts.acme.example/druid/acme-udf.tar.gz"\n';

ruleTester.run('custom-files-valid', rule, {
  valid: [
    { name: 'chart defaults: no files, no extensions', values: 'druid:\n  update: disabled\n' },
    { name: 'features-overrides', values: featuresFiles },
    { name: 'YAML 1.1 booleans as Helm reads them (yes/off)', values: 'druid:\n  customFiles:\n    - path: https://x.example/a.sh\n      executable: yes\n      unpack: off\n' },
    { name: 'hadoopDependency alone', values: 'druid:\n  customFiles:\n    - path: https://x.example/h.jar\n      hadoopDependency: true\n      classpath: false\n' },
    { name: '2021 chart line has no customFiles key (unknown-key reports it)', chartVersion: '2021.05-1', values: 'druid:\n  customFiles:\n    - executable: "yes"\n' },
    {
      name: 'manifest: features render',
      manifest: managerDoc([
        ['imply_defaults_userExtensions', '{"acme-udf":"https://artifacts.acme.example/druid/acme-udf.tar.gz"}'],
        ['imply_defaults_customFiles', '[{"classpath":true,"executable":false,"hadoopDependency":false,"path":"https://artifacts.acme.example/druid/udf.tar.gz","unpack":true}]'],
      ]),
    },
  ],
  invalid: [
    {
      name: 'values: hadoopDependency and classpath both true',
      values: 'druid:\n  customFiles:\n    - path: https://x.example/a.jar\n      hadoopDependency: true\n      classpath: true\n',
      errors: [{ messageId: 'exclusive', severity: 'error', path: 'druid.customFiles[0].classpath', line: 5, column: 7, subject: 'druid.customFiles[0]' }],
    },
    {
      name: 'manifest: the same file rendered into imply_defaults_customFiles',
      manifest: managerDoc([['imply_defaults_customFiles', '[{"classpath":true,"hadoopDependency":true,"path":"https://x.example/a.jar"}]']]),
      errors: [{ messageId: 'exclusive', object: 'Deployment/imply-manager', line: envValueLine(0), column: ENV_VALUE_COLUMN, subject: 'druid.customFiles[0]' }],
    },
    {
      name: 'values: no path',
      values: 'druid:\n  customFiles:\n    - executable: true\n',
      errors: [{ messageId: 'noPath', path: 'druid.customFiles[0]', line: 3, column: 7, subject: 'druid.customFiles[0]' }],
    },
    {
      name: 'values: a quoted "true" is no boolean',
      values: 'druid:\n  customFiles:\n    - path: https://x.example/a.sh\n      executable: "true"\n',
      errors: [{ messageId: 'nonBoolean', path: 'druid.customFiles[0].executable', line: 4, column: 7, subject: 'druid.customFiles[0].executable' }],
    },
    {
      name: 'manifest: a string flag in the rendered JSON',
      manifest: managerDoc([['imply_defaults_customFiles', '[{"executable":"true","path":"https://x.example/a.sh"}]']]),
      errors: [{ messageId: 'nonBoolean', subject: 'druid.customFiles[0].executable', line: envValueLine(0) }],
    },
    {
      name: 'values: a file entry that is a plain string',
      values: 'druid:\n  customFiles:\n    - https://x.example/a.sh\n',
      errors: [{ messageId: 'notObject', path: 'druid.customFiles[0]' }],
    },
    {
      name: 'values: a user extension over plain HTTP',
      values: 'druid:\n  userExtensions:\n    acme-udf: http://artifacts.acme.example/acme-udf.tar.gz\n',
      errors: [{ messageId: 'notHttps', path: 'druid.userExtensions.acme-udf', line: 3, column: 5, subject: 'druid.userExtensions.acme-udf' }],
    },
    {
      name: 'manifest: a plain-HTTP user extension',
      manifest: managerDoc([['imply_defaults_userExtensions', '{"acme-udf":"http://artifacts.acme.example/acme-udf.tar.gz"}']]),
      errors: [{ messageId: 'notHttps', subject: 'druid.userExtensions.acme-udf', line: envValueLine(0), column: ENV_VALUE_COLUMN }],
    },
    {
      name: 'values: a later -f file wins (lists replace)',
      values: ['druid:\n  customFiles:\n    - path: https://x.example/a.jar\n', 'druid:\n  customFiles:\n    - path: ""\n'],
      errors: [{ messageId: 'noPath', file: 'values-2.yaml', line: 3 }],
    },
    {
      name: 'values: --set a user extension',
      values: 'druid: {}\n',
      sets: [{ flag: '--set', expr: 'druid.userExtensions.foo=ftp://x.example/foo.tgz' }],
      errors: [{ messageId: 'notHttps', subject: 'druid.userExtensions.foo', line: 1, column: 1 }],
    },
    {
      name: 'manifest: unreadable JSON',
      manifest: managerDoc([['imply_defaults_customFiles', '[{"path":']]),
      errors: [{ messageId: 'unreadable', subject: 'druid.customFiles' }],
    },
  ],
});
