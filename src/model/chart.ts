// Model stage: the Imply chart lines we know (defaults and keys as JSON Schemas with `default`s) and how
// a chart line is chosen for an input (RULES.md "Tie-breaks between chart lines").
import schema2023 from './chart/values-2023.schema.json' with { type: 'json' };
import schema2021 from './chart/values-2021.schema.json' with { type: 'json' };
import schema04 from './chart/values-0.4.schema.json' with { type: 'json' };
import type { ChartLine } from './types.js';
import { isMap } from './path.js';
import type { Path } from './path.js';


/** A JSON Schema node as we generate it (see scripts/gen-chart-schema.ts). */
export interface SchemaNode {
  type?: string | string[];
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  required?: string[];
  description?: string;
  'x-free-form'?: boolean;
  'x-subchart'?: boolean;
  'x-documented'?: boolean;
  'x-chart-line'?: ChartLine;
  'x-chart-version'?: string;
  'x-defaults-assumed'?: boolean;
  [k: string]: unknown;
}

export const CHART_LINES: readonly ChartLine[] = ['2023', '2021', '0.4'];

const SCHEMAS: Record<ChartLine, SchemaNode> = {
  '2023': schema2023 as SchemaNode,
  '2021': schema2021 as SchemaNode,
  '0.4': schema04 as SchemaNode,
};

/** The values schema of a chart line (bundled JSON). */
export function chartSchema(line: ChartLine): SchemaNode {
  return SCHEMAS[line];
}

/** Deep copy of plain JSON data. */
export function cloneJson<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  try {
    return copyPlain(v, 0) as T;
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
    return structuredClone(v) as T;
  }
}

// cloneJson copies plain maps and lists by hand: structuredClone serializes and deserializes, which made
// it ~0.7 ms per values file of the batch benchmark (docs/performance.md). Anything else (a Date, a shared
// or cyclic structure deeper than YAML allows) falls back to structuredClone, which handles it.
const NOT_PLAIN = Symbol('not plain JSON data');
const MAX_COPY_DEPTH = 2_000;

function copyPlain(v: unknown, depth: number): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (depth > MAX_COPY_DEPTH) throw NOT_PLAIN;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) if (i in v) out[i] = copyPlain(v[i], depth + 1);
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const item = copyPlain((v as Record<string, unknown>)[k], depth + 1);
    if (k === '__proto__') Object.defineProperty(out, k, { value: item, writable: true, enumerable: true, configurable: true });
    else out[k] = item;
  }
  return out;
}

const DEFAULTS = new Map<ChartLine, Record<string, unknown>>();

/** The chart line's default values: each node's `default`, plus documented keys' defaults (e.g. mysql.imageTag). */
export function chartDefaults(line: ChartLine): Record<string, unknown> {
  // Computed once per line (a batch run lints thousands of files against the same line); callers get a copy.
  let defaults = DEFAULTS.get(line);
  if (!defaults) {
    defaults = computeDefaults(line);
    DEFAULTS.set(line, defaults);
  }
  return cloneJson(defaults);
}

function computeDefaults(line: ChartLine): Record<string, unknown> {
  const schema = chartSchema(line);
  const out = cloneJson(schema.default) as Record<string, unknown>;
  const fill = (node: SchemaNode, target: Record<string, unknown>): void => {
    for (const [k, child] of Object.entries(node.properties ?? {})) {
      if (!(k in target)) {
        if (child.default !== undefined) target[k] = cloneJson(child.default);
        continue;
      }
      const t = target[k];
      if (isMap(t)) fill(child, t);
    }
  };
  fill(schema, out);
  return out;
}

/** The schema node for a values path, or `free` inside a free-form subtree, or undefined if unknown. */
export function schemaAt(line: ChartLine, path: Path): SchemaNode | 'free' | undefined {
  let node: SchemaNode | undefined = chartSchema(line);
  for (const seg of path) {
    if (!node) return undefined;
    if (node['x-free-form']) return 'free';
    if (typeof seg === 'number') {
      node = node.items;
      if (!node) return 'free';
      continue;
    }
    const next: SchemaNode | undefined = node.properties?.[seg];
    if (next) {
      node = next;
      continue;
    }
    if (node['x-subchart'] || node.additionalProperties === true) return 'free';
    if (isMap(node.additionalProperties)) {
      node = node.additionalProperties;
      continue;
    }
    return undefined;
  }
  return node;
}

/** Maps an Imply manager image tag (YYYY.MM[.P]) to the chart line that ships it. */
export function lineForManagerTag(tag: string): ChartLine | undefined {
  const m = /^(\d{4})\.(\d{1,2})/.exec(tag);
  if (!m) return undefined;
  const ym = Number(m[1]) * 100 + Number(m[2]);
  if (ym >= 202301) return '2023';
  if (ym >= 202105) return '2021';
  return '0.4';
}

/** Maps a chart version (`2023.03.1`, `2021.05-1`, `0.4.11`) to a chart line. */
export function lineForChartVersion(v: string): ChartLine | undefined {
  if (/^0\.\d+/.test(v)) return '0.4';
  return lineForManagerTag(v);
}

/** Chooses the chart line: --chart-version, else images.manager.tag, else the keys present, else the newest. */
export function chooseChartLine(user: Record<string, unknown>, chartVersion?: string): { line: ChartLine; reason: string } {
  if (chartVersion) {
    const l = lineForChartVersion(chartVersion);
    if (l) return { line: l, reason: `--chart-version ${chartVersion}` };
  }
  const images = user.images;
  const tag = isMap(images) && isMap(images.manager) ? images.manager.tag : undefined;
  if (typeof tag === 'string' || typeof tag === 'number') {
    const l = lineForManagerTag(String(tag));
    if (l) return { line: l, reason: `images.manager.tag ${String(tag)}` };
  }
  const druid = isMap(user.druid) ? user.druid : {};
  if ('customFiles' in druid || 'userExtensions' in druid || 'additionalDataTiers' in user) return { line: '2023', reason: 'keys present (2023.x only)' };
  if ('implyVersion' in druid) return { line: '2023', reason: 'keys present (2021.x or later; newest chosen)' };
  return { line: '2023', reason: 'newest line (nothing else decides)' };
}
