// Preflight stage: `imply-lint preflight` gathers live facts (metadata databases, ZooKeeper, Kubernetes
// Secrets, the Helm client) into `model.live`, for the pure live rules to judge. Every probe is
// bounded in time and never throws: unreachable hosts, bad credentials and timeouts become facts.
import fs from 'node:fs';
import type { LiveDb, LiveFacts, ValuesModel } from '../model/types.js';
import { classifyError } from './errors.js';
import { probeHelm } from './probes/helm.js';
import { probeKubernetes } from './probes/kubernetes.js';
import { probeMysql } from './probes/mysql.js';
import { probePostgres } from './probes/postgres.js';
import { probeZookeeper } from './probes/zookeeper.js';
import { dbTarget, secretTargets, zkMembers } from './targets.js';
import type { DbTarget, TargetOverrides } from './targets.js';

/** A preflight flag that cannot be used (the CLI prints it as one line and exits 2). */
export class PreflightError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreflightError';
  }
}

/** What `runPreflight` needs: the merged values plus the preflight flags. */
export interface PreflightOptions extends TargetOverrides {
  /** The merged values (`buildValuesModel`: -f files, --set, chart defaults). */
  values: ValuesModel;
  /** `--kubeconfig`: read Secrets through this kubeconfig. */
  kubeconfig?: string;
  /** `--namespace` of the release's Secrets. */
  namespace?: string;
  /** Connect, query and request timeout of each step, in milliseconds (`--timeout`). */
  timeoutMs: number;
  /** `--outside-cluster`: unreachable metadata stores become warnings (pods may still reach them). */
  outsideCluster?: boolean;
  /** Use the in-cluster service account when no kubeconfig is given (default: when running in a pod). */
  inCluster?: boolean;
  /** The helm binary to ask its version (default `helm` on PATH); false skips it. */
  helm?: string | false;
}

/** The default `--timeout`. */
export const DEFAULT_TIMEOUT_MS = 5000;

/** Parses `--timeout`: `5s`, `1500ms`, `1m`, or a bare number of seconds. */
export function parseTimeout(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(s);
  if (!m) throw new PreflightError(`invalid --timeout "${s}": use a duration such as 5s, 1500ms or 1m`);
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  if (!(ms >= 1 && ms <= 600_000)) throw new PreflightError(`invalid --timeout "${s}": must be between 1ms and 10m`);
  return Math.round(ms);
}

/** MySQL and PostgreSQL database names: at most 64 characters, no NUL, no `/`, `\`, `.` (MySQL). */
export function checkDatabaseName(name: string): string {
  const n = name.trim();
  if (!n || n.length > 64 || /[\u0000/\\.]/.test(n)) throw new PreflightError(`invalid --druid-database "${name}": a database name of 1-64 characters without / \\ or .`);
  return n;
}

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function runningInCluster(): boolean {
  return Boolean(process.env.KUBERNETES_SERVICE_HOST && process.env.KUBERNETES_SERVICE_PORT) && fs.existsSync(IN_CLUSTER_TOKEN);
}

async function probeDb(t: DbTarget, timeoutMs: number, outside: boolean): Promise<LiveDb> {
  const base: LiveDb = { subject: t.subject, role: t.role, type: t.type, host: t.host, port: t.port, database: t.database, user: t.user, reachable: false, outsideCluster: outside, overridden: t.overridden };
  // Nothing to connect to: say why instead of looking up a name such as "{{ .Release.Name }}-mysql".
  if (t.problem) return { ...base, error: t.problem, errorKind: 'config' };
  try {
    return t.type === 'mysql' ? await probeMysql(t, timeoutMs, outside) : await probePostgres(t, timeoutMs, outside);
  } catch (e) {
    // The probes do not throw; this guards against a driver failing to load.
    const pe = classifyError(e, [t.password]);
    return { ...base, error: pe.message, errorKind: pe.kind };
  }
}

/**
 * Runs every probe the values call for, in parallel, and returns the live facts. Never throws for a
 * server that is down, slow or refuses the login; each step is bounded by `timeoutMs`.
 */
export async function runPreflight(opts: PreflightOptions): Promise<LiveFacts> {
  const timeoutMs = opts.timeoutMs > 0 ? opts.timeoutMs : DEFAULT_TIMEOUT_MS;
  const druidDatabases = opts.druidDatabases.map(checkDatabaseName);
  const overrides: TargetOverrides = { ...opts, druidDatabases };
  const outside = Boolean(opts.outsideCluster);
  const facts: LiveFacts = { outsideCluster: outside };

  const dbs = (['manager', 'druid'] as const).map((role) => dbTarget(opts.values, role, overrides)).filter((t): t is DbTarget => t !== undefined);
  const members = zkMembers(opts.values, overrides);
  const useKube = opts.kubeconfig !== undefined || (opts.inCluster ?? runningInCluster());

  const [dbFacts, zk, kube, helm] = await Promise.all([
    Promise.all(dbs.map((t) => probeDb(t, timeoutMs, outside))),
    probeZookeeper(members, timeoutMs),
    useKube ? probeKubernetes(secretTargets(opts.values, opts.releaseName), { kubeconfig: opts.kubeconfig, namespace: opts.namespace, timeoutMs }) : Promise.resolve(undefined),
    opts.helm === false ? Promise.resolve(undefined) : probeHelm(timeoutMs, opts.helm ?? 'helm'),
  ]);
  if (dbFacts.length) facts.metadataDbs = dbFacts;
  if (zk.length) facts.zookeeper = zk;
  if (kube) {
    facts.kubernetes = kube.kubernetes;
    facts.secrets = kube.secrets;
    if (kube.kubeVersion) facts.kubeVersion = kube.kubeVersion;
  }
  if (helm) facts.helmVersion = helm;
  return facts;
}

/** The preflight flags (values files and --set are the CLI's, as for `lint`). */
export const preflightCommandHelp = `Usage: imply-lint preflight [-f values.yaml]... [--set k=v]... [preflight options]

Connects to the systems the values name and checks what only they can tell: the metadata databases
(reachable, version, utf8mb4/UTF8, ALL privileges), each ZooKeeper member (answers srvr, 3.5+), the
CA and auth-token Secrets (with --kubeconfig or in a pod) and the Helm client. Findings, reporters and
exit codes are those of lint; an unreachable host or a refused login is a finding, not a crash.

Preflight options:
  --druid-database NAME     A Druid cluster database to check (the Manager creates one per cluster;
                            values do not name them). Repeatable. One not created yet is judged by the
                            server's default charset and the user's CREATE privilege.
  --manager-host HOST[:PORT]
                            Reach manager.metadataStore here instead of its values host (e.g. a
                            port-forward from outside the cluster).
  --druid-host HOST[:PORT]  The same for druid.metadataStore.
  --zk-connect STRING       ZooKeeper members to ask instead of druid.zk.connectString (host:port,...).
  --kubeconfig FILE         Read the referenced Secrets and the API server version with this kubeconfig
                            (in a pod, the service account is used without it).
  --namespace NS            Namespace of the release's Secrets (default: the kubeconfig context's).
  --release-name NAME       Resolve {{ .Release.Name }} in hosts, the connect string and Secret names.
  --timeout DURATION        Bound of each connect, query and request (default 5s; 1500ms, 1m).
  --outside-cluster         Preflight runs outside the cluster network: an unreachable metadata store
                            is a warning (the pods may still reach it), not an error.

Passwords come from the values and never appear in output. Tests and docs: docs/preflight.md.
`;
