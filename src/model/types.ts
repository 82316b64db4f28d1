// Model stage: the one Imply deployment model every input (values, manifests, admission, preflight)
// is normalized into before rules run.
import type { Path } from './path.js';
import type { Range, YamlDoc } from './yaml.js';

/** A chart line whose defaults and keys we know (RULES.md "Tie-breaks between chart lines"). */
export type ChartLine = '2023' | '2021' | '0.4';

/** An inline `# imply-lint-disable…` comment found in a file. */
export interface InlineSuppression {
  kind: 'next-line' | 'file';
  /** Line of the comment itself. */
  line: number;
  column: number;
  /** For next-line: the line it applies to. */
  target?: number;
  rules: string[];
  reason?: string;
}

/** One input file (or stdin, or a `helm template` stream), parsed with positions. */
export interface SourceFile {
  /** Path as shown to the user (relative to cwd when possible), `<stdin>` for `-`. */
  path: string;
  text: string;
  docs: YamlDoc[];
  suppressions: InlineSuppression[];
  role: 'values' | 'manifest' | 'previous-values';
}

/** A position inside a source file. */
export interface Location {
  file: string;
  range: Range;
}

/** Where an effective value came from (RULES.md: "which -f file, --set, or chart default"). */
export type ValueOrigin =
  | { kind: 'file'; file: string; range?: Range }
  | { kind: 'set'; flag: '--set' | '--set-string'; expr: string }
  | { kind: 'default'; chartLine: ChartLine; chartVersion: string; assumed: boolean }
  | { kind: 'absent' };

/** Helm values after `-f`/`--set` merging and coalescing with the chart defaults. */
export interface ValuesModel {
  /** Effective values (what templates see as .Values). */
  merged: Record<string, unknown>;
  /** What the user supplied, merged, before chart defaults. */
  user: Record<string, unknown>;
  chartLine: ChartLine;
  chartVersion: string;
  chartLineReason: string;
  /** The files in -f order. */
  files: SourceFile[];
  /** Effective value at a path (undefined when absent). */
  get(path: Path): unknown;
  /** True when the user's files or flags set this path (even to null). */
  userSet(path: Path): boolean;
  /** Where the effective value at `path` came from. */
  origin(path: Path): ValueOrigin;
  /** The location to show for `path` (RULES: nearest parent key the user's file has, else line 1 of the first -f file). */
  locate(path: Path): Location | undefined;
  /** True if `path` is a key of the chart line (defaults, documented keys), false if unknown, null if inside a free-form subtree. */
}

/** One Kubernetes object of a manifest stream or an admission request. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The object as parsed. */
  raw: Record<string, unknown>;
  /** File and document it came from (absent for admission requests). */
  file?: SourceFile;
  doc?: YamlDoc;
  /** `Kind/name`, as findings name it. */
  ref: string;
}

/** Rendered objects: a whole `helm template` stream, or one object at admission. */
export interface ManifestModel {
  objects: K8sObject[];
  /** True for a whole release stream; false at admission of one object (release-wide rules stay silent). */
  wholeStream: boolean;
  /** Release name from `--release-name`, or the objects' `app.kubernetes.io/instance`/`release` labels. */
  releaseName?: string;
}

/** Facts gathered by preflight probes before rules run (RULES.md "Live checks"). */
export interface LiveFacts {
  metadataDbs?: LiveDb[];
  zookeeper?: LiveZk[];
  secrets?: LiveSecret[];
  helmVersion?: string;
  kubeVersion?: string;
  /** Preflight ran from outside the cluster network (`--outside-cluster`): unreachable is a warning. */
  outsideCluster?: boolean;
  /** The Kubernetes API preflight read Secrets from, when it did (`--kubeconfig` or in-cluster). */
  kubernetes?: { server?: string; namespace: string; reachable: boolean; error?: string };
}

/** Why a live probe could not finish (messages are scrubbed of passwords). */
export type LiveErrorKind = 'config' | 'dns' | 'refused' | 'unreachable' | 'timeout' | 'tls' | 'auth' | 'database' | 'query' | 'protocol' | 'other';

/** Privileges of the metadata user on one database, as the probe evaluated them. */
export interface LiveDbDatabase {
  name: string;
  exists: boolean;
  charset?: string;
  collation?: string;
  encoding?: string;
  privileged: boolean;
  privilegeDetail?: string;
  /** Privileges of "ALL" (MySQL) or CONNECT/CREATE/schema CREATE (PostgreSQL) the user lacks. */
  missing?: string[];
  /** For a database not created yet: whether the user may create it. */
  canCreate?: boolean;
  /** PostgreSQL: the user owns the database. */
  owner?: boolean;
}

export interface LiveDb {
  /** `manager.metadataStore` or `druid.metadataStore`. */
  subject: string;
  role: 'manager' | 'druid';
  type: 'mysql' | 'postgresql';
  host: string;
  port: number;
  database?: string;
  reachable: boolean;
  error?: string;
  outsideCluster?: boolean;
  version?: string;
  flavor?: 'mysql' | 'mariadb' | 'postgresql';
  databases?: LiveDbDatabase[];
  serverCharset?: string;
  /** The login user (never the password). */
  user?: string;
  /** The connection used TLS verified against `tlsCert`. */
  tls?: boolean;
  errorKind?: LiveErrorKind;
  /** `@@version_comment` (MySQL/MariaDB). */
  versionComment?: string;
  serverCollation?: string;
  /** The host came from a preflight override (`--manager-host`, `--druid-host`) rather than values. */
  overridden?: boolean;
}

export interface LiveZk {
  host: string;
  port: number;
  reachable: boolean;
  version?: string;
  error?: string;
  /** Position of the member in the connect string probed (0-based), and how many it lists. */
  index?: number;
  configured?: number;
  /** `Mode:` of the srvr answer (standalone, leader, follower, observer). */
  mode?: string;
  errorKind?: LiveErrorKind;
  /** Answered, but refused `srvr` (not in `4lw.commands.whitelist`): the version is unknown. */
  refused?: boolean;
}

export interface LiveSecret {
  name: string;
  purpose: 'tls' | 'auth' | 'license';
  subject: string;
  exists: boolean;
  type?: string;
  /** The Secret's `data` as the Kubernetes API returns it (values base64). */
  data?: Record<string, string>;
  error?: string;
  namespace?: string;
  /** Keys the chart reads from this Secret (`tls.crt`/`tls.key`, `auth-token`). */
  requiredKeys?: string[];
}

/** What a rule may know besides the inputs. `now` is injected so checks never read the clock. */
export interface ModelContext {
  now: Date;
  kubeVersion?: string;
  helmVersion?: string;
  releaseName?: string;
  /** Set for admission requests. */
  admission?: { operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT'; dryRun: boolean };
}

/** The normalized deployment model rules check. */
export interface DeploymentModel {
  values?: ValuesModel;
  manifests?: ManifestModel;
  /** The state before an update: `--previous-values`, or the admission `oldObject`. */
  previous?: { values?: ValuesModel; manifests?: ManifestModel };
  live?: LiveFacts;
  context: ModelContext;
  /** Every file read for this lint target (for yaml-syntax, duplicate-key and suppressions). */
  sources: SourceFile[];
}
