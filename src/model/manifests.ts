// Model stage: the manifest adapter. Turns rendered documents (a `helm template` stream, `kind: List`,
// or one admission object) into K8sObjects and answers the Imply-specific questions rules ask of them:
// which object is the manager, which are agents, which belong to a quickstart subchart, what env they carry.
import { isMap, pathKey } from './path.js';
import type { Path } from './path.js';
import type { Range } from './yaml.js';
import type { K8sObject, Location, ManifestModel, SourceFile } from './types.js';

function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  // defineProperty for `__proto__`: a label or annotation of that name (admission requests are untrusted)
  // stays data. Any other key: a plain assignment, which defines the same property and is much faster.
  if (isMap(v))
    for (const [k, x] of Object.entries(v))
      if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') {
        if (k === '__proto__') Object.defineProperty(out, k, { value: String(x), enumerable: true, writable: true, configurable: true });
        else out[k] = String(x);
      }
  return out;
}

/** Wraps a parsed object. `file`/`docIndex` locate it; `basePath` is its place inside a List document. */
export function toK8sObject(raw: Record<string, unknown>, file?: SourceFile, docIndex?: number, basePath: Path = []): K8sObject {
  const meta = isMap(raw.metadata) ? raw.metadata : {};
  const kind = typeof raw.kind === 'string' ? raw.kind : '';
  const name = typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? meta.generateName : '';
  const obj: K8sObject & { basePath: Path } = {
    apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : '',
    kind,
    name,
    namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
    labels: strMap(meta.labels),
    annotations: strMap(meta.annotations),
    raw,
    file,
    doc: file && docIndex !== undefined ? file.docs[docIndex] : undefined,
    ref: `${kind}/${name}`,
    basePath,
  };
  return obj;
}

/** Location of a path inside an object: the nearest node the parser kept a position for. */
export function locateInObject(obj: K8sObject, path: Path): Location | undefined {
  if (!obj.file || !obj.doc) return undefined;
  const base = (obj as K8sObject & { basePath?: Path }).basePath ?? [];
  const full = [...base, ...path];
  for (let n = full.length; n >= 0; n--) {
    const pos = obj.doc.positions.get(pathKey(full.slice(0, n)));
    if (pos) {
      const range: Range = n === full.length ? pos.value : (pos.key ?? pos.value);
      return { file: obj.file.path, range: n === 0 ? firstLineOf(pos.value) : range };
    }
  }
  return { file: obj.file.path, range: firstLineOf(obj.doc.range) };
}

function firstLineOf(r: Range): Range {
  return { line: r.line, column: r.column, endLine: r.line, endColumn: r.column };
}

/** Builds the manifest model from manifest source files (every document; `kind: List` items expanded). */
export function buildManifestModel(files: SourceFile[], releaseName?: string, wholeStream = true): ManifestModel {
  const objects: K8sObject[] = [];
  for (const f of files) {
    f.docs.forEach((d, i) => {
      const v = d.value;
      if (!isMap(v)) return;
      if (typeof v.kind === 'string' && /List$/.test(v.kind) && Array.isArray(v.items)) {
        v.items.forEach((item, j) => {
          if (isMap(item) && typeof item.kind === 'string') objects.push(toK8sObject(item, f, i, ['items', j]));
        });
        return;
      }
      if (typeof v.kind === 'string' && typeof v.apiVersion === 'string') objects.push(toK8sObject(v, f, i));
    });
  }
  return { objects, wholeStream, releaseName: releaseName ?? inferRelease(objects) };
}

/** The release an object belongs to: `app.kubernetes.io/instance` (main chart) or `release` (subcharts). */
export function releaseOf(o: K8sObject): string | undefined {
  return o.labels['app.kubernetes.io/instance'] ?? o.labels.release;
}

function inferRelease(objects: K8sObject[]): string | undefined {
  for (const o of objects) {
    const r = o.labels['app.kubernetes.io/instance'];
    if (r) return r;
  }
  for (const o of objects) if (o.labels.release) return o.labels.release;
  return undefined;
}

/**
 * Per-object derivations, computed once per object and kept while the object lives (the rules ask the same
 * questions of the same objects dozens of times per lint: ~25% of a webhook review before this cache).
 * Sound because nothing changes an object's kind, labels, annotations or `raw` after the model is built
 * (the webhook sets `namespace` before linting; no derivation here reads it). The cached arrays and records
 * are shared by every caller: read them, never modify them.
 */
interface Derived {
  podSpec?: { spec: Record<string, unknown>; path: Path } | null;
  containers?: ContainerRef[];
  env?: EnvVar[];
  envWithInit?: EnvVar[];
  /** First non-init env entry of each name. */
  envByName?: Map<string, EnvVar>;
  manager?: boolean;
  agentNodeType?: string | null;
  testHook?: boolean;
  component?: QuickstartComponent | null;
}
const derivedOf = new WeakMap<K8sObject, Derived>();
function derived(o: K8sObject): Derived {
  let d = derivedOf.get(o);
  if (d === undefined) derivedOf.set(o, (d = {}));
  return d;
}

/** Per-model derivations (objects list scans), valid while `m.objects` is the same array of the same length. */
interface ModelDerived {
  objects: K8sObject[];
  length: number;
  manager?: K8sObject | null;
  implyWorkloads?: K8sObject[];
  components?: Map<QuickstartComponent, K8sObject | null>;
}
const modelDerivedOf = new WeakMap<ManifestModel, ModelDerived>();
function modelDerived(m: ManifestModel): ModelDerived {
  let d = modelDerivedOf.get(m);
  if (d === undefined || d.objects !== m.objects || d.length !== m.objects.length) modelDerivedOf.set(m, (d = { objects: m.objects, length: m.objects.length }));
  return d;
}

/** Helm test hooks are not deployed components (RULES.md principles). */
export function isTestHook(o: K8sObject): boolean {
  const d = derived(o);
  if (d.testHook === undefined) {
    const hook = o.annotations['helm.sh/hook'];
    d.testHook = typeof hook === 'string' && hook.split(',').some((h) => h.trim().startsWith('test'));
  }
  return d.testHook;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

/** True for objects that run pods. */
export function isWorkload(o: K8sObject): boolean {
  return WORKLOAD_KINDS.has(o.kind);
}

/** The pod spec of a workload and its path inside the object. */
export function podSpec(o: K8sObject): { spec: Record<string, unknown>; path: Path } | undefined {
  const d = derived(o);
  if (d.podSpec === undefined) d.podSpec = computePodSpec(o) ?? null;
  return d.podSpec ?? undefined;
}

function computePodSpec(o: K8sObject): { spec: Record<string, unknown>; path: Path } | undefined {
  const r = o.raw;
  const spec = isMap(r.spec) ? r.spec : undefined;
  if (!spec) return undefined;
  if (o.kind === 'Pod') return { spec, path: ['spec'] };
  if (o.kind === 'CronJob') {
    const jt = isMap(spec.jobTemplate) ? spec.jobTemplate : undefined;
    const js = jt && isMap(jt.spec) ? jt.spec : undefined;
    const t = js && isMap(js.template) ? js.template : undefined;
    if (t && isMap(t.spec)) return { spec: t.spec, path: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] };
    return undefined;
  }
  const t = isMap(spec.template) ? spec.template : undefined;
  if (t && isMap(t.spec)) return { spec: t.spec, path: ['spec', 'template', 'spec'] };
  return undefined;
}

/** One container of a pod spec, with its path inside the object. */
export interface ContainerRef {
  container: Record<string, unknown>;
  name: string;
  image?: string;
  init: boolean;
  path: Path;
}

/** All containers and init containers of a workload. */
export function containers(o: K8sObject): ContainerRef[] {
  const d = derived(o);
  return (d.containers ??= computeContainers(o));
}

function computeContainers(o: K8sObject): ContainerRef[] {
  const ps = podSpec(o);
  if (!ps) return [];
  const out: ContainerRef[] = [];
  for (const key of ['initContainers', 'containers'] as const) {
    const list = ps.spec[key];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (!isMap(c)) return;
      out.push({ container: c, name: typeof c.name === 'string' ? c.name : '', image: typeof c.image === 'string' ? c.image : undefined, init: key === 'initContainers', path: [...ps.path, key, i] });
    });
  }
  return out;
}

/** One env entry of a container. */
export interface EnvVar {
  name: string;
  /** Literal value (undefined when valueFrom is used). */
  value?: string;
  valueFrom?: Record<string, unknown>;
  path: Path;
  container: ContainerRef;
}

/** The env entries of every (non-init by default) container of a workload. */
export function envVars(o: K8sObject, includeInit = false): EnvVar[] {
  const d = derived(o);
  return includeInit ? (d.envWithInit ??= computeEnvVars(o, true)) : (d.env ??= computeEnvVars(o, false));
}

function computeEnvVars(o: K8sObject, includeInit: boolean): EnvVar[] {
  const out: EnvVar[] = [];
  for (const c of containers(o)) {
    if (c.init && !includeInit) continue;
    const env = c.container.env;
    if (!Array.isArray(env)) continue;
    env.forEach((e, i) => {
      if (!isMap(e) || typeof e.name !== 'string') return;
      const value = e.value === undefined || e.value === null ? undefined : String(e.value);
      out.push({ name: e.name, value, valueFrom: isMap(e.valueFrom) ? e.valueFrom : undefined, path: [...c.path, 'env', i], container: c });
    });
  }
  return out;
}

/** The first env entry of that name (the chart renders each once per container). */
export function envVar(o: K8sObject, name: string): EnvVar | undefined {
  const d = derived(o);
  let byName = d.envByName;
  if (byName === undefined) {
    byName = new Map();
    for (const e of envVars(o)) if (!byName.has(e.name)) byName.set(e.name, e);
    d.envByName = byName;
  }
  return byName.get(name);
}

/** The Imply manager Deployment: it carries the IMPLY_MANAGER_STORE_* env (EVIDENCE.md). */
export function isManager(o: K8sObject): boolean {
  if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') return false;
  const d = derived(o);
  if (d.manager === undefined) d.manager = envVar(o, 'IMPLY_MANAGER_STORE_TYPE') !== undefined || envVar(o, 'IMPLY_MANAGER_DEFAULTS_UPDATE_TYPE') !== undefined;
  return d.manager;
}

/** An agent workload's node type (`master`, `query`, `dataTier1`, …) from IMPLY_MANAGER_AGENT_NODE_TYPE. */
export function agentNodeType(o: K8sObject): string | undefined {
  if (!isWorkload(o)) return undefined;
  const d = derived(o);
  if (d.agentNodeType === undefined) d.agentNodeType = envVar(o, 'IMPLY_MANAGER_AGENT_NODE_TYPE')?.value ?? null;
  return d.agentNodeType ?? undefined;
}

/** Manager and agent workloads: the objects the Imply chart itself renders to run Imply. */
export function implyWorkloads(m: ManifestModel): K8sObject[] {
  const d = modelDerived(m);
  return (d.implyWorkloads ??= m.objects.filter((o) => !isTestHook(o) && (isManager(o) || agentNodeType(o) !== undefined)));
}

/** The manager Deployment, if the input has it. */
export function managerOf(m: ManifestModel): K8sObject | undefined {
  const d = modelDerived(m);
  if (d.manager === undefined) d.manager = m.objects.find((o) => !isTestHook(o) && isManager(o)) ?? null;
  return d.manager ?? undefined;
}

/** Quickstart subchart a (non-test-hook) object belongs to, from its `app` label (EVIDENCE.md). */
export type QuickstartComponent = 'minio' | 'mysql' | 'zookeeper';

export function subchartComponent(o: K8sObject): QuickstartComponent | undefined {
  const d = derived(o);
  if (d.component === undefined) d.component = computeSubchartComponent(o) ?? null;
  return d.component ?? undefined;
}

function computeSubchartComponent(o: K8sObject): QuickstartComponent | undefined {
  if (isTestHook(o)) return undefined;
  const app = o.labels.app ?? o.labels['app.kubernetes.io/name'];
  const rel = o.labels.release ?? o.labels['app.kubernetes.io/instance'];
  if (!app || !rel) return undefined;
  if (app === 'minio' || app === 'mysql' || app === 'zookeeper') return app;
  // The real MySQL subchart labels its objects `app: <release>-mysql` (features.rendered.yaml).
  for (const c of ['minio', 'mysql', 'zookeeper'] as const) if (app === `${rel}-${c}`) return c;
  return undefined;
}

/** The workload of a quickstart component (MinIO Deployment, MySQL Deployment, ZooKeeper StatefulSet). */
export function componentWorkload(m: ManifestModel, c: QuickstartComponent): K8sObject | undefined {
  const d = modelDerived(m);
  const byComponent = (d.components ??= new Map());
  let w = byComponent.get(c);
  if (w === undefined) byComponent.set(c, (w = m.objects.find((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && subchartComponent(o) === c) ?? null));
  return w ?? undefined;
}

/** Splits a rendered `*CustomDruidProperties` env value: the chart joins list items with a literal `\n`. */
export function splitRenderedList(v: string): string[] {
  if (v === '') return [];
  return v.split('\\n');
}

/** Image tag of an image reference (undefined if none; digests count as pinned). */
export function imageTag(image: string): { repo: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const ref = at >= 0 ? image.slice(0, at) : image;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1), digest };
  return { repo: ref, digest };
}
