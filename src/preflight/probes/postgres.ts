// Preflight stage: the PostgreSQL probe. Logs in as the metadata user (TLS verified against tlsCert when
// given) and asks the server version, each database's encoding, and whether the user owns it or holds
// CONNECT and CREATE on it and CREATE on its `public` schema (PostgreSQL 15 no longer grants that to
// everyone); a database not created yet needs CREATEDB. See docs/preflight.md.
import type { LiveDb, LiveDbDatabase } from '../../model/types.js';
import { classifyError, withDeadline } from '../errors.js';
import type { DbTarget } from '../targets.js';

type Row = Record<string, unknown>;

interface PgClient {
  connect(): Promise<void>;
  query(sql: string, values?: unknown[]): Promise<{ rows: Row[] }>;
  end(): Promise<void>;
  on(event: 'error', cb: (e: Error) => void): void;
  connection?: { stream?: { destroy(): void } };
}

type PgModule = { Client: new (o: Record<string, unknown>) => PgClient };

async function loadPg(): Promise<PgModule> {
  const m = (await import('pg')) as unknown as { default?: PgModule } & PgModule;
  return m.default ?? m;
}

/** Opens a client on `database`; rejects on failure (the socket is destroyed on timeout). */
async function open(pg: PgModule, t: DbTarget, database: string, timeoutMs: number): Promise<PgClient> {
  const client = new pg.Client({
    host: t.host,
    port: t.port,
    user: t.user ?? '',
    password: t.password ?? '',
    database,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    statement_timeout: timeoutMs,
    application_name: 'imply-lint-preflight',
    ssl: t.tlsCert ? { ca: t.tlsCert, rejectUnauthorized: true } : false,
  });
  client.on('error', () => undefined);
  try {
    await withDeadline(client.connect(), timeoutMs + 250, `connecting to ${t.host}:${t.port}`, () => kill(client));
  } catch (e) {
    kill(client);
    throw e;
  }
  return client;
}

function kill(c: PgClient): void {
  try {
    c.connection?.stream?.destroy();
  } catch {
    // already closed
  }
}

async function close(c: PgClient, timeoutMs: number): Promise<void> {
  try {
    await withDeadline(c.end(), timeoutMs, 'closing', () => kill(c));
  } catch {
    kill(c);
  }
}

/** Whether schema `public` exists and the user may create objects in it (USAGE and CREATE). */
const PUBLIC_SCHEMA_SQL = `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') AS e,
        CASE WHEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public')
             THEN has_schema_privilege(current_user, 'public', 'CREATE') AND has_schema_privilege(current_user, 'public', 'USAGE')
             ELSE false END AS c`;

/** SQLSTATE codes that mean "try another database to log into": missing database, no CONNECT. */
const OTHER_DB = new Set(['3D000', '42501']);

/** Probes one PostgreSQL metadata store. Never throws: failures become `reachable: false` / `error`. */
export async function probePostgres(t: DbTarget, timeoutMs: number, outsideCluster: boolean): Promise<LiveDb> {
  const secrets = [t.password];
  const fact: LiveDb = {
    subject: t.subject,
    role: t.role,
    type: 'postgresql',
    flavor: 'postgresql',
    host: t.host,
    port: t.port,
    database: t.database,
    user: t.user,
    reachable: false,
    outsideCluster,
    overridden: t.overridden,
  };
  const clients: PgClient[] = [];
  try {
    const pg = await loadPg();
    // Log into the configured database when it exists, else a database every role may usually reach.
    const candidates = [...new Set([...(t.database ? [t.database] : []), 'postgres', 'template1'])];
    let main: PgClient | undefined;
    let mainDb = '';
    let lastErr: unknown;
    for (const db of candidates) {
      try {
        main = await open(pg, t, db, timeoutMs);
        mainDb = db;
        break;
      } catch (e) {
        lastErr = e;
        if (!OTHER_DB.has(String((e as { code?: unknown }).code))) break;
      }
    }
    if (!main) throw lastErr;
    clients.push(main);
    fact.reachable = true;
    fact.tls = Boolean(t.tlsCert);
    const q = async (c: PgClient, sql: string, values: unknown[] = []): Promise<Row[]> =>
      (await withDeadline(c.query(sql, values), timeoutMs + 250, 'a query', () => kill(c))).rows;

    const [s] = await q(
      main,
      `SELECT current_setting('server_version') AS v, current_user AS u,
              r.rolsuper AS su, r.rolcreatedb AS cdb,
              (SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'template1') AS tenc
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    fact.version = String(s?.v ?? '');
    // CREATE DATABASE copies template1: its encoding is what a database not created yet gets.
    fact.serverCharset = s?.tenc ? String(s.tenc) : undefined;
    const superuser = s?.su === true;
    const createdb = superuser || s?.cdb === true;

    const dbs: LiveDbDatabase[] = [];
    for (const name of t.databases) {
      const [d] = await q(
        main,
        `SELECT pg_encoding_to_char(d.encoding) AS enc, d.datcollate AS coll,
                pg_has_role(current_user, d.datdba, 'MEMBER') AS owner,
                has_database_privilege(current_user, d.oid, 'CONNECT') AS conn,
                has_database_privilege(current_user, d.oid, 'CREATE') AS cre
           FROM pg_database d WHERE d.datname = $1`,
        [name],
      );
      if (!d) {
        dbs.push({
          name,
          exists: false,
          privileged: createdb,
          canCreate: createdb,
          missing: createdb ? [] : ['CREATEDB'],
          privilegeDetail: createdb ? 'may create it (CREATEDB) and will own it' : 'the role has no CREATEDB attribute',
        });
        fact.databases = dbs;
        continue;
      }
      const owner = d.owner === true;
      const missing: string[] = [];
      if (d.conn !== true) missing.push('CONNECT');
      if (!owner && d.cre !== true) missing.push('CREATE on the database');
      if (d.conn === true) {
        // Schema privileges live inside each database: log into it to ask.
        let c: PgClient | undefined = main;
        if (name !== mainDb) {
          try {
            c = await open(pg, t, name, timeoutMs);
            clients.push(c);
          } catch (e) {
            c = undefined;
            missing.push(`CREATE on schema public (not checked: ${classifyError(e, secrets).message})`);
          }
        }
        if (c) {
          const [p] = await q(c, PUBLIC_SCHEMA_SQL);
          if (p?.e !== true) missing.push('schema public (missing)');
          else if (p?.c !== true) missing.push('CREATE on schema public');
        }
      } else missing.push('CREATE on schema public (not checked without CONNECT)');
      const privileged = superuser || missing.length === 0;
      dbs.push({
        name,
        exists: true,
        encoding: d.enc ? String(d.enc) : undefined,
        collation: d.coll ? String(d.coll) : undefined,
        owner,
        privileged,
        missing: privileged ? [] : missing,
        canCreate: createdb,
        privilegeDetail: superuser ? 'superuser' : !privileged ? `lacks ${missing.join(', ')}` : owner ? 'owns the database' : 'CONNECT and CREATE on the database and on schema public',
      });
      fact.databases = dbs;
    }
    fact.databases = dbs;
  } catch (e) {
    const pe = classifyError(e, secrets);
    fact.error = pe.message;
    fact.errorKind = pe.kind;
  } finally {
    await Promise.all(clients.map((c) => close(c, timeoutMs)));
  }
  return fact;
}
