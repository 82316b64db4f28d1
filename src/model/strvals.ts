// Model stage: Helm's `--set` / `--set-string` syntax (helm.sh/helm/v4/pkg/strvals), parsed into a values
// tree. A rune-for-rune port of Helm's parser: test/helm/merge.diff.test.ts checks it against real helm.
//
// Helm behaviours this reproduces (each seen with helm v4.1.4):
// - Expressions parse straight into the merged `-f` values. `a.b=1` when `a` already holds a non-map
//   (a scalar, a list, or null) is an error ("interface conversion: ... not map[string]interface {}");
//   `a[0]=1` when `a` holds a non-list is an error too.
// - `a={}` is a one-element list `[""]`; after a list's `}` the parser goes on with the next key even
//   without a comma (`a={x}y=1` sets both); `a=x{y}` is a plain string.
// - `a[0]` with nothing after it sets `a` to the (possibly empty) list and is not an error.
// - An empty key (`=1`, `.a=1`) assigns nothing; `a.=1` and `a..b=1` are "key map has no value" errors.
// - A trailing backslash is dropped; `\,`, `\.`, `\=`, `\[` and `\\` escape the next character.
// - Indexes go through Go's strconv.Atoi: `[+1]` and `[01]` are index 1.
// - Integers are Go int64 (`9223372036854775808` stays a string); `-0` is 0.
import { DEFAULT_LIMITS, setKey } from './yaml.js';
import { isMap } from './path.js';

/** A `--set` expression that Helm itself would refuse. */
export class SetSyntaxError extends Error {}

const MAX_INDEX = 65536;
/** List items one expression may create: `a[65536]=1,b[65536]=1,...` would otherwise fill memory. */
const MAX_SLOTS = 1_000_000;
let slots = 0;
const MAX_NESTED = 30;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Helm's typedVal: `true`/`false`/`null` (any case), int64 integers not starting with 0, else the string. */
export function typedVal(v: string, stringOnly: boolean): unknown {
  if (stringOnly) return v;
  const lower = v.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (v === '0') return 0;
  // strconv.ParseInt(val, 10, 64): optional sign, decimal digits, int64 range.
  if (v.length > 0 && v[0] !== '0' && /^[-+]?\d+$/.test(v)) {
    const big = BigInt(v);
    if (big >= INT64_MIN && big <= INT64_MAX) {
      const n = Number(big);
      return n === 0 ? 0 : n; // "-0" is int64 0
    }
  }
  return v;
}

const EOF = null;

class Scanner {
  pos = 0;
  constructor(readonly s: string) {}
  /** Reads one character, or EOF. */
  read(): string | null {
    if (this.pos >= this.s.length) return EOF;
    const cp = this.s.codePointAt(this.pos)!;
    const ch = String.fromCodePoint(cp);
    this.pos += ch.length;
    return ch;
  }
  unread(ch: string): void {
    this.pos -= ch.length;
  }
  /** Helm's runesUntil: reads until a stop character (returned as `last`, null at EOF), `\` escapes. */
  until(stop: string): { text: string; last: string | null } {
    let text = '';
    for (;;) {
      const ch = this.read();
      if (ch === EOF) return { text, last: EOF };
      if (stop.includes(ch)) return { text, last: ch };
      if (ch === '\\') {
        const next = this.read();
        if (next === EOF) return { text, last: EOF };
        text += next;
        continue;
      }
      text += ch;
    }
  }
}

/** Signals the parser reached the end of the expression (Helm's io.EOF, which ends parsing quietly). */
const END = Symbol('end');
type Step = typeof END | undefined;

interface ParseState {
  sc: Scanner;
  stringOnly: boolean;
  assigned: (string | number)[][];
}

/**
 * Applies one `--set`/`--set-string` argument to `dest`, as Helm's strvals.ParseInto does.
 * Returns the top-level-relative paths it assigned (for provenance).
 */
export function parseSetInto(expr: string, dest: Record<string, unknown>, stringOnly: boolean): (string | number)[][] {
  slots = 0;
  const st: ParseState = { sc: new Scanner(expr), stringOnly, assigned: [] };
  while (parseKey(st, dest, 0, []) !== END) {
    // one key=value per iteration, as Helm's parser.parse loop
  }
  return st.assigned;
}

function reader(st: ParseState, text: string): unknown {
  return typedVal(text, st.stringOnly);
}

function parseKey(st: ParseState, data: Record<string, unknown>, level: number, path: (string | number)[]): Step {
  checkDepth(path);
  const { text: k, last } = st.sc.until('=[,.');
  if (last === EOF) {
    if (k.length === 0) return END;
    throw new SetSyntaxError(`key ${goQuote(k)} has no value`);
  }
  switch (last) {
    case '[': {
      const i = keyIndex(st);
      let list: unknown[] = [];
      if (Object.prototype.hasOwnProperty.call(data, k)) {
        const existing = data[k];
        if (!Array.isArray(existing)) throw new SetSyntaxError(`unable to parse key: interface conversion: ${goType(existing)}, not []interface {}`);
        list = existing;
      }
      const r = listItem(st, list, i, level, [...path, k]);
      if (k.length > 0) setKey(data, k, r.list);
      return r.step;
    }
    case '=': {
      const v = valueOrList(st);
      if (k.length > 0) {
        setKey(data, k, v.value);
        st.assigned.push([...path, k]);
      }
      return v.step;
    }
    case ',':
      if (k.length > 0) setKey(data, k, '');
      throw new SetSyntaxError(`key ${goQuote(k)} has no value (cannot end with ,)`);
    default: {
      // '.'
      if (level + 1 > MAX_NESTED) throw new SetSyntaxError(`value name nested level is greater than maximum supported nested name level of ${MAX_NESTED}`);
      let inner: Record<string, unknown> = {};
      if (Object.prototype.hasOwnProperty.call(data, k)) {
        const existing = data[k];
        if (!isMap(existing)) throw new SetSyntaxError(`unable to parse key: interface conversion: ${goType(existing)}, not map[string]interface {}`);
        inner = existing;
      }
      const step = parseKey(st, inner, level + 1, [...path, k]);
      const empty = Object.keys(inner).length === 0;
      if (step !== END && empty) throw new SetSyntaxError(`key map ${goQuote(k)} has no value`);
      if (!empty && k.length > 0) setKey(data, k, inner);
      return step;
    }
  }
}

/**
 * An imply-lint limit, not Helm's: `a[0][0]...` and `a[0].b[0].b...` nest without Helm's 30-level name
 * check, and Go's growable stack takes any depth where ours would overflow. Same depth as the YAML reader.
 */
function checkDepth(path: (string | number)[]): void {
  if (path.length > DEFAULT_LIMITS.maxDepth) throw new SetSyntaxError(`nested deeper than ${DEFAULT_LIMITS.maxDepth} levels (imply-lint limit)`);
}

const GO_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };

/** Go's strconv.Quote (Helm's `%q`): the text in quotes with escapes, so an error stays on one line. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (GO_ESCAPES[ch]) out += GO_ESCAPES[ch];
    else if (c < 0x80 ? c >= 0x20 && c < 0x7f : /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch)) out += ch;
    else if (c < 0x80) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return out + '"';
}

/** How Go's panic message names the type of a value that is not the expected map or list. */
function goType(v: unknown): string {
  if (v === null || v === undefined) return 'interface {} is nil';
  if (Array.isArray(v)) return 'interface {} is []interface {}';
  if (isMap(v)) return 'interface {} is map[string]interface {}';
  if (typeof v === 'number') return 'interface {} is float64';
  if (typeof v === 'boolean') return 'interface {} is bool';
  return 'interface {} is string';
}

/** After `=`: a `{a,b}` list, or a plain value up to the next `,`. */
function valueOrList(st: ParseState): { value: unknown; step: Step } {
  const first = st.sc.read();
  if (first === EOF) return { value: '', step: END };
  if (first !== '{') {
    st.sc.unread(first);
    // Helm's key() returns no error here even at the end of the input; the next key() call ends it.
    const { text } = st.sc.until(',');
    return { value: reader(st, text), step: undefined };
  }
  const items: unknown[] = [];
  for (;;) {
    const { text, last } = st.sc.until(',}');
    if (last === EOF) throw new SetSyntaxError("list must terminate with '}'");
    items.push(reader(st, text));
    if (last === '}') {
      // A ',' right after the list is consumed; anything else starts the next key.
      const next = st.sc.read();
      if (next !== EOF && next !== ',') st.sc.unread(next);
      return { value: items, step: undefined };
    }
  }
}

function keyIndex(st: ParseState): number {
  const { text, last } = st.sc.until(']');
  if (last === EOF) throw new SetSyntaxError('error parsing index: EOF');
  // strconv.Atoi: optional sign, decimal digits.
  if (!/^[-+]?\d+$/.test(text)) throw new SetSyntaxError(`error parsing index: strconv.Atoi: parsing ${goQuote(text)}: invalid syntax`);
  const i = Number(text);
  if (!Number.isSafeInteger(i)) throw new SetSyntaxError(`error parsing index: strconv.Atoi: parsing ${goQuote(text)}: value out of range`);
  return i === 0 ? 0 : i;
}

function setIndex(list: unknown[], i: number, value: unknown): unknown[] {
  if (i < 0) throw new SetSyntaxError(`negative ${i} index not allowed`);
  if (i > MAX_INDEX) throw new SetSyntaxError(`index of ${i} is greater than maximum supported index of ${MAX_INDEX}`);
  if (i >= list.length) {
    slots += i + 1 - list.length;
    if (slots > MAX_SLOTS) throw new SetSyntaxError(`creates more than ${MAX_SLOTS} list items (imply-lint limit)`);
  }
  while (list.length <= i) list.push(null);
  list[i] = value;
  return list;
}

function listItem(st: ParseState, list: unknown[], i: number, level: number, path: (string | number)[]): { list: unknown[]; step: Step } {
  checkDepth(path);
  if (i < 0) throw new SetSyntaxError(`negative ${i} index not allowed`);
  const { text, last } = st.sc.until('[.=');
  if (text.length > 0) throw new SetSyntaxError(`unexpected data at end of array index: ${goQuote(text)}`);
  if (last === EOF) return { list, step: END };
  if (last === '=') {
    // Unlike key(), listItem() reports no EOF after `=` (setIndex's nil error), even for `a[0]=`.
    const v = valueOrList(st);
    setIndex(list, i, v.value);
    st.assigned.push([...path, i]);
    return { list, step: undefined };
  }
  if (last === '[') {
    const next = keyIndex(st);
    // An existing item must be a list (or null); anything else is Go's failed type assertion.
    const existing = list.length > i ? list[i] : undefined;
    if (existing !== undefined && existing !== null && !Array.isArray(existing)) {
      throw new SetSyntaxError(`unable to parse key: interface conversion: ${goType(existing)}, not []interface {}`);
    }
    const inner = Array.isArray(existing) ? existing : [];
    const r = listItem(st, inner, next, level, [...path, i]);
    if (r.step === END) return { list, step: END };
    setIndex(list, i, r.list);
    return { list, step: r.step };
  }
  // '.': an existing non-map item is replaced by an empty map in place before the key is parsed.
  let inner: Record<string, unknown> = {};
  if (list.length > i) {
    if (!isMap(list[i])) list[i] = {};
    inner = list[i] as Record<string, unknown>;
  }
  const step = parseKey(st, inner, level, [...path, i]);
  // Helm returns the list untouched when the nested key ends the input (`a[0].b=`): a new map is lost.
  if (step === END) return { list, step };
  setIndex(list, i, inner);
  return { list, step };
}
