// Rules stage: jvm-heap-consistency, heap flags sit under the right key, parse, and Xms does not exceed Xmx.
import { jvmView, runtimePropertyLists } from '../../model/druid.js';
import type { JvmFlagName, JvmSetting } from '../../model/druid.js';
import { defineRule } from '../types.js';
import type { RuleContext } from '../types.js';

/** Reports an initial heap above the maximum of one JVM (`jvm` names it in the message). */
function compare(ctx: RuleContext, list: string, jvm: string, s: Partial<Record<JvmFlagName, JvmSetting>>): void {
  const { xms, xmx } = s;
  if (!xms || !xmx || xms.bytes === undefined || xmx.bytes === undefined) return;
  if (xms.bytes <= xmx.bytes) return;
  ctx.report({
    messageId: 'xmsAboveXmx',
    data: { list, jvm, xms: xms.token, xmx: xmx.token },
    subject: xms.entry.subject,
    at: xms.entry.at,
    related: xmx.entry === xms.entry ? [] : [xmx.entry.at],
  });
}

export default defineRule({
  meta: {
    id: 'jvm-heap-consistency',
    title: 'JVM heap settings are consistent',
    severity: 'error',
    category: 'druid',
    inputs: ['values', 'manifest'],
    rationale:
      'Druid services take their heap from `jvm.config.xms` / `jvm.config.xmx` entries and task peons from the flags in `druid.indexer.runner.javaOpts`. A JVM refuses to start when the initial heap exceeds the maximum or a size does not parse, and a flag under the wrong key silently changes the other bound: Imply\'s own example in the Kubernetes guide writes `jvm.config.xms=-Xmx128m`, which sets the maximum heap from the key meant for the initial one.',
    fix: 'Give `jvm.config.xms` an `-Xms<size>` and `jvm.config.xmx` an `-Xmx<size>` flag (sizes like 512m or 4g) with Xms no larger than Xmx, in the lists and in javaOpts alike.',
    seed: 'jvm.config.xms=-Xmx128m',
    subject: 'the entry: druid.<service>RuntimeProperties[i], additionalDataTiers[n].custom<Service>RuntimeProperties[i] or <tier>.extraEnv.<ENV_NAME> (manifests: the same index of the manager env imply_defaults_<service>CustomDruidProperties)',
    messages: {
      flagUnderWrongKey: '{{key}} carries {{token}} in {{list}}; {{key}} takes an {{expected}}<size> flag. Move the flag to the matching key.',
      missingFlag: '{{key}} in {{list}} is "{{value}}", not an {{expected}}<size> flag; write it as {{expected}}<size> (e.g. {{expected}}4g).',
      malformedSize: '{{token}} ({{key}} in {{list}}) is not a JVM size; use digits with an optional k, m, g or t suffix (e.g. 4g).',
      xmsAboveXmx: 'The {{jvm}} initial heap {{xms}} is larger than its maximum {{xmx}} in {{list}}; the JVM will not start. Make Xms no larger than Xmx.',
    },
    tags: ['druid', 'jvm', 'runtime-properties'],
  },
  check(model, ctx) {
    for (const list of runtimePropertyLists(model)) {
      const view = jvmView([list]);
      for (const i of view.issues) {
        if (i.kind === 'wrongKey') ctx.report({ messageId: 'flagUnderWrongKey', data: { key: i.key, token: i.token, list: list.subject, expected: i.expected ?? '' }, subject: i.entry.subject, at: i.entry.at });
        else if (i.kind === 'noFlag') ctx.report({ messageId: 'missingFlag', data: { key: i.key, value: i.token, list: list.subject, expected: i.expected ?? '' }, subject: i.entry.subject, at: i.entry.at });
        else ctx.report({ messageId: 'malformedSize', data: { key: i.key, token: i.token, list: list.subject }, subject: i.entry.subject, at: i.entry.at });
      }
      compare(ctx, list.subject, `${list.service} service`, view.service);
      compare(ctx, list.subject, 'task (peon)', view.peon);
    }
  },
});
