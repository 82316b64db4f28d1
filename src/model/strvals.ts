// Model stage: Helm's `--set` / `--set-string` syntax (helm.sh/helm/v3/pkg/strvals), parsed into a values tree.
import { setKey } from './yaml.js';
import { isMap } from './path.js';

/** A `--set` expression that Helm itself would refuse. */
export class SetSyntaxError extends Error {}

const MAX_INDEX = 65536;
const MAX_NESTED = 30;

/** Helm's typedVal: `true`/`false`/`null` (any case), integers not starting with 0, else the string. */
export function typedVal(v: string, stringOnly: boolean): unknown {
  if (stringOnly) return v;
  const lower = v.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (v === '0') return 0;
  if (v.length > 0 && v[0] !== '0' && /^[-+]?\d+$/.test(v)) {
    const n = Number(v);
    if (Number.isSafeInteger(n) || Math.abs(n) < 9.3e18) return n;
  }
  return v;
}

class Scanner {
  pos = 0;
  constructor(readonly s: string) {}
  eof(): boolean {
    return this.pos >= this.s.length;
  }
  peek(): string | undefined {
    return this.s[this.pos];
  }
  /** Reads until one of `stop` (consumed and returned as `last`), honouring `\` escapes. */
  until(stop: string): { text: string; last: string | null } {
    let text = '';
    while (this.pos < this.s.length) {
      const ch = this.s[this.pos++];
      if (ch === '\\') {
        if (this.pos < this.s.length) text += this.s[this.pos++];
        continue;
      }
      if (stop.includes(ch)) return { text, last: ch };
      text += ch;
    }
    return { text, last: null };
  }
}

/**
 * Applies one `--set`/`--set-string` argument to `dest`, as Helm's strvals.ParseInto does.
 * Returns the top-level-relative paths it assigned (for provenance).
 */
export function parseSetInto(expr: string, dest: Record<string, unknown>, stringOnly: boolean): (string | number)[][] {
  const sc = new Scanner(expr);
  const assigned: (string | number)[][] = [];
  while (!sc.eof()) {
    parseKey(sc, dest, 0, stringOnly, [], assigned);
  }
  return assigned;
}

function parseKey(sc: Scanner, data: Record<string, unknown>, level: number, st: boolean, path: (string | number)[], assigned: (string | number)[][]): void {
  if (level > MAX_NESTED) throw new SetSyntaxError(`value name nested level is greater than maximum supported nested level of ${MAX_NESTED}`);
  const { text: k, last } = sc.until('=[,.');
  if (last === null) {
    if (k.length === 0) return;
    throw new SetSyntaxError(`key "${k}" has no value`);
  }
  switch (last) {
    case '[': {
      const existing = data[k];
      const list = Array.isArray(existing) ? [...existing] : [];
      const next = parseListIndex(sc, list, st, [...path, k], assigned);
      setKey(data, k, next);
      return;
    }
    case '=': {
      const v = parseValueOrList(sc, st);
      if (k.length === 0) return;
      setKey(data, k, v);
      assigned.push([...path, k]);
      return;
    }
    case ',':
      throw new SetSyntaxError(`key "${k}" has no value (cannot end with ,)`);
    case '.': {
      const existing = data[k];
      const inner: Record<string, unknown> = isMap(existing) ? existing : {};
      parseKey(sc, inner, level + 1, st, [...path, k], assigned);
      setKey(data, k, inner);
      return;
    }
  }
}

function parseValueOrList(sc: Scanner, st: boolean): unknown {
  if (sc.peek() === '{') {
    const save = sc.pos;
    sc.pos++;
    const items: unknown[] = [];
    for (;;) {
      const { text, last } = sc.until(',}');
      if (last === null) {
        throw new SetSyntaxError('list must terminate with \'}\'');
      }
      if (last === '}') {
        if (text.length > 0 || items.length > 0) items.push(typedVal(text, st));
        const after = sc.peek();
        if (after === undefined) return items;
        if (after === ',') {
          sc.pos++;
          return items;
        }
        // Not a list after all: re-read as a plain value.
        sc.pos = save;
        break;
      }
      items.push(typedVal(text, st));
    }
  }
  const { text } = sc.until(',');
  return typedVal(text, st);
}

function parseListIndex(sc: Scanner, list: unknown[], st: boolean, path: (string | number)[], assigned: (string | number)[][]): unknown[] {
  const { text, last } = sc.until(']');
  if (last === null) throw new SetSyntaxError(`error parsing index: missing ]`);
  if (!/^\d+$/.test(text)) throw new SetSyntaxError(`error parsing index: strconv.Atoi: parsing "${text}": invalid syntax`);
  const i = Number(text);
  if (i > MAX_INDEX) throw new SetSyntaxError(`index of ${i} is greater than maximum supported index of ${MAX_INDEX}`);
  while (list.length <= i) list.push(null);
  const op = sc.peek();
  sc.pos++;
  if (op === '=') {
    list[i] = parseValueOrList(sc, st);
    assigned.push([...path, i]);
    return list;
  }
  if (op === '.') {
    const existing = list[i];
    const inner: Record<string, unknown> = isMap(existing) ? existing : {};
    parseKey(sc, inner, 1, st, [...path, i], assigned);
    list[i] = inner;
    return list;
  }
  if (op === '[') {
    const existing = list[i];
    const innerList = Array.isArray(existing) ? [...existing] : [];
    list[i] = parseListIndex(sc, innerList, st, [...path, i], assigned);
    return list;
  }
  throw new SetSyntaxError(`parse error: unexpected ${op === undefined ? 'end of input' : JSON.stringify(op)} after index`);
}
