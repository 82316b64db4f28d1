// Rules stage: imply-version-pinned, druid.implyVersion should name the Imply version new clusters run (seed).
import { lineForManagerTag } from '../../model/chart.js';
import { envVar, imageTag, managerOf } from '../../model/manifests.js';
import { mainContainer, managerImplyVersion } from '../../model/versions.js';
import { defineRule } from '../types.js';
import { conditionEnabled, FILL_ME, str } from '../util.js';

const SUBJECT = 'druid.implyVersion';

export default defineRule({
  meta: {
    id: 'imply-version-pinned',
    title: 'Imply version pinned',
    severity: 'warning',
    category: 'versions',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide: "Leaving implyVersion blank will install the latest version available. If there is no internet connection, the version that is packaged with the Manager is installed." Which version a new cluster runs then depends on the day and on connectivity. The chart renders druid.implyVersion as the manager env imply_defaults_implyVersion only when it is set. The 0.4.x chart line has no such key, so the rule is silent there (values on that line, or a manager whose image tag belongs to it).',
    fix: 'Set druid.implyVersion to the Imply release the clusters should run (e.g. "2023.03.1").',
    seed: 'Leaving implyVersion blank will install the latest version available. If there is no internet connection, the version that is packaged with the Manager is installed.',
    subject: SUBJECT,
    messages: {
      notPinned: 'druid.implyVersion is empty, so new clusters install the latest Imply version available (or the one packaged with the Manager when offline). Pin druid.implyVersion to a release such as "2023.03.1".',
    },
    fixable: true,
    tags: ['imply', 'reproducibility'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v && v.chartLine !== '0.4' && conditionEnabled(v, ['deployments', 'manager'])) {
      const iv = str(v.get(['druid', 'implyVersion']));
      // The version is the user's choice (pinning to another one than the clusters run would downgrade them on a rolling update).
      const fix = { description: 'Pin the Imply version new clusters run (druid.implyVersion: fill in the release).', set: [{ path: ['druid', 'implyVersion'], value: FILL_ME }] };
      if (!iv || iv.trim() === '') ctx.report({ messageId: 'notPinned', subject: SUBJECT, at: { values: ['druid', 'implyVersion'] }, fix });
    }
    const m = model.manifests;
    const manager = m && managerOf(m);
    if (!manager) return;
    const c = mainContainer(manager);
    const tag = c?.image ? imageTag(c.image).tag : undefined;
    if (tag && lineForManagerTag(tag) === '0.4') return; // that chart line has no implyVersion to render
    if (managerImplyVersion(manager)) return;
    // An empty env entry is located at its value; an absent one (the chart omits it) at the manager itself.
    const env = envVar(manager, 'imply_defaults_implyVersion');
    ctx.report({ messageId: 'notPinned', subject: SUBJECT, at: env ? { object: manager, path: [...env.path, 'value'] } : { object: manager } });
  },
});
