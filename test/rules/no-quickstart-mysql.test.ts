import rule from '../../src/rules/catalog/no-quickstart-mysql.js';
import { managerDoc, mysqlDocs, productionManagerEnv, stream } from '../fixtures/quickstart-availability.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run('no-quickstart-mysql', rule, {
  valid: [
    { name: 'disabled in values', values: 'deployments:\n  mysql: false\n' },
    { name: 'YAML 1.1 "off" is false for Helm', values: 'deployments:\n  mysql: off\n' },
    { name: '2023.03.1 chart default is false (assumed)', values: 'images:\n  manager:\n    tag: "2023.03.1"\n' },
    { name: '2021 line with mysql disabled explicitly', values: 'deployments:\n  mysql: no\n', chartVersion: '2021.05-1' },
    { name: '--set turns the 2021 default off', values: 'images: {}\n', chartVersion: '2021.05-1', sets: [{ flag: '--set', expr: 'deployments.mysql=false' }] },
    { name: 'later -f file disables it', values: ['deployments:\n  mysql: true\n', 'deployments:\n  mysql: false\n'] },
    { name: 'production manager with an external store and no MySQL objects', manifest: managerDoc(productionManagerEnv()) },
    {
      name: 'the MySQL test hook alone is not a deployed component',
      manifest: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: rel-mysql-test\n  labels: {app: rel-mysql, release: rel}\n  annotations: {"helm.sh/hook": test-success}\n',
    },
    {
      name: 'a host that merely ends in -mysql of another release is not the bundled one',
      manifest: managerDoc(productionManagerEnv({ IMPLY_MANAGER_STORE_HOST: 'other-mysql', imply_defaults_metadataStorageHost: 'other-mysql' })),
    },
  ],
  invalid: [
    {
      name: 'enabled explicitly',
      values: 'deployments:\n  mysql: true\n',
      errors: [{ messageId: 'enabled', path: 'deployments.mysql', line: 2, column: 3, subject: 'deployments.mysql' }],
    },
    {
      name: '2021.05-1 chart default is true, anchored at the nearest parent key',
      values: 'deployments:\n  minio: false\n',
      chartVersion: '2021.05-1',
      errors: [{ messageId: 'enabled', path: 'deployments.mysql', line: 1, column: 1, subject: 'deployments.mysql' }],
    },
    {
      name: '0.4 line picked from images.manager.tag defaults to true',
      values: 'images:\n  manager:\n    tag: "2020.12"\n',
      errors: [{ messageId: 'enabled', path: 'deployments.mysql', line: 1, column: 1 }],
    },
    {
      name: 'a quoted "false" is no boolean: the subchart stays on',
      values: 'deployments:\n  mysql: "false"\n',
      errors: [{ messageId: 'enabled', path: 'deployments.mysql', line: 2, column: 3 }],
    },
    {
      name: '--set-string makes it a string: still on',
      values: 'deployments:\n  mysql: false\n',
      sets: [{ flag: '--set-string', expr: 'deployments.mysql=false' }],
      errors: [{ messageId: 'enabled', path: 'deployments.mysql' }],
    },
    {
      name: 'null deletes the chart default: no boolean, the subchart stays on',
      values: 'deployments:\n  mysql: null\n',
      errors: [{ messageId: 'enabled', path: 'deployments.mysql', line: 2, column: 3 }],
    },
    {
      name: 'later -f file enables it',
      values: ['deployments:\n  mysql: false\n', 'deployments:\n  mysql: yes\n'],
      errors: [{ messageId: 'enabled', file: 'values-2.yaml', line: 2, column: 3 }],
    },
    {
      name: 'MySQL objects (labelled app: <release>-mysql) fold into one finding on the Deployment',
      manifest: mysqlDocs(),
      errors: [{ messageId: 'enabled', object: 'Deployment/rel-mysql', line: 24, column: 1, subject: 'deployments.mysql', related: 2 }],
    },
    {
      name: 'the manager storing metadata on the release MySQL Service is evidence too (admission of the manager alone)',
      manifest: managerDoc([
        ['IMPLY_MANAGER_STORE_TYPE', 'mysql'],
        ['IMPLY_MANAGER_STORE_HOST', 'rel-mysql'],
      ]),
      wholeStream: false,
      errors: [{ messageId: 'enabled', object: 'Deployment/rel-manager', path: 'spec.template.spec.containers[0].env[1].value', line: 18, column: 22, subject: 'deployments.mysql' }],
    },
    {
      name: 'manager and druid defaults on the bundled Service fold into the workload finding',
      manifest: stream(mysqlDocs(), managerDoc(productionManagerEnv({ IMPLY_MANAGER_STORE_HOST: 'rel-mysql', imply_defaults_metadataStorageHost: 'rel-mysql.default.svc.cluster.local' }))),
      errors: [{ messageId: 'enabled', object: 'Deployment/rel-mysql', related: 4 }],
    },
    {
      name: '--release-name resolves the literal Service name',
      manifest: managerDoc([
        ['IMPLY_MANAGER_STORE_TYPE', 'mysql'],
        ['IMPLY_MANAGER_STORE_HOST', 'prod-mysql'],
      ], 'prod'),
      context: { releaseName: 'prod' },
      errors: [{ messageId: 'enabled', object: 'Deployment/prod-manager' }],
    },
  ],
});
