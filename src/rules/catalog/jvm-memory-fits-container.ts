// Rules stage: jvm-memory-fits-container, a tier's memory limit holds the heap plus direct memory of its JVMs.
import { jvmView, podMemoryLimits, runtimePropertyLists, servicesOfTier } from '../../model/druid.js';
import type { JvmFlagName, JvmSetting, PropertyList } from '../../model/druid.js';
import { defineRule } from '../types.js';

type JvmSettings = Partial<Record<JvmFlagName, JvmSetting>>;

function mib(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)}Mi`;
}

export default defineRule({
  meta: {
    id: 'jvm-memory-fits-container',
    title: 'JVM memory fits the container limit',
    severity: 'warning',
    category: 'druid',
    inputs: ['values', 'manifest'],
    rationale:
      'A JVM uses up to its maximum heap plus its direct memory (MaxDirectMemorySize) and more for metaspace and threads. When a tier\'s `resources.limits.memory` is below Xmx + MaxDirectMemorySize of one JVM in that pod, the kernel OOM-kills the container under load instead of Druid failing cleanly. Reported only when the limit, Xmx and MaxDirectMemorySize are all explicit (MaxDirectMemorySize is visible in `druid.indexer.runner.javaOpts` for task peons).',
    fix: 'Raise the tier\'s resources.limits.memory above Xmx + MaxDirectMemorySize (plus headroom), or lower the JVM sizes.',
    subject: "<tier>.resources.limits.memory (master, query, dataTier1-3, additionalDataTiers[n]); manifests: the agent container's limit, tier from IMPLY_MANAGER_AGENT_NODE_TYPE",
    messages: {
      exceedsLimit: '{{jvm}} on {{tier}} may use {{need}} ({{xmx}} + {{direct}}) but {{tier}}.resources.limits.memory is {{limit}}; raise the limit or lower the JVM sizes.',
    },
    tags: ['druid', 'jvm', 'resources'],
  },
  check(model, ctx) {
    const lists = runtimePropertyLists(model);
    for (const pod of podMemoryLimits(model)) {
      if (pod.bytes === undefined) continue;
      for (const service of servicesOfTier(pod.tier)) {
        // Override order: the service's list, then the tier's own list, then agent env (appended last).
        const mine = lists.filter((l) => l.input === pod.input && l.service === service && (l.tier === undefined || l.tier === pod.tier));
        const rank = (l: PropertyList) => (l.form === 'env' ? 2 : l.tier ? 1 : 0);
        const ordered = [...mine].sort((a, b) => rank(a) - rank(b));
        const view = jvmView(ordered);
        // Task peons run in the middleManager's pod, each with the javaOpts heap and direct memory.
        const jvms: [string, JvmSettings][] = [[`The ${service} JVM`, view.service]];
        if (service === 'middleManager') jvms.push(['A task (peon) JVM', view.peon]);
        for (const [jvm, s] of jvms) {
          const { xmx, maxDirect } = s;
          if (!xmx || !maxDirect || xmx.bytes === undefined || maxDirect.bytes === undefined) continue;
          const need = xmx.bytes + maxDirect.bytes;
          if (pod.bytes >= need) continue;
          ctx.report({
            messageId: 'exceedsLimit',
            data: { jvm, tier: pod.tier, need: mib(need), xmx: xmx.token, direct: maxDirect.token, limit: pod.raw },
            subject: `${pod.tier}.resources.limits.memory`,
            at: pod.at,
            related: xmx.entry === maxDirect.entry ? [xmx.entry.at] : [xmx.entry.at, maxDirect.entry.at],
          });
        }
      }
    }
  },
});
