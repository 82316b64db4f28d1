// Model stage: the values adapter. Merges `-f` files and `--set`/`--set-string` exactly as Helm does
// (later files win, maps deep-merge, lists replace, null deletes a chart default) and remembers where
// every effective value came from.
import { chartDefaults, chooseChartLine, chartSchema, cloneJson } from './chart.js';
import { isMap, pathKey } from './path.js';
import type { Path } from './path.js';
import { parseSetInto } from './strvals.js';
import { setKey } from './yaml.js';
import type { ChartLine, Location, SourceFile, ValueOrigin, ValuesModel } from './types.js';

/** One `--set`/`--set-string` flag, in command-line order. */
export interface SetFlag {
  flag: '--set' | '--set-string';
  expr: string;
}

export interface ValuesInput {
  files: SourceFile[];
  sets?: SetFlag[];
  chartVersion?: string;
  /** Skip chart defaults (used by the differential tests' probe chart, which brings its own). */
  defaults?: Record<string, unknown>;
  /** Provenance label for `defaults`. */
  defaultsLine?: ChartLine;
}

/** Source index of each assignment: >= 0 file index, -1-k for set flag k, DEFAULT for chart defaults. */
const DEFAULT = Number.MIN_SAFE_INTEGER;

/** Helm's mergeMaps: maps deep-merge, anything else (lists included) replaces. Records who wrote what. */
function mergeMaps(dst: Record<string, unknown>, src: Record<string, unknown>, who: number, path: (string | number)[], writes: Map<string, number>): void {
  for (const [k, v] of Object.entries(src)) {
    path.push(k);
    const d = dst[k];
    if (isMap(v) && isMap(d)) {
      mergeMaps(d, v, who, path, writes);
    } else {
      setKey(dst, k, cloneJson(v));
      writes.set(pathKey(path), who);
      clearBelow(writes, path);
    }
    path.pop();
  }
}

function clearBelow(writes: Map<string, number>, path: (string | number)[]): void {
  const prefix = pathKey(path) + '\u0000';
  for (const key of writes.keys()) if (key.startsWith(prefix)) writes.delete(key);
}

/**
 * Helm's coalesceTables(dst = user values, src = chart defaults): keys the user did not set take the
 * default; a user `null` deletes the default; a user value always wins over a default of another shape.
 */
function coalesce(dst: Record<string, unknown>, src: Record<string, unknown>, path: (string | number)[], writes: Map<string, number>, deleted: Set<string>): void {
  for (const [k, dv] of Object.entries(src)) {
    path.push(k);
    const has = Object.prototype.hasOwnProperty.call(dst, k);
    const uv = dst[k];
    if (has && uv === null) {
      delete dst[k];
      deleted.add(pathKey(path));
    } else if (!has) {
      setKey(dst, k, cloneJson(dv));
      writes.set(pathKey(path), DEFAULT);
    } else if (isMap(dv) && isMap(uv)) {
      coalesce(uv, dv, path, writes, deleted);
    }
    path.pop();
  }
}

/** Removes nulls the user set for keys the chart has no default for (Helm drops them as well). */
function dropNulls(obj: Record<string, unknown>, path: (string | number)[], deleted: Set<string>): void {
  for (const [k, v] of Object.entries(obj)) {
    path.push(k);
    if (v === null) {
      delete obj[k];
      deleted.add(pathKey(path));
    } else if (isMap(v)) dropNulls(v, path, deleted);
    path.pop();
  }
}

/** Builds the values model for one lint target. */
export function buildValuesModel(input: ValuesInput): ValuesModel {
  const user: Record<string, unknown> = {};
  const writes = new Map<string, number>();
  input.files.forEach((f, i) => {
    const doc = f.docs.find((d) => d.value !== undefined);
    const v = doc?.value;
    if (isMap(v)) mergeMaps(user, v, i, [], writes);
  });
  // Helm applies every --set before every --set-string, whatever their order on the command line
  // (pkg/cli/values Options.MergeValues), each parsed straight into the merged -f values.
  const sets = [...(input.sets ?? [])].sort((a, b) => (a.flag === b.flag ? 0 : a.flag === '--set' ? -1 : 1));
  sets.forEach((s, k) => {
    const assigned = parseSetInto(s.expr, user, s.flag === '--set-string');
    for (const p of assigned) {
      writes.set(pathKey(p), -1 - k);
      clearBelow(writes, p);
    }
  });
  const userCopy = cloneJson(user);
  const { line, reason } = input.defaultsLine
    ? { line: input.defaultsLine, reason: 'probe chart' }
    : chooseChartLine(user, input.chartVersion);
  const schema = chartSchema(line);
  const defaults = input.defaults ?? chartDefaults(line);
  const merged = cloneJson(user);
  const deleted = new Set<string>();
  coalesce(merged, defaults, [], writes, deleted);
  dropNulls(merged, [], deleted);
  const chartVersion = String(schema['x-chart-version'] ?? line);
  const assumed = Boolean(schema['x-defaults-assumed']);
  const files = input.files;

  const writerOf = (path: Path): { who: number; at: Path } | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const p = path.slice(0, n);
      const w = writes.get(pathKey(p));
      if (w !== undefined) return { who: w, at: p };
    }
    return undefined;
  };

  const fileRange = (f: SourceFile, path: Path) => {
    const doc = f.docs.find((d) => d.value !== undefined);
    if (!doc) return undefined;
    for (let n = path.length; n >= 0; n--) {
      const pos = doc.positions.get(pathKey(path.slice(0, n)));
      if (pos) return { range: pos.key ?? pos.value, exact: n === path.length, value: pos.value };
    }
    return undefined;
  };

  const get = (path: Path): unknown => {
    let cur: unknown = merged;
    for (const seg of path) {
      if (cur === null || typeof cur !== 'object') return undefined;
      if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
      cur = (cur as Record<string | number, unknown>)[seg];
    }
    return cur;
  };

  const userSet = (path: Path): boolean => {
    let cur: unknown = user;
    for (const seg of path) {
      if (cur === null || typeof cur !== 'object') return false;
      if (!Object.prototype.hasOwnProperty.call(cur, seg)) return false;
      cur = (cur as Record<string | number, unknown>)[seg];
    }
    return true;
  };

  const origin = (path: Path): ValueOrigin => {
    const w = writerOf(path);
    if (!w) {
      if (deleted.has(pathKey(path))) return { kind: 'absent' };
      return get(path) === undefined ? { kind: 'absent' } : { kind: 'default', chartLine: line, chartVersion, assumed };
    }
    if (w.who === DEFAULT) return { kind: 'default', chartLine: line, chartVersion, assumed };
    if (w.who < 0) {
      const s = sets[-1 - w.who];
      return { kind: 'set', flag: s.flag, expr: s.expr };
    }
    const f = files[w.who];
    const r = fileRange(f, path);
    return { kind: 'file', file: f.path, range: r?.exact ? r.range : r?.range };
  };

  const locate = (path: Path): Location | undefined => {
    const o = origin(path);
    if (o.kind === 'file' && o.range) return { file: o.file, range: o.range };
    // A default, a flag or a deleted value: the nearest parent key a user file has, latest file first.
    for (let i = files.length - 1; i >= 0; i--) {
      const r = fileRange(files[i], path);
      if (r && r.range && (r.exact || path.length > 0)) {
        const doc = files[i].docs.find((d) => d.value !== undefined);
        if (doc && r.range) return { file: files[i].path, range: r.range };
      }
    }
    if (files.length > 0) return { file: files[0].path, range: { line: 1, column: 1, endLine: 1, endColumn: 1 } };
    return undefined;
  };

  return { merged, user: userCopy, chartLine: line, chartVersion, chartLineReason: reason, files, get, userSet, origin, locate };
}
