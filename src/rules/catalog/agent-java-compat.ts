// Rules stage: agent-java-compat, the agent image's Java must be 8, 11 or 17, and 17 needs Imply 2023.08+ (seed).
import { agentNodeType, containers, imageTag, isTestHook, managerOf } from '../../model/manifests.js';
import { compareImplyVersions, mainContainer, managerImplyVersion, parseAgentTag, parseImplyVersion } from '../../model/versions.js';
import type { Anchor, RuleContext } from '../types.js';
import { defineRule } from '../types.js';
import { conditionEnabled, str } from '../util.js';

const SUBJECT = 'images.agent.tag';
const SUPPORTED_JAVA = new Set([8, 11, 17]);
/** Druid added Java 17 support in the 2023.08 STS release (seed). */
const JAVA17_SINCE: [number, number, number] = [2023, 8, 0];

/** Reports the agent tag at `at` if its Java is unsupported, or Java 17 on an Imply version before 2023.08. */
function checkTag(ctx: RuleContext, tag: string, version: string | undefined, at: Anchor): void {
  const parsed = parseAgentTag(tag);
  if (parsed?.java === undefined) return; // `v15`: the agent's default Java; other tags are no evidence
  if (!SUPPORTED_JAVA.has(parsed.java)) {
    ctx.report({ messageId: 'unsupportedJava', data: { tag, java: parsed.java }, subject: SUBJECT, at });
    return;
  }
  const iv = version ? parseImplyVersion(version) : undefined;
  if (parsed.java === 17 && iv && compareImplyVersions(iv, JAVA17_SINCE) < 0) {
    ctx.report({ messageId: 'java17TooEarly', data: { tag, version: version! }, subject: SUBJECT, at });
  }
}

export default defineRule({
  meta: {
    id: 'agent-java-compat',
    title: 'Agent Java version supported by the Imply version',
    severity: 'error',
    category: 'versions',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide: the agent can use Java 8, 11 or 17 "as long as the Druid version also supports that version of Java. Druid added Java 17 support in the 2023.08 STS release", and agent tags are named vVERSION-javaVERSION. The chart sets IMPLY_SKIP_JAVA_CHECK=1 on every agent, so nothing checks this at runtime. The Imply version is druid.implyVersion, else the Manager image tag (the version packaged with the Manager); a lone agent object at admission only has its tag format checked.',
    fix: 'Use an agent tag with Java 8, 11 or 17 (imply/agent:vN-java11), and Java 17 only with Imply 2023.08 or later (druid.implyVersion).',
    seed: 'You can use Java 8, 11, or 17 for the Imply Agent as long as the Druid version also supports that version of Java. Druid added Java 17 support in the 2023.08 STS release.',
    subject: SUBJECT,
    messages: {
      unsupportedJava: 'The agent image tag {{tag}} uses Java {{java}}; Imply agents support Java 8, 11 or 17. Set images.agent.tag to a -java8, -java11 or -java17 tag.',
      java17TooEarly: 'The agent image tag {{tag}} uses Java 17, which Druid supports only from Imply 2023.08, but the cluster runs Imply {{version}}. Use a -java11 agent tag or upgrade Imply to 2023.08 or later.',
    },
    tags: ['agent', 'java', 'compatibility'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v && conditionEnabled(v, ['deployments', 'agents'])) {
      const tag = str(v.get(['images', 'agent', 'tag']));
      const implyVersion = str(v.get(['druid', 'implyVersion']))?.trim();
      const version = implyVersion || str(v.get(['images', 'manager', 'tag']));
      if (tag !== undefined) checkTag(ctx, tag, version, { values: ['images', 'agent', 'tag'] });
    }
    const m = model.manifests;
    if (!m) return;
    const manager = managerOf(m);
    const managerImage = manager && mainContainer(manager)?.image;
    const version = manager ? (managerImplyVersion(manager)?.value ?? (managerImage ? imageTag(managerImage).tag : undefined)) : undefined;
    for (const o of m.objects) {
      if (isTestHook(o) || agentNodeType(o) === undefined) continue;
      // Every image of an agent pod, the `configure-sysctl` init container included (EVIDENCE.md).
      for (const c of containers(o)) {
        const tag = c.image ? imageTag(c.image).tag : undefined;
        if (tag !== undefined) checkTag(ctx, tag, version, { object: o, path: [...c.path, 'image'] });
      }
    }
  },
});
