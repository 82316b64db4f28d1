import { describe, expect, it } from 'vitest';
import type { LiveDb } from '../../src/model/types.js';
import rule from '../../src/rules/catalog/metadata-db-utf8mb4.js';
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

const priv = { privileged: true };
const manager = (charset: string, exists = true, serverCharset = 'utf8mb4'): LiveDb => ({
  subject: 'manager.metadataStore',
  role: 'manager',
  type: 'mysql',
  flavor: 'mysql',
  host: 'db.example.internal',
  port: 3306,
  reachable: true,
  serverCharset,
  databases: [{ name: 'imply_manager', exists, charset: exists ? charset : undefined, collation: exists ? `${charset}_general_ci` : undefined, ...priv }],
});
const druid = (dbs: { name: string; exists: boolean; charset?: string }[], serverCharset = 'utf8mb4'): LiveDb => ({
  subject: 'druid.metadataStore',
  role: 'druid',
  type: 'mysql',
  flavor: 'mariadb',
  host: 'db.example.internal',
  port: 3306,
  reachable: true,
  serverCharset,
  databases: dbs.map((d) => ({ ...d, ...priv })),
});
const pg = (encoding: string | undefined, exists = true, template = 'UTF8'): LiveDb => ({
  subject: 'manager.metadataStore',
  role: 'manager',
  type: 'postgresql',
  flavor: 'postgresql',
  host: 'pg.example.internal',
  port: 5432,
  reachable: true,
  serverCharset: template,
  databases: [{ name: 'imply_manager', exists, encoding, ...priv }],
});

ruleTester.run('metadata-db-utf8mb4', rule, {
  valid: [
    { name: 'manager database utf8mb4', values, live: { metadataDbs: [manager('utf8mb4')] } },
    { name: 'charset compared case-insensitively', values, live: { metadataDbs: [manager('UTF8MB4')] } },
    { name: 'not created yet on a utf8mb4 server', values, live: { metadataDbs: [manager('', false, 'utf8mb4')] } },
    { name: 'druid databases utf8mb4', values, live: { metadataDbs: [druid([{ name: 'druid_c1', exists: true, charset: 'utf8mb4' }, { name: 'druid_c2', exists: false }])] } },
    { name: 'PostgreSQL UTF8', values, live: { metadataDbs: [pg('UTF8')] } },
    { name: 'unreachable store: no evidence', values, live: { metadataDbs: [{ ...manager('latin1'), reachable: false }] } },
    { name: 'an existing utf8mb4 database on a latin1 server is fine', values, live: { metadataDbs: [manager('utf8mb4', true, 'latin1')] } },
  ],
  invalid: [
    {
      name: 'manager database latin1',
      values,
      live: { metadataDbs: [manager('latin1')] },
      errors: [{ messageId: 'notUtf8mb4', severity: 'error', path: 'manager.metadataStore.database', line: 6, column: 5, subject: 'manager.metadataStore.database' }],
    },
    {
      name: 'utf8mb3 (MySQL utf8) is not utf8mb4',
      values,
      live: { metadataDbs: [manager('utf8mb3')] },
      errors: [{ messageId: 'notUtf8mb4' }],
    },
    {
      name: 'not created yet on a latin1 server',
      values,
      live: { metadataDbs: [manager('', false, 'latin1')] },
      errors: [{ messageId: 'serverDefault', subject: 'manager.metadataStore.database' }],
    },
    {
      name: 'each Druid database is its own finding',
      values,
      live: { metadataDbs: [druid([{ name: 'druid_c1', exists: true, charset: 'latin1' }, { name: 'druid_c2', exists: false }], 'latin1')] },
      errors: [
        { messageId: 'notUtf8mb4', path: 'druid.metadataStore', line: 8, column: 3, subject: 'druid.metadataStore[druid_c1]' },
        { messageId: 'serverDefault', subject: 'druid.metadataStore[druid_c2]' },
      ],
    },
    {
      name: 'PostgreSQL encoding LATIN1 is a warning',
      values,
      live: { metadataDbs: [pg('LATIN1')] },
      errors: [{ messageId: 'notUtf8', severity: 'warning', subject: 'manager.metadataStore.database' }],
    },
    {
      name: 'PostgreSQL database not created yet, template1 SQL_ASCII',
      values,
      live: { metadataDbs: [pg(undefined, false, 'SQL_ASCII')] },
      errors: [{ messageId: 'templateNotUtf8', severity: 'warning' }],
    },
  ],
});

describe('metadata-db-utf8mb4 messages', () => {
  it('report what the charset is and how to fix it', () => {
    const [f] = runCase(rule, { name: 'm', values, live: { metadataDbs: [manager('latin1')] } });
    expect(f.message).toContain('"imply_manager"');
    expect(f.message).toContain('latin1');
    expect(f.message).toContain('ALTER DATABASE `imply_manager` CHARACTER SET utf8mb4');
  });
});
