// Rules stage: unresolved-placeholder, a `${var}` / `<fill-me>` left in values or rendered env values.
import { agentNodeType, envVars, isManager, isTestHook } from '../../model/manifests.js';
import { formatPath, isMap } from '../../model/path.js';
import type { Path } from '../../model/path.js';
import type { K8sObject } from '../../model/types.js';
import { defineRule } from '../types.js';
import { walkUserValues } from '../hygiene-util.js';

/** Values the user writes for a shell or a program, where `${VAR}` is that program's own syntax. */
const SCRIPT_KEYS = new Set(['command', 'args', 'script', 'scripts', 'lifecycle', 'exec']);

/** Subtrees the chart renders as one JSON env value: the placeholder's subject is the whole subtree. */
const RENDERED_WHOLE = new Set(['druid.userExtensions']);

/** Whole values that are nothing but a "fill me in" marker. */
const MARKER = /^(change[-_]?me|replace[-_]?me|fill[-_]?me([-_]?in)?|todo|tbd)$/i;

/**
 * The first placeholder in a string, or undefined. Chart templates (`{{ }}`, rendered later by Helm),
 * Imply's own `%{var}%` substitutions and Kubernetes `$(VAR)` references are resolved by someone and
 * never count.
 */
export function findPlaceholder(s: string): string | undefined {
  // Most values hold none of `${`, `<`, `{{` or `%{`: then only a whole-value marker can match, and the
  // replacements of findPlaceholderIn (two new copies of every env value, JSON-rendered ones included) are skipped.
  if (!s.includes('$') && !s.includes('<') && !s.includes('{')) {
    const t = s.trim();
    return t.length <= 16 && MARKER.test(t) ? t : undefined;
  }
  return findPlaceholderIn(s);
}

/** findPlaceholder without the quick path: its definition (a test checks that both always agree). */
export function findPlaceholderIn(s: string): string | undefined {
  const text = s.replace(/\{\{[\s\S]*?\}\}/g, ' ').replace(/%\{[^{}\n]*\}%/g, ' ');
  const dollar = /\$\{[^{}\s]{1,80}\}/.exec(text);
  if (dollar) return dollar[0];
  // `<fill-me>`, `<your password>`: not XML or HTML (no closing tags, attributes or `/>`).
  if (!/<\/|\/>|<\?|<!/.test(text)) {
    const angle = /(?<![<\w])<([A-Za-z][A-Za-z0-9]*(?:[-_ .][A-Za-z0-9]+)*)>(?!>)/.exec(text);
    if (angle) return angle[0];
  }
  const t = text.trim();
  if (MARKER.test(t)) return t;
  return undefined;
}

/** Manager env var -> the values key it renders (EVIDENCE.md, features.rendered.yaml). */
const ENV_SUBJECT: Record<string, string> = {
  IMPLY_MANAGER_LICENSE_KEY: 'manager.licenseKey',
  IMPLY_MANAGER_STORE_TYPE: 'manager.metadataStore.type',
  IMPLY_MANAGER_STORE_HOST: 'manager.metadataStore.host',
  IMPLY_MANAGER_STORE_PORT: 'manager.metadataStore.port',
  IMPLY_MANAGER_STORE_USER: 'manager.metadataStore.user',
  IMPLY_MANAGER_STORE_PASSWORD: 'manager.metadataStore.password',
  IMPLY_MANAGER_STORE_DATABASE: 'manager.metadataStore.database',
  IMPLY_MANAGER_STORE_CA_CERT: 'manager.metadataStore.tlsCert',
  IMPLY_MANAGER_DEFAULTS_UPDATE_TYPE: 'druid.update',
  imply_defaults_zkHosts: 'druid.zk.connectString',
  imply_defaults_zkBasePath: 'druid.zk.basePath',
  imply_defaults_metadataStorageType: 'druid.metadataStore.type',
  imply_defaults_metadataStorageHost: 'druid.metadataStore.host',
  imply_defaults_metadataStoragePort: 'druid.metadataStore.port',
  imply_defaults_metadataStorageUser: 'druid.metadataStore.user',
  imply_defaults_metadataStoragePassword: 'druid.metadataStore.password',
  imply_defaults_metadataStorageTlsCert: 'druid.metadataStore.tlsCert',
  imply_defaults_deepStorageType: 'druid.deepStorage.type',
  imply_defaults_deepStoragePath: 'druid.deepStorage.path',
  imply_defaults_deepStorageUser: 'druid.deepStorage.user',
  imply_defaults_deepStoragePassword: 'druid.deepStorage.password',
  imply_defaults_implyVersion: 'druid.implyVersion',
  imply_defaults_customFiles: 'druid.customFiles',
  imply_defaults_userExtensions: 'druid.userExtensions',
  imply_defaults_customImplyVersions: 'manager.customVersions',
  IMPLY_MANAGER_AGENT_CLUSTER: 'agents.clusterName',
  IMPLY_MANAGER_HOST: 'agents.managerHost',
};

/** The values key behind a rendered env var, so both inputs share one subject. */
function envSubject(o: K8sObject, name: string): string {
  if (ENV_SUBJECT[name]) return ENV_SUBJECT[name];
  const props = /^imply_defaults_(\w+)CustomDruidProperties$/.exec(name);
  if (props) return `druid.${props[1]}RuntimeProperties`;
  if (/^imply_defaults_additionalDataTier\w+RuntimeProperties$/.test(name)) return 'additionalDataTiers';
  // Anything else on an Imply workload comes from that component's extraEnv.
  if (isManager(o)) return formatPath(['manager', 'extraEnv', name]);
  const node = agentNodeType(o);
  if (node) return formatPath([node, 'extraEnv', name]);
  return formatPath(['env', name]);
}

/** The subject of a user value: the list or JSON-rendered subtree it belongs to, or an extraEnv entry by name. */
function valuesSubject(user: unknown, path: Path): string {
  const i = path.findIndex((s) => typeof s === 'number');
  if (i >= 1 && path[i - 1] === 'extraEnv') {
    let item: unknown = user;
    for (const s of path.slice(0, i + 1)) item = isMap(item) || Array.isArray(item) ? (item as Record<string | number, unknown>)[s] : undefined;
    if (isMap(item) && typeof item.name === 'string') return formatPath([...path.slice(0, i), item.name]);
  }
  const head = i >= 0 ? path.slice(0, i) : path;
  for (let n = 1; n <= head.length; n++) {
    const p = formatPath(head.slice(0, n));
    if (RENDERED_WHOLE.has(p)) return p;
  }
  return formatPath(head);
}

export default defineRule({
  meta: {
    id: 'unresolved-placeholder',
    title: 'No placeholders left in values',
    severity: 'error',
    category: 'hygiene',
    inputs: ['values', 'manifest'],
    rationale:
      'Values files are often templates with `${VAR}` or `<fill-me>` markers that a pipeline should have replaced; Helm passes them through as literal text, so the manager connects to a host called `${DB_HOST}`. Imply\'s guide itself writes placeholders (`value: ISO-8601_VALUE`, `imply-<version>.tar.gz`) that must be replaced. Only values the user set and rendered env values are checked; chart `{{ }}` templates, Imply\'s `%{var}%` substitutions, Kubernetes `$(VAR)` references, ConfigMap scripts and container command/args are not.',
    fix: 'Replace the placeholder with the real value (or have your pipeline substitute it before running Helm).',
    seed: '- name: imply_manager_updateDelay # Use ISO-8601 format for the value, such as PT5M value: ISO-8601_VALUE',
    subject:
      'The values key holding the placeholder; list items and JSON-rendered subtrees use their list/subtree path, extraEnv entries `<component>.extraEnv.<NAME>`; rendered env vars map to the same keys (e.g. `IMPLY_MANAGER_STORE_HOST` -> `manager.metadataStore.host`).',
    messages: {
      placeholder: '{{subject}} still holds the placeholder {{placeholder}}; replace it with the real value before installing.',
    },
    tags: ['values', 'templating'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v) {
      walkUserValues(v, (path, value) => {
        const key = path[path.length - 1];
        if (typeof key === 'string' && SCRIPT_KEYS.has(key)) return false;
        if (typeof key === 'string' && path[path.length - 2] === 'annotations' && /snippet/i.test(key)) return false;
        if (typeof value !== 'string') return true;
        const placeholder = findPlaceholder(value);
        if (placeholder) {
          const subject = valuesSubject(v.user, path);
          ctx.report({ messageId: 'placeholder', data: { subject, placeholder }, subject, at: { values: path } });
        }
        return false;
      });
    }
    const m = model.manifests;
    if (!m) return;
    for (const o of m.objects) {
      if (isTestHook(o)) continue;
      for (const e of envVars(o, true)) {
        if (e.value === undefined) continue;
        const placeholder = findPlaceholder(e.value);
        if (!placeholder) continue;
        const subject = envSubject(o, e.name);
        ctx.report({ messageId: 'placeholder', data: { subject, placeholder }, subject, at: { object: o, path: [...e.path, 'value'] } });
      }
    }
  },
});
