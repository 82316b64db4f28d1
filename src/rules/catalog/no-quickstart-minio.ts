// Rules stage: no-quickstart-minio, the bundled MinIO subchart is quickstart deep storage.
import { componentWorkload, subchartComponent } from '../../model/manifests.js';
import { defineRule } from '../types.js';
import { conditionEnabled } from '../util.js';

const SUBJECT = 'deployments.minio';

export default defineRule({
  meta: {
    id: 'no-quickstart-minio',
    title: 'No quickstart MinIO deep storage',
    severity: 'error',
    category: 'quickstart',
    inputs: ['values', 'manifest'],
    rationale:
      'The chart bundles MinIO as quickstart deep storage. Imply\'s guide says the quickstart MinIO configuration "is not recommended for production": segments would live on one pod\'s volume.',
    fix: 'Set deployments.minio: false and configure a production deep storage (druid.deepStorage, e.g. S3, GCS or Azure).',
    seed: 'The Imply Helm chart includes a quickstart MinIO configuration that is not recommended for production.',
    subject: SUBJECT,
    messages: {
      enabled: 'The quickstart MinIO subchart (deployments.minio) is deployed; it is not production deep storage. Set deployments.minio: false and use external deep storage.',
    },
    fixable: true,
    tags: ['quickstart', 'deep-storage'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v && conditionEnabled(v, ['deployments', 'minio'])) {
      ctx.report({ messageId: 'enabled', subject: SUBJECT, at: { values: ['deployments', 'minio'] }, fix: { description: 'Disable the quickstart MinIO subchart (deployments.minio: false).', set: [{ path: ['deployments', 'minio'], value: false }] } });
    }
    const m = model.manifests;
    if (m) {
      // One finding per release: the Deployment first, the rest of MinIO's objects fold into it.
      const workload = componentWorkload(m, 'minio');
      if (workload) ctx.report({ messageId: 'enabled', subject: SUBJECT, at: { object: workload } });
      for (const o of m.objects) {
        if (o !== workload && subchartComponent(o) === 'minio' && o.kind !== 'Job') ctx.report({ messageId: 'enabled', subject: SUBJECT, at: { object: o } });
      }
    }
  },
});
