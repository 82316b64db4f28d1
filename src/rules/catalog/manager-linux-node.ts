// Rules stage: manager-linux-node, Manager and agent pods must be able to run on Linux nodes (seed).
import { formatPath, isMap } from '../../model/path.js';
import type { Path } from '../../model/path.js';
import { agentNodeType, implyWorkloads, isManager, podSpec } from '../../model/manifests.js';
import type { Anchor, RuleContext, Severity } from '../types.js';
import { defineRule } from '../types.js';
import { conditionEnabled, str } from '../util.js';

const OS_KEYS = ['kubernetes.io/os', 'beta.kubernetes.io/os'];
const REQUIRED = ['nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms'];
const AGENT_TIERS = ['master', 'query', 'dataTier1', 'dataTier2', 'dataTier3'];

/** A pod constraint that keeps it off Linux nodes: the OS it selects, the label, and where (relative path). */
interface OsPin {
  os: string;
  label: string;
  path: Path;
  windows: boolean;
}

/** `nodeSelector: {kubernetes.io/os: windows}`. */
function selectorPin(ns: unknown): OsPin | undefined {
  if (!isMap(ns)) return undefined;
  for (const label of OS_KEYS) {
    const os = str(ns[label])?.trim();
    // Label values are case-sensitive: nodes carry `linux`, so `Linux` matches no node either.
    if (os && os !== 'linux') return { os, label, path: [label], windows: os.toLowerCase() === 'windows' };
  }
  return undefined;
}

/**
 * Required node affinity: terms are ORed, expressions in a term ANDed. The pod is kept off Linux only
 * when every term has an OS expression that excludes linux (`In` without it, `NotIn` with it).
 */
function affinityPin(aff: unknown): OsPin | undefined {
  let terms: unknown = aff;
  for (const k of REQUIRED) terms = isMap(terms) ? terms[k] : undefined;
  if (!Array.isArray(terms) || terms.length === 0) return undefined;
  let first: OsPin | undefined;
  let windows = false;
  for (let i = 0; i < terms.length; i++) {
    const term = terms[i];
    const exprs = isMap(term) && Array.isArray(term.matchExpressions) ? term.matchExpressions : [];
    let excluding: OsPin | undefined;
    exprs.forEach((e, j) => {
      if (excluding || !isMap(e) || typeof e.key !== 'string' || !OS_KEYS.includes(e.key)) return;
      const vals = Array.isArray(e.values) ? e.values.map((x) => str(x)?.trim() ?? '') : [];
      const path = [...REQUIRED, i, 'matchExpressions', j];
      if (e.operator === 'In' && !vals.includes('linux')) excluding = { os: vals.join(', ') || '(none)', label: e.key, path, windows: vals.some((x) => x.toLowerCase() === 'windows') };
      if (e.operator === 'NotIn' && vals.includes('linux')) excluding = { os: 'non-Linux', label: e.key, path, windows: false };
    });
    if (!excluding) return undefined; // this term admits Linux nodes
    first ??= excluding;
    windows ||= excluding.windows;
  }
  return first && { ...first, windows };
}

function report(ctx: RuleContext, component: string, key: 'nodeSelector' | 'affinity', pin: OsPin, at: (p: Path) => Anchor): void {
  const severity: Severity | undefined = pin.windows ? 'error' : undefined;
  const anchor = at([key, ...pin.path]);
  // A nodeSelector label is one value to set to linux; a required affinity may carry other terms, so it is the user's edit.
  const fix = key === 'nodeSelector' && 'values' in anchor ? { description: `Schedule ${component} pods on Linux nodes (${component}.nodeSelector["${pin.label}"]: linux).`, set: [{ path: anchor.values, value: 'linux' }] } : undefined;
  ctx.report({ messageId: 'notLinux', data: { component, os: pin.os, label: pin.label }, subject: `${component}.${key}`, at: anchor, severity, fix });
}

function checkPod(ctx: RuleContext, component: string, nodeSelector: unknown, affinity: unknown, at: (p: Path) => Anchor): void {
  const s = selectorPin(nodeSelector);
  if (s) report(ctx, component, 'nodeSelector', s, at);
  const a = affinityPin(affinity);
  if (a) report(ctx, component, 'affinity', a, at);
}

export default defineRule({
  meta: {
    id: 'manager-linux-node',
    title: 'Manager and agents on Linux nodes',
    severity: 'warning',
    category: 'versions',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide: "Imply recommends you deploy Imply Manager on a Linux host to avoid virtualization overhead. [...] Windows hosts are not supported." The Manager and agent images are Linux images; a nodeSelector or required node affinity on kubernetes.io/os (or beta.kubernetes.io/os) that excludes linux leaves the pods unschedulable or on an unsupported host. Windows is an error, any other OS a warning. Components the release does not deploy (deployments.manager/agents false, a tier with replicaCount 0) are skipped.',
    fix: 'Remove the OS constraint from the component\'s nodeSelector/affinity or set it to kubernetes.io/os: linux.',
    seed: 'Imply recommends you deploy Imply Manager on a Linux host to avoid virtualization overhead. You can run the manager on an OSX host for the quickstart environment, but it is not recommended for production deployments. Windows hosts are not supported.',
    subject: '<component>.nodeSelector | <component>.affinity (manager, master, query, dataTierN, additionalDataTiers[i])',
    messages: {
      notLinux: '{{component}} pods can only run on {{os}} nodes ({{label}}); the Imply Manager and agents need Linux nodes, and Windows hosts are not supported. Select kubernetes.io/os: linux or remove the constraint.',
    },
    fixable: true,
    tags: ['scheduling', 'linux', 'compatibility'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v) {
      const components: Path[] = [];
      if (conditionEnabled(v, ['deployments', 'manager'])) components.push(['manager']);
      if (conditionEnabled(v, ['deployments', 'agents'])) {
        for (const t of AGENT_TIERS) components.push([t]);
        const extra = v.get(['additionalDataTiers']);
        if (Array.isArray(extra)) extra.forEach((_, i) => components.push(['additionalDataTiers', i]));
      }
      for (const p of components) {
        if (p[0] !== 'manager' && v.get([...p, 'replicaCount']) === 0) continue; // no pods
        checkPod(ctx, formatPath(p), v.get([...p, 'nodeSelector']), v.get([...p, 'affinity']), (rel) => ({ values: [...p, ...rel] }));
      }
    }
    const m = model.manifests;
    if (!m) return;
    for (const o of implyWorkloads(m)) {
      const ps = podSpec(o);
      if (!ps) continue;
      if (isMap(o.raw.spec) && o.raw.spec.replicas === 0) continue;
      // The agent node type names the tier's values key (master, query, dataTier1, …).
      const component = isManager(o) ? 'manager' : agentNodeType(o)!;
      checkPod(ctx, component, ps.spec.nodeSelector, ps.spec.affinity, (rel) => ({ object: o, path: [...ps.path, ...rel] }));
    }
  },
});
