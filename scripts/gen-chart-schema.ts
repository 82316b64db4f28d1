// Build tool: turns the Imply chart's default values (three chart lines, read from ../shared/reference)
// into JSON Schemas with `default`s under src/model/chart/. Run: npx tsx scripts/gen-chart-schema.ts
// The output is committed: users do not have ../shared. Re-run it only when a chart line is added.
import fs from 'node:fs';
import path from 'node:path';
import { parseYamlStream } from '../src/model/yaml.js';

const ref = path.resolve(import.meta.dirname, '../../shared/reference');
const out = path.resolve(import.meta.dirname, '../src/model/chart');

const LINES = [
  { line: '2023', file: 'chart-2023.03.1/values.public-user-copy.yaml', chart: '2023.03.1', assumed: true },
  { line: '2021', file: 'chart-2021.05-1/values.defaults.yaml', chart: '2021.05-1', assumed: false },
  { line: '0.4', file: 'chart-0.4.11/values.defaults.yaml', chart: '0.4.11', assumed: false },
] as const;

/** Subtrees whose keys are the user's own (Kubernetes objects, labels, subchart values). */
const FREE_FORM = new Set([
  'resources', 'annotations', 'labels', 'nodeSelector', 'affinity', 'tolerations', 'securityContext',
  'containerSecurityContext', 'extraEnv', 'extraVolumes', 'extraVolumeMounts', 'extraInitContainers',
  'extraPorts', 'topologySpreadConstraints', 'extraVolumeClaimTemplates', 'selector', 'env', 'userExtensions',
  'tls', 'podDisruptionBudget', 'readinessProbe', 'livenessProbe', 'startupProbe', 'sidecarContainers',
  'zookeeper', 'mysql', 'minio', 'persistence', 'defaultBucket',
]);

/** Keys the chart's values file documents only in comments (RULES.md unknown-key), per parent path. */
const DOCUMENTED: Record<string, Record<string, unknown>> = {
  '': { enableLegacyTls: { type: 'boolean', description: 'Seed: "set enableLegacyTls to false" (key named without its parent).' } },
  security: {
    auth: { type: 'object', additionalProperties: false, properties: { secretName: { type: 'string' } } },
    tls: { type: 'object', additionalProperties: false, properties: { secretName: { type: 'string' } } },
    enableLegacyTls: { type: 'boolean' },
  },
  'manager.metadataStore': { tlsCert: { type: 'string' } },
  'druid.metadataStore': { tlsCert: { type: 'string' } },
  'manager.service': { nodePort: { type: ['integer', 'string', 'null'] }, loadBalancerIP: { type: ['string', 'null'] }, loadBalancerSourceRanges: { type: 'array' } },
  'manager.ingress': { host: { type: ['string', 'null'] }, ingressClassName: { type: ['string', 'null'] } },
  'query.service': { routerNodePort: { type: ['integer', 'string', 'null'] }, pivotNodePort: { type: ['integer', 'string', 'null'] }, loadBalancerIP: { type: ['string', 'null'] }, loadBalancerSourceRanges: { type: 'array' } },
  'query.ingress.pivot': { ingressClassName: { type: ['string', 'null'] } },
  'query.ingress.router': { ingressClassName: { type: ['string', 'null'] } },
  master: { readinessProbe: { type: 'object' }, livenessProbe: { type: 'object' }, startupProbe: { type: 'object' } },
  query: { readinessProbe: { type: 'object' }, livenessProbe: { type: 'object' }, startupProbe: { type: 'object' } },
  dataTier1: { readinessProbe: { type: 'object' }, livenessProbe: { type: 'object' }, startupProbe: { type: 'object' }, sidecarContainers: { type: 'array' } },
  dataTier2: { readinessProbe: { type: 'object' }, livenessProbe: { type: 'object' }, startupProbe: { type: 'object' }, sidecarContainers: { type: 'array' } },
  dataTier3: { readinessProbe: { type: 'object' }, livenessProbe: { type: 'object' }, startupProbe: { type: 'object' }, sidecarContainers: { type: 'array' } },
  mysql: { imageTag: { type: 'string', default: '5.7.14', description: 'Bundled MySQL subchart image tag; the subchart default 5.7.14 is embedded (reference/README.md).' } },
};

/** Values the chart passes through `tpl`: a template string is valid there whatever the type. */
const TEMPLATED = new Set(['manager.service.port', 'agents.managerHost', 'druid.zk.connectString', 'manager.metadataStore.host', 'druid.metadataStore.host']);

function typeOf(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function schemaFor(v: unknown, p: string, key: string): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  const t = typeOf(v);
  if (TEMPLATED.has(p)) s.type = ['string', 'integer'];
  else if (t) s.type = t;
  if (v !== undefined) s.default = v;
  if (t === 'object' && !FREE_FORM.has(key)) {
    const props: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) props[k] = schemaFor(child, p ? `${p}.${k}` : k, k);
    s.properties = props;
    s.additionalProperties = false;
  } else if (t === 'object' || FREE_FORM.has(key)) {
    s['x-free-form'] = true;
  }
  if (t === 'array' && key === 'additionalDataTiers') {
    s.items = { type: 'object', 'x-free-form': true };
  } else if (t === 'array' && key === 'customFiles') {
    s.items = {
      type: 'object',
      additionalProperties: false,
      required: ['path'],
      properties: {
        path: { type: 'string' }, executable: { type: 'boolean' }, unpack: { type: 'boolean' },
        hadoopDependency: { type: 'boolean' }, classpath: { type: 'boolean' },
      },
    };
  } else if (t === 'array' && /RuntimeProperties$/.test(key)) {
    s.items = { type: 'string' };
  } else if (t === 'array' && key === 'customVersions') {
    s.items = { type: ['string', 'number'] };
  }
  return s;
}

function addDocumented(schema: Record<string, unknown>): void {
  for (const [parent, keys] of Object.entries(DOCUMENTED)) {
    let node = schema;
    let ok = true;
    for (const seg of parent ? parent.split('.') : []) {
      const props = node.properties as Record<string, Record<string, unknown>> | undefined;
      if (!props || !props[seg]) {
        ok = false;
        break;
      }
      node = props[seg];
    }
    if (!ok) continue;
    if (node['x-free-form']) {
      // A free-form root (the subchart values) still gets its documented keys typed.
      delete node['x-free-form'];
      node.additionalProperties = true;
      node['x-subchart'] = true;
      node.properties = node.properties ?? {};
    }
    if (node.type === 'object' && !node.properties) {
      node.properties = {};
      node.additionalProperties = false;
      delete node['x-free-form'];
    }
    const props = node.properties as Record<string, unknown>;
    const parentDefault = (node.default ?? {}) as Record<string, unknown>;
    for (const [k, s0] of Object.entries(keys)) {
      const s = k in parentDefault && (s0 as { default?: unknown }).default !== undefined ? { ...(s0 as object), default: parentDefault[k] } : s0;
      if (!props[k]) props[k] = { ...(s as object), 'x-documented': true };
      else if ((s as { default?: unknown }).default !== undefined && (props[k] as { default?: unknown }).default === undefined) {
        props[k] = { ...(props[k] as object), default: (s as { default?: unknown }).default };
      }
    }
  }
}

fs.mkdirSync(out, { recursive: true });
for (const l of LINES) {
  const text = fs.readFileSync(path.join(ref, l.file), 'utf8');
  const [doc] = parseYamlStream(text);
  const root = schemaFor(doc.value, '', '');
  root.$schema = 'http://json-schema.org/draft-07/schema#';
  root.$id = `https://imply-lint.io/schema/chart-${l.line}.json`;
  root.title = `Imply Helm chart values (${l.chart} line)`;
  root['x-chart-line'] = l.line;
  root['x-chart-version'] = l.chart;
  root['x-defaults-assumed'] = l.assumed;
  addDocumented(root);
  const ordered = { $schema: root.$schema, $id: root.$id, title: root.title, ...root };
  fs.writeFileSync(path.join(out, `values-${l.line}.schema.json`), JSON.stringify(ordered, null, 2) + '\n');
  console.log(`wrote values-${l.line}.schema.json`);
}
