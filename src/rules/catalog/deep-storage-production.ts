// Rules stage: deep-storage-production, Druid deep storage must be a durable, shared store with a path.
import { envVar, managerOf } from '../../model/manifests.js';
import type { K8sObject } from '../../model/types.js';
import type { Anchor, RuleContext } from '../types.js';
import { defineRule } from '../types.js';
import { str } from '../util.js';

/** Druid's non-durable deep storage types (Druid docs: `local` is one node's disk, `noop` keeps nothing). */
const NOT_PRODUCTION = new Set(['local', 'noop']);

interface Setting {
  text: string;
  at: Anchor;
}

function judge(ctx: RuleContext, type: Setting | undefined, path: Setting | undefined): void {
  if (type) {
    const t = type.text.trim();
    if (t === '') ctx.report({ messageId: 'typeMissing', subject: 'druid.deepStorage.type', at: type.at });
    else if (NOT_PRODUCTION.has(t.toLowerCase())) ctx.report({ messageId: 'typeNotProduction', data: { type: t }, subject: 'druid.deepStorage.type', at: type.at });
  }
  if (path && path.text.trim() === '') ctx.report({ messageId: 'pathMissing', subject: 'druid.deepStorage.path', at: path.at });
}

function fromValues(get: (p: string[]) => unknown, key: 'type' | 'path'): Setting | undefined {
  const p = ['druid', 'deepStorage', key];
  const raw = get(p);
  // null/absent renders as an empty string; maps and lists are value-type's business.
  const text = raw === undefined || raw === null ? '' : str(raw);
  return text === undefined ? undefined : { text, at: { values: p } };
}

function fromManager(mgr: K8sObject, name: string): Setting | undefined {
  const e = envVar(mgr, name);
  // Absent env is no evidence (the chart may leave empty settings out, as it does for deepStorageUser).
  return e && e.value !== undefined ? { text: e.value, at: { object: mgr, path: [...e.path, 'value'] } } : undefined;
}

export default defineRule({
  meta: {
    id: 'deep-storage-production',
    title: 'Production deep storage configured',
    severity: 'error',
    category: 'quickstart',
    inputs: ['values', 'manifest'],
    rationale:
      'Deep storage is the permanent copy of every Druid segment; historicals only cache it. Imply\'s guide tells production deployments to "choose the best supported deep storage type" ' +
      'from the Druid deep storage documentation, where `local` only works on a single node (or a shared mount) and `noop` stores nothing. ' +
      'An empty type or path leaves the cluster without a durable location. The guide lists no types itself: local/noop come from the Druid docs.',
    fix: 'Set druid.deepStorage.type to a durable shared store (s3, google, azure, hdfs) and druid.deepStorage.path to its bucket or directory.',
    seed: 'See the Druid Deep storage documentation to choose the best supported deep storage type for you.',
    subject: 'druid.deepStorage.type, druid.deepStorage.path',
    messages: {
      typeMissing: 'druid.deepStorage.type is empty: Druid segments have no durable deep storage. Set it to a shared store such as s3, google, azure or hdfs.',
      typeNotProduction:
        'druid.deepStorage.type is "{{type}}", which is not durable shared storage (local is one node\'s disk, noop keeps nothing). Use s3, google, azure or hdfs.',
      pathMissing: 'druid.deepStorage.path is empty: deep storage has no bucket or directory. Set druid.deepStorage.path.',
    },
    tags: ['deep-storage'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v) judge(ctx, fromValues((p) => v.get(p), 'type'), fromValues((p) => v.get(p), 'path'));
    const mgr = model.manifests && managerOf(model.manifests);
    if (mgr) judge(ctx, fromManager(mgr, 'imply_defaults_deepStorageType'), fromManager(mgr, 'imply_defaults_deepStoragePath'));
  },
});
