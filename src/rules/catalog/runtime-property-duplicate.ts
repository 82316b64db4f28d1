// Rules stage: runtime-property-duplicate, a key set twice in one list (or overridden by agent env) silently loses.
import { runtimePropertyLists, servicesOfTier } from '../../model/druid.js';
import type { PropertyEntry, PropertyList } from '../../model/druid.js';
import { defineRule } from '../types.js';

export default defineRule({
  meta: {
    id: 'runtime-property-duplicate',
    title: 'No runtime property set twice',
    severity: 'warning',
    category: 'druid',
    inputs: ['values', 'manifest'],
    rationale:
      'A runtime.properties file keeps the last value of a key, so when one `*RuntimeProperties` list sets a key twice the earlier entry is silently ignored, and an agent `druid_<service>_runtime_*` env var (appended to runtime.properties after the manager\'s lists by the chart\'s post-init-actions-k8s script) silently overrides the list. Operators then edit an entry that has no effect.',
    fix: 'Keep one entry per key: delete the earlier duplicate, or the list entry that the agent env var overrides.',
    subject: "the entry that wins: druid.<service>RuntimeProperties[i] for a later duplicate, <tier>.extraEnv.<ENV_NAME> for an agent env var overriding a list (manifests: the same index of the manager env, the agent workload's env)",
    messages: {
      duplicate: '{{key}} is set again in {{list}} (entry {{index}}, first at entry {{first}}); the earlier value is silently ignored. Keep one entry.',
      overriddenByEnv: '{{key}} from {{list}} is overridden by the agent env var {{env}}, which is appended later and wins; keep one of them.',
    },
    tags: ['druid', 'runtime-properties'],
  },
  check(model, ctx) {
    const lists = runtimePropertyLists(model);
    for (const list of lists) {
      if (list.form !== 'list') continue;
      const first = new Map<string, PropertyEntry>();
      for (const e of list.entries) {
        if (e.kind !== 'property' || e.key === undefined) continue;
        const f = first.get(e.key);
        if (!f) {
          first.set(e.key, e);
          continue;
        }
        ctx.report({ messageId: 'duplicate', data: { key: e.key, list: list.subject, index: e.index, first: f.index }, subject: e.subject, at: e.at, related: [f.at] });
      }
    }
    for (const env of lists) {
      if (env.form !== 'env' || !env.tier) continue;
      if (env.service !== 'common' && !servicesOfTier(env.tier).includes(env.service)) continue; // no such conf dir in that pod
      const targets = lists.filter((l: PropertyList) => l.form === 'list' && l.input === env.input && l.service === env.service && (l.tier === undefined || l.tier === env.tier));
      for (const e of env.entries) {
        for (const l of targets) {
          const hit = [...l.entries].reverse().find((x) => x.kind === 'property' && x.key === e.key);
          if (hit) ctx.report({ messageId: 'overriddenByEnv', data: { key: e.key ?? '', list: l.subject, env: e.subject }, subject: e.subject, at: e.at, related: [hit.at] });
        }
      }
    }
  },
});
