// Rules stage: mysql-version, the bundled MySQL must be 5.7.21 or later (seed: the metadata store's minimum).
import { componentWorkload, containers, imageTag } from '../../model/manifests.js';
import { imageName, MYSQL_SUBCHART_DEFAULT_TAG } from '../../model/versions.js';
import { defineRule } from '../types.js';
import { conditionEnabled, str } from '../util.js';

const SUBJECT = 'mysql.imageTag';

/**
 * True when a MySQL image tag is below 5.7.21. A `major.minor` tag (`5.7`, `8.0`) floats to that line's
 * newest patch, so only its line is compared. Tags that are not versions (`latest`) are no evidence.
 */
function belowMinimum(tag: string): boolean | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:$|[-_.+])/.exec(tag.trim());
  if (!m) return undefined;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  if (maj !== 5) return maj < 5;
  if (min !== 7) return min < 7;
  return m[3] === undefined ? false : Number(m[3]) < 21;
}

export default defineRule({
  meta: {
    id: 'mysql-version',
    title: 'Bundled MySQL 5.7.21 or later',
    severity: 'error',
    category: 'versions',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide says the Imply Manager and the Druid clusters require MySQL 5.7.21 or later. The chart\'s bundled MySQL subchart defaults to mysql:5.7.14 (its own imageTag default, which no parent values file of the 2021.05 and 0.4 lines overrides), below that minimum. Only the bundled server is visible statically; an external server is checked live by metadata-db-version.',
    fix: 'Set mysql.imageTag to 5.7.21 or later (e.g. "5.7.39"), or better, disable the bundled MySQL (deployments.mysql: false) and use an external metadata store.',
    seed: 'For external metadata storage, Imply Manager and the Druid clusters require MySQL version 5.7.21 or later.',
    subject: SUBJECT,
    messages: {
      tooOld: 'The bundled MySQL runs mysql:{{tag}}, older than 5.7.21, the minimum Imply supports. Set mysql.imageTag to 5.7.21 or later, or use an external metadata store.',
    },
    fixable: true,
    tags: ['mysql', 'metadata-store', 'compatibility'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v && conditionEnabled(v, ['deployments', 'mysql'])) {
      // The merged value (user or chart line default), else the subchart's own default (a `null`
      // deleting the parent default falls back to it too).
      const tag = str(v.get(['mysql', 'imageTag'])) ?? MYSQL_SUBCHART_DEFAULT_TAG;
      // 5.7.39: the tag the real 2023.03.1 values file sets; a patch upgrade within the 5.7 line.
      const fix = { description: 'Run MySQL 5.7.39 (mysql.imageTag), or disable the bundled MySQL.', set: [{ path: ['mysql', 'imageTag'], value: '5.7.39' }] };
      if (belowMinimum(tag)) ctx.report({ messageId: 'tooOld', data: { tag }, subject: SUBJECT, at: { values: ['mysql', 'imageTag'] }, fix });
    }
    const m = model.manifests;
    if (m) {
      // The subchart labels it `app: <release>-mysql`, `release: <release>` (features.rendered.yaml).
      const workload = componentWorkload(m, 'mysql');
      if (!workload) return;
      for (const c of containers(workload)) {
        if (!c.image || imageName(c.image) !== 'mysql') continue;
        const tag = imageTag(c.image).tag;
        if (tag !== undefined && belowMinimum(tag)) ctx.report({ messageId: 'tooOld', data: { tag }, subject: SUBJECT, at: { object: workload, path: [...c.path, 'image'] } });
      }
    }
  },
});
