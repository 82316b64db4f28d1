// Rules stage: druid-direct-memory, MaxDirectMemorySize holds the processing buffers a service allocates.
import { jvmView, lastProperty, parseDruidBytes, runtimePropertyLists } from '../../model/druid.js';
import type { JvmSetting, PropertyEntry, PropertyList } from '../../model/druid.js';
import { defineRule } from '../types.js';
import type { RuleContext } from '../types.js';

function mib(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)}Mi`;
}

function intOf(e: PropertyEntry | undefined): number | undefined {
  const v = e?.value?.trim();
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** Peons take `druid.indexer.fork.property.<key>` first, then the middleManager's own `<key>`. */
function setting(list: PropertyList, key: string, peon: boolean): PropertyEntry | undefined {
  return (peon ? lastProperty([list], `druid.indexer.fork.property.${key}`) : undefined) ?? lastProperty([list], key);
}

function checkJvm(ctx: RuleContext, list: PropertyList, maxDirect: JvmSetting | undefined, peon: boolean): void {
  if (!maxDirect || maxDirect.bytes === undefined) return;
  const bufEntry = setting(list, 'druid.processing.buffer.sizeBytes', peon);
  const threadsEntry = setting(list, 'druid.processing.numThreads', peon);
  const buffer = bufEntry?.value !== undefined ? parseDruidBytes(bufEntry.value) : undefined;
  const threads = intOf(threadsEntry);
  if (!bufEntry || !threadsEntry || buffer === undefined || threads === undefined) return;
  // Druid's default: numMergeBuffers = max(2, numThreads / 4).
  const merge = intOf(setting(list, 'druid.processing.numMergeBuffers', peon)) ?? Math.max(2, Math.floor(threads / 4));
  const need = buffer * (threads + merge + 1);
  if (maxDirect.bytes >= need) return;
  ctx.report({
    messageId: 'tooSmall',
    data: { list: list.subject, direct: maxDirect.token, need: mib(need), buffer: (bufEntry.value ?? '').trim(), threads, merge },
    subject: maxDirect.entry.subject,
    at: maxDirect.entry.at,
    related: [bufEntry.at, threadsEntry.at].filter((a) => a !== maxDirect.entry.at),
  });
}

export default defineRule({
  meta: {
    id: 'druid-direct-memory',
    title: 'Direct memory holds the processing buffers',
    severity: 'warning',
    category: 'druid',
    inputs: ['values', 'manifest'],
    rationale:
      'A Druid process that processes queries allocates `druid.processing.buffer.sizeBytes` x (numThreads + numMergeBuffers + 1) of direct memory at start-up (Druid configuration docs, not Imply\'s guide); numMergeBuffers defaults to max(2, numThreads / 4). With a smaller MaxDirectMemorySize the process or task fails to start. Checked within one service\'s list, only when MaxDirectMemorySize, the buffer size and numThreads are all explicit; for task peons MaxDirectMemorySize comes from `druid.indexer.runner.javaOpts`.',
    fix: 'Raise -XX:MaxDirectMemorySize to at least buffer.sizeBytes x (numThreads + numMergeBuffers + 1), or lower the buffer size or thread counts.',
    subject: 'the entry setting MaxDirectMemorySize, e.g. druid.middleManagerRuntimeProperties[i] for the javaOpts entry (manifests: the same index of the manager env imply_defaults_<service>CustomDruidProperties)',
    messages: {
      tooSmall: '{{direct}} in {{list}} is below the {{need}} of processing buffers ({{buffer}} x ({{threads}} threads + {{merge}} merge buffers + 1)); raise MaxDirectMemorySize or lower the buffers.',
    },
    tags: ['druid', 'jvm', 'memory'],
  },
  check(model, ctx) {
    for (const list of runtimePropertyLists(model)) {
      const view = jvmView([list]);
      checkJvm(ctx, list, view.service.maxDirect, false);
      checkJvm(ctx, list, view.peon.maxDirect, true);
    }
  },
});
