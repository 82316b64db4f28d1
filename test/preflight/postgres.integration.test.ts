// Preflight against the real PostgreSQL (test/setup/services.ts): UTF8 and LATIN1 databases, an owner,
// a user granted CONNECT/CREATE and CREATE on schema public, a user with neither (PostgreSQL 15 no
// longer lets everyone create in public), CREATEDB for a database not created yet, a wrong password
// and TLS verified against the test CA; each run through the real lint engine.
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSource } from '../../src/model/source.js';
import { buildValuesModel } from '../../src/model/values.js';
import { runPreflight } from '../../src/preflight/index.js';
import { makeCert, pemBlockScalar } from '../helpers/pki.js';
import { lintLive, requireServices, SERVICES, suffix } from './helpers.js';

const S = suffix();
const DB = { owned: `il_${S}_owned`, other: `il_${S}_other`, latin1: `il_${S}_latin1`, fresh: `il_${S}_new` };
const ROLES = {
  owner: { name: `il_${S}_owner`, password: `Pw-owner-${S}!` },
  granted: { name: `il_${S}_granted`, password: `Pw-granted-${S}!` },
  plain: { name: `il_${S}_plain`, password: `Pw-plain-${S}!` },
  creator: { name: `il_${S}_creator`, password: `Pw-creator-${S}!` },
};

let admin: pg.Client;

async function adminOn(database: string): Promise<pg.Client> {
  const c = new pg.Client({ ...SERVICES.postgres, database });
  await c.connect();
  return c;
}

function values(user: { name: string; password: string }, managerDb: string, extra = ''): string {
  const store = (db?: string) =>
    `  metadataStore:\n    type: postgresql\n    host: ${SERVICES.postgres.host}\n    port: ${SERVICES.postgres.port}\n    user: ${user.name}\n    password: "${user.password}"\n${db ? `    database: ${db}\n` : ''}${extra}`;
  return `deployments: {mysql: false}\nmanager:\n${store(managerDb)}druid:\n${store()}`;
}

async function preflight(text: string, druidDatabases: string[]) {
  const v = buildValuesModel({ files: [makeSource('values.yaml', text, 'values')] });
  const live = await runPreflight({ values: v, druidDatabases, timeoutMs: 5000, helm: false, inCluster: false, zkConnect: `127.0.0.1:${SERVICES.zookeeper.port}` });
  return { live, ...lintLive(text, live) };
}

beforeAll(async () => {
  requireServices();
  admin = await adminOn('postgres');
  for (const r of Object.values(ROLES)) await admin.query(`CREATE ROLE "${r.name}" LOGIN PASSWORD '${r.password}'`);
  await admin.query(`ALTER ROLE "${ROLES.creator.name}" CREATEDB`);
  await admin.query(`CREATE DATABASE "${DB.owned}" OWNER "${ROLES.owner.name}" ENCODING 'UTF8'`);
  await admin.query(`CREATE DATABASE "${DB.other}" ENCODING 'UTF8'`);
  await admin.query(`CREATE DATABASE "${DB.latin1}" OWNER "${ROLES.owner.name}" ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
  await admin.query(`GRANT CONNECT, CREATE ON DATABASE "${DB.other}" TO "${ROLES.granted.name}"`);
  const other = await adminOn(DB.other);
  await other.query(`GRANT CREATE, USAGE ON SCHEMA public TO "${ROLES.granted.name}"`);
  await other.end();
});

afterAll(async () => {
  if (!admin) return;
  for (const d of Object.values(DB)) await admin.query(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`).catch(() => undefined);
  for (const r of Object.values(ROLES)) await admin.query(`DROP ROLE IF EXISTS "${r.name}"`).catch(() => undefined);
  await admin.end();
});

describe('PostgreSQL: encoding and privileges', () => {
  it('the owner of a UTF8 database passes; its LATIN1 database is a warning', async () => {
    const { live, keys, findings } = await preflight(values(ROLES.owner, DB.owned), [DB.latin1]);
    const [mgr, druid] = live.metadataDbs!;
    expect(mgr).toMatchObject({ reachable: true, flavor: 'postgresql', serverCharset: 'UTF8' });
    expect(mgr.version).toMatch(/^\d+\.\d+/);
    expect(mgr.databases).toEqual([expect.objectContaining({ name: DB.owned, exists: true, encoding: 'UTF8', owner: true, privileged: true })]);
    expect(druid.databases).toEqual([expect.objectContaining({ name: DB.latin1, encoding: 'LATIN1', owner: true, privileged: true })]);
    expect(keys).toEqual([`metadata-db-utf8mb4/notUtf8/druid.metadataStore[${DB.latin1}]`]);
    expect(findings[0].severity).toBe('warning');
  });

  it('CONNECT and CREATE on the database and CREATE on schema public are enough without ownership', async () => {
    const { live, keys } = await preflight(values(ROLES.granted, DB.other), []);
    expect(live.metadataDbs![0].databases![0]).toMatchObject({ owner: false, privileged: true });
    expect(keys).toEqual([]);
  });

  it('a plain role: no CREATE on the database nor on schema public (PostgreSQL 15), and no CREATEDB', async () => {
    const { live, keys, findings } = await preflight(values(ROLES.plain, DB.other), [DB.fresh]);
    expect(live.metadataDbs![0].databases![0]).toMatchObject({ owner: false, privileged: false, missing: ['CREATE on the database', 'CREATE on schema public'] });
    expect(keys).toEqual(['metadata-db-privileges/cannotCreate/druid.metadataStore[' + DB.fresh + ']', 'metadata-db-privileges/pgNotPrivileged/manager.metadataStore.database'].sort());
    expect(findings.find((f) => f.messageId === 'pgNotPrivileged')!.message).toContain('CREATE on schema public');
  });

  it('CREATEDB: a database not created yet will be created and owned', async () => {
    const { live, keys } = await preflight(values(ROLES.creator, DB.fresh), [DB.fresh]);
    // The manager database does not exist: preflight logs into "postgres" instead.
    expect(live.metadataDbs![0]).toMatchObject({ reachable: true });
    expect(live.metadataDbs![0].databases![0]).toMatchObject({ exists: false, privileged: true, canCreate: true });
    expect(keys).toEqual([]);
  });
});

describe('PostgreSQL: login and TLS', () => {
  it('a wrong password is loginRefused and never printed', async () => {
    const wrong = { name: ROLES.owner.name, password: `Wrong-${S}-'quoted' pw` };
    const { live, keys, findings } = await preflight(values(wrong, DB.owned), []);
    expect(keys).toEqual(['metadata-db-reachable/loginRefused/druid.metadataStore', 'metadata-db-reachable/loginRefused/manager.metadataStore']);
    expect(findings[0].message).toMatch(/password authentication failed/);
    expect(JSON.stringify({ live, findings })).not.toContain(wrong.password);
  });
  it('verifies the server against the CA given in tlsCert', async () => {
    const ca = fs.readFileSync(SERVICES.caFile, 'utf8');
    const { live, keys } = await preflight(values(ROLES.owner, DB.owned, pemBlockScalar('tlsCert', ca, 6)), []);
    expect(live.metadataDbs![0]).toMatchObject({ reachable: true, tls: true });
    expect(keys).toEqual([]);
  });
  it('another CA fails verification: tlsFailed', async () => {
    const other = makeCert({ cn: 'not the server CA' }).certPem;
    const { keys } = await preflight(values(ROLES.owner, DB.owned, pemBlockScalar('tlsCert', other, 6)), []);
    expect(keys).toContain('metadata-db-reachable/tlsFailed/manager.metadataStore');
  });
});
