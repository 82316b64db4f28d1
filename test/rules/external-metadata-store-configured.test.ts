import rule from '../../src/rules/catalog/external-metadata-store-configured.js';
import { managerDoc, mysqlDocs, productionManagerEnv, stream } from '../fixtures/quickstart-availability.js';
import { ruleTester } from '../helpers/rule-tester.js';

const external = `deployments:
  mysql: false
manager:
  metadataStore:
    type: mysql
    host: db.internal
    port: 3306
    database: imply_manager
druid:
  metadataStore:
    type: mysql
    host: db.internal
    port: 3306
`;

ruleTester.run('external-metadata-store-configured', rule, {
  valid: [
    { name: 'external MySQL for both', values: external },
    { name: 'the 2023 defaults: external PostgreSQL (assumed)', values: 'images:\n  manager:\n    tag: "2023.03.1"\n' },
    { name: 'a custom port is legitimate', values: external.replace(/port: 3306/g, 'port: 6033') },
    { name: 'bundled MySQL on: its defaults are right (2021 line)', values: 'druid: {}\n', chartVersion: '2021.05-1' },
    { name: 'a quoted "false" leaves the bundled MySQL on', values: 'deployments:\n  mysql: "false"\n', chartVersion: '2021.05-1' },
    { name: 'production manager env', manifest: managerDoc(productionManagerEnv()) },
    {
      name: 'whole stream with the MySQL Deployment: the bundled store is on',
      manifest: stream(mysqlDocs(), managerDoc(productionManagerEnv({ IMPLY_MANAGER_STORE_HOST: 'rel-mysql' }))),
    },
    {
      name: 'admission of the manager alone cannot tell the bundled MySQL is off',
      manifest: managerDoc(productionManagerEnv({ IMPLY_MANAGER_STORE_HOST: 'rel-mysql', imply_defaults_metadataStorageHost: 'rel-mysql' })),
      wholeStream: false,
    },
  ],
  invalid: [
    {
      name: '2021 line: MySQL disabled, hosts left at {{ .Release.Name }}-mysql',
      values: 'deployments:\n  mysql: false\n',
      chartVersion: '2021.05-1',
      errors: [
        { messageId: 'hostBundled', path: 'manager.metadataStore.host', line: 1, column: 1, subject: 'manager.metadataStore.host' },
        { messageId: 'hostBundled', path: 'druid.metadataStore.host', line: 1, column: 1, subject: 'druid.metadataStore.host' },
      ],
    },
    {
      name: 'YAML 1.1 "no" disables MySQL; empty manager host and a postgres typo',
      values: external.replace('mysql: false', 'mysql: no').replace('host: db.internal\n    port: 3306\n    database', 'host: ""\n    port: 3306\n    database').replace(/druid:\n  metadataStore:\n    type: mysql/, 'druid:\n  metadataStore:\n    type: postgres'),
      errors: [
        { messageId: 'hostMissing', severity: 'error', path: 'manager.metadataStore.host', line: 6, column: 5, subject: 'manager.metadataStore.host' },
        { messageId: 'typeInvalid', severity: 'error', path: 'druid.metadataStore.type', line: 11, column: 5, subject: 'druid.metadataStore.type' },
      ],
    },
    {
      name: 'swapped well-known port is a warning',
      values: external.replace('port: 3306\n    database', 'port: 5432\n    database'),
      errors: [{ messageId: 'portMismatch', severity: 'warning', path: 'manager.metadataStore.port', line: 7, column: 5, subject: 'manager.metadataStore.port' }],
    },
    {
      name: 'database name with a space; null deletes the druid host default',
      values: external.replace('database: imply_manager', 'database: imply manager').replace(/(druid:\n  metadataStore:\n    type: mysql\n)    host: db.internal/, '$1    host: null'),
      errors: [
        { messageId: 'databaseSpaces', path: 'manager.metadataStore.database', line: 8, column: 5, subject: 'manager.metadataStore.database' },
        { messageId: 'hostMissing', path: 'druid.metadataStore.host', line: 12, column: 5 },
      ],
    },
    {
      name: 'empty database, set by --set-string over the file',
      values: external,
      sets: [{ flag: '--set-string', expr: 'manager.metadataStore.database=' }],
      errors: [{ messageId: 'databaseMissing', path: 'manager.metadataStore.database', subject: 'manager.metadataStore.database' }],
    },
    {
      name: 'later -f file points the manager back at the release MySQL Service',
      values: [external, 'manager:\n  metadataStore:\n    host: imply-mysql\n'],
      context: { releaseName: 'imply' },
      errors: [{ messageId: 'hostBundled', file: 'values-2.yaml', line: 3, column: 5, path: 'manager.metadataStore.host' }],
    },
    {
      name: 'whole stream without MySQL, manager still on the release Service',
      manifest: managerDoc(productionManagerEnv({ IMPLY_MANAGER_STORE_HOST: 'rel-mysql' })),
      errors: [
        {
          messageId: 'hostBundled',
          object: 'Deployment/rel-manager',
          path: 'spec.template.spec.containers[0].env[1].value',
          line: 18,
          column: 22,
          subject: 'manager.metadataStore.host',
        },
      ],
    },
    {
      name: 'admitted manager alone: type, port and database are still its own mistakes',
      manifest: managerDoc(productionManagerEnv({ IMPLY_MANAGER_STORE_TYPE: 'mariadb', IMPLY_MANAGER_STORE_DATABASE: 'imply manager', imply_defaults_metadataStoragePort: '5432', imply_defaults_metadataStorageType: 'postgresql' })),
      wholeStream: false,
      errors: [
        { messageId: 'typeInvalid', object: 'Deployment/rel-manager', line: 16, subject: 'manager.metadataStore.type' },
        { messageId: 'databaseSpaces', object: 'Deployment/rel-manager', line: 22, subject: 'manager.metadataStore.database' },
      ],
    },
    {
      name: 'druid defaults with a swapped port in the manager env',
      manifest: managerDoc(productionManagerEnv({ imply_defaults_metadataStoragePort: '5432' })),
      errors: [{ messageId: 'portMismatch', severity: 'warning', object: 'Deployment/rel-manager', subject: 'druid.metadataStore.port' }],
    },
  ],
});
