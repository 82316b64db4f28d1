// Rules stage: data-persistence, a data tier with persistence off must bring its own `var` and `tmp` volumes.
import { agentNodeType, containers, isTestHook, podSpec } from '../../model/manifests.js';
import { isMap } from '../../model/path.js';
import type { Path } from '../../model/path.js';
import type { K8sObject } from '../../model/types.js';
import { defineRule } from '../types.js';
import type { RuleContext } from '../types.js';
import { goTruthy, intValue, str } from '../util.js';

const DATA_TIERS = ['dataTier1', 'dataTier2', 'dataTier3'] as const;

/** Where the chart mounts the two volumes in a data pod (prod.r: `/mnt/var` = var, `/mnt/tmp` = tmp). */
const MOUNTS = [
  { path: '/mnt/var', fallback: 'var' },
  { path: '/mnt/tmp', fallback: 'tmp' },
] as const;

function names(list: unknown, nameOf: (x: Record<string, unknown>) => unknown): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(list)) for (const x of list) if (isMap(x)) {
    const n = str(nameOf(x));
    if (n) out.add(n);
  }
  return out;
}

/** Values form of one tier (`dataTierN` or an `additionalDataTiers[i]` entry). */
function checkTier(ctx: RuleContext, tier: string, base: Path, t: Record<string, unknown>): void {
  // Replicas 0: the tier is not deployed. Skip it.
  if (intValue(t.replicaCount) === 0) return;
  const persistence = isMap(t.persistence) ? t.persistence : {};
  // `{{ if ...persistence.enabled }}`: Go-template truthiness, so "false" (a string) keeps it on.
  if (goTruthy(persistence.enabled)) return;
  const provided = new Set([...names(t.extraVolumes, (x) => x.name), ...names(t.extraVolumeClaimTemplates, (x) => (isMap(x.metadata) ? x.metadata.name : undefined))]);
  // varVolumeName/tmpVolumeName exist from 2023.03.1 on; older lines use the fixed names.
  const wanted = [str(t.varVolumeName) || 'var', str(t.tmpVolumeName) || 'tmp'];
  const missing = wanted.filter((n) => !provided.has(n));
  if (missing.length) {
    const path = [...base, 'persistence', 'enabled'];
    const fix = { description: `Keep ${tier}'s segment cache and temp data on persistent volumes (${tier}.persistence.enabled: true).`, set: [{ path, value: true }] };
    ctx.report({ messageId: 'noVolumes', data: { tier, missing: missing.join(' and ') }, subject: `${tier}.persistence.enabled`, at: { values: path }, fix });
  }
}

/** Manifest form: the data pod's /mnt/var and /mnt/tmp mounts must be backed by a claim template or a volume. */
function checkWorkload(ctx: RuleContext, o: K8sObject, tier: string): void {
  const spec = isMap(o.raw.spec) ? o.raw.spec : {};
  if (intValue(spec.replicas) === 0) return;
  const ps = podSpec(o);
  if (!ps) return;
  const backed = new Set([
    ...names(spec.volumeClaimTemplates, (x) => (isMap(x.metadata) ? x.metadata.name : undefined)),
    ...names(ps.spec.volumes, (x) => x.name),
  ]);
  const main = containers(o).find((c) => !c.init && Array.isArray(c.container.env) && c.container.env.some((e) => isMap(e) && e.name === 'IMPLY_MANAGER_AGENT_NODE_TYPE'));
  if (!main) return;
  const mounts = Array.isArray(main.container.volumeMounts) ? main.container.volumeMounts.filter(isMap) : [];
  const missing: string[] = [];
  for (const want of MOUNTS) {
    const mount = mounts.find((x) => x.mountPath === want.path);
    const name = mount ? str(mount.name) : undefined;
    if (!name || !backed.has(name)) missing.push(name || want.fallback);
  }
  if (missing.length) {
    ctx.report({ messageId: 'noVolumes', data: { tier, missing: missing.join(' and ') }, subject: `${tier}.persistence.enabled`, at: { object: o } });
  }
}

export default defineRule({
  meta: {
    id: 'data-persistence',
    title: 'Data tiers keep their segment cache and temp data on volumes',
    severity: 'error',
    category: 'availability',
    inputs: ['values', 'manifest'],
    rationale:
      'Data pods keep the segment cache in /mnt/var and temporary files in /mnt/tmp. The chart\'s values file says: ' +
      '"If persistence is disabled, extraVolumes or extraVolumeClaimTemplates should be configured with the names: var - for the segment cache, tmp - for the temp directory". ' +
      'Without them the data pods mount volumes that do not exist (the API server rejects the pod) or the cache lives on the container layer. ' +
      'From the chart, not Imply\'s guide; tiers with replicaCount 0 are skipped.',
    fix: 'Set dataTierN.persistence.enabled: true, or add extraVolumes / extraVolumeClaimTemplates named var and tmp (varVolumeName / tmpVolumeName).',
    subject: 'dataTier{1,2,3}.persistence.enabled, additionalDataTiers[i].persistence.enabled',
    messages: {
      noVolumes:
        'Data tier {{tier}} has persistence disabled ({{tier}}.persistence.enabled) and no {{missing}} volume for the segment cache / temp directory. Enable persistence or add extraVolumes / extraVolumeClaimTemplates with those names.',
    },
    fixable: true,
    tags: ['availability', 'storage'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v && goTruthy(v.get(['deployments', 'agents']))) {
      for (const tier of DATA_TIERS) {
        const t = v.get([tier]);
        if (isMap(t)) checkTier(ctx, tier, [tier], t);
      }
      const extra = v.get(['additionalDataTiers']);
      if (Array.isArray(extra)) {
        extra.forEach((t, i) => {
          // An additional tier's persistence default is not in the values we have: only an explicit setting is evidence.
          if (isMap(t) && isMap(t.persistence) && 'enabled' in t.persistence) checkTier(ctx, `additionalDataTiers[${i}]`, ['additionalDataTiers', i], t);
        });
      }
    }
    const m = model.manifests;
    if (!m) return;
    for (const o of m.objects) {
      if (isTestHook(o) || (o.kind !== 'StatefulSet' && o.kind !== 'Deployment')) continue;
      const tier = agentNodeType(o);
      if (tier && /^dataTier\d+$/.test(tier)) checkWorkload(ctx, o, tier);
    }
  },
});
