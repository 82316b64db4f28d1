// Rules stage: zookeeper-ha, the bundled ZooKeeper must run a highly available (odd, >= 3) ensemble.
import { componentWorkload } from '../../model/manifests.js';
import { isMap } from '../../model/path.js';
import type { Anchor } from '../types.js';
import { defineRule } from '../types.js';
import type { RuleContext } from '../types.js';
import { conditionEnabled, intValue } from '../util.js';

const SUBJECT = 'zookeeper.replicaCount';

function judge(ctx: RuleContext, count: number, at: Anchor, values: boolean): void {
  // The fix never lowers the count: 3 servers, or the next odd number above an even one.
  const target = count < 3 ? 3 : count + 1;
  const fix = values ? { description: `Run ${target} ZooKeeper servers (zookeeper.replicaCount: ${target}).`, set: [{ path: ['zookeeper', 'replicaCount'], value: target }] } : undefined;
  if (count < 3) ctx.report({ messageId: 'tooFew', data: { count }, subject: SUBJECT, at, fix });
  else if (count % 2 === 0) ctx.report({ messageId: 'even', data: { count, odd: count - 1 }, subject: SUBJECT, at, severity: 'warning', fix });
}

export default defineRule({
  meta: {
    id: 'zookeeper-ha',
    title: 'Bundled ZooKeeper runs a highly available ensemble',
    severity: 'error',
    category: 'quickstart',
    inputs: ['values', 'manifest'],
    rationale:
      'Druid coordinates through ZooKeeper: with one server, its restart stops segment assignment and task coordination. ' +
      'Imply\'s guide calls the chart\'s ZooKeeper "a quickstart ZooKeeper configuration that is not recommended for production" and says ' +
      '"Set the replicaCount to 3 or higher odd number to enable a highly available ZooKeeper ensemble". ' +
      'An even count is a warning: a quorum of 4 tolerates one failure, like 3.',
    fix: 'Set zookeeper.replicaCount to an odd number of 3 or more, or disable the bundled ZooKeeper and use an existing highly available ensemble.',
    seed: 'ZooKeeper works best with an odd number of nodes. More nodes allow for more fault tolerance. Set the replicaCount to 3 or higher odd number to enable a highly available ZooKeeper ensemble.',
    subject: SUBJECT,
    messages: {
      tooFew:
        'The bundled ZooKeeper runs {{count}} server(s) (zookeeper.replicaCount); a highly available ensemble needs 3 or more, an odd number. Set zookeeper.replicaCount: 3 or use an external ensemble.',
      even:
        'The bundled ZooKeeper runs an even number of servers ({{count}}, zookeeper.replicaCount), which tolerates no more failures than {{odd}}. Use an odd zookeeper.replicaCount.',
    },
    fixable: true,
    tags: ['quickstart', 'zookeeper', 'availability'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v && conditionEnabled(v, ['deployments', 'zookeeper'])) {
      // A null replicaCount hands the choice to the subchart's own default, which we cannot see: no evidence.
      const n = intValue(v.get(['zookeeper', 'replicaCount']));
      if (n !== undefined) judge(ctx, n, { values: ['zookeeper', 'replicaCount'] }, true);
    }
    const m = model.manifests;
    const sts = m && componentWorkload(m, 'zookeeper');
    if (sts) {
      const spec = isMap(sts.raw.spec) ? sts.raw.spec : {};
      // An absent spec.replicas is the Kubernetes default, 1.
      const n = spec.replicas === undefined || spec.replicas === null ? 1 : intValue(spec.replicas);
      if (n !== undefined) judge(ctx, n, { object: sts, path: spec.replicas === undefined ? [] : ['spec', 'replicas'] }, false);
    }
  },
});
