// Model stage: what the manager Deployment's env carries. The chart renders the `druid` values section
// into `imply_defaults_*` env vars (defaults for new clusters) and `druid.update` into
// IMPLY_MANAGER_DEFAULTS_UPDATE_TYPE; this maps each env name back to the values key it comes from, so
// rules report manifest evidence under the same subject as the values form (RULES.md "Identity").
import type { Path } from './path.js';

/** `imply_defaults_*` env names whose values key is verified in features.rendered.yaml / qs.r / prod.r. */
const DEFAULTS_ENV: Record<string, Path> = {
  imply_defaults_zkBasePath: ['druid', 'zk', 'basePath'],
  imply_defaults_zkHosts: ['druid', 'zk', 'connectString'],
  imply_defaults_metadataStorageType: ['druid', 'metadataStore', 'type'],
  imply_defaults_metadataStorageHost: ['druid', 'metadataStore', 'host'],
  imply_defaults_metadataStoragePort: ['druid', 'metadataStore', 'port'],
  imply_defaults_metadataStorageUser: ['druid', 'metadataStore', 'user'],
  imply_defaults_metadataStoragePassword: ['druid', 'metadataStore', 'password'],
  imply_defaults_metadataStorageTlsCert: ['druid', 'metadataStore', 'tlsCert'],
  imply_defaults_deepStorageType: ['druid', 'deepStorage', 'type'],
  imply_defaults_deepStoragePath: ['druid', 'deepStorage', 'path'],
  imply_defaults_deepStorageUser: ['druid', 'deepStorage', 'user'],
  imply_defaults_deepStoragePassword: ['druid', 'deepStorage', 'password'],
  imply_defaults_implyVersion: ['druid', 'implyVersion'],
  imply_defaults_customFiles: ['druid', 'customFiles'],
  imply_defaults_userExtensions: ['druid', 'userExtensions'],
  imply_defaults_additionalDataTierMiddleManagerRuntimeProperties: ['additionalDataTiers'],
  imply_defaults_additionalDataTierHistoricalRuntimeProperties: ['additionalDataTiers'],
};

/**
 * `imply_defaults_*` env vars that carry no cluster default: `zkType` is always `external` (EVIDENCE.md),
 * `customImplyVersions` comes from `manager.customVersions` (what the Manager offers, not a druid setting).
 */
const NOT_CLUSTER_DEFAULTS = new Set(['imply_defaults_zkType', 'imply_defaults_customImplyVersions']);

/** Values sub-sections of `druid` whose leaves render into separate env vars (compared key by key). */
export const DRUID_LEAF_SECTIONS: ReadonlySet<string> = new Set(['zk', 'metadataStore', 'deepStorage']);

/**
 * The values key an `imply_defaults_*` env var renders, or undefined when it is no cluster default
 * (or not an `imply_defaults_` name at all). `<svc>CustomDruidProperties` come from
 * `druid.<svc>RuntimeProperties` (common, historical, middleManager, broker, pivot verified); an unknown
 * `imply_defaults_*` name maps to the whole `druid` section.
 */
export function defaultsEnvPath(name: string): Path | undefined {
  if (!name.startsWith('imply_defaults_') || NOT_CLUSTER_DEFAULTS.has(name)) return undefined;
  const known = DEFAULTS_ENV[name];
  if (known) return known;
  const m = /^imply_defaults_([A-Za-z0-9]+)CustomDruidProperties$/.exec(name);
  if (m) return ['druid', `${m[1]}RuntimeProperties`];
  return ['druid'];
}

/** How the manager applies `druid` changes to an existing cluster (seed "Applying configuration changes"). */
export type UpdateMode = 'disabled' | 'rolling' | 'hard' | 'other';

/**
 * Normalizes `druid.update` / IMPLY_MANAGER_DEFAULTS_UPDATE_TYPE. Empty or absent is the manager's
 * default, `disabled` (seed: "disabled: The default"); non-strings and unknown words are `other`.
 */
export function updateMode(v: unknown): UpdateMode {
  if (v === undefined || v === null || v === '') return 'disabled';
  if (typeof v !== 'string') return 'other';
  const s = v.trim();
  if (s === '' || s === 'disabled') return 'disabled';
  if (s === 'rolling' || s === 'hard') return s;
  return 'other';
}
