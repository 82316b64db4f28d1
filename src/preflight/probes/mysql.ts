// Preflight stage: the MySQL/MariaDB probe. Logs in as the metadata user (TLS verified against tlsCert
// when given) and asks the server its version and flavour, the default charset and collation of each
// database, and the user's grants (global, database, wildcard and role grants); see docs/preflight.md.
import type { LiveDb, LiveDbDatabase } from '../../model/types.js';
import { classifyError, withDeadline } from '../errors.js';
import { evaluatePrivileges, parseGrants } from '../grants.js';
import type { DbTarget } from '../targets.js';

/** What a query returns: rows as plain objects. */
type Row = Record<string, unknown>;

interface MysqlConnection {
  connect(cb: (err: Error | null) => void): void;
  query(opts: { sql: string; timeout?: number; values?: unknown[] }, cb: (err: Error | null, rows: unknown) => void): void;
  destroy(): void;
  on(event: 'error', cb: (err: Error) => void): void;
}

/** Detects MariaDB (`10.11.6-MariaDB-0+deb12u1`, or `5.5.5-10.x-MariaDB` in the replication-compatible form). */
export function mysqlFlavor(version: string, comment?: string): 'mysql' | 'mariadb' {
  return /mariadb/i.test(version) || /mariadb/i.test(comment ?? '') ? 'mariadb' : 'mysql';
}

/** The server version without MariaDB's `5.5.5-` replication prefix. */
export function cleanMysqlVersion(version: string): string {
  return version.replace(/^5\.5\.5-(?=\d+\.\d+.*mariadb)/i, '');
}

/** Probes one MySQL/MariaDB metadata store. Never throws: failures become `reachable: false` / `error`. */
export async function probeMysql(t: DbTarget, timeoutMs: number, outsideCluster: boolean): Promise<LiveDb> {
  const secrets = [t.password];
  const fact: LiveDb = {
    subject: t.subject,
    role: t.role,
    type: 'mysql',
    host: t.host,
    port: t.port,
    database: t.database,
    user: t.user,
    reachable: false,
    outsideCluster,
    overridden: t.overridden,
  };
  let conn: MysqlConnection | undefined;
  try {
    const mysql = (await import('mysql2')).default as unknown as { createConnection(o: Record<string, unknown>): MysqlConnection };
    conn = mysql.createConnection({
      host: t.host,
      port: t.port,
      user: t.user ?? '',
      password: t.password ?? '',
      connectTimeout: timeoutMs,
      // Verify the server against the configured CA, as the Manager does with tlsCert.
      ssl: t.tlsCert ? { ca: t.tlsCert, rejectUnauthorized: true } : undefined,
      multipleStatements: false,
    });
    const c = conn;
    c.on('error', () => undefined);
    await withDeadline(new Promise<void>((res, rej) => c.connect((e) => (e ? rej(e) : res()))), timeoutMs, `connecting to ${t.host}:${t.port}`, () => c.destroy());
    fact.reachable = true;
    fact.tls = Boolean(t.tlsCert);
    const q = (sql: string, values: unknown[] = []): Promise<Row[]> =>
      withDeadline(
        new Promise<Row[]>((res, rej) => c.query({ sql, timeout: timeoutMs, values }, (e, rows) => (e ? rej(e) : res(Array.isArray(rows) ? (rows as Row[]) : [])))),
        timeoutMs + 250,
        'a query',
        () => c.destroy(),
      );

    const [v] = await q('SELECT VERSION() AS v, @@version_comment AS c, @@character_set_server AS cs, @@collation_server AS co');
    const version = cleanMysqlVersion(String(v?.v ?? ''));
    fact.version = version;
    fact.versionComment = v?.c === null || v?.c === undefined ? undefined : String(v.c);
    fact.flavor = mysqlFlavor(version, fact.versionComment);
    fact.serverCharset = v?.cs ? String(v.cs) : undefined;
    fact.serverCollation = v?.co ? String(v.co) : undefined;

    const grantLines = (await q('SHOW GRANTS')).map(firstColumn);
    grantLines.push(...(await roleGrants(q, fact.flavor, grantLines)));
    const grants = parseGrants(grantLines);

    const dbs: LiveDbDatabase[] = [];
    for (const name of t.databases) {
      const [s] = await q('SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
      const verdict = evaluatePrivileges(grants, name, fact.flavor);
      dbs.push({
        name,
        // information_schema lists only databases the user has some privilege on; one it cannot see
        // is judged like one not created yet (by CREATE), which it would need anyway.
        exists: s !== undefined,
        charset: s?.cs ? String(s.cs) : undefined,
        collation: s?.co ? String(s.co) : undefined,
        privileged: verdict.all,
        privilegeDetail: verdict.detail,
        missing: verdict.missing,
        canCreate: verdict.canCreate,
      });
      fact.databases = dbs;
    }
    fact.databases = dbs;
  } catch (e) {
    const pe = classifyError(e, secrets);
    fact.error = pe.message;
    fact.errorKind = pe.kind;
  } finally {
    conn?.destroy();
  }
  return fact;
}

function firstColumn(r: Row): string {
  const v = Object.values(r)[0];
  return v === null || v === undefined ? '' : String(v);
}

/**
 * Grants the user holds through its active roles. MariaDB's `SHOW GRANTS` already lists the current
 * role's grants (and the roles granted to it); if not, `SHOW GRANTS FOR CURRENT_ROLE` does. MySQL 8
 * lists only `GRANT role TO user`: `SHOW GRANTS ... USING <active roles>` expands them.
 */
async function roleGrants(q: (sql: string) => Promise<Row[]>, flavor: 'mysql' | 'mariadb', have: string[]): Promise<string[]> {
  let current: string | undefined;
  try {
    const [r] = await q('SELECT CURRENT_ROLE() AS r');
    current = r?.r === null || r?.r === undefined ? undefined : String(r.r);
  } catch {
    return []; // MySQL 5.7 has no roles
  }
  if (!current || current === 'NONE') return [];
  if (flavor === 'mariadb') {
    if (have.some((l) => new RegExp(`\\bTO \`${current.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\`\\s*$`).test(l))) return [];
    return (await q('SHOW GRANTS FOR CURRENT_ROLE')).map(firstColumn);
  }
  // MySQL 8: CURRENT_ROLE() is already a quoted list (`r1`@`%`,`r2`@`%`).
  if (!/^(`[^`]*`@`[^`]*`)(,`[^`]*`@`[^`]*`)*$/.test(current)) return [];
  return (await q(`SHOW GRANTS FOR CURRENT_USER() USING ${current}`)).map(firstColumn);
}
