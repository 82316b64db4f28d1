// Rules stage: unknown-key, a values key the chart line does not know (a typo the chart silently ignores).
import { CHART_LINES, chartSchema, schemaAt } from '../../model/chart.js';
import type { SchemaNode } from '../../model/chart.js';
import { formatPath, isMap } from '../../model/path.js';
import type { ChartLine } from '../../model/types.js';
import { suggest } from '../policy.js';
import { defineRule } from '../types.js';
import { walkUserValues } from '../hygiene-util.js';

/** Every documented key path of a chart line, by key name (for "did you mean" across parents). */
const byName = new Map<ChartLine, Map<string, string[]>>();

function pathsNamed(line: ChartLine, name: string): string[] {
  let idx = byName.get(line);
  if (!idx) {
    idx = new Map();
    const rec = (n: SchemaNode, path: (string | number)[]): void => {
      for (const [k, child] of Object.entries(n.properties ?? {})) {
        const p = [...path, k];
        const key = k.toLowerCase();
        idx!.set(key, [...(idx!.get(key) ?? []), formatPath(p)]);
        rec(child, p);
      }
    };
    rec(chartSchema(line), []);
    byName.set(line, idx);
  }
  return idx.get(name.toLowerCase()) ?? [];
}

/** Whether the walk may look below a node: only into maps the chart describes key by key. */
function describesKeys(n: SchemaNode): boolean {
  const t = Array.isArray(n.type) ? n.type : n.type ? [n.type] : [];
  return Boolean(n.properties) || t.includes('object') || t.includes('array');
}

function hint(line: ChartLine, parent: SchemaNode | undefined, key: string | number): string {
  if (typeof key === 'number') return '';
  const siblings = Object.keys(parent?.properties ?? {});
  const near = suggest(key, siblings);
  if (near) return near;
  const elsewhere = pathsNamed(line, key);
  if (elsewhere.length > 0 && elsewhere.length <= 3) return ` (did you mean ${elsewhere.map((p) => `"${p}"`).join(' or ')}?)`;
  return '';
}

export default defineRule({
  meta: {
    id: 'unknown-key',
    title: 'Only keys the chart knows',
    severity: 'warning',
    category: 'hygiene',
    inputs: ['values'],
    rationale:
      'Helm passes every key to the templates, and the Imply chart silently ignores the ones it does not read: a typo such as `metadatStore` or `replicaCout` leaves the chart default in place with no error. Imply\'s guide has operators edit values.yaml by hand and merge their changes into each new chart version, where keys move. Known keys are those of the chart line\'s default values plus the keys its values file documents in comments (`security.tls.secretName`, `security.auth.secretName`, `*.metadataStore.tlsCert`, service nodePorts, probes); free-form subtrees (resources, annotations, labels, nodeSelector, affinity, tolerations, securityContext, extra volumes/env, subchart values) are not checked.',
    fix: 'Rename the key to the one the chart reads (see the suggestion), move it under the right parent, or delete it.',
    seed: 'If you have customized your deployment chart, merge your changes to the updated Imply chart before updating.',
    subject: 'The values path of the unknown key as the user wrote it (e.g. `manager.metadatStore`).',
    messages: {
      unknown: '{{subject}} is not a value of the Imply chart {{chartVersion}}; Helm ignores it{{hint}}. Rename or delete it.',
      otherLine:
        '{{subject}} is not a value of the Imply chart {{chartVersion}} (only of the {{otherVersions}} chart); Helm ignores it. Check the chart version (--chart-version, images.manager.tag) or delete the key.',
    },
    tags: ['typo', 'values'],
  },
  check(model, ctx) {
    const v = model.values;
    if (!v) return;
    const line = v.chartLine;
    walkUserValues(v, (path) => {
      const node = schemaAt(line, path);
      if (node === 'free') return false;
      if (node !== undefined) return describesKeys(node);
      // Only a mapping the chart closes (additionalProperties: false) has unknown keys; a documented object
      // without listed keys (a probe, `readinessProbe: {}`) is the user's own.
      const parent = schemaAt(line, path.slice(0, -1));
      if (!isMap(parent) || (parent as SchemaNode).additionalProperties !== false) return false;
      const subject = formatPath(path);
      const others = CHART_LINES.filter((l) => l !== line && schemaAt(l, path) !== undefined);
      if (others.length > 0) {
        const otherVersions = others.map((l) => String(chartSchema(l)['x-chart-version'] ?? l)).join(' / ');
        ctx.report({ messageId: 'otherLine', data: { subject, chartVersion: v.chartVersion, otherVersions }, subject, at: { values: path } });
      } else {
        const h = hint(line, parent as SchemaNode, path[path.length - 1]);
        ctx.report({ messageId: 'unknown', data: { subject, chartVersion: v.chartVersion, hint: h }, subject, at: { values: path } });
      }
      return false;
    });
  },
});
