// Rules stage: zookeeper-live-version, every connectString member answers `srvr` with 3.5+ (seed; live).
import { hostPort, liveZkSubject } from '../../model/live.js';
import { defineRule } from '../types.js';
import { compareVersions, parseVersion } from '../util.js';

export default defineRule({
  meta: {
    id: 'zookeeper-live-version',
    title: 'ZooKeeper members reachable and 3.5 or later',
    severity: 'error',
    category: 'live',
    inputs: ['live'],
    rationale:
      'Imply\'s guide: "Support for ZooKeeper 3.4 will be removed as of LTS 2022.01. Use ZooKeeper 3.5 instead", and the ensemble "must be reachable from the pods within the deployment". Preflight sends the four-letter word srvr to each member of druid.zk.connectString (srvr is in the default 4lw.commands.whitelist of ZooKeeper 3.5+) and reads "Zookeeper version:" from the answer. srvr does not list the ensemble\'s members, so each configured member is asked on its own.',
    fix: 'Point druid.zk.connectString at reachable ZooKeeper 3.5+ members (host:port,...), and allow srvr in 4lw.commands.whitelist.',
    seed: 'Support for ZooKeeper 3.4 will be removed as of LTS 2022.01. Use ZooKeeper 3.5 instead.',
    subject: 'druid.zk.connectString[<member index>]',
    messages: {
      unreachable: 'ZooKeeper member {{member}} (member {{n}} of {{total}} in druid.zk.connectString) does not answer srvr: {{error}}. Check the host and port, and that the pods can reach the ensemble.',
      tooOld: 'ZooKeeper member {{member}} (member {{n}} of {{total}} in druid.zk.connectString) runs {{version}}; ZooKeeper 3.4 and older are unsupported since Imply 2022.01. Upgrade the ensemble to 3.5 or later.',
      versionUnknown:
        'ZooKeeper member {{member}} (member {{n}} of {{total}} in druid.zk.connectString) answers but refuses srvr (not in 4lw.commands.whitelist), so its version cannot be checked. Add srvr to 4lw.commands.whitelist.',
    },
    tags: ['zookeeper', 'live', 'compatibility'],
  },
  check(model, ctx) {
    for (const zk of model.live?.zookeeper ?? []) {
      const data = { member: hostPort(zk.host, zk.port), n: (zk.index ?? 0) + 1, total: zk.configured ?? 1, error: zk.error ?? 'unknown error', version: zk.version ?? '' };
      const subject = liveZkSubject(zk);
      const at = model.values ? { values: ['druid', 'zk', 'connectString'] } : { none: true as const };
      if (!zk.reachable) {
        ctx.report({ messageId: 'unreachable', data, subject, at });
      } else if (zk.refused) {
        ctx.report({ messageId: 'versionUnknown', data, subject, at, severity: 'warning' });
      } else if (zk.version) {
        const v = parseVersion(zk.version);
        if (v && compareVersions(v, [3, 5, 0]) < 0) ctx.report({ messageId: 'tooOld', data, subject, at });
      }
    }
  },
});
