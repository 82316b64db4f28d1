// Rules stage: replicas-ha, the master, query and first data tier run at least two pods each.
import { agentNodeType, isTestHook } from '../../model/manifests.js';
import { isMap } from '../../model/path.js';
import { defineRule } from '../types.js';
import { goTruthy, intValue } from '../util.js';

/** The tiers RULES.md names; other data tiers are optional and sized by their own load rules. */
const TIERS = ['master', 'query', 'dataTier1'] as const;

export default defineRule({
  meta: {
    id: 'replicas-ha',
    title: 'Master, query and data tiers run redundant pods',
    severity: 'warning',
    category: 'availability',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide presents Kubernetes for its "deployment, scaling, and redundancy features" and says upgrades are applied "in a rolling manner, allowing you to avoid downtime"; ' +
      'the chart gives each tier a PodDisruptionBudget of maxUnavailable: 1. With one master (coordinator/overlord), query (broker/router/Pivot) or data pod, ' +
      'every restart, eviction or node loss is an outage of that service. A tier with replicaCount 0 is not deployed and is skipped.',
    fix: 'Set master.replicaCount, query.replicaCount and dataTier1.replicaCount to 2 or more.',
    seed: 'You can install a distributed, production-ready Imply cluster on the Kubernetes orchestration platform. This lets you take advantage of the deployment, scaling, and redundancy features built into Kubernetes.',
    subject: '{master,query,dataTier1}.replicaCount',
    messages: {
      single: '{{tier}} runs a single pod ({{tier}}.replicaCount: 1): every restart or node loss takes that service down. Set {{tier}}.replicaCount to 2 or more.',
    },
    fixable: true,
    tags: ['availability'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v && goTruthy(v.get(['deployments', 'agents']))) {
      for (const tier of TIERS) {
        const path = [tier, 'replicaCount'];
        const raw = v.get(path);
        // A deleted (null) count renders `replicas:` empty: the Kubernetes default, 1.
        const n = raw === undefined ? 1 : intValue(raw);
        const fix = { description: `Run two ${tier} pods (${tier}.replicaCount: 2).`, set: [{ path, value: 2 }] };
        if (n === 1) ctx.report({ messageId: 'single', data: { tier }, subject: `${tier}.replicaCount`, at: { values: path }, fix });
      }
    }
    const m = model.manifests;
    if (!m) return;
    for (const o of m.objects) {
      if (isTestHook(o) || (o.kind !== 'Deployment' && o.kind !== 'StatefulSet')) continue;
      const tier = agentNodeType(o);
      if (!tier || !(TIERS as readonly string[]).includes(tier)) continue;
      const spec = isMap(o.raw.spec) ? o.raw.spec : {};
      const has = spec.replicas !== undefined && spec.replicas !== null;
      const n = has ? intValue(spec.replicas) : 1;
      if (n === 1) ctx.report({ messageId: 'single', data: { tier }, subject: `${tier}.replicaCount`, at: { object: o, path: has ? ['spec', 'replicas'] : [] } });
    }
  },
});
