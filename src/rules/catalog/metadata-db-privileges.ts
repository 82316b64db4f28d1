// Rules stage: metadata-db-privileges, the metadata user holds ALL privileges on its databases (seed; live).
import { hostPort, liveDbPath, liveDbSubject } from '../../model/live.js';
import { defineRule } from '../types.js';

export default defineRule({
  meta: {
    id: 'metadata-db-privileges',
    title: 'Metadata user has ALL privileges',
    severity: 'error',
    category: 'live',
    inputs: ['live'],
    rationale:
      'Imply\'s guide: "the user for the external metadata store should have ALL privileges", and "Imply Manager automatically attempts to create the required databases if they do not exist. If the provided user does not have database creation privileges, manually create the databases". On MySQL/MariaDB preflight evaluates SHOW GRANTS as the server does: global grants, plus the most specific database grant or wildcard pattern (imply\\_%), for the user and its active roles. On PostgreSQL the user must own the database, or hold CONNECT and CREATE on it and CREATE on its public schema (PostgreSQL 15 no longer grants that to everyone). A database not created yet needs CREATE (MySQL) or CREATEDB (PostgreSQL).',
    fix: 'GRANT ALL PRIVILEGES ON `<database>`.* TO the metadata user (MySQL/MariaDB), or make it the owner of the database (PostgreSQL: ALTER DATABASE ... OWNER TO); or create the databases in advance.',
    seed: 'Additionally, the user for the external metadata store should have ALL privileges.',
    subject: 'manager.metadataStore.database, druid.metadataStore[<database>] for each --druid-database',
    messages: {
      missingPrivileges: 'User "{{user}}" lacks ALL privileges on metadata database "{{database}}" ({{subject}}) on {{address}}: missing {{missing}} ({{detail}}). GRANT ALL PRIVILEGES ON `{{database}}`.* TO \'{{user}}\'@\'<its host>\'.',
      missingOnCreate:
        'Metadata database "{{database}}" ({{subject}}) does not exist yet on {{address}}; user "{{user}}" may create it but would lack {{missing}} on it ({{detail}}). GRANT ALL PRIVILEGES ON `{{database}}`.* TO \'{{user}}\'@\'<its host>\'.',
      cannotCreate:
        'Metadata database "{{database}}" ({{subject}}) does not exist on {{address}} (or user "{{user}}" cannot see it) and the user cannot create it ({{detail}}). Create the database in advance and grant the user ALL on it, or grant {{needed}}.',
      pgNotPrivileged:
        'User "{{user}}" neither owns PostgreSQL metadata database "{{database}}" ({{subject}}) on {{address}} nor holds what the Manager needs: missing {{missing}}. ALTER DATABASE "{{database}}" OWNER TO the user, or GRANT CONNECT, CREATE ON DATABASE and CREATE ON SCHEMA public.',
    },
    tags: ['metadata-store', 'live', 'privileges'],
  },
  check(model, ctx) {
    for (const db of model.live?.metadataDbs ?? []) {
      if (!db.reachable) continue;
      const address = hostPort(db.host, db.port);
      const at = model.values ? { values: liveDbPath(db) } : { none: true as const };
      for (const d of db.databases ?? []) {
        if (d.privileged) continue;
        const subject = liveDbSubject(db, d.name);
        const data = {
          database: d.name,
          subject,
          address,
          user: db.user ?? '',
          missing: (d.missing ?? []).join(', ') || 'privileges',
          detail: d.privilegeDetail ?? 'no privileges on it',
          needed: db.type === 'mysql' ? 'CREATE on it' : 'CREATEDB to the role',
        };
        if (!d.exists && d.canCreate === false) ctx.report({ messageId: 'cannotCreate', data, subject, at });
        else if (db.type === 'postgresql') {
          // A PostgreSQL database the user may create, it will own: only an existing one can lack privileges.
          if (d.exists) ctx.report({ messageId: 'pgNotPrivileged', data, subject, at });
        } else if (!d.exists) ctx.report({ messageId: 'missingOnCreate', data, subject, at });
        else ctx.report({ messageId: 'missingPrivileges', data, subject, at });
      }
    }
  },
});
