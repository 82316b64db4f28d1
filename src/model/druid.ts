// Model stage: the Druid and Pivot configuration an Imply release carries, read the same way from Helm
// values and from rendered manifests. Runtime-property lists (`druid.*RuntimeProperties`, additional data
// tiers, agent `druid_<svc>_runtime_*` env), JVM flags inside them, Druid and Kubernetes size strings,
// the joined Pivot YAML, custom files / user extensions, custom Imply versions with the manager's
// /mnt/var/user volume, and manager env settings. Rules import these views and never parse themselves.
import { parseDocument } from 'yaml';
import { agentNodeType, containers, envVars, implyWorkloads, isManager, managerOf, podSpec, splitRenderedList } from './manifests.js';
import type { EnvVar } from './manifests.js';
import { defaultsEnvPath } from './imply-env.js';
import { formatPath, isMap } from './path.js';
import type { Path } from './path.js';
import type { DeploymentModel, K8sObject, ManifestModel, ValuesModel } from './types.js';

/** Where a piece of evidence is: a values path, or a field of a rendered object (a subset of the rules' Anchor). */
export type EvidenceAt = { values: Path } | { object: K8sObject; path?: Path };

/** Which input a view was read from. */
export type EvidenceInput = 'values' | 'manifest';

/** How one runtime-property entry reads (RULES.md runtime-property-format). */
export type PropertyKind = 'property' | 'comment' | 'empty' | 'malformed';

/** One entry of a runtime-property list. */
export interface PropertyEntry {
  /** The entry as the manager receives it (for env entries: `key=value` as post-init-actions-k8s writes it). */
  text: string;
  key?: string;
  value?: string;
  kind: PropertyKind;
  /** True when the values item is not a string (a map or number renders as Go's `%v`, never a property). */
  nonString?: boolean;
  /** Position in the list (values index, or index after splitting the rendered env value). */
  index: number;
  /** Release-level path of this entry: `druid.historicalRuntimeProperties[2]`, `dataTier1.extraEnv.druid_…`. */
  subject: string;
  at: EvidenceAt;
}

/** One runtime-property list of the release, from values or from manifests, under its values path. */
export interface PropertyList {
  /** Values path of the list: `druid.historicalRuntimeProperties`, `additionalDataTiers[0].customHistoricalRuntimeProperties`, `dataTier1.extraEnv`. */
  subject: string;
  /** Druid service whose runtime.properties the list feeds (`common` for every service). */
  service: string;
  /** Values path of the tier whose pods it applies to (`dataTier1`, `additionalDataTiers[0]`, `query`); undefined: every pod running `service`. */
  tier?: string;
  input: EvidenceInput;
  /** `list`: a values list / manager env; `env`: agent `druid_<svc>_runtime_*` env vars (appended last, so they win). */
  form: 'list' | 'env';
  entries: PropertyEntry[];
  /** The list itself (values key) or the env var carrying it. */
  at: EvidenceAt;
  /** Set when a rendered env value could not be read (e.g. the additional-tier JSON is broken). */
  parseError?: string;
}

// ---------------------------------------------------------------------------------------------------
// Entries

/** Classifies one runtime-property line: `key=value`, `# comment`, empty, or malformed (RULES.md). */
export function parseProperty(text: string): { kind: PropertyKind; key?: string; value?: string } {
  const t = text.trim();
  if (t === '') return { kind: 'empty' };
  if (t.startsWith('#')) return { kind: 'comment' };
  const eq = text.indexOf('=');
  if (eq < 0) return { kind: 'malformed' };
  const key = text.slice(0, eq).trim();
  if (key === '' || /\s/.test(key)) return { kind: 'malformed' };
  return { kind: 'property', key, value: text.slice(eq + 1).replace(/^[ \t]+/, '') };
}

/** How Go's `%v` (sprig `join`) prints a non-string list item. */
function goPrint(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  if (isMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goPrint(v[k])}`).join(' ')}]`;
  return v === null || v === undefined ? '<nil>' : JSON.stringify(v);
}

/** An entry from its text and place (`where`); a non-string values item is never a property. */
function entryOf(text: string, where: { index: number; subject: string; at: EvidenceAt }, nonString = false): PropertyEntry {
  if (nonString) return { text, kind: 'malformed', nonString: true, ...where };
  return { text, ...parseProperty(text), ...where };
}

// ---------------------------------------------------------------------------------------------------
// Services, tiers and their names

const BASE_SERVICES = ['common', 'coordinator', 'overlord', 'historical', 'middleManager', 'broker', 'router'];

/** `historicalTier2` → historical on dataTier2; `broker` → broker on every query pod. */
function serviceOfListName(name: string): { service: string; tier?: string } {
  const m = /^(.*?)Tier(\d+)$/.exec(name);
  if (m && BASE_SERVICES.includes(m[1])) return { service: m[1], tier: `dataTier${m[2]}` };
  return { service: name };
}

/** Agent node types (IMPLY_MANAGER_AGENT_NODE_TYPE) and the Druid services each runs (chart ports). */
const TIER_SERVICES: Record<string, string[]> = {
  master: ['coordinator', 'overlord'],
  query: ['broker', 'router'],
  data: ['historical', 'middleManager'],
};

/** Druid services running in a tier's pods. */
export function servicesOfTier(tier: string): string[] {
  if (tier === 'master' || tier === 'query') return TIER_SERVICES[tier];
  return TIER_SERVICES.data;
}

/**
 * Values path of the tier an agent node type belongs to. The additional data tiers follow dataTier1-3,
 * so node type `dataTier<N>` with N >= 4 is `additionalDataTiers[N-4]` (inferred: no render shows one).
 */
export function tierPathOfNodeType(nodeType: string): string {
  const m = /^dataTier(\d+)$/.exec(nodeType);
  if (m && Number(m[1]) >= 4) return `additionalDataTiers[${Number(m[1]) - 4}]`;
  return nodeType;
}

/** The values path segments of a tier path (`additionalDataTiers[0]` → ['additionalDataTiers', 0]). */
function tierSegments(tier: string): Path {
  const m = /^additionalDataTiers\[(\d+)\]$/.exec(tier);
  return m ? ['additionalDataTiers', Number(m[1])] : [tier];
}

const AGENT_ENV = /^druid_(common|coordinator|overlord|broker|router|historical|middlemanager)_runtime_(.+)$/i;

/** Maps an agent env name to the property it appends (post-init-actions-k8s: case-insensitive, `_` → `.`). */
export function agentEnvProperty(name: string): { service: string; key: string } | undefined {
  const m = AGENT_ENV.exec(name);
  if (!m) return undefined;
  const svc = m[1].toLowerCase();
  return { service: svc === 'middlemanager' ? 'middleManager' : svc, key: m[2].replace(/_/g, '.') };
}

/** Tier values paths an input can have: master, query, dataTier1-3, additionalDataTiers[i]. */
function valuesTiers(v: ValuesModel): { tier: string; path: Path; deployed: boolean }[] {
  const out: { tier: string; path: Path; deployed: boolean }[] = [];
  for (const t of ['master', 'query', 'dataTier1', 'dataTier2', 'dataTier3']) {
    const rc = v.get([t, 'replicaCount']);
    out.push({ tier: t, path: [t], deployed: t === 'master' || t === 'query' || rc !== 0 });
  }
  const extra = v.get(['additionalDataTiers']);
  if (Array.isArray(extra)) {
    extra.forEach((x, i) => {
      const rc = isMap(x) ? x.replicaCount : undefined;
      out.push({ tier: `additionalDataTiers[${i}]`, path: ['additionalDataTiers', i], deployed: rc !== 0 });
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Runtime-property lists

/** A list's service and tier, and where its entries are (values paths or one rendered env var). */
interface ListSpec {
  subject: string;
  service: string;
  tier?: string;
  input: EvidenceInput;
  /** Anchor of entry `i` (values: the list item; manifests: the env var's value). */
  entryAt: (i: number) => EvidenceAt;
  at: EvidenceAt;
}

/** Builds a `form: 'list'` list from raw items: sprig `join` drops nil items and prints the rest with %v. */
function listOf(spec: ListSpec, items: unknown[]): PropertyList {
  const entries: PropertyEntry[] = [];
  items.forEach((item, i) => {
    if (item === null || item === undefined) return;
    entries.push(entryOf(goPrint(item), { index: i, subject: `${spec.subject}[${i}]`, at: spec.entryAt(i) }, typeof item !== 'string'));
  });
  return { subject: spec.subject, service: spec.service, tier: spec.tier, input: spec.input, form: 'list', entries, at: spec.at };
}

function valuesListOf(path: Path, items: unknown[], svc: { service: string; tier?: string }): PropertyList {
  return listOf({ subject: formatPath(path), ...svc, input: 'values', entryAt: (i) => ({ values: [...path, i] }), at: { values: path } }, items);
}

const ADDITIONAL_TIER_LISTS = [
  ['customHistoricalRuntimeProperties', 'historical'],
  ['customMiddleManagerRuntimeProperties', 'middleManager'],
] as const;

/** `druid.*RuntimeProperties` (pivot excluded) and `additionalDataTiers[i].custom*RuntimeProperties`. */
function valuesPropertyLists(v: ValuesModel): PropertyList[] {
  const out: PropertyList[] = [];
  const druid = v.get(['druid']);
  for (const [name, list] of Object.entries(isMap(druid) ? druid : {})) {
    const m = /^(.+)RuntimeProperties$/.exec(name);
    if (m && m[1] !== 'pivot' && Array.isArray(list)) out.push(valuesListOf(['druid', name], list, serviceOfListName(m[1])));
  }
  const extra = v.get(['additionalDataTiers']);
  (Array.isArray(extra) ? extra : []).forEach((tier, i) => {
    for (const [key, service] of ADDITIONAL_TIER_LISTS) {
      const list = isMap(tier) ? tier[key] : undefined;
      if (Array.isArray(list)) out.push(valuesListOf(['additionalDataTiers', i, key], list, { service, tier: `additionalDataTiers[${i}]` }));
    }
  });
  return out;
}

/** One agent env var read as the property post-init-actions-k8s appends for it. */
interface AgentEnvItem {
  name: string;
  value: string;
  at: EvidenceAt;
  index: number;
}

/** Groups a tier's agent env vars into one `form: 'env'` list per Druid service. */
function envListsOf(tierPath: Path, input: EvidenceInput, items: AgentEnvItem[], at: EvidenceAt): PropertyList[] {
  const bySvc = new Map<string, PropertyEntry[]>();
  for (const it of items) {
    const p = agentEnvProperty(it.name);
    if (!p) continue;
    const list = bySvc.get(p.service) ?? [];
    list.push({ text: `${p.key}=${it.value}`, key: p.key, value: it.value, kind: 'property', index: it.index, subject: formatPath([...tierPath, 'extraEnv', it.name]), at: it.at });
    bySvc.set(p.service, list);
  }
  const tier = formatPath(tierPath);
  return [...bySvc].map(([service, entries]) => ({ subject: `${tier}.extraEnv`, service, tier, input, form: 'env', entries, at }));
}

/** Agent env from `<tier>.extraEnv` (literal values only; valueFrom carries no value). */
function valuesEnvLists(v: ValuesModel): PropertyList[] {
  const out: PropertyList[] = [];
  for (const t of valuesTiers(v)) {
    const env = v.get([...t.path, 'extraEnv']);
    if (!t.deployed || !Array.isArray(env)) continue;
    const items: AgentEnvItem[] = [];
    env.forEach((e, j) => {
      if (!isMap(e) || typeof e.name !== 'string' || e.valueFrom !== undefined) return;
      const value = e.value === undefined || e.value === null ? '' : goPrint(e.value);
      items.push({ name: e.name, value, index: j, at: { values: [...t.path, 'extraEnv', j] } });
    });
    out.push(...envListsOf(t.path, 'values', items, { values: [...t.path, 'extraEnv'] }));
  }
  return out;
}

/**
 * The additional-tier JSON object (`{"<tier>": [..]}`). Keys are taken as tier numbers following
 * dataTier1-3 (`"4"` or `"dataTier4"` → additionalDataTiers[0]); both renders show only `{}`.
 */
function additionalTierIndex(key: string): number | undefined {
  const m = /^(?:dataTier)?(\d+)$/.exec(key);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= 4 ? n - 4 : undefined;
}

/** `imply_defaults_additionalDataTier{Historical,MiddleManager}RuntimeProperties`: a JSON object of lists. */
function additionalTierEnvLists(manager: K8sObject, e: EnvVar, which: 'Historical' | 'MiddleManager'): PropertyList[] {
  const service = which === 'Historical' ? 'historical' : 'middleManager';
  const at: EvidenceAt = { object: manager, path: [...e.path, 'value'] };
  const broken = (parseError: string): PropertyList[] => [{ subject: 'additionalDataTiers', service, input: 'manifest', form: 'list', entries: [], at, parseError }];
  let parsed: unknown;
  try {
    parsed = JSON.parse(e.value ?? '');
  } catch (err) {
    return broken(err instanceof Error ? err.message : String(err));
  }
  if (!isMap(parsed)) return broken('expected a JSON object of lists');
  return Object.entries(parsed).flatMap(([k, list]) => {
    if (!Array.isArray(list)) return [];
    const idx = additionalTierIndex(k);
    const tierPath: Path = ['additionalDataTiers', idx ?? k];
    const spec = { subject: formatPath([...tierPath, `custom${which}RuntimeProperties`]), service, tier: formatPath(tierPath), input: 'manifest' as const, entryAt: () => at, at };
    return [listOf(spec, list)];
  });
}

/** The manager's `imply_defaults_<svc>CustomDruidProperties` (literal `\n` separators) and additional-tier env. */
function managerEnvLists(manager: K8sObject): PropertyList[] {
  const out: PropertyList[] = [];
  for (const e of envVars(manager)) {
    if (e.value === undefined) continue;
    const m = /^imply_defaults_([A-Za-z0-9]+)CustomDruidProperties$/.exec(e.name);
    if (m && m[1] !== 'pivot') {
      const at: EvidenceAt = { object: manager, path: [...e.path, 'value'] };
      const path = defaultsEnvPath(e.name) ?? ['druid', `${m[1]}RuntimeProperties`];
      out.push(listOf({ subject: formatPath(path), ...serviceOfListName(m[1]), input: 'manifest', entryAt: () => at, at }, splitRenderedList(e.value)));
      continue;
    }
    const a = /^imply_defaults_additionalDataTier(Historical|MiddleManager)RuntimeProperties$/.exec(e.name);
    if (a) out.push(...additionalTierEnvLists(manager, e, a[1] as 'Historical' | 'MiddleManager'));
  }
  return out;
}

/** Agent workloads' literal `druid_<svc>_runtime_*` env (the chart's own druid.host uses valueFrom). */
function agentEnvLists(agent: K8sObject, nodeType: string): PropertyList[] {
  const items: AgentEnvItem[] = [];
  for (const e of envVars(agent)) {
    if (e.value !== undefined) items.push({ name: e.name, value: e.value, index: items.length, at: { object: agent, path: [...e.path, 'value'] } });
  }
  return envListsOf(tierSegments(tierPathOfNodeType(nodeType)), 'manifest', items, { object: agent });
}

function manifestLists(m: ManifestModel): PropertyList[] {
  const manager = managerOf(m);
  const out = manager ? managerEnvLists(manager) : [];
  for (const o of implyWorkloads(m)) {
    const nodeType = agentNodeType(o);
    if (o !== manager && !isManager(o) && nodeType !== undefined) out.push(...agentEnvLists(o, nodeType));
  }
  return out;
}

const listCache = new WeakMap<DeploymentModel, PropertyList[]>();

/**
 * Every runtime-property list of the model (pivotRuntimeProperties excluded: see pivotConfigs), values
 * first, then manifests. Manifest lists carry the same subjects as their values keys: the manager's
 * `imply_defaults_<svc>CustomDruidProperties` (split on the literal `\n`) is `druid.<svc>RuntimeProperties`,
 * `imply_defaults_additionalDataTier*RuntimeProperties` (a JSON object of lists) is
 * `additionalDataTiers[i].custom*RuntimeProperties`, agent `druid_<svc>_runtime_*` env is `<tier>.extraEnv`.
 */
export function runtimePropertyLists(model: DeploymentModel): PropertyList[] {
  const cached = listCache.get(model);
  if (cached) return cached;
  const out: PropertyList[] = [];
  if (model.values) out.push(...valuesPropertyLists(model.values), ...valuesEnvLists(model.values));
  if (model.manifests) out.push(...manifestLists(model.manifests));
  listCache.set(model, out);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Sizes

/** A JVM size (`-Xmx4g`, `MaxDirectMemorySize=2g`): digits with an optional k/m/g/t suffix, binary. */
export function parseJvmSize(s: string): number | undefined {
  const m = /^(\d+)([kKmMgGtT]?)$/.exec(s);
  if (!m) return undefined;
  const mult: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };
  return Number(m[1]) * mult[m[2].toLowerCase()];
}

/**
 * A Druid human-readable byte count (`50000000`, `500MiB`, `2g`, `1GB`): K/M/G/T/P (or KB…) are
 * decimal, KiB/MiB/… binary, case-insensitive (Druid "Human-readable byte format").
 */
export function parseDruidBytes(s: string): number | undefined {
  const m = /^\s*(\d+)\s*(?:([kmgtp])(i?b|i)?)?\s*$/i.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!m[2]) return n;
  const exp = 'kmgtp'.indexOf(m[2].toLowerCase()) + 1;
  const binary = (m[3] ?? '').toLowerCase().startsWith('i');
  return n * (binary ? 1024 : 1000) ** exp;
}

/** A Kubernetes memory quantity (`8G`, `8Gi`, `500M`, `1e9`, `1024`) in bytes; undefined if unparsable. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = /^\s*([+]?\d+(?:\.\d+)?|[+]?\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m|[eE][+-]?\d+)?\s*$/.exec(q);
  if (!m) return undefined;
  const n = Number(m[1]);
  const s = m[2] ?? '';
  const bin: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
  const dec: Record<string, number> = { k: 1, M: 2, G: 3, T: 4, P: 5, E: 6 };
  if (s === '') return n;
  if (s === 'm') return n / 1000;
  if (s in bin) return n * 1024 ** bin[s];
  if (s in dec) return n * 1000 ** dec[s];
  return n * 10 ** Number(s.slice(1));
}

// ---------------------------------------------------------------------------------------------------
// JVM flags

/** The JVM memory flags the rules compare: initial heap, maximum heap, direct memory. */
export type JvmFlagName = 'xms' | 'xmx' | 'maxDirect';

/** One heap or direct-memory flag found in a value. */
export interface JvmFlag {
  flag: JvmFlagName;
  /** The whole token, e.g. `-Xmx4g`. */
  token: string;
  /** The size part, e.g. `4g`. */
  size: string;
  /** Bytes, undefined when the size is malformed. */
  bytes?: number;
}

/** Heap/direct-memory flags of a JVM option string (`-Xms`, `-Xmx`, `-XX:MaxDirectMemorySize=`, `-XX:{Initial,Max}HeapSize=`). */
export function jvmFlags(text: string): JvmFlag[] {
  const out: JvmFlag[] = [];
  for (const token of text.split(/\s+/).filter(Boolean)) {
    let flag: JvmFlagName | undefined;
    let size = '';
    if (token.startsWith('-Xms')) [flag, size] = ['xms', token.slice(4)];
    else if (token.startsWith('-Xmx')) [flag, size] = ['xmx', token.slice(4)];
    else if (token.startsWith('-XX:MaxDirectMemorySize=')) [flag, size] = ['maxDirect', token.slice('-XX:MaxDirectMemorySize='.length)];
    else if (token.startsWith('-XX:InitialHeapSize=')) [flag, size] = ['xms', token.slice('-XX:InitialHeapSize='.length)];
    else if (token.startsWith('-XX:MaxHeapSize=')) [flag, size] = ['xmx', token.slice('-XX:MaxHeapSize='.length)];
    if (flag) out.push({ flag, token, size, bytes: parseJvmSize(size) });
  }
  return out;
}

/** A flag with the entry that sets it. */
export interface JvmSetting extends JvmFlag {
  entry: PropertyEntry;
  list: PropertyList;
}

/** A mistake in how a list sets JVM memory (RULES.md jvm-heap-consistency). */
export interface JvmIssue {
  kind: 'wrongKey' | 'malformedSize' | 'noFlag';
  entry: PropertyEntry;
  list: PropertyList;
  key: string;
  /** The offending token (wrongKey, malformedSize) or the value (noFlag). */
  token: string;
  /** The flag the key expects (`-Xms` for jvm.config.xms). */
  expected?: string;
}

/** The JVM memory a set of lists configures: the service's own JVM (jvm.config.*) and its peons (javaOpts). */
export interface JvmView {
  service: Partial<Record<JvmFlagName, JvmSetting>>;
  peon: Partial<Record<JvmFlagName, JvmSetting>>;
  issues: JvmIssue[];
}

const JAVA_OPTS = 'druid.indexer.runner.javaOpts';
const KEY_FLAG: Record<string, JvmFlagName> = { 'jvm.config.xms': 'xms', 'jvm.config.xmx': 'xmx' };
const FLAG_TEXT: Record<JvmFlagName, string> = { xms: '-Xms', xmx: '-Xmx', maxDirect: '-XX:MaxDirectMemorySize=' };

/**
 * Reads the JVM memory settings of `lists`, in override order (later entries and lists win, as the last
 * `-Xmx` wins on a JVM command line). `jvm.config.xms`/`jvm.config.xmx` must carry their own flag (the
 * seed's `jvm.config.xms=-Xmx128m` is a wrongKey issue); `druid.indexer.runner.javaOpts` sets the peons.
 */
export function jvmView(lists: PropertyList[]): JvmView {
  const view: JvmView = { service: {}, peon: {}, issues: [] };
  for (const list of lists) {
    for (const entry of list.entries) {
      if (entry.kind !== 'property' || entry.key === undefined || entry.value === undefined) continue;
      const key = entry.key;
      const isJvmKey = key.startsWith('jvm.config.');
      if (!isJvmKey && key !== JAVA_OPTS) continue;
      const flags = jvmFlags(entry.value);
      const target = key === JAVA_OPTS ? view.peon : view.service;
      const expected = KEY_FLAG[key];
      if (expected && flags.length === 0 && entry.value.trim() !== '') {
        view.issues.push({ kind: 'noFlag', entry, list, key, token: entry.value.trim(), expected: FLAG_TEXT[expected] });
        continue;
      }
      for (const f of flags) {
        // Only a swapped heap bound is a wrong key; direct memory has no key of its own, so it may ride along.
        if (expected && f.flag !== expected && f.flag !== 'maxDirect') {
          view.issues.push({ kind: 'wrongKey', entry, list, key, token: f.token, expected: FLAG_TEXT[expected] });
          continue;
        }
        if (f.bytes === undefined) {
          view.issues.push({ kind: 'malformedSize', entry, list, key, token: f.token });
          continue;
        }
        target[f.flag] = { ...f, entry, list };
      }
    }
  }
  return view;
}

/** The effective value of a key in `lists` (last one wins), with its entry. */
export function lastProperty(lists: PropertyList[], key: string): PropertyEntry | undefined {
  let found: PropertyEntry | undefined;
  for (const l of lists) for (const e of l.entries) if (e.kind === 'property' && e.key === key) found = e;
  return found;
}

// ---------------------------------------------------------------------------------------------------
// Agent pods and their memory limits

/** One agent tier with an explicit memory limit. */
export interface PodMemoryLimit {
  /** Values path of the tier (`dataTier1`, `query`, `additionalDataTiers[0]`). */
  tier: string;
  input: EvidenceInput;
  raw: string;
  bytes?: number;
  at: EvidenceAt;
}

/** Agent tiers whose `resources.limits.memory` is set (values) or rendered (manifests). */
export function podMemoryLimits(model: DeploymentModel): PodMemoryLimit[] {
  const out: PodMemoryLimit[] = [];
  const v = model.values;
  if (v) {
    for (const t of valuesTiers(v)) {
      if (!t.deployed) continue;
      const path = [...t.path, 'resources', 'limits', 'memory'];
      const q = v.get(path);
      if (typeof q !== 'string' && typeof q !== 'number') continue;
      out.push({ tier: t.tier, input: 'values', raw: String(q), bytes: parseQuantity(q), at: { values: path } });
    }
  }
  const m = model.manifests;
  if (m) {
    for (const o of implyWorkloads(m)) {
      const nodeType = agentNodeType(o);
      if (nodeType === undefined || isManager(o)) continue;
      const c = containers(o).find((x) => !x.init && x.name === 'imply') ?? containers(o).find((x) => !x.init);
      const res = c && isMap(c.container.resources) ? c.container.resources : undefined;
      const lim = res && isMap(res.limits) ? res.limits : undefined;
      const q = lim?.memory;
      if (!c || (typeof q !== 'string' && typeof q !== 'number')) continue;
      out.push({ tier: tierPathOfNodeType(nodeType), input: 'manifest', raw: String(q), bytes: parseQuantity(q), at: { object: o, path: [...c.path, 'resources', 'limits', 'memory'] } });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Pivot

/** A YAML error of the joined Pivot configuration. */
export interface PivotYamlError {
  code: string;
  message: string;
  /** 1-based line and column inside the joined text. */
  line?: number;
  column?: number;
  at: EvidenceAt;
}

/** `druid.pivotRuntimeProperties` joined with "\n", as Pivot's config.yaml receives it. */
export interface PivotConfig {
  subject: string;
  input: EvidenceInput;
  text: string;
  /** Parsed value when the text is valid YAML. */
  value?: unknown;
  errors: PivotYamlError[];
  at: EvidenceAt;
}

/** Where a Pivot list is and which anchor a line of its joined text maps to. */
interface PivotSource {
  input: EvidenceInput;
  at: EvidenceAt;
  lineAt: (line: number) => EvidenceAt;
}

function parsePivot(text: string, src: PivotSource): PivotConfig {
  const { input, at, lineAt } = src;
  const subject = PIVOT_SUBJECT;
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const errors: PivotYamlError[] = doc.errors.map((e) => {
    const pos = e.linePos?.[0];
    const first = e.message.split('\n')[0].replace(/:\s*$/, '');
    return { code: e.code, message: first, line: pos?.line, column: pos?.col, at: pos ? lineAt(pos.line) : at };
  });
  let value: unknown;
  if (errors.length === 0) {
    // Bounded: an alias bomb in the Pivot lines is invalid configuration, not a crash.
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      errors.push({ code: 'LIMIT', message: (e instanceof Error ? e.message : String(e)).split('\n')[0], at });
    }
  }
  return { subject, input, text, value, errors, at };
}

const pivotCache = new WeakMap<DeploymentModel, PivotConfig[]>();
const PIVOT_SUBJECT = 'druid.pivotRuntimeProperties';

/**
 * The Pivot configuration of the release: `druid.pivotRuntimeProperties` (values) and the manager env
 * `imply_defaults_pivotCustomDruidProperties` (features.rendered.yaml), joined into YAML and parsed with
 * the `yaml` package. Empty lists are skipped.
 */
export function pivotConfigs(model: DeploymentModel): PivotConfig[] {
  const cached = pivotCache.get(model);
  if (cached) return cached;
  const out: PivotConfig[] = [];
  const v = model.values;
  const list = v?.get(['druid', 'pivotRuntimeProperties']);
  if (Array.isArray(list)) {
    const items: { text: string; index: number }[] = [];
    list.forEach((x, i) => {
      if (x !== null && x !== undefined) items.push({ text: goPrint(x), index: i });
    });
    if (items.length) {
      // Which item a line of the joined text comes from (items may hold several lines).
      const owner: number[] = [];
      for (const it of items) for (let k = 0; k < it.text.split('\n').length; k++) owner.push(it.index);
      const path: Path = ['druid', 'pivotRuntimeProperties'];
      const lineAt = (line: number): EvidenceAt => ({ values: owner[line - 1] !== undefined ? [...path, owner[line - 1]] : path });
      out.push(parsePivot(items.map((i) => i.text).join('\n'), { input: 'values', at: { values: path }, lineAt }));
    }
  }
  const mgr = model.manifests ? managerOf(model.manifests) : undefined;
  if (mgr) {
    for (const e of envVars(mgr)) {
      if (e.name !== 'imply_defaults_pivotCustomDruidProperties' || e.value === undefined || e.value === '') continue;
      const at: EvidenceAt = { object: mgr, path: [...e.path, 'value'] };
      out.push(parsePivot(splitRenderedList(e.value).join('\n'), { input: 'manifest', at, lineAt: () => at }));
    }
  }
  pivotCache.set(model, out);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Custom files and user extensions (2023.03.1 line)

/** One item of a druid list or map setting (custom file, user extension, custom version). */
export interface DruidItem {
  /** `druid.customFiles[0]`, `druid.userExtensions.acme-udf`. */
  subject: string;
  /** Index (customFiles) or extension name (userExtensions). */
  key: number | string;
  value: unknown;
  at: EvidenceAt;
}

/** `druid.customFiles` and `druid.userExtensions` as one input carries them. */
export interface CustomFilesEvidence {
  input: EvidenceInput;
  customFiles?: { items: DruidItem[]; at: EvidenceAt; parseError?: string };
  userExtensions?: { items: DruidItem[]; at: EvidenceAt; parseError?: string };
}

function jsonEnv(e: EnvVar): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(e.value ?? '') as unknown };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * `druid.customFiles` / `druid.userExtensions` from values (2023.03.1 line only: older lines have no such
 * keys) and the manager env `imply_defaults_customFiles` / `imply_defaults_userExtensions` (JSON).
 */
export function customFilesEvidence(model: DeploymentModel): CustomFilesEvidence[] {
  const out: CustomFilesEvidence[] = [];
  const v = model.values;
  if (v && v.chartLine === '2023') {
    const ev: CustomFilesEvidence = { input: 'values' };
    const files = v.get(['druid', 'customFiles']);
    if (Array.isArray(files)) {
      ev.customFiles = { items: files.map((value, i) => ({ subject: formatPath(['druid', 'customFiles', i]), key: i, value, at: { values: ['druid', 'customFiles', i] } })), at: { values: ['druid', 'customFiles'] } };
    }
    const ext = v.get(['druid', 'userExtensions']);
    if (isMap(ext)) {
      ev.userExtensions = { items: Object.entries(ext).map(([name, value]) => ({ subject: formatPath(['druid', 'userExtensions', name]), key: name, value, at: { values: ['druid', 'userExtensions', name] } })), at: { values: ['druid', 'userExtensions'] } };
    }
    out.push(ev);
  }
  const mgr = model.manifests ? managerOf(model.manifests) : undefined;
  if (mgr) {
    const ev: CustomFilesEvidence = { input: 'manifest' };
    for (const e of envVars(mgr)) {
      if (e.value === undefined) continue;
      const at: EvidenceAt = { object: mgr, path: [...e.path, 'value'] };
      if (e.name === 'imply_defaults_customFiles') {
        const j = jsonEnv(e);
        if (j.error !== undefined) ev.customFiles = { items: [], at, parseError: j.error };
        else if (!Array.isArray(j.value)) ev.customFiles = { items: [], at, parseError: 'expected a JSON list' };
        else ev.customFiles = { items: j.value.map((value, i) => ({ subject: formatPath(['druid', 'customFiles', i]), key: i, value, at })), at };
      } else if (e.name === 'imply_defaults_userExtensions') {
        const j = jsonEnv(e);
        if (j.error !== undefined) ev.userExtensions = { items: [], at, parseError: j.error };
        else if (!isMap(j.value)) ev.userExtensions = { items: [], at, parseError: 'expected a JSON object' };
        else ev.userExtensions = { items: Object.entries(j.value).map(([name, value]) => ({ subject: formatPath(['druid', 'userExtensions', name]), key: name, value, at })), at };
      }
    }
    if (ev.customFiles || ev.userExtensions) out.push(ev);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Custom Imply versions and /mnt/var/user

/** Where the manager keeps custom user files (seed "Adding custom user files"). */
export const USER_FILES_DIR = '/mnt/var/user';

/** Volume sources whose contents do not survive a pod restart, or cannot hold user files. */
const NON_PERSISTENT_SOURCES = new Set(['emptyDir', 'ephemeral', 'configMap', 'secret', 'downwardAPI', 'projected']);

/** The volume behind /mnt/var/user on the manager. */
export interface UserDirVolume {
  persistent: boolean;
  mountPath?: string;
  volume?: string;
  /** The volume source kind (`emptyDir`, `persistentVolumeClaim`, `nfs`, …), undefined when unknown. */
  source?: string;
}

/** `manager.customVersions` as one input carries them, with the volume behind /mnt/var/user. */
export interface CustomVersionsEvidence {
  input: EvidenceInput;
  versions: DruidItem[];
  at: EvidenceAt;
  userDir: UserDirVolume;
  parseError?: string;
}

function norm(p: string): string {
  const s = p.replace(/\/+$/, '');
  return s === '' ? '/' : s;
}

function covers(mountPath: string, dir: string): boolean {
  const m = norm(mountPath);
  return m === '/' || dir === m || dir.startsWith(`${m}/`);
}

function volumeSource(vol: Record<string, unknown>): string | undefined {
  return Object.keys(vol).find((k) => k !== 'name');
}

/** The most specific mount covering USER_FILES_DIR among `mounts`, resolved against `volumes`. */
function userDirOf(mounts: unknown[], volumes: unknown[], claimTemplates: string[] = []): UserDirVolume {
  let best: { mountPath: string; name: string } | undefined;
  for (const m of mounts) {
    if (!isMap(m) || typeof m.mountPath !== 'string' || typeof m.name !== 'string') continue;
    if (!covers(m.mountPath, USER_FILES_DIR)) continue;
    if (!best || norm(m.mountPath).length >= norm(best.mountPath).length) best = { mountPath: m.mountPath, name: m.name };
  }
  if (!best) return { persistent: false };
  if (claimTemplates.includes(best.name)) return { persistent: true, mountPath: best.mountPath, volume: best.name, source: 'volumeClaimTemplate' };
  const vol = volumes.find((x) => isMap(x) && x.name === best!.name);
  if (!isMap(vol)) return { persistent: false, mountPath: best.mountPath, volume: best.name };
  const source = volumeSource(vol);
  return { persistent: source !== undefined && !NON_PERSISTENT_SOURCES.has(source), mountPath: best.mountPath, volume: best.name, source };
}

/**
 * `manager.customVersions` (values) / `imply_defaults_customImplyVersions` (manager env, `[{"version":…}]`)
 * with the volume holding /mnt/var/user. The chart mounts `/mnt/var` from the emptyDir `var-volume`
 * (prod.r, feat.r); `manager.extraVolumes`/`extraVolumeMounts` may put a persistent volume there.
 */
export function customVersionsEvidence(model: DeploymentModel): CustomVersionsEvidence[] {
  const out: CustomVersionsEvidence[] = [];
  const v = model.values;
  if (v) {
    const list = v.get(['manager', 'customVersions']);
    if (Array.isArray(list) && list.length > 0) {
      const chartMount = { name: 'var-volume', mountPath: '/mnt/var' };
      const chartVolume = { name: 'var-volume', emptyDir: {} };
      const mounts = v.get(['manager', 'extraVolumeMounts']);
      const vols = v.get(['manager', 'extraVolumes']);
      const userDir = userDirOf([chartMount, ...(Array.isArray(mounts) ? mounts : [])], [...(Array.isArray(vols) ? vols : []), chartVolume]);
      out.push({
        input: 'values',
        versions: list.map((value, i) => ({ subject: formatPath(['manager', 'customVersions', i]), key: i, value, at: { values: ['manager', 'customVersions', i] } })),
        at: { values: ['manager', 'customVersions'] },
        userDir,
      });
    }
  }
  const mgr = model.manifests ? managerOf(model.manifests) : undefined;
  if (mgr) {
    const e = envVars(mgr).find((x) => x.name === 'imply_defaults_customImplyVersions');
    if (e?.value !== undefined && e.value !== '') {
      const at: EvidenceAt = { object: mgr, path: [...e.path, 'value'] };
      const ps = podSpec(mgr);
      const vols = ps && Array.isArray(ps.spec.volumes) ? ps.spec.volumes : [];
      const mounts = Array.isArray(e.container.container.volumeMounts) ? e.container.container.volumeMounts : [];
      const spec = isMap(mgr.raw.spec) ? mgr.raw.spec : {};
      const vct = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates.flatMap((t) => (isMap(t) && isMap(t.metadata) && typeof t.metadata.name === 'string' ? [t.metadata.name] : [])) : [];
      const userDir = userDirOf(mounts, vols, vct);
      const j = jsonEnv(e);
      if (j.error !== undefined || !Array.isArray(j.value)) {
        out.push({ input: 'manifest', versions: [], at, userDir, parseError: j.error ?? 'expected a JSON list' });
      } else if (j.value.length > 0) {
        const versions = j.value.map((x, i) => ({ subject: formatPath(['manager', 'customVersions', i]), key: i, value: isMap(x) && 'version' in x ? x.version : x, at }));
        out.push({ input: 'manifest', versions, at, userDir });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Manager env settings

/** One env setting of the manager: `manager.extraEnv[i]` (values) or the manager container's env. */
export interface ManagerEnvSetting {
  input: EvidenceInput;
  name: string;
  /** Literal value (undefined with valueFrom). */
  value?: string;
  valueFrom: boolean;
  at: EvidenceAt;
}

/** Every setting of env var `name` on the manager, from `manager.extraEnv` and the rendered manager. */
export function managerEnvSettings(model: DeploymentModel, name: string): ManagerEnvSetting[] {
  const out: ManagerEnvSetting[] = [];
  const env = model.values?.get(['manager', 'extraEnv']);
  if (Array.isArray(env)) {
    env.forEach((e, i) => {
      if (!isMap(e) || e.name !== name) return;
      const hasValue = e.value !== undefined && e.value !== null;
      out.push({ input: 'values', name, value: hasValue ? goPrint(e.value) : undefined, valueFrom: e.valueFrom !== undefined, at: { values: ['manager', 'extraEnv', i, hasValue ? 'value' : 'name'] } });
    });
  }
  const mgr = model.manifests ? managerOf(model.manifests) : undefined;
  if (mgr) {
    for (const e of envVars(mgr)) {
      if (e.name !== name) continue;
      out.push({ input: 'manifest', name, value: e.value, valueFrom: e.valueFrom !== undefined, at: { object: mgr, path: [...e.path, e.value !== undefined ? 'value' : 'name'] } });
    }
  }
  return out;
}

/**
 * True for an ISO-8601 duration (`PT5M`, `PT2H30M`, `P1D`, `PT0.5S`, `P2W`): `P`, then date parts, then
 * `T` and time parts, at least one part, a fraction only on the last part.
 */
export function isIsoDuration(s: string): boolean {
  const m = /^P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/.exec(s);
  if (!m) return false;
  const parts = m.slice(1).filter((x) => x !== undefined);
  if (parts.length === 0) return false;
  if (s.includes('T') && m.slice(5).every((x) => x === undefined)) return false;
  // Only the smallest given part may have a fraction.
  return parts.slice(0, -1).every((x) => !/[.,]/.test(x));
}

// ---------------------------------------------------------------------------------------------------
// Deep storage strings

/** String settings of `druid.deepStorage` (values) or the manager's `imply_defaults_deepStorage*` env. */
export function deepStorageSettings(model: DeploymentModel): { subject: string; input: EvidenceInput; value: string; at: EvidenceAt }[] {
  const out: { subject: string; input: EvidenceInput; value: string; at: EvidenceAt }[] = [];
  const ds = model.values?.get(['druid', 'deepStorage']);
  if (isMap(ds)) {
    for (const [k, x] of Object.entries(ds)) {
      if (typeof x === 'string') out.push({ subject: formatPath(['druid', 'deepStorage', k]), input: 'values', value: x, at: { values: ['druid', 'deepStorage', k] } });
    }
  }
  const mgr = model.manifests ? managerOf(model.manifests) : undefined;
  if (mgr) {
    for (const e of envVars(mgr)) {
      const m = /^imply_defaults_deepStorage([A-Za-z0-9]+)$/.exec(e.name);
      if (!m || e.value === undefined) continue;
      const key = m[1][0].toLowerCase() + m[1].slice(1);
      out.push({ subject: formatPath(defaultsEnvPath(e.name) ?? ['druid', 'deepStorage', key]), input: 'manifest', value: e.value, at: { object: mgr, path: [...e.path, 'value'] } });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// References to the release's quickstart services

/** The quickstart subcharts whose Services settings may still name. */
export type BundledService = 'minio' | 'mysql' | 'zookeeper';

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The quickstart services of the release a string names as a host: `{{ .Release.Name }}-minio` (as the
 * chart default writes it, whatever the release is called) or `<release>-minio` once the release is
 * known, also `-headless` twins and DNS names under them (`imply-minio.ns.svc:9000`).
 */
export function bundledServiceReferences(text: string, release: string | undefined): BundledService[] {
  const names = ['\\{\\{-?\\s*\\.Release\\.Name\\s*-?\\}\\}'];
  if (release) names.push(escapeRe(release));
  const out: BundledService[] = [];
  for (const c of ['minio', 'mysql', 'zookeeper'] as const) {
    const re = new RegExp(`(?<![A-Za-z0-9.-])(?:${names.join('|')})-${c}(?:-headless)?(?![A-Za-z0-9-])`, 'i');
    if (re.test(text)) out.push(c);
  }
  return out;
}
