// Load tests: AdmissionReview bodies built from the real chart's rendered objects (uid left as __UID__ for the
// client to fill in), restricted to what the chart's webhook entries select.
import fs from 'node:fs';
import path from 'node:path';
import { isMap } from '../../src/model/path.js';
import { parseYamlStream } from '../../src/model/yaml.js';
import { admissionReview } from '../webhook/helpers/apiserver.js';

const REF23 = path.resolve(import.meta.dirname, '../../../shared/reference/chart-2023.03.1');

/** Bodies of every labelled workload, Service, Secret and Ingress of the quickstart and production streams. */
export function referenceBodies(): string[] {
  const out: string[] = [];
  for (const f of ['quickstart', 'production']) {
    for (const d of parseYamlStream(fs.readFileSync(path.join(REF23, `${f}.rendered.yaml`), 'utf8'))) {
      const o = d.value;
      if (!isMap(o)) continue;
      const labels = (isMap(o.metadata) && isMap(o.metadata.labels) ? o.metadata.labels : {}) as Record<string, string>;
      if (!labels['app.kubernetes.io/instance'] && !labels.release) continue;
      if (!['Deployment', 'StatefulSet', 'Service', 'Secret', 'Ingress', 'Job'].includes(String(o.kind))) continue;
      const review = admissionReview(o, { operation: 'CREATE', namespace: 'imply' });
      (review.request as { uid: string }).uid = '__UID__';
      out.push(JSON.stringify(review));
    }
  }
  return out;
}
