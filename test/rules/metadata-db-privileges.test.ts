import { describe, expect, it } from 'vitest';
import type { LiveDb, LiveDbDatabase } from '../../src/model/types.js';
import rule from '../../src/rules/catalog/metadata-db-privileges.js';
import { runCase, ruleTester } from '../helpers/rule-tester.js';

const values = `manager:
  metadataStore:
    type: mysql
    host: db.example.internal
    user: imply
    database: imply_manager
druid:
  metadataStore:
    type: mysql
    host: db.example.internal
`;

const mysql = (role: 'manager' | 'druid', dbs: LiveDbDatabase[]): LiveDb => ({
  subject: `${role}.metadataStore`,
  role,
  type: 'mysql',
  flavor: 'mysql',
  host: 'db.example.internal',
  port: 3306,
  user: 'imply',
  reachable: true,
  databases: dbs,
});
const pg = (dbs: LiveDbDatabase[]): LiveDb => ({ ...mysql('manager', dbs), type: 'postgresql', flavor: 'postgresql', port: 5432 });
const ok: LiveDbDatabase = { name: 'imply_manager', exists: true, charset: 'utf8mb4', privileged: true, missing: [], canCreate: true, privilegeDetail: 'privileges from `imply_manager`.* (imply@%)' };

ruleTester.run('metadata-db-privileges', rule, {
  valid: [
    { name: 'ALL on the manager database', values, live: { metadataDbs: [mysql('manager', [ok])] } },
    { name: 'a database not created yet the user may create with ALL', values, live: { metadataDbs: [mysql('druid', [{ name: 'druid_c1', exists: false, privileged: true, canCreate: true }])] } },
    { name: 'PostgreSQL owner', values, live: { metadataDbs: [pg([{ ...ok, owner: true }])] } },
    { name: 'PostgreSQL database not created yet, CREATEDB', values, live: { metadataDbs: [pg([{ name: 'imply_manager', exists: false, privileged: true, canCreate: true }])] } },
    { name: 'unreachable: no evidence', values, live: { metadataDbs: [{ ...mysql('manager', [{ ...ok, privileged: false }]), reachable: false }] } },
  ],
  invalid: [
    {
      name: 'SELECT and INSERT only',
      values,
      live: { metadataDbs: [mysql('manager', [{ ...ok, privileged: false, missing: ['UPDATE', 'DELETE', 'CREATE'], privilegeDetail: 'privileges from `imply_manager`.* (imply@%)' }])] },
      errors: [{ messageId: 'missingPrivileges', severity: 'error', path: 'manager.metadataStore.database', line: 6, column: 5, subject: 'manager.metadataStore.database' }],
    },
    {
      name: 'Druid database not created yet and no CREATE',
      values,
      live: { metadataDbs: [mysql('druid', [{ name: 'druid_c1', exists: false, privileged: false, canCreate: false, missing: ['CREATE'], privilegeDetail: 'no privileges on it' }])] },
      errors: [{ messageId: 'cannotCreate', path: 'druid.metadataStore', line: 8, subject: 'druid.metadataStore[druid_c1]' }],
    },
    {
      name: 'may create it but would not hold ALL on it',
      values,
      live: { metadataDbs: [mysql('druid', [{ name: 'druid_c1', exists: false, privileged: false, canCreate: true, missing: ['DROP'] }])] },
      errors: [{ messageId: 'missingOnCreate', subject: 'druid.metadataStore[druid_c1]' }],
    },
    {
      name: 'PostgreSQL: neither owner nor CREATE on schema public',
      values,
      live: { metadataDbs: [pg([{ name: 'imply_manager', exists: true, encoding: 'UTF8', owner: false, privileged: false, missing: ['CREATE on the database', 'CREATE on schema public'] }])] },
      errors: [{ messageId: 'pgNotPrivileged', subject: 'manager.metadataStore.database' }],
    },
    {
      name: 'PostgreSQL: database missing and no CREATEDB',
      values,
      live: { metadataDbs: [pg([{ name: 'imply_manager', exists: false, privileged: false, canCreate: false, missing: ['CREATEDB'] }])] },
      errors: [{ messageId: 'cannotCreate' }],
    },
  ],
});

describe('metadata-db-privileges messages', () => {
  it('name the user, the database and what is missing', () => {
    const [f] = runCase(rule, { name: 'm', values, live: { metadataDbs: [mysql('manager', [{ ...ok, privileged: false, missing: ['CREATE', 'DROP'] }])] } });
    expect(f.message).toContain('User "imply"');
    expect(f.message).toContain('missing CREATE, DROP');
    expect(f.message).toContain('GRANT ALL PRIVILEGES ON `imply_manager`.*');
  });
});
