// Preflight stage: what to probe, read from the merged values plus the command-line overrides: the
// manager and druid metadata stores (type, host, port, user, password, database, tlsCert), the
// ZooKeeper connect string and the Secrets the values reference. Pure: no I/O.
import type { ValuesModel } from '../model/types.js';
import { resolveReleaseName, str } from '../rules/util.js';

/** A metadata database server to log into. */
export interface DbTarget {
  role: 'manager' | 'druid';
  subject: 'manager.metadataStore' | 'druid.metadataStore';
  type: 'mysql' | 'postgresql';
  host: string;
  port: number;
  user?: string;
  password?: string;
  /** Databases to check: the manager's `database`, or the `--druid-database` names. */
  databases: string[];
  /** The manager's configured database (druid has none in values). */
  database?: string;
  tlsCert?: string;
  /** The host (or port) came from `--manager-host`/`--druid-host`/`--port`. */
  overridden: boolean;
  /** Set when the store cannot be probed as configured (an unresolved template in the host). */
  problem?: string;
}

/** One `host:port` member of the ZooKeeper connect string. */
export interface ZkMember {
  host: string;
  port: number;
  /** Set when the member cannot be probed as written (an unresolved template, a bad port). */
  problem?: string;
}

/** A Secret the values reference. */
export interface SecretTarget {
  name: string;
  purpose: 'tls' | 'auth' | 'license';
  subject: string;
  requiredKeys: string[];
}

/** Overrides for hosts reachable from where preflight runs (RULES.md "Live checks"). */
export interface TargetOverrides {
  managerHost?: string;
  druidHost?: string;
  port?: number;
  zkConnect?: string;
  druidDatabases: string[];
  releaseName?: string;
}

const DEFAULT_PORT = { mysql: 3306, postgresql: 5432 } as const;
const ZK_DEFAULT_PORT = 2181;

/** Splits `host`, `host:port`, `[v6]:port` into parts (port undefined when absent or not a number). */
export function splitHostPort(s: string): { host: string; port?: number } {
  const t = s.trim();
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (v6) return { host: v6[1], port: v6[2] ? Number(v6[2]) : undefined };
  const m = /^([^:]+):(\d+)$/.exec(t);
  if (m) return { host: m[1], port: Number(m[2]) };
  return { host: t };
}

function portOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v.trim());
  return undefined;
}

/**
 * The metadata store of `role` as preflight should reach it, or undefined when the values do not
 * configure one preflight can check (no host, or a type other than mysql/postgresql: the static
 * external-metadata-store-configured rule reports those).
 */
export function dbTarget(values: ValuesModel, role: 'manager' | 'druid', o: TargetOverrides): DbTarget | undefined {
  const base = [role, 'metadataStore'];
  const type = str(values.get([...base, 'type']))?.trim().toLowerCase();
  if (type !== 'mysql' && type !== 'postgresql') return undefined;
  const override = role === 'manager' ? o.managerHost : o.druidHost;
  const valuesHost = resolveReleaseName(str(values.get([...base, 'host'])) ?? '', o.releaseName).trim();
  const hp = override ? splitHostPort(override) : { host: valuesHost, port: undefined };
  if (!hp.host) return undefined;
  const port = hp.port ?? o.port ?? portOf(values.get([...base, 'port'])) ?? DEFAULT_PORT[type];
  const database = role === 'manager' ? str(values.get([...base, 'database']))?.trim() || undefined : undefined;
  const databases = role === 'manager' ? (database ? [database] : []) : [...new Set(o.druidDatabases.map((d) => d.trim()).filter(Boolean))];
  const tlsCert = str(values.get([...base, 'tlsCert']))?.trim() || undefined;
  return {
    role,
    subject: `${role}.metadataStore`,
    type,
    host: hp.host,
    port,
    user: str(values.get([...base, 'user'])),
    password: str(values.get([...base, 'password'])),
    databases,
    database,
    tlsCert,
    overridden: Boolean(override) || o.port !== undefined,
    problem: /\{\{/.test(hp.host) ? `host "${hp.host}" contains a template that was not resolved: pass --release-name, or --${role}-host with a reachable address` : undefined,
  };
}

/** Parses a ZooKeeper connect string (`a:2181,b:2181/chroot`) into members. */
export function parseConnectString(s: string): ZkMember[] {
  const slash = s.indexOf('/');
  const hosts = (slash >= 0 ? s.slice(0, slash) : s).split(',').map((x) => x.trim()).filter(Boolean);
  return hosts.map((h) => {
    if (/\{\{/.test(h)) return { host: h, port: ZK_DEFAULT_PORT, problem: 'contains a template that was not resolved: pass --release-name, or --zk-connect with a reachable address' };
    const hp = splitHostPort(h);
    if (hp.port === undefined && /:/.test(h) && !/^\[/.test(h)) return { host: h, port: ZK_DEFAULT_PORT, problem: 'has a port that is not a number' };
    if (hp.port !== undefined && (hp.port < 1 || hp.port > 65535)) return { host: hp.host, port: hp.port, problem: 'has a port outside 1-65535' };
    return { host: hp.host, port: hp.port ?? ZK_DEFAULT_PORT };
  });
}

/** The ZooKeeper members to ask `srvr`: `--zk-connect`, else `druid.zk.connectString` with the release name resolved. */
export function zkMembers(values: ValuesModel, o: TargetOverrides): ZkMember[] {
  const raw = o.zkConnect ?? str(values.get(['druid', 'zk', 'connectString'])) ?? '';
  return parseConnectString(resolveReleaseName(raw, o.releaseName));
}

/**
 * The Secrets the values reference: the CA (`security.tls.secretName`, keys `tls.crt`/`tls.key`), the
 * auth token (`security.auth.secretName`, key `auth-token`) and the licence (`manager.secretName`,
 * mounted optional by the chart, so no key is required here: license-configured judges it).
 */
export function secretTargets(values: ValuesModel, releaseName?: string): SecretTarget[] {
  const out: SecretTarget[] = [];
  const add = (path: string[], purpose: SecretTarget['purpose'], requiredKeys: string[]) => {
    const name = resolveReleaseName(str(values.get(path)) ?? '', releaseName).trim();
    if (name) out.push({ name, purpose, subject: path.join('.'), requiredKeys });
  };
  add(['security', 'tls', 'secretName'], 'tls', ['tls.crt', 'tls.key']);
  add(['security', 'auth', 'secretName'], 'auth', ['auth-token']);
  add(['manager', 'secretName'], 'license', []);
  return out;
}
