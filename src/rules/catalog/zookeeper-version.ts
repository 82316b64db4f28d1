// Rules stage: zookeeper-version, the bundled ZooKeeper must be 3.5 or later (seed: 3.4 unsupported from 2022.01).
import { componentWorkload, containers, imageTag } from '../../model/manifests.js';
import { imageName } from '../../model/versions.js';
import { defineRule } from '../types.js';
import { conditionEnabled, str } from '../util.js';

const SUBJECT = 'zookeeper.image.tag';

/** True for a ZooKeeper version below 3.5 (`3.4.14`); undefined for tags that are no version. */
function below35(tag: string): boolean | undefined {
  const m = /^(\d+)\.(\d+)(?:$|[-_.+])/.exec(tag.trim());
  if (!m) return undefined;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj < 3 || (maj === 3 && min < 5);
}

export default defineRule({
  meta: {
    id: 'zookeeper-version',
    title: 'Bundled ZooKeeper 3.5 or later',
    severity: 'error',
    category: 'versions',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide: "Support for ZooKeeper 3.4 will be removed as of LTS 2022.01. Use ZooKeeper 3.5 instead." The chart\'s bundled ZooKeeper ships zookeeper:3.5.5 (2021.x) and zookeeper:3.7.1 (2023.x), so 3.5 and later pass. The values key zookeeper.image.tag belongs to the ZooKeeper subchart and is not verified against a render: it is checked only when set. An external ensemble is checked live by zookeeper-live-version.',
    fix: 'Run ZooKeeper 3.5 or later: remove the 3.4 image override (zookeeper.image.tag) or set it to a 3.5+ release.',
    seed: 'Imply currently supports ZooKeeper branches 3.4 and 3.5. Support for ZooKeeper 3.4 will be removed as of LTS 2022.01. Use ZooKeeper 3.5 instead.',
    subject: SUBJECT,
    messages: {
      tooOld: 'The bundled ZooKeeper runs version {{tag}}; ZooKeeper 3.4 and older are unsupported since Imply 2022.01. Use ZooKeeper 3.5 or later (zookeeper.image.tag).',
    },
    // No safe values fix: leaving 3.4 is a major upgrade (ZooKeeper 3.5 needs a snapshot to start from 3.4 data, and the
    // image must exist in the user's registry), so the operator picks the tag.
    fixable: false,
    tags: ['zookeeper', 'compatibility'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v && conditionEnabled(v, ['deployments', 'zookeeper'])) {
      const tag = str(v.get(['zookeeper', 'image', 'tag']));
      if (tag !== undefined && below35(tag)) ctx.report({ messageId: 'tooOld', data: { tag }, subject: SUBJECT, at: { values: ['zookeeper', 'image', 'tag'] } });
    }
    const m = model.manifests;
    const workload = m && componentWorkload(m, 'zookeeper');
    if (!workload) return;
    for (const c of containers(workload)) {
      if (!c.image || imageName(c.image) !== 'zookeeper') continue;
      const tag = imageTag(c.image).tag;
      if (tag !== undefined && below35(tag)) ctx.report({ messageId: 'tooOld', data: { tag }, subject: SUBJECT, at: { object: workload, path: [...c.path, 'image'] } });
    }
  },
});
