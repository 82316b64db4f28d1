import fs from 'node:fs';
import { modelFromTexts } from './src/model/build.js';
import { lint } from './src/rules/engine.js';
import { emptyPolicy } from './src/rules/policy.js';
const ids = ['no-quickstart-mysql','zookeeper-ha','external-zookeeper-ha','external-zookeeper-configured','external-metadata-store-configured','deep-storage-production','replicas-ha','data-persistence','termination-grace-period','update-strategy','druid-change-not-applied','metadata-store-switch'];
const rules = await Promise.all(ids.map(async (id) => (await import(`./src/rules/catalog/${id}.js`)).default));
const R = '/work/shared/reference/chart-2023.03.1/';
const read = (f: string) => ({ path: f, text: fs.readFileSync(R + f, 'utf8') });
const cases: Record<string, any> = {
  user: { values: [read('values.public-user-copy.yaml')] },
  prodV: { values: [read('production-overrides.yaml')] },
  featV: { values: [read('production-overrides.yaml'), read('features-overrides.yaml')] },
  qs: { manifests: [read('quickstart.rendered.yaml')] },
  prod: { manifests: [read('production.rendered.yaml')] },
  feat: { manifests: [read('features.rendered.yaml')] },
};
for (const [n, c] of Object.entries(cases)) {
  const res = lint(modelFromTexts(c), emptyPolicy(), { target: n, rules });
  console.log('==', n, res.ruleErrors);
  for (const f of res.findings) console.log(` ${f.severity} ${f.ruleId} ${f.messageId} ${f.subject} @${f.location?.file}:${f.location?.line}:${f.location?.column} ${f.path ?? ''} ${f.object ?? ''} rel=${f.related.length}`);
}
