// Rules stage: metadata-db-utf8mb4, the metadata databases use utf8mb4 by default (seed; live).
import { hostPort, liveDbPath, liveDbSubject } from '../../model/live.js';
import { defineRule } from '../types.js';

export default defineRule({
  meta: {
    id: 'metadata-db-utf8mb4',
    title: 'Metadata databases use utf8mb4',
    severity: 'error',
    category: 'live',
    inputs: ['live'],
    rationale:
      'Imply\'s guide: "An Imply deployment uses one database for Imply Manager and one database for each Imply cluster ... Both databases must use the utf8mb4 default character set." With latin1 or utf8mb3, names and properties outside those character sets fail or are mangled. Preflight reads each database\'s default charset from information_schema.SCHEMATA (the manager database, and each cluster database named by --druid-database); a database not created yet gets the server default (@@character_set_server), so that is judged instead. On PostgreSQL the database encoding should be UTF8 (a warning: the guide is silent on PostgreSQL).',
    fix: 'Create the metadata databases with CHARACTER SET utf8mb4 (or ALTER DATABASE ... CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci before any table exists), or set the server\'s character-set-server to utf8mb4; on PostgreSQL use ENCODING \'UTF8\'.',
    seed: 'Both databases must use the utf8mb4 default character set.',
    subject: 'manager.metadataStore.database, druid.metadataStore[<database>] for each --druid-database',
    messages: {
      notUtf8mb4:
        'Metadata database "{{database}}" ({{subject}}) on {{address}} has default charset {{charset}} (collation {{collation}}); Imply requires utf8mb4. Run ALTER DATABASE `{{database}}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci before the Manager creates tables, or recreate it with utf8mb4.',
      serverDefault:
        'Metadata database "{{database}}" ({{subject}}) does not exist yet on {{address}}, and the server\'s default charset is {{charset}}: the Manager would create it with {{charset}}, not utf8mb4. Create the database with CHARACTER SET utf8mb4 first, or set character-set-server = utf8mb4.',
      notUtf8: 'PostgreSQL metadata database "{{database}}" ({{subject}}) on {{address}} has encoding {{charset}}, not UTF8. Create it with ENCODING \'UTF8\'.',
      templateNotUtf8:
        'PostgreSQL metadata database "{{database}}" ({{subject}}) does not exist yet on {{address}}, and template1 has encoding {{charset}}: a database created from it would not be UTF8. Create it with ENCODING \'UTF8\' (TEMPLATE template0).',
    },
    tags: ['metadata-store', 'live', 'charset'],
  },
  check(model, ctx) {
    for (const db of model.live?.metadataDbs ?? []) {
      if (!db.reachable) continue;
      const address = hostPort(db.host, db.port);
      const at = model.values ? { values: liveDbPath(db) } : { none: true as const };
      for (const d of db.databases ?? []) {
        const subject = liveDbSubject(db, d.name);
        const data = { database: d.name, subject, address, charset: '', collation: d.collation ?? 'unknown' };
        if (db.type === 'mysql') {
          if (d.exists && d.charset && d.charset.toLowerCase() !== 'utf8mb4') {
            ctx.report({ messageId: 'notUtf8mb4', data: { ...data, charset: d.charset }, subject, at });
          } else if (!d.exists && db.serverCharset && db.serverCharset.toLowerCase() !== 'utf8mb4') {
            ctx.report({ messageId: 'serverDefault', data: { ...data, charset: db.serverCharset }, subject, at });
          }
        } else if (d.exists && d.encoding && d.encoding.toUpperCase() !== 'UTF8') {
          ctx.report({ messageId: 'notUtf8', data: { ...data, charset: d.encoding }, subject, at, severity: 'warning' });
        } else if (!d.exists && db.serverCharset && db.serverCharset.toUpperCase() !== 'UTF8') {
          ctx.report({ messageId: 'templateNotUtf8', data: { ...data, charset: db.serverCharset }, subject, at, severity: 'warning' });
        }
      }
    }
  },
});
