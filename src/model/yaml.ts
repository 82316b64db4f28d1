// Model stage: YAML text -> plain values with source positions, read the way Helm (go-yaml v2 via
// sigs.k8s.io/yaml) reads it.
import { Alias, LineCounter, Parser, Composer, isMap, isScalar, isSeq, isAlias, isPair, visit as visitNodes } from 'yaml';
import type { Document, Node as YNode, Scalar } from 'yaml';
import jsyaml from 'js-yaml';
import { pathKey, getIn } from './path.js';
import { scanYaml } from './yaml-scan.js';
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
  /**
   * True for a document Helm and kubectl never read: it follows a `...` end marker in the same `---`
   * chunk as an earlier document (go-yaml reads only a chunk's first document).
   */
  shadowed?: boolean;
}

/** Structural limits: inputs past them cannot be linted at all (exit 2). docs/reliability.md has the figures. */
export interface YamlLimits {
  /** Largest text accepted (UTF-16 code units; the CLI checks the same number in bytes). */
  maxBytes: number;
  /** Most nodes all aliases of one document may add when expanded (billion laughs). */
  maxAliasExpansion: number;
  /** Deepest nesting of collections, block and flow together (the `yaml` composer recurses per level). */
  maxDepth: number;
  /** Most lines plus nodes the pre-scan may estimate for the whole stream (the parser spends 0.5-1.5 KB per node). */
  maxNodes?: number;
}

export const DEFAULT_LIMITS: YamlLimits = {
  // Rendered Imply manifests are ~80 KB and a Kubernetes object at most 1.5 MB; the parser can spend 25
  // bytes of memory per input byte (a double-quoted scalar full of escapes).
  maxBytes: 16 * 1024 * 1024,
  maxAliasExpansion: 100_000,
  // The `yaml` composer's stack overflows between ~800 and ~2000 levels depending on JIT state; 256 keeps
  // every accepted input far from it (rendered Imply manifests nest 11 deep, CRD schemas rarely past 40).
  maxDepth: 256,
  maxNodes: 500_000,
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
const INFS = new Set(['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']);
const NEG_INFS = new Set(['-.inf', '-.Inf', '-.INF']);
const NANS = new Set(['.nan', '.NaN', '.NAN']);
/** go-yaml v2's yamlStyleFloat. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What Go's strconv.ParseFloat accepts after a leading `.` (no underscores without a base prefix). */
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
/** strconv.ParseInt(s, 0, 64) syntax (underscores already removed): sign, then 0x/0o/0b/0-octal or decimal. */
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/;
const GO_TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(([Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2}))|( [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?))?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Thrown for values Helm refuses outright (sigs.k8s.io/yaml cannot turn them into JSON). */
export class UnrepresentableError extends Error {}

/** A scalar as go-yaml v2 resolves it: its YAML tag and Go value (ints keep their exact digits as BigInt). */
type GoScalar =
  | { tag: 'null'; value: null }
  | { tag: 'bool'; value: boolean }
  | { tag: 'int'; value: bigint; unsigned: boolean }
  | { tag: 'float'; value: number }
  | { tag: 'timestamp'; value: string }
  | { tag: 'str'; value: string };

/** Go's strconv.ParseInt(plain, 0, 64), then ParseUint(plain, 0, 64); undefined when both fail. */
function goInt(plain: string): { value: bigint; unsigned: boolean } | undefined {
  const m = GO_INT.exec(plain);
  if (!m) return undefined;
  const body = m[2];
  let mag: bigint;
  if (/^0[xXoObB]/.test(body)) mag = BigInt('0' + body[1].toLowerCase() + body.slice(2));
  else if (body.length > 1 && body[0] === '0') mag = BigInt('0o' + body.slice(1));
  else mag = BigInt(body);
  const v = m[1] === '-' ? -mag : mag;
  if (v >= INT64_MIN && v <= INT64_MAX) return { value: v, unsigned: false };
  // ParseUint takes no sign at all.
  if (m[1] === '' && v <= UINT64_MAX) return { value: v, unsigned: true };
  return undefined;
}

/** strconv.ParseFloat for the syntaxes that reach it; undefined on a syntax or range error (e.g. 1e400). */
function goFloat(text: string): number | undefined {
  const f = Number(text);
  return Number.isFinite(f) ? f : undefined;
}

/**
 * go-yaml v2's resolve() for a plain scalar: YAML 1.1 booleans (`no`, `off`, `y`), Go integer syntax
 * (`0x1F`, `0777`, `0o17`, `1_000`, int64 then uint64), floats in yamlStyleFloat form, no sexagesimal
 * (`1:20` stays a string). A number out of range (`1e400`) stays a string, as Go's parser errors on it.
 * Timestamps are recognised (for `!!timestamp`) but decode to their text.
 */
function resolveGo(text: string, timestamps = true): GoScalar {
  if (NULLS.has(text)) return { tag: 'null', value: null };
  if (TRUES.has(text)) return { tag: 'bool', value: true };
  if (FALSES.has(text)) return { tag: 'bool', value: false };
  if (INFS.has(text)) return { tag: 'float', value: Infinity };
  if (NEG_INFS.has(text)) return { tag: 'float', value: -Infinity };
  if (NANS.has(text)) return { tag: 'float', value: NaN };
  const c = text[0];
  if (c === '.') {
    const f = DOT_FLOAT.test(text) ? goFloat(text) : undefined;
    return f === undefined ? { tag: 'str', value: text } : { tag: 'float', value: f };
  }
  if (!((c >= '0' && c <= '9') || c === '-' || c === '+')) return { tag: 'str', value: text };
  if (timestamps && GO_TIMESTAMP.test(text)) return { tag: 'timestamp', value: text };
  const plain = text.replace(/_/g, '');
  const i = goInt(plain);
  if (i) return { tag: 'int', value: i.value, unsigned: i.unsigned };
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = goFloat(plain);
    if (f !== undefined) return { tag: 'float', value: f };
  }
  return { tag: 'str', value: text };
}

/** The JSON value sigs.k8s.io/yaml makes of a resolved scalar (numbers become float64 on the way back). */
function jsonOf(r: GoScalar, original: string): unknown {
  switch (r.tag) {
    case 'int': {
      const n = Number(r.value);
      return n === 0 ? 0 : n; // int64 has no -0
    }
    case 'float':
      if (!Number.isFinite(r.value)) throw new UnrepresentableError(`${original} cannot be represented in JSON`);
      return r.value;
    case 'timestamp':
      // go-yaml v2 hands timestamps to interface{} targets as their original text.
      return original;
    default:
      return r.value;
  }
}

/**
 * Resolves a plain scalar as go-yaml v2 does, then as sigs.k8s.io/yaml's JSON step does:
 * YAML 1.1 booleans (`no`, `off`, `y`), Go integer syntax (`0x1F`, `0777`, `1_000`), no sexagesimal
 * (`1:20` stays a string), timestamps stay strings, `.inf`/`.nan` cannot be represented.
 */
export function resolveGoPlain(text: string): unknown {
  return jsonOf(resolveGo(text), text);
}

/** Thrown by tagged scalars go-yaml refuses (`!!int abc`, bad `!!binary`). */
class TagError extends Error {}

const CORE_TAGS: Record<string, GoScalar['tag'] | 'binary'> = {
  'tag:yaml.org,2002:null': 'null',
  'tag:yaml.org,2002:bool': 'bool',
  'tag:yaml.org,2002:int': 'int',
  'tag:yaml.org,2002:float': 'float',
  'tag:yaml.org,2002:timestamp': 'timestamp',
  'tag:yaml.org,2002:binary': 'binary',
};

/**
 * A scalar with an explicit core tag, quoted or not (`!!int "12"` is 12): go-yaml resolves the text and
 * fails unless the result has the tag's kind; an int is accepted as a float.
 */
function resolveTagged(text: string, want: GoScalar['tag'] | 'binary'): unknown {
  if (want === 'binary') {
    const clean = text.replace(/\s+/g, '');
    if (!/^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean)) throw new TagError('!!binary value contains invalid base64 data');
    return Buffer.from(clean, 'base64').toString('utf8');
  }
  const r = resolveGo(text, want === 'timestamp');
  if (r.tag === want) return jsonOf(r, text);
  if (want === 'float' && r.tag === 'int') return Number(r.value) === 0 ? 0 : Number(r.value);
  throw new TagError(`cannot decode !!${r.tag} \`${text}\` as a !!${want}`);
}

/** Go's strconv.FormatFloat(f, 'g', -1, 32), which sigs.k8s.io/yaml uses for float map keys. */
export function formatFloat32g(x: number): string {
  const f = Math.fround(x);
  if (Number.isNaN(f)) return '.nan';
  if (f === Infinity) return '.inf';
  if (f === -Infinity) return '-.inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // Shortest digits that read back as the same float32.
  let mant = '';
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const e = Math.abs(f).toExponential(p - 1);
    if (Math.fround(Number(e)) === Math.abs(f) || p === 9) {
      const [m, ex] = e.split('e');
      mant = m.replace('.', '');
      exp = Number(ex);
      break;
    }
  }
  mant = mant.replace(/0+$/, '') || '0';
  const sign = f < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const frac = mant.length > 1 ? `.${mant.slice(1)}` : '';
    const ee = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${sign}${mant[0]}${frac}e${exp < 0 ? '-' : '+'}${ee}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${mant}`;
  const intDigits = mant.length > exp + 1 ? mant.slice(0, exp + 1) : mant + '0'.repeat(exp + 1 - mant.length);
  const frac = mant.length > exp + 1 ? `.${mant.slice(exp + 1)}` : '';
  return `${sign}${intDigits}${frac}`;
}

/** Thrown for map keys sigs.k8s.io/yaml cannot turn into JSON object keys. */
class KeyError extends Error {}

/**
 * The JSON object key sigs.k8s.io/yaml makes of a resolved key: ints in decimal (exact), floats with
 * FormatFloat(f, 'g', -1, 32) (`1e3` -> "1000", `1e6` -> "1e+06", `.inf` -> ".inf"), bools as
 * "true"/"false". A null key and a uint64 key (above int64) are errors.
 */
function goKeyString(r: GoScalar, original: string): string {
  switch (r.tag) {
    case 'null':
      throw new KeyError('unsupported map key of type: <nil>');
    case 'bool':
      return r.value ? 'true' : 'false';
    case 'int':
      if (r.unsigned) throw new KeyError(`unsupported map key of type: uint64, key: ${original}`);
      return r.value.toString();
    case 'float':
      return formatFloat32g(r.value);
    case 'timestamp':
      return original;
    default:
      return r.value;
  }
}

const aliasMaps = new WeakMap<Document.Parsed, Map<unknown, YNode>>();

/**
 * The node an alias refers to: the last node before it with that anchor. `Alias.resolve(doc)` walks the
 * whole document on every call, which makes a file of many aliases quadratic; this maps them all in one walk.
 */
function aliasTarget(doc: Document.Parsed, alias: Alias): YNode | undefined {
  let m = aliasMaps.get(doc);
  if (!m) {
    const targets = new Map<unknown, YNode>();
    const anchors = new Map<string, YNode>();
    visitNodes(doc, {
      Node: (_key, node) => {
        if (isAlias(node)) {
          const t = anchors.get(node.source);
          if (t) targets.set(node, t);
        } else if (node.anchor) anchors.set(node.anchor, node);
      },
    });
    aliasMaps.set(doc, targets);
    m = targets;
  }
  return m.get(alias);
}

/** 1-based line and column of an offset, without a LineCounter (for errors raised before parsing). */
function lineColAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let from = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    from = i + 1;
  }
  return { line, column: offset - from + 1 };
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

/** Error codes for YAML that parses but that Helm (go-yaml v2 + sigs.k8s.io/yaml) refuses. */
export const HELM_REFUSES_CODES: ReadonlySet<string> = new Set(['UNREPRESENTABLE', 'BAD_MERGE', 'BAD_TAG', 'BAD_KEY', 'BAD_SEPARATOR', 'BAD_DIRECTIVE', 'BAD_CHAR']);

function refuse(st: WalkState, node: YNode | null | undefined, code: string, message: string): void {
  const r = nodeRange(st, node) ?? { line: 1, column: 1, endLine: 1, endColumn: 1 };
  st.errors.push({ code, message: `${oneLine(message)} (helm refuses it)`, range: r });
}

/** Messages quote the offending text: keep them on one line and short (a scalar can be megabytes long). */
function oneLine(message: string): string {
  const one = message.replace(/\r\n|\r|\n|\u0085|\u2028|\u2029/g, '\\n');
  return one.length > 200 ? `${one.slice(0, 200)}...` : one;
}

function scalarText(node: Scalar): string {
  const raw = node.value;
  return typeof raw === 'string' ? raw : raw === null || raw === undefined ? '' : String(raw);
}

function scalarValue(st: WalkState, node: Scalar): unknown {
  const text = scalarText(node);
  const tag = node.tag;
  try {
    if (tag) {
      // Core tags resolve the text even when quoted (`!!int "12"` is 12); `!!str`, `!`, `!!merge` and
      // local tags (`!custom 12`) keep the text as a string.
      const want = CORE_TAGS[tag];
      return want ? resolveTagged(text, want) : text;
    }
    if (node.type !== 'PLAIN') return text;
    return resolveGoPlain(text);
  } catch (e) {
    if (e instanceof UnrepresentableError) refuse(st, node, 'UNREPRESENTABLE', e.message);
    else if (e instanceof TagError) refuse(st, node, 'BAD_TAG', e.message);
    else throw e;
    return text;
  }
}

/** Longest text kept for a collection used as a map key (Helm refuses such a file anyway). */
const MAX_KEY_TEXT = 1024;

/** A map key as the JSON object key Helm ends up with; refused keys are reported and keep their text. */
function keyValue(st: WalkState, kNode: YNode | null, depth: number): string {
  let node: unknown = kNode;
  if (isAlias(node)) node = aliasTarget(st.doc, node as Alias) ?? null;
  if (node === null || node === undefined) {
    refuse(st, kNode, 'BAD_KEY', 'unsupported map key of type: <nil>');
    return 'null';
  }
  if (!isScalar(node)) {
    // go-yaml: "invalid map key" for a sequence or map used as a key. The text is capped: keys nested in
    // keys (`? ? ? x`) would otherwise double their escaping at every level.
    const text = JSON.stringify(walkDetached(st, node, depth)) ?? 'null';
    refuse(st, kNode, 'BAD_KEY', `invalid map key: ${text.length > 80 ? `${text.slice(0, 80)}...` : text}`);
    return text.length > MAX_KEY_TEXT ? text.slice(0, MAX_KEY_TEXT) : text;
  }
  const text = scalarText(node);
  const tag = node.tag;
  try {
    let r: GoScalar;
    if (tag) {
      const want = CORE_TAGS[tag];
      if (!want || want === 'binary') return want ? String(resolveTagged(text, want)) : text;
      r = resolveGo(text, want === 'timestamp');
      if (r.tag !== want && !(want === 'float' && r.tag === 'int')) throw new TagError(`cannot decode !!${r.tag} \`${text}\` as a !!${want}`);
      if (want === 'float' && r.tag === 'int') r = { tag: 'float', value: Number(r.value) };
    } else if (node.type !== 'PLAIN') {
      return text;
    } else {
      r = resolveGo(text);
    }
    return goKeyString(r, text);
  } catch (e) {
    if (e instanceof KeyError) refuse(st, kNode, 'BAD_KEY', e.message);
    else if (e instanceof TagError) refuse(st, kNode, 'BAD_TAG', e.message);
    else throw e;
    return text;
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
    const target = aliasTarget(st.doc, node as Alias);
    if (target === undefined) {
      // go-yaml: "unknown anchor 'x' referenced".
      st.errors.push({ code: 'BAD_ALIAS', message: oneLine(`unknown anchor '${(node as Alias).source}' referenced`), range: range ?? { line: 1, column: 1, endLine: 1, endColumn: 1 } });
      return null;
    }
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
      const key = keyValue(st, kNode, depth);
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
      const resolved = isAlias(m) ? aliasTarget(st.doc, m as Alias) : m;
      if (isSeq(resolved)) for (const it of resolved.items) sources.push(isAlias(it) ? aliasTarget(st.doc, it as Alias) : it);
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

/**
 * Counts the nodes a document's aliases add when expanded, without expanding them. Literal nodes are not
 * counted (the byte and node limits bound those), so a large plain document is no "alias bomb". Following
 * aliases can nest deeper than the text does (`a2: &a2 [*a1]` chains): past maxDepth that is a depth error.
 */
function aliasExpansion(doc: Document.Parsed, limits: YamlLimits): number {
  const limit = limits.maxAliasExpansion;
  const memo = new Map<unknown, number>();
  const tooDeep = () => new YamlLimitError('depth', `nesting deeper than ${limits.maxDepth} levels (through aliases)`);
  // Expanded size of a node, aliases followed.
  const size = (node: unknown, stack: Set<unknown>, depth: number): number => {
    if (node === null || node === undefined) return 1;
    if (memo.has(node)) return memo.get(node)!;
    if (stack.has(node)) return limit + 1; // recursive alias
    if (depth > limits.maxDepth) throw tooDeep();
    stack.add(node);
    let n = 1;
    if (isAlias(node)) {
      const t = aliasTarget(doc, node as Alias);
      n = t ? size(t, stack, depth + 1) : 1;
    } else if (isSeq(node)) {
      for (const it of node.items) {
        n += size(it, stack, depth + 1);
        if (n > limit) break;
      }
    } else if (isMap(node)) {
      for (const p of node.items) {
        const pair = p as { key: unknown; value: unknown };
        n += size(pair.key, stack, depth + 1) + size(pair.value, stack, depth + 1);
        if (n > limit) break;
      }
    }
    stack.delete(node);
    memo.set(node, n);
    return n;
  };
  let added = 0;
  // The literal tree: every alias in it adds its target's expanded size.
  const visit = (node: unknown, depth: number): void => {
    if (added > limit || node === null || node === undefined) return;
    if (depth > limits.maxDepth) throw tooDeep();
    if (isAlias(node)) {
      const t = aliasTarget(doc, node as Alias);
      added += t ? size(t, new Set(), depth) : 1;
    } else if (isSeq(node)) {
      for (const it of node.items) visit(it, depth + 1);
    } else if (isMap(node)) {
      for (const p of node.items) {
        const pair = p as { key: unknown; value: unknown };
        visit(pair.key, depth + 1);
        visit(pair.value, depth + 1);
      }
    }
  };
  visit(doc.contents, 0);
  return added;
}

/**
 * Parses every document of a YAML stream with positions and Helm's scalar semantics. Throws
 * YamlLimitError (kind bytes, aliases or depth) for input past a structural limit; nothing else escapes
 * from hostile input (a parser's stack overflow is reported as a depth error).
 */
export function parseYamlStream(text: string, limits: YamlLimits = DEFAULT_LIMITS): YamlDoc[] {
  try {
    return parseStream(text, limits);
  } catch (e) {
    throw asLimitError(e);
  }
}

/** A RangeError from deep recursion or an oversized string is a limit, not a bug. */
function asLimitError(e: unknown): unknown {
  if (!(e instanceof RangeError)) return e;
  if (/call stack/i.test(e.message)) return new YamlLimitError('depth', 'nesting too deep for the parser (stack exhausted)');
  if (/invalid (string|array) length/i.test(e.message)) return new YamlLimitError('bytes', 'input expands beyond what can be held in memory');
  return e;
}

function parseStream(text: string, limits: YamlLimits): YamlDoc[] {
  if (text.length > limits.maxBytes) throw new YamlLimitError('bytes', `file larger than ${limits.maxBytes} bytes`);
  if (text.charCodeAt(0) === 0xfeff) text = ' ' + text.slice(1); // keep offsets: BOM -> space
  // Helm's YAMLReader also splits at `---#comment`, which YAML reads as a plain scalar: blank the comment
  // (same length, so offsets hold) so that both split the stream alike.
  if (text.includes('\n---#') || text.startsWith('---#')) text = text.replace(/^---#.*$/gm, (l) => '---' + ' '.repeat(l.length - 3));
  const maxNodes = limits.maxNodes ?? Infinity;
  const scan = scanYaml(text, limits.maxDepth, maxNodes);
  if (scan.depth > limits.maxDepth) {
    const at = lineColAt(text, scan.depthOffset);
    throw new YamlLimitError('depth', `nesting deeper than ${limits.maxDepth} levels`, at.line, at.column);
  }
  if (scan.nodes > maxNodes) throw new YamlLimitError('bytes', `more than ${maxNodes} YAML lines and nodes`);
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
      // The composer catches its own stack overflow and carries on with a partial tree.
      if (e.code === 'RESOURCE_EXHAUSTION') {
        const at = mkRange(lc, start, start);
        throw new YamlLimitError('depth', 'nesting too deep for the parser (stack exhausted)', at.line, at.column);
      }
      st.errors.push({ code: e.code, message: oneLine(e.message.split('\n')[0]), range: mkRange(lc, start, e.pos?.[1] ?? start) });
    }
    const expansion = aliasExpansion(doc, limits);
    if (expansion > limits.maxAliasExpansion) {
      throw new YamlLimitError('aliases', `aliases expand to more than ${limits.maxAliasExpansion} nodes (alias bomb)`, docRange.line, docRange.column);
    }
    let value: unknown = walk(st, doc.contents, [], 0);
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.type === 'PLAIN' && doc.contents.value === '')) value = undefined;
    let recovered = false;
    const syntax = st.errors.filter((e) => !HELM_REFUSES_CODES.has(e.code));
    if (syntax.length > 0 && doc.range && syntax.every((e) => LENIENT_IN_GO.has(e.code))) {
      // The `yaml` package is stricter than Go's YAML in a few places (reference/README.md: a flow
      // sequence continued at its key's indentation). Helm and the API server accept those, so take the
      // content from a reader that agrees with Go and keep only the positions that still hold. Only for
      // those error kinds: anything else js-yaml might "recover" is an error in Go too. The document is
      // read on its own, up to where the next one starts (its own range may stop at the error).
      const end = index + 1 < docs.length && docs[index + 1].range ? docs[index + 1].range[0] : text.length;
      const goValue = readLikeGo(text.slice(0, end), index);
      if (goValue !== NOT_READ) {
        st.positions = keepMatchingPositions(st.positions, value, goValue);
        value = goValue;
        st.errors = st.errors.filter((e) => HELM_REFUSES_CODES.has(e.code));
        recovered = true;
      }
    }
    out.push({ index, value, positions: st.positions, range: docRange, errors: st.errors, duplicates: st.duplicates, recovered });
  });
  checkSeparators(text, lc, docs, out);
  checkCharacters(text, lc, docs, out);
  markShadowed(text, docs, out);
  return out;
}

/** Offsets of the lines Helm's YAMLReader splits the stream at (`---` at column 0). */
function separatorOffsets(text: string): number[] {
  const out: number[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('---')) out.push(offset);
    offset += line.length + 1;
  }
  return out;
}

/**
 * go-yaml reads only the first document of each chunk the YAMLReader hands it, so a document that
 * follows a `...` end marker without a `---` of its own is never seen by Helm or kubectl (helm v4.1.4:
 * `a: 1`, `...`, `b: 2` gives only `a`). Such documents get `shadowed: true`.
 */
/** How many numbers of an ascending list are below `x`. */
function countBelow(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function markShadowed(text: string, docs: Document.Parsed[], out: YamlDoc[]): void {
  if (out.length < 2 || !text.includes('...')) return;
  const seps = separatorOffsets(text);
  let lastChunk = -1;
  docs.forEach((d, i) => {
    const start = (d.contents as YNode | null)?.range?.[0] ?? d.range?.[0] ?? 0;
    const chunk = countBelow(seps, start);
    if (chunk === lastChunk && out[i].value !== undefined) out[i].shadowed = true;
    if (out[i].value !== undefined || d.contents !== null) lastChunk = chunk;
  });
}

/**
 * Helm (and kubectl) split a stream into documents with k8s.io/apimachinery's YAMLReader before any YAML
 * parser sees it: a line starting with `---` is a separator, and anything after it other than spaces or
 * a comment is an error ("invalid Yaml document separator"), although YAML itself allows `--- {a: 1}`.
 * A directive (`%YAML 1.1`) ends up alone in the chunk before its `---`, and go-yaml fails on it
 * ("did not find expected <document start>").
 */
function checkSeparators(text: string, lc: LineCounter, docs: Document.Parsed[], out: YamlDoc[]): void {
  if (out.length === 0 || !(text.includes('---') || text.includes('%'))) return;
  // The last document starting at or before `offset` (binary search: a stream of many short documents
  // with bad separators must stay linear).
  const ranged = docs.map((d, i) => ({ start: d.range?.[0], i })).filter((x): x is { start: number; i: number } => x.start !== undefined);
  const starts = ranged.map((x) => x.start);
  const docAt = (offset: number): number => {
    const n = countBelow(starts, offset + 1);
    return n === 0 ? 0 : ranged[n - 1].i;
  };
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineStart = offset;
    offset += line.length + 1;
    const range = mkRange(lc, lineStart, lineStart + line.replace(/\r$/, '').length);
    if (line.startsWith('---')) {
      const rest = line.slice(3).trim();
      if (rest.length === 0 || rest.startsWith('#')) continue;
      out[docAt(lineStart + line.length)].errors.push({ code: 'BAD_SEPARATOR', message: `invalid Yaml document separator: ${oneLine(rest)} (helm refuses it)`, range });
    } else if (line.startsWith('%')) {
      const at = docAt(lineStart + line.length);
      const contentStart = (docs[at].contents as YNode | null)?.range?.[0] ?? docs[at].range?.[1] ?? 0;
      if (lineStart >= contentStart) continue; // not in the directives part of a document
      out[at].errors.push({ code: 'BAD_DIRECTIVE', message: 'did not find expected <document start>: a directive is cut off from its document (helm refuses it)', range });
    }
  }
}

/** What go-yaml v2's reader refuses anywhere in a stream: C0/C1 controls other than tab, LF, CR, NEL, and U+FFFE/U+FFFF. */
const GO_NOT_PRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;

/**
 * go-yaml v2 fails the whole stream at the first control character ("control characters are not
 * allowed"), even inside a comment or a quoted scalar; the `yaml` package reads them as text. Reported
 * once, on the document that holds it.
 */
function checkCharacters(text: string, lc: LineCounter, docs: Document.Parsed[], out: YamlDoc[]): void {
  const m = GO_NOT_PRINTABLE.exec(text);
  if (!m || out.length === 0) return;
  let at = 0;
  docs.forEach((d, i) => {
    if (d.range && d.range[0] <= m.index) at = i;
  });
  const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  out[at].errors.push({ code: 'BAD_CHAR', message: `control characters are not allowed: U+${code} (helm refuses it)`, range: mkRange(lc, m.index, m.index + 1) });
}

const NOT_READ = Symbol('not-read');

/** Error kinds of the `yaml` package that Go's YAML (helm, kubectl, the API server) does not raise. */
const LENIENT_IN_GO = new Set(['BAD_INDENT', 'MISSING_CHAR']);

/** js-yaml's schema for Go's scalars: built on first use (start-up never touches js-yaml, docs/performance.md). */
let goSchema: jsyaml.Schema | undefined;
function goSchemaOf(): jsyaml.Schema {
  goSchema ??= jsyaml.FAILSAFE_SCHEMA.extend({
    implicit: [
      new jsyaml.Type('tag:imply-lint.io,2025:go-plain', {
        kind: 'scalar',
        resolve: () => true,
        construct: (data: string) => resolveGoPlain(data),
      }),
    ],
  });
  return goSchema;
}

/** Reads document `index` of `text` with js-yaml, which accepts what Go's YAML accepts in the known cases. */
function readLikeGo(text: string, index: number): unknown {
  try {
    const docs = jsyaml.loadAll(text, undefined, { schema: goSchemaOf(), json: true });
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
    for (const [k, val] of Object.entries(v)) setKey(out, k, normalizeKeys(val));
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
