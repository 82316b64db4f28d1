import type { LiveDb } from '../../src/model/types.js';
import rule from '../../src/rules/catalog/metadata-db-version.js';
import { ruleTester } from '../helpers/rule-tester.js';

const values = `manager:
  metadataStore:
    type: mysql
    host: db.example.internal
druid:
  metadataStore:
    type: mysql
    host: db.example.internal
`;

const db = (version: string, flavor: LiveDb['flavor'] = 'mysql', role: 'manager' | 'druid' = 'manager'): LiveDb => ({
  subject: `${role}.metadataStore`,
  role,
  type: flavor === 'postgresql' ? 'postgresql' : 'mysql',
  flavor,
  host: 'db.example.internal',
  port: 3306,
  reachable: true,
  version,
});

ruleTester.run('metadata-db-version', rule, {
  valid: [
    { name: 'MySQL 5.7.21 exactly', values, live: { metadataDbs: [db('5.7.21-log')] } },
    { name: 'MySQL 8.0', values, live: { metadataDbs: [db('8.0.36')] } },
    { name: 'PostgreSQL: the guide sets no minimum', values, live: { metadataDbs: [db('9.6.24', 'postgresql')] } },
    { name: 'unparsable version: no evidence', values, live: { metadataDbs: [db('custom-build')] } },
    { name: 'unreachable: no evidence', values, live: { metadataDbs: [{ ...db('5.6.51'), reachable: false }] } },
  ],
  invalid: [
    {
      name: 'MySQL 5.7.20',
      values,
      live: { metadataDbs: [db('5.7.20-log')] },
      errors: [{ messageId: 'tooOld', severity: 'error', path: 'manager.metadataStore.host', line: 4, column: 5, subject: 'manager.metadataStore' }],
    },
    {
      name: 'MySQL 5.6 on the druid store',
      values,
      live: { metadataDbs: [db('5.6.51', 'mysql', 'druid')] },
      errors: [{ messageId: 'tooOld', path: 'druid.metadataStore.host', line: 8, subject: 'druid.metadataStore' }],
    },
    {
      name: 'MariaDB 10.11 passes a naive compare but is reported as MariaDB',
      values,
      live: { metadataDbs: [db('10.11.19-MariaDB-0+deb12u1', 'mariadb')] },
      errors: [{ messageId: 'mariadb', severity: 'warning', subject: 'manager.metadataStore' }],
    },
  ],
});
