// Rules stage: termination-grace-period, agents get a day to finish tasks and hand off segments.
import { agentNodeType, isTestHook, podSpec } from '../../model/manifests.js';
import { defineRule } from '../types.js';
import { goTruthy, intValue } from '../util.js';

const SUBJECT = 'agents.terminationGracePeriodSeconds';
const RECOMMENDED = 86400;
/** What Kubernetes uses when the pod spec leaves the field out (or a template renders it empty). */
const KUBERNETES_DEFAULT = 30;

export default defineRule({
  meta: {
    id: 'termination-grace-period',
    title: 'Agents keep the 24-hour termination grace period',
    severity: 'warning',
    category: 'availability',
    inputs: ['values', 'manifest'],
    rationale:
      'Stopping an agent pod stops its Druid services. The chart\'s values file explains the 86400-second default: it is set "intentionally to allow running ingestion tasks to finish and segment re-balancing to occur before the pod is removed"; ' +
      'lower values risk "partial results when querying the cluster" unless ingestion is paused first. From the chart, not Imply\'s guide. ' +
      'Only agent pods (master, query, data tiers) are checked: the bundled ZooKeeper has its own 1800 s.',
    fix: 'Set agents.terminationGracePeriodSeconds: 86400 (or pause ingestion and check segment replication before each agent change).',
    subject: SUBJECT,
    messages: {
      tooShort:
        'Agent pods get {{seconds}} s to stop (agents.terminationGracePeriodSeconds), less than the 86400 s the chart uses so ingestion tasks finish and segments re-balance. Set agents.terminationGracePeriodSeconds: 86400.',
    },
    fixable: true,
    tags: ['availability'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v && goTruthy(v.get(['deployments', 'agents']))) {
      const path = ['agents', 'terminationGracePeriodSeconds'];
      const raw = v.get(path);
      const n = raw === undefined ? KUBERNETES_DEFAULT : intValue(raw);
      const fix = { description: `Give agent pods ${RECOMMENDED} s to stop (agents.terminationGracePeriodSeconds: ${RECOMMENDED}).`, set: [{ path, value: RECOMMENDED }] };
      if (n !== undefined && n < RECOMMENDED) ctx.report({ messageId: 'tooShort', data: { seconds: n }, subject: SUBJECT, at: { values: path }, fix });
    }
    const m = model.manifests;
    if (!m) return;
    for (const o of m.objects) {
      if (isTestHook(o) || agentNodeType(o) === undefined) continue;
      const ps = podSpec(o);
      if (!ps) continue;
      const raw = ps.spec.terminationGracePeriodSeconds;
      const n = raw === undefined || raw === null ? KUBERNETES_DEFAULT : intValue(raw);
      if (n !== undefined && n < RECOMMENDED) {
        ctx.report({ messageId: 'tooShort', data: { seconds: n }, subject: SUBJECT, at: { object: o, path: [...ps.path, 'terminationGracePeriodSeconds'] } });
      }
    }
  },
});
