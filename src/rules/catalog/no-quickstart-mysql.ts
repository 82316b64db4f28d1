// Rules stage: no-quickstart-mysql, the bundled MySQL subchart is a quickstart metadata store.
import { componentWorkload, envVar, managerOf } from '../../model/manifests.js';
import { isBundledServiceHost, quickstartObjects } from '../../model/quickstart.js';
import { defineRule } from '../types.js';
import { conditionEnabled, resolveReleaseName } from '../util.js';

const SUBJECT = 'deployments.mysql';

/** Manager env vars naming the metadata store host (manager database, and the druid clusters' default). */
const HOST_ENV = ['IMPLY_MANAGER_STORE_HOST', 'imply_defaults_metadataStorageHost'];

export default defineRule({
  meta: {
    id: 'no-quickstart-mysql',
    title: 'No quickstart MySQL metadata store',
    severity: 'error',
    category: 'quickstart',
    inputs: ['values', 'manifest'],
    rationale:
      'The chart can bundle a single-pod MySQL as the metadata store of the Manager and of every Druid cluster. ' +
      'Imply\'s guide tells production deployments to "Disable the default database in deployments section" and use an external MySQL 5.7.21+ or PostgreSQL database; ' +
      'the subchart\'s own MySQL image default (5.7.14) is below the required 5.7.21, and moving off it later has "no automatic data migration". ' +
      'The default of deployments.mysql differs by chart line: true in 2021.x and 0.4.x, false in the 2023.03.1 values (assumed).',
    fix: 'Set deployments.mysql: false and point manager.metadataStore and druid.metadataStore at an external MySQL (5.7.21+) or PostgreSQL database.',
    seed: 'To use an external database for metadata storage: Disable the default database in deployments section of values.yaml',
    subject: SUBJECT,
    messages: {
      enabled:
        'The quickstart MySQL subchart (deployments.mysql) holds the metadata store: a single pod, not a production database. Set deployments.mysql: false and use an external MySQL 5.7.21+ or PostgreSQL metadata store.',
    },
    fixable: true,
    tags: ['quickstart', 'metadata-store'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v && conditionEnabled(v, ['deployments', 'mysql'])) {
      ctx.report({ messageId: 'enabled', subject: SUBJECT, at: { values: ['deployments', 'mysql'] }, fix: { description: 'Disable the quickstart MySQL subchart (deployments.mysql: false).', set: [{ path: ['deployments', 'mysql'], value: false }] } });
    }
    const m = model.manifests;
    if (!m) return;
    // One finding per release: the MySQL Deployment first; its Secret, PVC, Service, ConfigMap fold into it.
    const workload = componentWorkload(m, 'mysql');
    if (workload) ctx.report({ messageId: 'enabled', subject: SUBJECT, at: { object: workload } });
    for (const o of quickstartObjects(m, 'mysql')) {
      if (o !== workload && o.kind !== 'Job') ctx.report({ messageId: 'enabled', subject: SUBJECT, at: { object: o } });
    }
    // Indirect evidence, visible even when the manager is admitted alone: its store is the release's MySQL.
    const mgr = managerOf(m);
    if (!mgr) return;
    const release = model.context.releaseName ?? m.releaseName;
    for (const name of HOST_ENV) {
      const e = envVar(mgr, name);
      if (e?.value && isBundledServiceHost(resolveReleaseName(e.value, release), 'mysql', release)) {
        ctx.report({ messageId: 'enabled', subject: SUBJECT, at: { object: mgr, path: [...e.path, 'value'] } });
      }
    }
  },
});
