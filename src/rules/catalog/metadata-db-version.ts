// Rules stage: metadata-db-version, an external MySQL metadata store runs 5.7.21 or later (seed; live).
import { hostPort, liveDbHostPath } from '../../model/live.js';
import { defineRule } from '../types.js';
import { compareVersions, parseVersion } from '../util.js';

const MINIMUM = [5, 7, 21];

export default defineRule({
  meta: {
    id: 'metadata-db-version',
    title: 'MySQL metadata store 5.7.21 or later',
    severity: 'error',
    category: 'live',
    inputs: ['live'],
    rationale:
      'Imply\'s guide: "For external metadata storage, Imply Manager and the Druid clusters require MySQL version 5.7.21 or later." Preflight reads SELECT VERSION() from the server. MariaDB reports versions such as 10.11.6-MariaDB, which pass a naive comparison with 5.7.21 although MariaDB is another product: it is detected from the version string and @@version_comment and reported as such, at warning, since the guide does not cover it.',
    fix: 'Upgrade the metadata store to MySQL 5.7.21 or later (or use PostgreSQL); for MariaDB, confirm support with Imply or move to MySQL.',
    seed: 'For external metadata storage, Imply Manager and the Druid clusters require MySQL version 5.7.21 or later.',
    subject: 'manager.metadataStore, druid.metadataStore',
    messages: {
      tooOld: 'The {{role}} metadata store ({{subject}}) at {{address}} runs MySQL {{version}}, older than 5.7.21, which Imply requires. Upgrade it to MySQL 5.7.21 or later.',
      mariadb:
        'The {{role}} metadata store ({{subject}}) at {{address}} is MariaDB {{version}}, not MySQL: Imply documents MySQL 5.7.21+ and PostgreSQL, and the guide does not cover MariaDB. Confirm support with Imply, or use MySQL.',
    },
    tags: ['metadata-store', 'live', 'compatibility'],
  },
  check(model, ctx) {
    for (const db of model.live?.metadataDbs ?? []) {
      if (!db.reachable || db.type !== 'mysql' || !db.version) continue;
      const data = { role: db.role, subject: db.subject, address: hostPort(db.host, db.port), version: db.version };
      const at = model.values ? { values: liveDbHostPath(db) } : { none: true as const };
      if (db.flavor === 'mariadb') {
        ctx.report({ messageId: 'mariadb', data, subject: db.subject, at, severity: 'warning' });
        continue;
      }
      const v = parseVersion(db.version);
      if (v && compareVersions(v, MINIMUM) < 0) ctx.report({ messageId: 'tooOld', data, subject: db.subject, at });
    }
  },
});
