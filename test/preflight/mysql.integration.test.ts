// Preflight against the real MariaDB (test/setup/services.ts): databases created with latin1 and with
// utf8mb4, users with and without ALL (direct, wildcard and role grants), a database not created yet,
// a wrong password and TLS verified against the test CA; each run through the real lint engine.
import fs from 'node:fs';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSource } from '../../src/model/source.js';
import { buildValuesModel } from '../../src/model/values.js';
import { runPreflight } from '../../src/preflight/index.js';
import { probeMysql } from '../../src/preflight/probes/mysql.js';
import { makeCert, pemBlockScalar } from '../helpers/pki.js';
import { lintLive, requireServices, SERVICES, suffix } from './helpers.js';

const S = suffix();
const DB = { utf8: `il_${S}_utf8`, latin1: `il_${S}_latin1`, fresh: `il_${S}_new` };
const USERS = {
  all: { name: `il_${S}_all`, password: `Pw-all-${S}!x` },
  ro: { name: `il_${S}_ro`, password: `Pw-ro-${S}!x` },
  wild: { name: `il_${S}_wild`, password: `Pw-wild-${S}!x` },
  role: { name: `il_${S}_role`, password: `Pw-role-${S}!x` },
  none: { name: `il_${S}_none`, password: `Pw-none-${S}!x` },
};
const ROLE = `il_${S}_r`;
const ACL_DB = `a${S}_ab`;

let admin: mysql.Connection;

function values(user: { name: string; password: string }, managerDb: string, extra = ''): string {
  const store = (db?: string) =>
    `  metadataStore:\n    type: mysql\n    host: ${SERVICES.mariadb.host}\n    port: ${SERVICES.mariadb.port}\n    user: ${user.name}\n    password: "${user.password}"\n${db ? `    database: ${db}\n` : ''}${extra}`;
  return `deployments: {mysql: false, zookeeper: false}\nmanager:\n${store(managerDb)}druid:\n${store()}  zk: {connectString: "127.0.0.1:${SERVICES.zookeeper.port}"}\n`;
}

async function preflight(text: string, druidDatabases: string[]) {
  const v = buildValuesModel({ files: [makeSource('values.yaml', text, 'values')] });
  const live = await runPreflight({ values: v, druidDatabases, timeoutMs: 5000, helm: false, inCluster: false });
  return { live, ...lintLive(text, live) };
}

beforeAll(async () => {
  requireServices();
  admin = await mysql.createConnection({ ...SERVICES.mariadb, multipleStatements: true });
  const q = (sql: string) => admin.query(sql);
  await q(`CREATE DATABASE \`${DB.utf8}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await q(`CREATE DATABASE \`${DB.latin1}\` CHARACTER SET latin1`);
  for (const u of Object.values(USERS)) await q(`CREATE USER '${u.name}'@'%' IDENTIFIED BY '${u.password}'`);
  await q(`GRANT ALL PRIVILEGES ON \`${DB.utf8}\`.* TO '${USERS.all.name}'@'%'`);
  await q(`GRANT ALL PRIVILEGES ON \`${DB.latin1}\`.* TO '${USERS.all.name}'@'%'`);
  await q(`GRANT SELECT, INSERT ON \`${DB.utf8}\`.* TO '${USERS.ro.name}'@'%'`);
  await q(`GRANT ALL PRIVILEGES ON \`il\\_${S}\\_%\`.* TO '${USERS.wild.name}'@'%'`);
  await q(`CREATE ROLE \`${ROLE}\``);
  await q(`GRANT ALL PRIVILEGES ON \`${DB.utf8}\`.* TO \`${ROLE}\``);
  await q(`GRANT \`${ROLE}\` TO '${USERS.role.name}'@'%'`);
  await q(`SET DEFAULT ROLE \`${ROLE}\` FOR '${USERS.role.name}'@'%'`);
});

afterAll(async () => {
  if (!admin) return;
  const q = (sql: string) => admin.query(sql).catch(() => undefined);
  for (const u of Object.values(USERS)) await q(`DROP USER IF EXISTS '${u.name}'@'%'`);
  await q(`DROP USER IF EXISTS 'a${S}_u'@'%'`);
  await q(`DROP ROLE IF EXISTS \`${ROLE}\``);
  for (const d of [...Object.values(DB), ACL_DB]) await q(`DROP DATABASE IF EXISTS \`${d}\``);
  await admin.end();
});

describe('MariaDB: charset, privileges, version', () => {
  it('a user with ALL on utf8mb4 and latin1 databases: the latin1 one and the uncreatable one are findings', async () => {
    const { live, keys } = await preflight(values(USERS.all, DB.utf8), [DB.latin1, DB.fresh]);
    const [mgr, druid] = live.metadataDbs!;
    expect(mgr).toMatchObject({ reachable: true, flavor: 'mariadb', serverCharset: 'utf8mb4' });
    expect(mgr.version).toMatch(/MariaDB/);
    expect(mgr.databases).toEqual([expect.objectContaining({ name: DB.utf8, exists: true, charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci', privileged: true })]);
    expect(druid.databases).toEqual([
      expect.objectContaining({ name: DB.latin1, exists: true, charset: 'latin1', privileged: true }),
      expect.objectContaining({ name: DB.fresh, exists: false, privileged: false, canCreate: false }),
    ]);
    expect(keys).toEqual(
      [
        `metadata-db-privileges/cannotCreate/druid.metadataStore[${DB.fresh}]`,
        `metadata-db-utf8mb4/notUtf8mb4/druid.metadataStore[${DB.latin1}]`,
        'metadata-db-version/mariadb/druid.metadataStore',
        'metadata-db-version/mariadb/manager.metadataStore',
      ].sort(),
    );
  });

  it('a user with SELECT/INSERT only lacks ALL; a database it cannot see is judged by CREATE', async () => {
    const { keys, findings } = await preflight(values(USERS.ro, DB.utf8), [DB.latin1]);
    expect(keys).toContain('metadata-db-privileges/missingPrivileges/manager.metadataStore.database');
    expect(keys).toContain(`metadata-db-privileges/cannotCreate/druid.metadataStore[${DB.latin1}]`);
    const f = findings.find((x) => x.messageId === 'missingPrivileges')!;
    expect(f.message).toContain(`User "${USERS.ro.name}"`);
    expect(f.message).toMatch(/missing UPDATE, DELETE, CREATE/);
    expect(f.location).toMatchObject({ file: 'values.yaml', line: 9 });
  });

  it('a wildcard grant (il\\_<run>\\_%) covers existing and future databases', async () => {
    const { live, keys } = await preflight(values(USERS.wild, DB.latin1), [DB.utf8, DB.fresh]);
    expect(live.metadataDbs![1].databases!.map((d) => [d.name, d.privileged])).toEqual([
      [DB.utf8, true],
      [DB.fresh, true],
    ]);
    expect(live.metadataDbs![1].databases![0].privilegeDetail).toContain(`il\\_${S}\\_%`);
    expect(keys.filter((k) => k.startsWith('metadata-db-privileges'))).toEqual([]);
    expect(keys).toContain('metadata-db-utf8mb4/notUtf8mb4/manager.metadataStore.database');
  });

  it('a default role with ALL counts', async () => {
    const { live, keys } = await preflight(values(USERS.role, DB.utf8), []);
    const d = live.metadataDbs![0].databases![0];
    expect(d).toMatchObject({ privileged: true });
    expect(d.privilegeDetail).toContain(ROLE);
    expect(keys.filter((k) => !k.startsWith('metadata-db-version'))).toEqual([]);
  });

  it('a user with no grants cannot see or create the database', async () => {
    const { keys } = await preflight(values(USERS.none, DB.utf8), [DB.fresh]);
    expect(keys).toContain('metadata-db-privileges/cannotCreate/manager.metadataStore.database');
    expect(keys).toContain(`metadata-db-privileges/cannotCreate/druid.metadataStore[${DB.fresh}]`);
  });
});

describe('MariaDB: login failures never leak the password', () => {
  it('a wrong password is a loginRefused finding', async () => {
    const wrong = { name: USERS.all.name, password: `Wrong-${S}-pässwörd` };
    const { live, keys, findings } = await preflight(values(wrong, DB.utf8), [DB.latin1]);
    expect(keys).toEqual(['metadata-db-reachable/loginRefused/druid.metadataStore', 'metadata-db-reachable/loginRefused/manager.metadataStore']);
    expect(live.metadataDbs![0]).toMatchObject({ reachable: false, errorKind: 'auth' });
    expect(findings[0].message).toMatch(/Access denied/);
    const everything = JSON.stringify({ live, findings });
    expect(everything).not.toContain(wrong.password);
    expect(everything).not.toContain(encodeURIComponent(wrong.password));
  });
});

describe('MariaDB: TLS from tlsCert', () => {
  it('verifies the server against the CA given in tlsCert', async () => {
    const ca = fs.readFileSync(SERVICES.caFile, 'utf8');
    const text = values(USERS.all, DB.utf8, pemBlockScalar('tlsCert', ca, 6));
    const { live, keys } = await preflight(text, []);
    expect(live.metadataDbs![0]).toMatchObject({ reachable: true, tls: true });
    expect(keys.filter((k) => k.startsWith('metadata-db-reachable'))).toEqual([]);
  });
  it('another CA fails verification: tlsFailed', async () => {
    const other = makeCert({ cn: 'not the server CA' }).certPem;
    const text = values(USERS.all, DB.utf8, pemBlockScalar('tlsCert', other, 6));
    const { live, keys } = await preflight(text, []);
    expect(live.metadataDbs![0]).toMatchObject({ reachable: false, errorKind: 'tls' });
    expect(keys).toContain('metadata-db-reachable/tlsFailed/manager.metadataStore');
  });
});

describe('grant evaluation agrees with the server', () => {
  // Each case: grants to one user; the server's answer to CREATE TABLE is the truth the evaluator must match.
  const cases: [string, string][] = [
    [`SELECT ON \`${ACL_DB}\`.*`, `ALL ON \`a${S}\\_%\`.*`],
    [`SELECT ON \`a${S}\\_ab\`.*`, `ALL ON \`a${S}\\_%\`.*`],
    [`SELECT ON \`a${S}\\_a_\`.*`, `ALL ON \`a${S}\\_%\`.*`],
    [`ALL ON \`a${S}\\_a_\`.*`, `SELECT ON \`a${S}\\_%\`.*`],
    [`SELECT ON \`a${S}\\_%\`.*`, `ALL ON \`a${S}%\`.*`],
    [`ALL ON \`a${S}\\_%\`.*`, `SELECT ON \`a${S}%\`.*`],
    [`SELECT ON \`a${S}%\`.*`, `ALL ON \`a${S}\\_a%\`.*`],
    [`ALL ON \`a${S}%\`.*`, `SELECT ON \`a${S}\\_a%\`.*`],
    [`ALL ON \`${ACL_DB}\`.*`, `SELECT ON \`a${S}\\_ab\`.*`],
    [`SELECT ON \`${ACL_DB}\`.*`, `ALL ON \`a${S}\\_ab\`.*`],
  ];
  const user = `a${S}_u`;
  for (const [i, [g1, g2]] of cases.entries()) {
    it(`case ${i + 1}: ${g1} + ${g2}`, async () => {
      await admin.query(`DROP USER IF EXISTS '${user}'@'%'`);
      await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'acl-${S}'`);
      await admin.query(`GRANT ${g1} TO '${user}'@'%'`);
      await admin.query(`GRANT ${g2} TO '${user}'@'%'`);
      await admin.query(`CREATE DATABASE IF NOT EXISTS \`${ACL_DB}\``);
      const conn = await mysql.createConnection({ host: SERVICES.mariadb.host, port: SERVICES.mariadb.port, user, password: `acl-${S}` });
      const server = await conn.query(`CREATE TABLE \`${ACL_DB}\`.t${i} (i int)`).then(
        () => true,
        (e: { code?: string }) => (e.code === 'ER_TABLEACCESS_DENIED_ERROR' ? false : Promise.reject(e)),
      );
      await conn.end();
      const fact = await probeMysql({ role: 'druid', subject: 'druid.metadataStore', type: 'mysql', host: SERVICES.mariadb.host, port: SERVICES.mariadb.port, user, password: `acl-${S}`, databases: [ACL_DB], overridden: false }, 5000, false);
      expect(fact.error).toBeUndefined();
      const d = fact.databases![0];
      expect(d.missing!.includes('CREATE'), `server said CREATE ${server ? 'allowed' : 'denied'}; evaluator: ${d.privilegeDetail}`).toBe(!server);
    });
  }
});
