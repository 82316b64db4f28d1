// Model stage: the values adapter. Merges `-f` files and `--set`/`--set-string` exactly as Helm does
// (later files win, maps deep-merge, lists replace, null deletes a chart default) and remembers where
// every effective value came from.
import { chartDefaults, chooseChartLine, chartSchema, cloneJson } from './chart.js';
import { isMap, pathKey } from './path.js';
import type { Path } from './path.js';
import { parseSetInto } from './strvals.js';
import { setKey } from './yaml.js';
import type { ChartLine, Location, SourceFile, ValueOrigin, ValuesModel } from './types.js';
import type { Range } from './yaml.js';

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
  /** Where `defaults` came from (e.g. `imply/values.yaml` of a chart directory), shown as provenance. */
  defaultsLabel?: string;
  /** The file `defaults` were read from: with no user file to point at, findings point into it. */
  defaultsFile?: SourceFile;
}

/** Source index of each assignment: >= 0 file index, -1-k for set flag k, DEFAULT for chart defaults. */
const DEFAULT = Number.MIN_SAFE_INTEGER;

/** Helm's mergeMaps: maps deep-merge, anything else (lists included) replaces. Records who wrote what. */
function mergeMaps(dst: Record<string, unknown>, src: Record<string, unknown>, who: number, path: (string | number)[], writes: Map<string, number>): void {
  for (const [k, v] of Object.entries(src)) {
    path.push(k);
    // Own properties only: `__proto__` is a values key like any other (and must never reach a prototype).
    const d = Object.prototype.hasOwnProperty.call(dst, k) ? dst[k] : undefined;
    if (isMap(v) && isMap(d)) {
      mergeMaps(d, v, who, path, writes);
    } else {
      setKey(dst, k, cloneJson(v));
      writes.set(pathKey(path), who);
      // Only the replaced value can have writes below it: walking it keeps a large file linear.
      if (d !== null && typeof d === 'object') clearInside(writes, path, d);
    }
    path.pop();
  }
}

/** Drops the writes recorded inside `old`, the value being replaced at `path` (linear in its size). */
function clearInside(writes: Map<string, number>, path: (string | number)[], old: unknown): void {
  const entries: [string | number, unknown][] = Array.isArray(old) ? old.map((x, i) => [i, x]) : isMap(old) ? Object.entries(old) : [];
  for (const [k, x] of entries) {
    path.push(k);
    writes.delete(pathKey(path));
    clearInside(writes, path, x);
    path.pop();
  }
}

function clearBelow(writes: Map<string, number>, path: (string | number)[]): void {
  const prefix = pathKey(path) + '\u0000';
  for (const key of writes.keys()) if (key.startsWith(prefix)) writes.delete(key);
}

/**
 * Helm's coalesce of user values (dst) with chart defaults (src), at every level where a user map meets
 * a default map (seen with helm v4.1.4, test/helm/merge.diff.test.ts):
 * - keys the user did not set take the default, default nulls included (`key: null` in the chart's
 *   values.yaml is still there, as null, for templates);
 * - a user `null` deletes the key when the chart has a default for it, and is KEPT as null when it has
 *   none (`-f` `foo: null` or `manager: {newKey: null}` render `null`);
 * - a user value of another shape wins both ways: a scalar or list over a default map (helm warns
 *   "cannot overwrite table with non table") and a map over a default scalar.
 */
function coalesce(dst: Record<string, unknown>, src: Record<string, unknown>, path: (string | number)[], writes: Map<string, number>, deleted: Set<string>): void {
  for (const [k, dv] of Object.entries(src)) {
    path.push(k);
    const has = Object.prototype.hasOwnProperty.call(dst, k);
    const uv = has ? dst[k] : undefined;
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

/** The documents of a values file Helm merges: all of them, in order (see buildValuesModel). */
function valueDocs(f: SourceFile): SourceFile['docs'] {
  return f.docs.filter((d) => d.value !== undefined && !d.shadowed);
}

/** A values-file problem Helm refuses the whole file for, located in the file. */
export interface ValuesFileProblem {
  file: string;
  docIndex: number;
  message: string;
  range: Range;
}

/**
 * Documents of a values file that Helm refuses although they are valid YAML: each document must be a
 * map (or empty, or null); a list or a scalar fails with "cannot unmarshal array into Go value of type
 * map[string]interface {}". buildValuesModel skips such documents; callers report these.
 */
export function valuesFileProblems(f: SourceFile): ValuesFileProblem[] {
  const out: ValuesFileProblem[] = [];
  for (const d of valueDocs(f)) {
    if (d.value === null || isMap(d.value)) continue;
    const kind = Array.isArray(d.value) ? 'array' : typeof d.value === 'number' ? 'number' : typeof d.value === 'boolean' ? 'bool' : 'string';
    out.push({ file: f.path, docIndex: d.index, message: `cannot unmarshal ${kind} into Go value of type map[string]interface {} (helm refuses it)`, range: d.range });
  }
  return out;
}

/** Builds the values model for one lint target. */
export function buildValuesModel(input: ValuesInput): ValuesModel {
  const user: Record<string, unknown> = {};
  const writes = new Map<string, number>();
  // Helm v4 reads every YAML document of a values file and merges them in order with the same
  // MergeMaps as between -f files (pkg/chart/loader LoadValues; seen with helm v4.1.4: `a: 1`, `---`,
  // `b: 2` gives both). Empty, comment-only and `~` documents change nothing. The documents of one file
  // are merged with each other first, and the result over the earlier files: `druid: yes`, `---`,
  // `druid: {}` in a later file keeps an earlier file's `druid.a` (the scalar never reaches it).
  input.files.forEach((f, i) => {
    const fileValues: Record<string, unknown> = {};
    for (const doc of valueDocs(f)) if (isMap(doc.value)) mergeMaps(fileValues, doc.value, i, [], new Map());
    mergeMaps(user, fileValues, i, [], writes);
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
  // A chart directory's own values.yaml is the real default (not assumed); our schemas may be assumed.
  const chartVersion = input.defaultsLabel ?? String(schema['x-chart-version'] ?? line);
  const assumed = input.defaults ? false : Boolean(schema['x-defaults-assumed']);
  const files = input.files;

  const writerOf = (path: Path): { who: number; at: Path } | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const p = path.slice(0, n);
      const w = writes.get(pathKey(p));
      if (w !== undefined) return { who: w, at: p };
    }
    return undefined;
  };

  // The deepest position any document of the file has for the path (the last document wins a tie, as
  // it wins the merge).
  /** The nearest key of `path` (itself or a parent, never the document root) a file has. */
  const fileRange = (f: SourceFile, path: Path) => {
    const doc = f.docs.find((d) => d.value !== undefined);
    if (!doc) return undefined;
    for (let n = path.length; n >= 1; n--) {
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
      if (r) return { file: files[i].path, range: r.range };
    }
    if (files.length > 0) return { file: files[0].path, range: { line: 1, column: 1, endLine: 1, endColumn: 1 } };
    // No user file at all (`imply-lint chart DIR` alone): the chart's own values.yaml.
    if (input.defaultsFile) {
      const r = fileRange(input.defaultsFile, path);
      return { file: input.defaultsFile.path, range: r?.range ?? { line: 1, column: 1, endLine: 1, endColumn: 1 } };
    }
    return undefined;
  };

  return { merged, user: userCopy, chartLine: line, chartVersion, chartLineReason: reason, files, get, userSet, origin, locate };
}
