// Fix stage: `imply-lint fix --write`, edits applied to the user's own values file. Positions come from
// the yaml Document API (parseAllDocuments node ranges); the text is spliced only where a value changes,
// so comments, key order, quoting, flow style, anchors and blank lines everywhere else stay as written.
// The result is parsed back and checked; if a splice cannot express an edit, the Document API's setIn +
// toString (comments and order kept, spacing normalized) is the fallback.
import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, parseAllDocuments, stringify } from 'yaml';
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { makeSource } from '../model/source.js';
import { getIn, isMap as isPlainMap } from '../model/path.js';
import type { Path } from '../model/path.js';
import { firstIndex, setPath } from './plan.js';
import { YAML_OPTIONS } from './render.js';

export interface TextEdit {
  path: Path;
  value: unknown;
}

/** Why an edit could not be written (the caller reports it; nothing is written then). */
export class FixWriteError extends Error {}

type Doc = Document.Parsed;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;

function keyText(k: string | number): string {
  return typeof k === 'string' && PLAIN_KEY.test(k) && !/^(y|n|yes|no|on|off|true|false|null)$/i.test(k) ? k : JSON.stringify(String(k));
}

/** A scalar or a flow collection on one line, as Helm reads it back. */
function inline(value: unknown): string {
  if (value !== null && typeof value === 'object') return stringify(value, { ...YAML_OPTIONS, collectionStyle: 'flow' }).trimEnd();
  return stringify(value, YAML_OPTIONS).trimEnd();
}

/** `key: value` lines for a missing chain of keys, at `indent`. */
function block(keys: Path, value: unknown, indent: number): string {
  const lines: string[] = [];
  keys.forEach((k, i) => {
    const pad = ' '.repeat(indent + 2 * i);
    if (i < keys.length - 1) lines.push(`${pad}${keyText(k)}:`);
    else if (value !== null && typeof value === 'object' && (Array.isArray(value) ? value.length : Object.keys(value).length)) {
      const body = stringify(value, YAML_OPTIONS).trimEnd().split('\n').map((l) => `${pad}  ${l}`);
      lines.push(`${pad}${keyText(k)}:`, ...body);
    } else lines.push(`${pad}${keyText(k)}: ${inline(value)}`);
  });
  return lines.join('\n');
}

function keyOf(p: Pair): unknown {
  return isScalar(p.key) ? p.key.value : p.key;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** Offset just after the line holding `offset - 1` (end of text when it is the last line). */
function lineEndAfter(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/** The document Helm's merge lets win: the last one holding a map (else the first). */
function targetDoc(docs: Doc[]): Doc | undefined {
  for (let i = docs.length - 1; i >= 0; i--) if (isMap(docs[i].contents)) return docs[i];
  return docs[0];
}

/** One splice: replace [start, end) with `insert`. */
interface Splice {
  start: number;
  end: number;
  insert: string;
}

/** Where and what to splice for one edit, from the document's node ranges. */
function spliceFor(text: string, doc: Doc | undefined, edit: TextEdit): Splice {
  if (!doc || doc.contents === null) {
    const at = text.length === 0 || text.endsWith('\n') ? text.length : text.length;
    return { start: at, end: at, insert: `${text.length && !text.endsWith('\n') ? '\n' : ''}${block(edit.path, edit.value, 0)}\n` };
  }
  let node: Node | null = doc.contents as Node;
  let parentPair: Pair | undefined;
  for (let k = 0; k < edit.path.length; k++) {
    const seg = edit.path[k];
    if (isMap(node)) {
      const map: YAMLMap = node;
      const pair = (map.items as Pair[]).find((p) => keyOf(p) === seg);
      if (!pair) return insertInto(text, map, parentPair, edit.path.slice(k), edit.value);
      parentPair = pair;
      const v = pair.value as Node | null | undefined;
      if (v === null || v === undefined || (isScalar(v) && v.value === null)) {
        // `key:` with nothing (or null) after it: the value goes after the colon (or below it, for a chain).
        const colon = text.indexOf(':', (pair.key as Node).range![1]);
        const end = v?.range && /^[ \t]*(null|Null|NULL|~)?[ \t]*$/.test(text.slice(colon + 1, v.range[1])) ? v.range[1] : colon + 1;
        const rest = edit.path.slice(k + 1);
        if (rest.length === 0) return { start: colon + 1, end, insert: ` ${inline(edit.value)}` };
        const indent = columnOf(text, (pair.key as Node).range![0]) + 2;
        return { start: colon + 1, end, insert: `\n${block(rest, edit.value, indent)}` };
      }
      node = pair.value as Node;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      parentPair = undefined;
      node = node.items[seg] as Node;
    } else {
      // A scalar where a map or list is needed, or an index past the list: rewrite this node whole.
      const i = firstIndex(edit.path);
      if (i >= 0 && i <= k) throw new FixWriteError('list shape changed');
      const value: Record<string, unknown> = {};
      setPath(value, edit.path.slice(k), edit.value);
      return { start: node!.range![0], end: node!.range![1], insert: inline(value) };
    }
  }
  const r = node!.range!;
  if ((isMap(node) || isSeq(node)) && !(node as YAMLMap | YAMLSeq).flow) throw new FixWriteError('replacing a block collection');
  return { start: r[0], end: r[1], insert: sameStyle(node, edit.value) };
}

/** A new string keeps the quoting of the scalar it replaces (`"…"` stays double-quoted). */
function sameStyle(node: Node | null, value: unknown): string {
  if (typeof value === 'string' && isScalar(node)) {
    if (node.type === 'QUOTE_DOUBLE') return JSON.stringify(value);
    if (node.type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  }
  return inline(value);
}

/** Adds `keys: value` to an existing map: below its last entry (block), inside the braces (flow). */
function insertInto(text: string, map: YAMLMap, owner: Pair | undefined, keys: Path, value: unknown): Splice {
  const r = map.range!;
  if (map.flow) {
    const close = text.lastIndexOf('}', r[1]);
    if (map.items.length === 0 && owner) {
      // `security: {}` grows into a block, as people write it.
      const indent = columnOf(text, (owner.key as Node).range![0]) + 2;
      let open = text.lastIndexOf('{', close);
      while (open > 0 && (text[open - 1] === ' ' || text[open - 1] === '\t')) open--;
      return { start: open, end: close + 1, insert: `\n${block(keys, value, indent)}` };
    }
    const obj: Record<string, unknown> = {};
    setPath(obj, keys, value);
    const inner = inline(obj).replace(/^\{\s*/, '').replace(/\s*\}$/, '');
    return { start: close, end: close, insert: `${map.items.length ? ', ' : ''}${inner}` };
  }
  const last = map.items[map.items.length - 1] as Pair;
  const firstKey = (map.items[0] as Pair).key as Node;
  const indent = columnOf(text, firstKey.range![0]);
  const lastEnd = last.value && (last.value as Node).range ? (last.value as Node).range![1] : (last.key as Node).range![1];
  const at = lineEndAfter(text, lastEnd);
  const nl = at === text.length && !text.endsWith('\n') ? '\n' : '';
  return { start: at, end: at, insert: `${nl}${block(keys, value, indent)}\n` };
}

/** What the file holds as Helm reads it (the last map document wins, as in the merge). */
function helmValue(text: string): Record<string, unknown> {
  const src = makeSource('fix', text, 'values');
  const out: Record<string, unknown> = {};
  for (const d of src.docs) if (isPlainMap(d.value)) Object.assign(out, d.value);
  return out;
}

/** `edits` applied to the expected values (lists the file does not hold are taken whole from `base`). */
function expected(before: Record<string, unknown>, edits: readonly TextEdit[], base: Record<string, unknown>): Record<string, unknown> {
  const out = JSON.parse(JSON.stringify(before)) as Record<string, unknown>;
  for (const e of edits) {
    const i = firstIndex(e.path);
    if (i >= 0 && !Array.isArray(getIn(out, e.path.slice(0, i)))) setPath(out, e.path.slice(0, i), getIn(base, e.path.slice(0, i)) ?? []);
    setPath(out, e.path, e.value);
  }
  return out;
}

/**
 * Applies edits to a values file's text. Lists the file does not hold are written whole (from `base`, the
 * effective values). Throws FixWriteError when neither a splice nor the Document API gives the values expected.
 */
export function applyEditsToText(text: string, edits: readonly TextEdit[], base: Record<string, unknown> = {}): { text: string; reformatted: boolean } {
  const want = expected(helmValue(text), edits, base);
  let out = text;
  try {
    for (const e of edits) {
      const docs = parseAllDocuments(out) as Doc[];
      if (!Array.isArray(docs)) throw new FixWriteError('not YAML');
      const doc = targetDoc(docs);
      const i = firstIndex(e.path);
      let edit: TextEdit = e;
      if (i >= 0 && !(doc && isSeq(doc.getIn(e.path.slice(0, i), true)))) {
        // The file does not hold the list: write it whole, with this edit applied.
        const list = JSON.parse(JSON.stringify(getIn(want, e.path.slice(0, i)) ?? [])) as unknown;
        edit = { path: e.path.slice(0, i), value: list };
      }
      const s = spliceFor(out, doc, edit);
      out = out.slice(0, s.start) + s.insert + out.slice(s.end);
    }
    if (JSON.stringify(helmValue(out)) === JSON.stringify(want)) return { text: out, reformatted: false };
  } catch (e) {
    if (!(e instanceof FixWriteError) && !(e instanceof TypeError)) throw e;
  }
  // Fallback: the Document API (comments and key order kept; spacing may be normalized).
  const docs = parseAllDocuments(text) as Doc[];
  const doc = targetDoc(docs);
  if (!doc) throw new FixWriteError('the file holds no YAML document to edit');
  for (const e of edits) {
    const i = firstIndex(e.path);
    if (i >= 0 && !isSeq(doc.getIn(e.path.slice(0, i), true))) doc.setIn(e.path.slice(0, i), doc.createNode(getIn(want, e.path.slice(0, i))));
    else doc.setIn(e.path, doc.createNode(e.value));
  }
  const fallback = docs.map((d) => d.toString(YAML_OPTIONS)).join('');
  if (JSON.stringify(helmValue(fallback)) !== JSON.stringify(want)) throw new FixWriteError('the edited file would not hold the fixed values');
  return { text: fallback, reformatted: true };
}

/** Writes a file atomically: a temp file beside it, then rename (keeps the file's mode). */
export function writeFileAtomic(file: string, text: string): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.imply-lint-fix-${process.pid}-${Date.now()}.tmp`);
  let mode: number | undefined;
  try {
    mode = fs.statSync(file).mode & 0o7777;
  } catch {
    mode = undefined;
  }
  try {
    fs.writeFileSync(tmp, text, mode === undefined ? undefined : { mode });
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
