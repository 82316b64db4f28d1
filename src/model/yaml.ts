// Model stage: YAML text -> plain values with source positions, read the way Helm (go-yaml v2 via
// sigs.k8s.io/yaml) reads it.
import { Alias, LineCounter, Parser, Composer, isMap, isScalar, isSeq, isAlias, isPair } from 'yaml';
import type { Document, Node as YNode, Scalar } from 'yaml';
import jsyaml from 'js-yaml';
import { pathKey, getIn } from './path.js';
import type { Path } from './path.js';

/** 1-based line/column span inside one file. */
export interface Range {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Where a key and its value sit in the file. */
export interface NodePos {
  key?: Range;
  value: Range;
}

/** A duplicate key: Helm keeps the last one silently. */
export interface DuplicateKey {
  path: Path;
  first: Range;
  second: Range;
}

/** A syntax error located in the file. */
export interface SyntaxIssue {
  message: string;
  code: string;
  range: Range;
}

/** One YAML document of a file. */
export interface YamlDoc {
  index: number;
  /** The document's content as Helm sees it (undefined for an empty or comment-only document). */
  value: unknown;
  /** Positions by pathKey(). */
  positions: Map<string, NodePos>;
  /** Range of the whole document (for anchoring findings about it). */
  range: Range;
  errors: SyntaxIssue[];
  duplicates: DuplicateKey[];
  /** True when the `yaml` package could not read it cleanly and a Go-compatible reader supplied the content. */
  recovered: boolean;
}

/** Structural limits: inputs past them cannot be linted at all (exit 2). */
export interface YamlLimits {
  maxBytes: number;
  maxAliasExpansion: number;
  maxDepth: number;
}

export const DEFAULT_LIMITS: YamlLimits = {
  maxBytes: 64 * 1024 * 1024,
  maxAliasExpansion: 100_000,
  maxDepth: 1_000,
};

/** Thrown when an input exceeds a structural limit; `kind` names which one. */
export class YamlLimitError extends Error {
  constructor(
    readonly kind: 'bytes' | 'aliases' | 'depth',
    message: string,
    readonly line = 1,
    readonly column = 1,
  ) {
    super(message);
  }
}

/** Sets a key without ever touching a prototype (`__proto__` is data here). */
export function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSES = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const INFS = new Set(['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF']);
const NANS = new Set(['.nan', '.NaN', '.NAN']);
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_INT_DEC = /^[-+]?[0-9]+$/;
const GO_INT_PREFIXED = /^[-+]?0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)$/;
const GO_INT_OCTAL = /^[-+]?0[0-7]+$/;

/** Thrown for values Helm refuses outright (sigs.k8s.io/yaml cannot turn them into JSON). */
export class UnrepresentableError extends Error {}

/**
 * Resolves a plain scalar as go-yaml v2 does, then as sigs.k8s.io/yaml's JSON step does:
 * YAML 1.1 booleans (`no`, `off`, `y`), Go integer syntax (`0x1F`, `0777`, `1_000`), no sexagesimal
 * (`1:20` stays a string), timestamps stay strings, `.inf`/`.nan` cannot be represented.
 */
export function resolveGoPlain(text: string): unknown {
  if (NULLS.has(text)) return null;
  if (TRUES.has(text)) return true;
  if (FALSES.has(text)) return false;
  if (INFS.has(text) || NANS.has(text)) throw new UnrepresentableError(`${text} cannot be represented in JSON`);
  const c = text.charCodeAt(0);
  const numeric = (c >= 48 && c <= 57) || text[0] === '-' || text[0] === '+' || text[0] === '.';
  if (!numeric) return text;
  const plain = text.replace(/_/g, '');
  if (GO_INT_DEC.test(plain) && !GO_INT_OCTAL.test(plain)) {
    const n = Number(plain);
    return n;
  }
  if (GO_INT_OCTAL.test(plain)) {
    const neg = plain.startsWith('-');
    const digits = plain.replace(/^[-+]?0/, '');
    const n = parseInt(digits, 8);
    return neg ? -n : n;
  }
  if (GO_INT_PREFIXED.test(plain)) {
    const neg = plain.startsWith('-');
    const body = plain.replace(/^[-+]/, '');
    const base = /^0[xX]/.test(body) ? 16 : /^0[oO]/.test(body) ? 8 : 2;
    const n = parseInt(body.slice(2), base);
    return neg ? -n : n;
  }
  if (GO_FLOAT.test(plain)) {
    const f = Number(plain);
    if (!Number.isFinite(f)) throw new UnrepresentableError(`${text} cannot be represented in JSON`);
    return f;
  }
  return text;
}

/** Go's fmt rendering of a resolved map key (sigs.k8s.io/yaml turns non-string keys into strings). */
function keyString(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  return String(v);
}

function mkRange(lc: LineCounter, start: number, end: number): Range {
  const a = lc.linePos(start);
  const b = lc.linePos(Math.max(start, end));
  return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

interface WalkState {
  lc: LineCounter;
  doc: Document.Parsed;
  positions: Map<string, NodePos>;
  duplicates: DuplicateKey[];
  errors: SyntaxIssue[];
  expanded: number;
  limits: YamlLimits;
}

function nodeRange(st: WalkState, node: YNode | null | undefined): Range | undefined {
  if (!node || !node.range) return undefined;
  return mkRange(st.lc, node.range[0], node.range[1]);
}

function scalarValue(st: WalkState, node: Scalar): unknown {
  const raw = node.value;
  const text = typeof raw === 'string' ? raw : raw === null || raw === undefined ? '' : String(raw);
  const tag = node.tag;
  if (tag && tag !== '!' && tag !== 'tag:yaml.org,2002:str' && !tag.startsWith('tag:yaml.org,2002:')) {
    // Unknown local tags: go-yaml keeps the scalar as it reads plain.
  }
  if (tag === 'tag:yaml.org,2002:str' || tag === '!') return text;
  if (node.type !== 'PLAIN') return text;
  if (tag === 'tag:yaml.org,2002:null') return null;
  try {
    return resolveGoPlain(text);
  } catch (e) {
    if (e instanceof UnrepresentableError) {
      const r = nodeRange(st, node) ?? { line: 1, column: 1, endLine: 1, endColumn: 1 };
      st.errors.push({ code: 'UNREPRESENTABLE', message: `${e.message} (helm refuses it)`, range: r });
      return text;
    }
    throw e;
  }
}

function walk(st: WalkState, node: unknown, path: (string | number)[], depth: number, keyRange?: Range): unknown {
  if (depth > st.limits.maxDepth) {
    const r = nodeRange(st, node as YNode);
    throw new YamlLimitError('depth', `nesting deeper than ${st.limits.maxDepth} levels`, r?.line, r?.column);
  }
  if (++st.expanded > st.limits.maxAliasExpansion * 10 + 1_000_000) {
    throw new YamlLimitError('aliases', 'document expands to too many nodes');
  }
  const range = nodeRange(st, node as YNode);
  if (range) st.positions.set(pathKey(path), { key: keyRange, value: range });
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    const target = (node as Alias).resolve(st.doc);
    st.aliasCount = (st.aliasCount ?? 0) + 1;
    return walkAliased(st, target, path, depth, keyRange, range);
  }
  if (isScalar(node)) return scalarValue(st, node);
  if (isSeq(node)) {
    const out: unknown[] = [];
    node.items.forEach((item, i) => {
      path.push(i);
      out.push(walk(st, item, path, depth + 1));
      path.pop();
    });
    return out;
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    const seen = new Map<string, Range | undefined>();
    const explicit = new Set<string>();
    const merges: unknown[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const kNode = pair.key as YNode | null;
      if (isScalar(kNode) && kNode.type === 'PLAIN' && kNode.value === '<<') {
        merges.push(pair.value);
        continue;
      }
      const kVal = kNode === null ? null : isScalar(kNode) ? scalarValue(st, kNode) : walkDetached(st, kNode, depth);
      const key = keyString(kVal);
      const kr = nodeRange(st, kNode);
      if (seen.has(key)) {
        const first = seen.get(key);
        if (first && kr) st.duplicates.push({ path: [...path, key], first, second: kr });
      }
      seen.set(key, kr);
      explicit.add(key);
      path.push(key);
      setKey(out, key, walk(st, pair.value, path, depth + 1, kr));
      path.pop();
    }
    // Merge keys (go-yaml v2 supports them): explicit keys win, earlier merge sources win over later.
    for (const m of merges) {
      const sources: unknown[] = [];
      const resolved = isAlias(m) ? (m as Alias).resolve(st.doc) : m;
      if (isSeq(resolved)) for (const it of resolved.items) sources.push(isAlias(it) ? (it as Alias).resolve(st.doc) : it);
      else sources.push(resolved);
      for (const src of sources) {
        const v = walkDetached(st, src, depth);
        if (v === null || typeof v !== 'object' || Array.isArray(v)) {
          const r = nodeRange(st, src as YNode) ?? range ?? { line: 1, column: 1, endLine: 1, endColumn: 1 };
          st.errors.push({ code: 'BAD_MERGE', message: 'map merge requires map or sequence of maps as the value', range: r });
          continue;
        }
        for (const [k, val] of Object.entries(v)) {
          if (explicit.has(k)) continue;
          explicit.add(k);
          setKey(out, k, val);
        }
      }
    }
    return out;
  }
  return null;
}

interface WalkState {
  aliasCount?: number;
}

function walkAliased(st: WalkState, target: unknown, path: (string | number)[], depth: number, keyRange: Range | undefined, aliasRange: Range | undefined): unknown {
  // Positions inside an alias point at the anchor; the alias itself keeps the alias's range.
  const before = st.positions.size;
  const v = walk(st, target, path, depth + 1, keyRange);
  void before;
  if (aliasRange) st.positions.set(pathKey(path), { key: keyRange, value: aliasRange });
  return v;
}

function walkDetached(st: WalkState, node: unknown, depth: number): unknown {
  const saved = st.positions;
  st.positions = new Map();
  try {
    return walk(st, node, [], depth + 1);
  } finally {
    st.positions = saved;
  }
}

/** Counts how many nodes the aliases of a document would expand to, without expanding them. */
function aliasExpansion(doc: Document.Parsed, limit: number): number {
  const memo = new Map<unknown, number>();
  const size = (node: unknown, stack: Set<unknown>): number => {
    if (node === null || node === undefined) return 1;
    if (memo.has(node)) return memo.get(node)!;
    if (stack.has(node)) return limit + 1; // recursive alias
    stack.add(node);
    let n = 1;
    if (isAlias(node)) {
      const t = (node as Alias).resolve(doc);
      n = t ? size(t, stack) : 1;
    } else if (isSeq(node)) {
      for (const it of node.items) {
        n += size(it, stack);
        if (n > limit) break;
      }
    } else if (isMap(node)) {
      for (const p of node.items) {
        n += size((p as { value: unknown }).value, stack) + 1;
        if (n > limit) break;
      }
    }
    stack.delete(node);
    memo.set(node, n);
    return n;
  };
  return size(doc.contents, new Set());
}

/** Deepest bracket/indent nesting, measured on the raw text before any parser recurses on it. */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"') i++;
      else if (ch === '\n') quote = null;
      continue;
    }
    if (ch === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const prev = i > 0 ? text[i - 1] : ' ';
      if (prev === ' ' || prev === '[' || prev === '{' || prev === ',' || prev === ':' || prev === '\n' || prev === '-') quote = ch;
      continue;
    }
    if (ch === '[' || ch === '{') {
      depth++;
      if (depth > max) max = depth;
    } else if ((ch === ']' || ch === '}') && depth > 0) depth--;
  }
  return max;
}

/** Parses every document of a YAML stream with positions and Helm's scalar semantics. */
export function parseYamlStream(text: string, limits: YamlLimits = DEFAULT_LIMITS): YamlDoc[] {
  if (text.length > limits.maxBytes) throw new YamlLimitError('bytes', `file larger than ${limits.maxBytes} bytes`);
  if (text.charCodeAt(0) === 0xfeff) text = ' ' + text.slice(1); // keep offsets: BOM -> space
  if (flowDepth(text) > limits.maxDepth) throw new YamlLimitError('depth', `nesting deeper than ${limits.maxDepth} levels`);
  const lc = new LineCounter();
  const parser = new Parser(lc.addNewLine);
  const composer = new Composer({ schema: 'failsafe', uniqueKeys: false, strict: false, version: '1.1', prettyErrors: false, intAsBigInt: false });
  const docs: Document.Parsed[] = [];
  for (const d of composer.compose(parser.parse(text), true, text.length)) docs.push(d as Document.Parsed);
  const out: YamlDoc[] = [];
  docs.forEach((doc, index) => {
    const st: WalkState = { lc, doc, positions: new Map(), duplicates: [], errors: [], expanded: 0, limits };
    const docRange = doc.range ? mkRange(lc, doc.range[0], doc.range[1]) : { line: 1, column: 1, endLine: 1, endColumn: 1 };
    for (const e of doc.errors) {
      const start = e.pos?.[0] ?? 0;
      st.errors.push({ code: e.code, message: e.message.split('\n')[0], range: mkRange(lc, start, e.pos?.[1] ?? start) });
    }
    const expansion = aliasExpansion(doc, limits.maxAliasExpansion);
    if (expansion > limits.maxAliasExpansion) {
      throw new YamlLimitError('aliases', `aliases expand to more than ${limits.maxAliasExpansion} nodes (alias bomb)`, docRange.line, docRange.column);
    }
    let value: unknown = walk(st, doc.contents, [], 0);
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.type === 'PLAIN' && doc.contents.value === '')) value = undefined;
    let recovered = false;
    const syntax = st.errors.filter((e) => e.code !== 'UNREPRESENTABLE' && e.code !== 'BAD_MERGE');
    if (syntax.length > 0 && doc.range) {
      // The `yaml` package is stricter than Go's YAML in a few places (reference/README.md: a flow
      // sequence continued at its key's indentation). Helm and the API server accept those, so take the
      // content from a reader that agrees with Go and keep only the positions that still hold.
      const goValue = readLikeGo(text.slice(0, doc.range[1]), index);
      if (goValue !== NOT_READ) {
        st.positions = keepMatchingPositions(st.positions, value, goValue);
        value = goValue;
        st.errors = st.errors.filter((e) => e.code === 'UNREPRESENTABLE' || e.code === 'BAD_MERGE');
        recovered = true;
      }
    }
    out.push({ index, value, positions: st.positions, range: docRange, errors: st.errors, duplicates: st.duplicates, recovered });
  });
  return out;
}

const NOT_READ = Symbol('not-read');

const GO_PLAIN = new jsyaml.Type('tag:imply-lint.io,2025:go-plain', {
  kind: 'scalar',
  resolve: () => true,
  construct: (data: string) => resolveGoPlain(data),
});
const GO_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({ implicit: [GO_PLAIN] });

/** Reads document `index` of `text` with js-yaml, which accepts what Go's YAML accepts in the known cases. */
function readLikeGo(text: string, index: number): unknown {
  try {
    const docs = jsyaml.loadAll(text, undefined, { schema: GO_SCHEMA, json: true });
    if (index >= docs.length) return NOT_READ;
    return normalizeKeys(docs[index]);
  } catch {
    return NOT_READ;
  }
}

function normalizeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalizeKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) setKey(out, keyString(k), normalizeKeys(val));
    return out;
  }
  return v === undefined ? null : v;
}

function keepMatchingPositions(positions: Map<string, NodePos>, libValue: unknown, goValue: unknown): Map<string, NodePos> {
  const kept = new Map<string, NodePos>();
  const visit = (v: unknown, path: (string | number)[]): void => {
    const pk = pathKey(path);
    const pos = positions.get(pk);
    const libV = getIn(libValue, path);
    const same = v !== null && typeof v === 'object' ? libV !== null && typeof libV === 'object' && Array.isArray(libV) === Array.isArray(v) : libV === v;
    if (!same) return; // below a point where the two trees differ, positions are not trusted
    if (pos) kept.set(pk, pos);
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, [...path, k]);
  };
  visit(goValue, []);
  return kept;
}
