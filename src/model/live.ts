// Model stage: identity of live facts. Maps what preflight probes found (metadata databases, ZooKeeper
// members) to the release-level values paths their findings are about (RULES.md "Identity of a
// finding"): never a host, namespace or release name, so fingerprints survive a port-forward.
import type { Path } from './path.js';
import type { LiveDb, LiveZk } from './types.js';

/**
 * The subject of a finding about one database: the manager's database is `manager.metadataStore.database`;
 * a Druid cluster database (named by `--druid-database`, not by values) is `druid.metadataStore[NAME]`.
 */
export function liveDbSubject(db: LiveDb, name: string): string {
  return db.role === 'manager' ? 'manager.metadataStore.database' : `druid.metadataStore[${name}]`;
}

/** The values key a finding about one database points at (druid.metadataStore has no `database` key). */
export function liveDbPath(db: LiveDb): Path {
  return db.role === 'manager' ? ['manager', 'metadataStore', 'database'] : ['druid', 'metadataStore'];
}

/** The values key of the metadata store's server (`<role>.metadataStore.host`). */
export function liveDbHostPath(db: LiveDb): Path {
  return [db.role, 'metadataStore', 'host'];
}

/** The subject of a finding about one ZooKeeper member: its position in the connect string. */
export function liveZkSubject(zk: LiveZk): string {
  return `druid.zk.connectString[${zk.index ?? 0}]`;
}

/** `host:port` as people write it (`[::1]:2181` for IPv6). */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
