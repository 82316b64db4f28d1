// Rules stage: external-zookeeper-ha, an external ZooKeeper ensemble should list 3+ (odd) servers.
import { componentWorkload, envVar, managerOf } from '../../model/manifests.js';
import { distinctServers, isBundledServiceHost, parseConnectString } from '../../model/quickstart.js';
import type { Anchor, RuleContext } from '../types.js';
import { defineRule } from '../types.js';
import { conditionEnabled, resolveReleaseName, str } from '../util.js';
import { findPlaceholder } from './unresolved-placeholder.js';

const SUBJECT = 'druid.zk.connectString';
const PATH = ['druid', 'zk', 'connectString'];

function judge(ctx: RuleContext, connect: string, release: string | undefined, at: Anchor): void {
  // `<fill-me>` (left by imply-lint fix) or `${ZK_HOSTS}`: no evidence of the ensemble yet; unresolved-placeholder reports it.
  if (findPlaceholder(connect) !== undefined) return;
  const { servers } = parseConnectString(resolveReleaseName(connect, release));
  // Empty, or still the bundled Service: external-zookeeper-configured reports those.
  if (servers.length === 0 || servers.some((s) => isBundledServiceHost(s.host, 'zookeeper', release))) return;
  const n = distinctServers(servers).length;
  if (n < 3) ctx.report({ messageId: 'fewHosts', data: { count: n }, subject: SUBJECT, at });
  else if (n % 2 === 0) ctx.report({ messageId: 'evenHosts', data: { count: n }, subject: SUBJECT, at });
}

export default defineRule({
  meta: {
    id: 'external-zookeeper-ha',
    title: 'External ZooKeeper ensemble is highly available',
    severity: 'warning',
    category: 'quickstart',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide asks production deployments to "Use an existing highly available ZooKeeper ensemble", and says ZooKeeper "works best with an odd number of nodes", 3 or more. ' +
      'A connect string with fewer than 3 servers, or an even number, suggests an ensemble without that fault tolerance. ' +
      'It is a warning because one name may be a load-balanced Service in front of a full ensemble.',
    fix: 'List every server of a 3-or-more, odd-sized ZooKeeper ensemble in druid.zk.connectString (or confirm the single name is a load-balanced Service of one).',
    seed: 'Use an existing highly available ZooKeeper ensemble.',
    subject: SUBJECT,
    messages: {
      fewHosts:
        'druid.zk.connectString lists {{count}} ZooKeeper server(s); a highly available ensemble has 3 or more (odd). List all ensemble members, or confirm the name is a load-balanced Service of one.',
      evenHosts:
        'druid.zk.connectString lists an even number of ZooKeeper servers ({{count}}); ZooKeeper works best with an odd number (3, 5, ...). Check the ensemble size.',
    },
    tags: ['zookeeper', 'availability'],
  },
  check(model, ctx) {
    const release = model.context.releaseName ?? model.manifests?.releaseName;
    const v = model.values;
    if (v && !conditionEnabled(v, ['deployments', 'zookeeper'])) {
      const s = str(v.get(PATH));
      if (s !== undefined) judge(ctx, s, release, { values: PATH });
    }
    const m = model.manifests;
    // "Bundled off" is release-wide: only a whole stream without the ZooKeeper StatefulSet shows it.
    if (!m || !m.wholeStream || componentWorkload(m, 'zookeeper')) return;
    const mgr = managerOf(m);
    const e = mgr && envVar(mgr, 'imply_defaults_zkHosts');
    if (mgr && e && e.value !== undefined) judge(ctx, e.value, release, { object: mgr, path: [...e.path, 'value'] });
  },
});
