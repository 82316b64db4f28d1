// Rules stage: external-zookeeper-configured, with the bundled ZooKeeper off, druid.zk.connectString
// must name the external ensemble (not be empty, not still the release's own `-zookeeper` Service).
import { componentWorkload, envVar, managerOf } from '../../model/manifests.js';
import { isBundledServiceHost, parseConnectString } from '../../model/quickstart.js';
import type { Anchor, RuleContext } from '../types.js';
import { defineRule } from '../types.js';
import { conditionEnabled, FILL_ME, resolveReleaseName, str } from '../util.js';

const SUBJECT = 'druid.zk.connectString';
const PATH = ['druid', 'zk', 'connectString'];

function judge(ctx: RuleContext, connect: string, release: string | undefined, at: Anchor): void {
  const resolved = resolveReleaseName(connect, release);
  const { servers } = parseConnectString(resolved);
  // The external ensemble is the user's to name: a placeholder, flagged by unresolved-placeholder until filled.
  const fix = 'values' in at ? { description: 'Point druid.zk.connectString at the external ZooKeeper ensemble (fill in the placeholder).', set: [{ path: at.values, value: FILL_ME }] } : undefined;
  if (servers.length === 0) {
    ctx.report({ messageId: 'empty', subject: SUBJECT, at, fix });
    return;
  }
  if (servers.some((s) => isBundledServiceHost(s.host, 'zookeeper', release))) ctx.report({ messageId: 'bundledService', subject: SUBJECT, at, fix });
}

export default defineRule({
  meta: {
    id: 'external-zookeeper-configured',
    title: 'External ZooKeeper configured when the bundled one is off',
    severity: 'error',
    category: 'quickstart',
    inputs: ['values', 'manifest'],
    rationale:
      'With deployments.zookeeper: false nothing serves the chart\'s default connect string "{{ .Release.Name }}-zookeeper:2181", so the Manager and every Druid service fail to start. ' +
      'Imply\'s guide: after disabling the default ZooKeeper, "Specify the connection details for the external ZooKeeper ensemble in the druid section of values.yaml". ' +
      'Release-wide: on manifests it needs the whole stream (no `<release>-zookeeper` StatefulSet means the bundled ZooKeeper is off); at admission of one object it stays silent.',
    fix: 'Set druid.zk.connectString to the external ensemble, e.g. "zk-0.zk:2181,zk-1.zk:2181,zk-2.zk:2181".',
    seed: 'Specify the connection details for the external ZooKeeper ensemble in the druid section of values.yaml. The ensemble must be reachable from the pods within the deployment.',
    subject: SUBJECT,
    messages: {
      empty: 'The bundled ZooKeeper is disabled but druid.zk.connectString is empty: the cluster has no ZooKeeper. Set druid.zk.connectString to the external ensemble.',
      bundledService:
        'The bundled ZooKeeper is disabled but druid.zk.connectString still points at the release\'s own -zookeeper Service, which no longer exists. Set druid.zk.connectString to the external ensemble.',
    },
    fixable: true,
    tags: ['quickstart', 'zookeeper'],
  },
  check(model, ctx) {
    const release = model.context.releaseName ?? model.manifests?.releaseName;
    const v = model.values;
    if (v && !conditionEnabled(v, ['deployments', 'zookeeper'])) {
      const raw = v.get(PATH);
      // null/absent renders as an empty string; a map or list is value-type's business.
      const s = raw === undefined || raw === null ? '' : str(raw);
      if (s !== undefined) judge(ctx, s, release, { values: PATH });
    }
    const m = model.manifests;
    // Release-wide: only a whole stream shows that no bundled ZooKeeper StatefulSet is deployed.
    if (!m || !m.wholeStream || componentWorkload(m, 'zookeeper')) return;
    const mgr = managerOf(m);
    const e = mgr && envVar(mgr, 'imply_defaults_zkHosts');
    if (mgr && e && e.value !== undefined) judge(ctx, e.value, release, { object: mgr, path: [...e.path, 'value'] });
  },
});
