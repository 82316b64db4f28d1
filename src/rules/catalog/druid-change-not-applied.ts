// Rules stage: druid-change-not-applied, an upgrade changes `druid` settings that only new clusters get.
import { DRUID_LEAF_SECTIONS, defaultsEnvPath, updateMode } from '../../model/imply-env.js';
import { envVars, managerOf } from '../../model/manifests.js';
import { formatPath, isMap } from '../../model/path.js';
import type { Path } from '../../model/path.js';
import type { K8sObject, ValuesModel } from '../../model/types.js';
import type { Anchor } from '../types.js';
import { defineRule } from '../types.js';

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The keys of the `druid` section that changed, at the granularity the manager env renders them. */
function changedValuePaths(before: ValuesModel, after: ValuesModel): Path[] {
  const out: Path[] = [];
  const a = before.get(['druid']);
  const b = after.get(['druid']);
  const pa = isMap(a) ? a : {};
  const pb = isMap(b) ? b : {};
  for (const k of new Set([...Object.keys(pa), ...Object.keys(pb)])) {
    if (k === 'update') continue; // the switch itself is applied by the upgrade
    const x = pa[k];
    const y = pb[k];
    if (DRUID_LEAF_SECTIONS.has(k) && isMap(x) && isMap(y)) {
      for (const leaf of new Set([...Object.keys(x), ...Object.keys(y)])) if (!same(x[leaf], y[leaf])) out.push(['druid', k, leaf]);
    } else if (!same(x, y)) out.push(['druid', k]);
  }
  // Additional tiers' runtime properties render into imply_defaults_additionalDataTier*RuntimeProperties too.
  const tierProps = (v: ValuesModel) => {
    const list = v.get(['additionalDataTiers']);
    return Array.isArray(list) ? list.map((t) => (isMap(t) ? [t.customMiddleManagerRuntimeProperties, t.customHistoricalRuntimeProperties] : [])) : [];
  };
  if (!same(tierProps(before), tierProps(after))) out.push(['additionalDataTiers']);
  return out;
}

/** `imply_defaults_*` env of a manager: name -> rendered value (valueFrom compared as written). */
function defaultsEnv(mgr: K8sObject): Map<string, { text: string; path: Path }> {
  const out = new Map<string, { text: string; path: Path }>();
  for (const e of envVars(mgr)) {
    if (!defaultsEnvPath(e.name) || out.has(e.name)) continue;
    out.set(e.name, { text: e.value ?? JSON.stringify(e.valueFrom ?? null), path: e.value !== undefined ? [...e.path, 'value'] : e.path });
  }
  return out;
}

export default defineRule({
  meta: {
    id: 'druid-change-not-applied',
    title: 'Druid changes reach the running cluster',
    severity: 'warning',
    category: 'druid',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide: "When you run the helm upgrade command, Helm doesn\'t apply changes in the druid section of values.yaml to existing clusters", and with druid.update `disabled` (the default) ' +
      'they apply "to new clusters only". An upgrade that changes druid settings (or the manager\'s imply_defaults_* env) while druid.update is disabled silently leaves the running cluster as it was. ' +
      'Needs the state before the update: --previous-values, or the admission oldObject of the manager Deployment.',
    fix: 'Apply the change to the existing cluster in the Manager UI, or set druid.update: rolling so the upgrade applies it.',
    seed: 'When you run the helm upgrade command, Helm doesn\'t apply changes in the druid section of values.yaml to existing clusters. Use the Manager UI to configure existing clusters.',
    subject: 'the changed druid.* key (druid.zk.*, druid.metadataStore.*, druid.deepStorage.* per leaf), or additionalDataTiers',
    messages: {
      notApplied:
        '{{key}} changes in this update, but druid.update is disabled: the change applies to new clusters only, not to the running one. Apply it in the Manager UI or set druid.update: rolling.',
    },
    tags: ['druid', 'upgrade'],
  },
  check(model, ctx) {
    const prev = model.previous;
    const v = model.values;
    if (v && prev?.values && updateMode(v.get(['druid', 'update'])) === 'disabled') {
      for (const p of changedValuePaths(prev.values, v)) {
        const key = formatPath(p);
        ctx.report({ messageId: 'notApplied', data: { key }, subject: key, at: { values: p } });
      }
    }
    const m = model.manifests;
    const mgr = m && managerOf(m);
    const old = prev?.manifests && managerOf(prev.manifests);
    if (!mgr || !old) return;
    const mode = envVars(mgr).find((e) => e.name === 'IMPLY_MANAGER_DEFAULTS_UPDATE_TYPE');
    if (mode?.valueFrom !== undefined || updateMode(mode?.value) !== 'disabled') return;
    const before = defaultsEnv(old);
    const after = defaultsEnv(mgr);
    for (const name of new Set([...before.keys(), ...after.keys()])) {
      const x = before.get(name);
      const y = after.get(name);
      if (x?.text === y?.text) continue;
      const key = formatPath(defaultsEnvPath(name)!);
      const at: Anchor = y ? { object: mgr, path: y.path } : { object: mgr };
      ctx.report({ messageId: 'notApplied', data: { key }, subject: key, at });
    }
  },
});
