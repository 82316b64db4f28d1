// Rules stage: helpers shared by the hygiene rules (yaml-syntax, duplicate-key, unknown-key, value-type,
// unresolved-placeholder and the suppression rules): fingerprint subjects for file-level evidence, a walk
// over the values the user set, and the raw text behind a parsed value.
import { formatPath, isMap, pathKey } from '../model/path.js';
import type { Path } from '../model/path.js';
import type { InlineSuppression, K8sObject, SourceFile, ValuesModel } from '../model/types.js';
import type { Range, YamlDoc } from '../model/yaml.js';
import type { PolicyExemption } from './types.js';

/** Subject of a finding about a document as a whole (no key before the problem). */
export const ROOT_SUBJECT = '(root)';

/** Inverse of pathKey(). */
function keyToPath(key: string): (string | number)[] {
  if (key === '') return [];
  return key.split('\u0000').map((s) => (s.startsWith('#') ? Number(s.slice(1)) : s.slice(1)));
}

function before(aLine: number, aCol: number, bLine: number, bCol: number): boolean {
  return aLine < bLine || (aLine === bLine && aCol <= bCol);
}

/**
 * The path of the node nearest before a position (a parser error is found where the damage shows, usually
 * at the start of the next key): the deepest node starting before it whose key-to-value span contains it,
 * else the node starting last before it. Undefined when nothing starts before the position.
 */
export function nearestPath(doc: YamlDoc, line: number, column: number): (string | number)[] | undefined {
  let containing: { path: (string | number)[]; line: number; column: number } | undefined;
  let last: { path: (string | number)[]; line: number; column: number } | undefined;
  for (const [key, pos] of doc.positions) {
    if (key === '') continue;
    const start = pos.key ?? pos.value;
    if (!before(start.line, start.column, line, column) || (start.line === line && start.column === column)) continue;
    const path = keyToPath(key);
    const inside = before(line, column, pos.value.endLine, pos.value.endColumn);
    if (inside && (!containing || path.length > containing.path.length || (path.length === containing.path.length && before(containing.line, containing.column, start.line, start.column)))) {
      containing = { path, line: start.line, column: start.column };
    }
    if (!last || before(last.line, last.column, start.line, start.column)) last = { path, line: start.line, column: start.column };
  }
  return (containing ?? last)?.path;
}

/** The outermost node that starts on `line` (a key, or a list item), if any. */
export function pathAtLine(doc: YamlDoc, line: number): (string | number)[] | undefined {
  let best: { path: (string | number)[]; column: number } | undefined;
  for (const [key, pos] of doc.positions) {
    if (key === '') continue;
    const start = pos.key ?? pos.value;
    if (start.line !== line) continue;
    const path = keyToPath(key);
    if (!best || path.length < best.path.length || (path.length === best.path.length && start.column < best.column)) best = { path, column: start.column };
  }
  return best?.path;
}

/** The document of a source that holds `line`. */
export function docAtLine(source: SourceFile, line: number): YamlDoc | undefined {
  return source.docs.find((d) => d.range.line <= line && line <= d.range.endLine);
}

/**
 * Fingerprint subject of a place inside a document (never the file name, RULES.md "Identity of a
 * finding"): the values path in a values file; `Kind:path` inside a rendered object, whose name,
 * namespace and release are left out.
 */
export function docSubject(source: SourceFile, doc: YamlDoc | undefined, path: Path): string {
  if (source.role !== 'manifest') return formatPath(path) || ROOT_SUBJECT;
  let v = doc?.value;
  let rest: Path = path;
  // Items of a `kind: List` are objects of their own.
  if (isMap(v) && Array.isArray(v.items) && path[0] === 'items' && typeof path[1] === 'number' && isMap(v.items[path[1]])) {
    v = v.items[path[1]];
    rest = path.slice(2);
  }
  const kind = isMap(v) && typeof v.kind === 'string' && v.kind ? v.kind : 'manifest';
  return `${kind}:${formatPath(rest) || ROOT_SUBJECT}`;
}

/** The rule ids a suppression names, for subjects and messages (`*` = every rule). */
export function rulesText(rules: readonly string[]): string {
  const named = rules.filter((r) => r !== '*');
  return named.length === 0 ? '*' : [...named].sort().join(',');
}

/** Subject of an inline suppression comment: what it names and the values/object path it sits on. */
export function inlineSubject(source: SourceFile, s: Pick<InlineSuppression, 'kind' | 'rules' | 'target' | 'line'>): string {
  if (s.kind === 'file') return `imply-lint-disable-file ${rulesText(s.rules)}`;
  const line = s.target ?? s.line;
  const doc = docAtLine(source, line);
  const path = doc ? (pathAtLine(doc, line) ?? nearestPath(doc, line, 1) ?? []) : [];
  return `imply-lint-disable-next-line ${rulesText(s.rules)} @ ${docSubject(source, doc, path)}`;
}

/** Subject of an exemption annotation (object kind, not its name). */
export function annotationSubject(o: K8sObject, rules: readonly string[]): string {
  return `imply-lint.io/exempt ${rulesText(rules)} @ ${o.kind}`;
}

/** Subject of a policy exemption: the rule + subject or the fingerprint it names. */
export function exemptionSubject(e: PolicyExemption): string {
  if (e.fingerprint) return `exemption fingerprint ${e.fingerprint}`;
  return `exemption ${e.rule ?? '*'} @ ${e.subject ?? '*'}`;
}

/** The range of a comment from its `#` to the end of its line. */
export function commentRange(source: SourceFile, line: number, column: number): Range {
  const text = source.text.split(/\r?\n/)[line - 1] ?? '';
  return { line, column, endLine: line, endColumn: Math.max(column, text.length + 1) };
}

/** The characters of a file between two positions (1-based, end exclusive). */
export function rawText(source: SourceFile, r: Range): string {
  const lines = source.text.split(/\r?\n/);
  if (r.line === r.endLine) return (lines[r.line - 1] ?? '').slice(r.column - 1, r.endColumn - 1);
  const out = [(lines[r.line - 1] ?? '').slice(r.column - 1)];
  for (let l = r.line + 1; l < r.endLine; l++) out.push(lines[l - 1] ?? '');
  out.push((lines[r.endLine - 1] ?? '').slice(0, r.endColumn - 1));
  return out.join('\n');
}

/** The file and value range the user's value at `path` was read from (undefined for --set and defaults). */
export function userValueRange(values: ValuesModel, path: Path): { source: SourceFile; range: Range } | undefined {
  const o = values.origin(path);
  if (o.kind !== 'file') return undefined;
  for (let i = values.files.length - 1; i >= 0; i--) {
    const f = values.files[i];
    if (f.path !== o.file) continue;
    const doc = f.docs.find((d) => d.value !== undefined);
    const pos = doc?.positions.get(pathKey(path));
    if (pos) return { source: f, range: pos.value };
  }
  return undefined;
}

/**
 * Visits every key and list item the user set (values.user, before chart defaults), depth first in file
 * order. `visit` returns false to skip what lies below a node.
 */
export function walkUserValues(values: ValuesModel, visit: (path: (string | number)[], value: unknown) => boolean): void {
  const rec = (v: unknown, path: (string | number)[]): void => {
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        const p = [...path, i];
        if (visit(p, item)) rec(item, p);
      });
    } else if (isMap(v)) {
      for (const [k, item] of Object.entries(v)) {
        const p = [...path, k];
        if (visit(p, item)) rec(item, p);
      }
    }
  };
  rec(values.user, []);
}
