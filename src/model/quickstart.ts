// Model stage: the release's own quickstart services (bundled ZooKeeper and MySQL subcharts) as the
// manifests and the values name them: which objects belong to a subchart, and whether a host name,
// a ZooKeeper connect string or a metadata-store host still points at the release's bundled service.
import { subchartComponent } from './manifests.js';
import type { QuickstartComponent } from './manifests.js';
import type { K8sObject, ManifestModel } from './types.js';

/** Every (non-test-hook) object of a quickstart subchart (its workload: componentWorkload in manifests.ts). */
export function quickstartObjects(m: ManifestModel, c: QuickstartComponent): K8sObject[] {
  return m.objects.filter((o) => subchartComponent(o) === c);
}

const RELEASE_TEMPLATE = /^\{\{-?\s*\.Release\.Name\s*-?\}\}/;

/**
 * True when `host` (a bare host name, no port) is the release's own `<release>-<component>` Service,
 * its `-headless` twin, or a DNS name under either. The unresolved chart template
 * `{{ .Release.Name }}-<component>` counts whatever the release is called; a literal name needs the release.
 */
export function isBundledServiceHost(host: string, component: 'mysql' | 'zookeeper', release: string | undefined): boolean {
  const h = host.trim().toLowerCase();
  const rest = (name: string) => h === name || h === `${name}-headless` || h.startsWith(`${name}.`) || h.startsWith(`${name}-headless.`);
  const tpl = RELEASE_TEMPLATE.exec(host.trim());
  if (tpl) return rest(`${tpl[0].toLowerCase()}-${component}`);
  return release !== undefined && release !== '' && rest(`${release.toLowerCase()}-${component}`);
}

/** One server of a ZooKeeper connect string. */
export interface ZkServer {
  host: string;
  port?: string;
  /** The entry as written (trimmed). */
  text: string;
}

/**
 * Parses a ZooKeeper connect string `h1:2181,h2:2181/chroot` (ZooKeeper's own syntax: the chroot suffix
 * follows the last server; IPv6 literals in brackets). Empty entries are dropped.
 */
export function parseConnectString(s: string): { servers: ZkServer[]; chroot?: string } {
  let text = s.trim();
  let chroot: string | undefined;
  const slash = text.indexOf('/');
  if (slash >= 0) {
    chroot = text.slice(slash);
    text = text.slice(0, slash);
  }
  const servers: ZkServer[] = [];
  for (const raw of text.split(',')) {
    const e = raw.trim();
    if (e === '') continue;
    if (e.startsWith('[')) {
      const end = e.indexOf(']');
      const host = end > 0 ? e.slice(1, end) : e;
      const port = end > 0 && e[end + 1] === ':' ? e.slice(end + 2) : undefined;
      servers.push({ host, port, text: e });
      continue;
    }
    const colon = e.lastIndexOf(':');
    servers.push(colon > 0 ? { host: e.slice(0, colon), port: e.slice(colon + 1), text: e } : { host: e, text: e });
  }
  return { servers, chroot };
}

/** Distinct servers of a connect string (the same host:port twice adds no fault tolerance). */
export function distinctServers(servers: ZkServer[]): ZkServer[] {
  const seen = new Set<string>();
  return servers.filter((s) => {
    const k = `${s.host.toLowerCase()}:${s.port ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
