// Model stage: turns raw input text into a SourceFile (documents with positions, inline suppressions)
// and tells Helm values from rendered manifests.
import { isMap } from './path.js';
import { parseYamlStream } from './yaml.js';
import type { YamlLimits } from './yaml.js';
import type { InlineSuppression, SourceFile } from './types.js';

/** Raised for input that cannot be linted at all (binary, invalid UTF-8 in a way YAML cannot hold). */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line = 1,
    readonly column = 1,
  ) {
    super(message);
  }
}

const SUPPRESS = /#\s*imply-lint-disable(-next-line|-file)\b([^\n]*)$/;

/** Finds `# imply-lint-disable-next-line RULE[, RULE] -- reason` and `# imply-lint-disable-file …` comments. */
export function findSuppressions(text: string): InlineSuppression[] {
  const out: InlineSuppression[] = [];
  if (!text.includes('imply-lint-disable')) return out;
  const lines = text.split(/\r?\n/);
  lines.forEach((lineText, i) => {
    const m = SUPPRESS.exec(lineText);
    if (!m) return;
    // Only a real comment: the `#` must start the line or follow whitespace (not inside a quoted scalar).
    const hash = lineText.indexOf('#', m.index);
    if (hash > 0 && !/\s/.test(lineText[hash - 1])) return;
    const body = m[2];
    const sep = body.indexOf('--');
    const idsText = (sep >= 0 ? body.slice(0, sep) : body).trim();
    const reason = sep >= 0 ? body.slice(sep + 2).trim() : undefined;
    const rules = idsText.split(/[\s,]+/).filter(Boolean);
    const s: InlineSuppression = {
      kind: m[1] === '-file' ? 'file' : 'next-line',
      line: i + 1,
      column: hash + 1,
      rules,
      reason: reason ? reason : undefined,
    };
    if (s.kind === 'next-line') {
      // The next line that holds YAML content (blank lines and comments are skipped).
      for (let j = i + 1; j < lines.length; j++) {
        const t = lines[j].trim();
        if (t === '' || t.startsWith('#')) continue;
        s.target = j + 1;
        break;
      }
    }
    out.push(s);
  });
  return out;
}

/**
 * True if the bytes look like a binary file: a NUL byte anywhere (not only in the first few KB, so that
 * text with a NUL further in is refused too: go-yaml and the API server refuse it).
 */
export function looksBinary(buf: Uint8Array): boolean {
  return buf.indexOf(0) >= 0;
}

/** Decodes bytes as UTF-8, refusing invalid sequences (Helm and the API server refuse them too). */
export function decodeUtf8(buf: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    const at = firstInvalidUtf8(buf);
    const { line, column } = lineAt(buf, at);
    throw new InputError(`invalid UTF-8 at byte ${at}`, file, line, column);
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return i;
}

/** 1-based line, and column in bytes, of a byte offset. */
function lineAt(b: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < b.length; i++) {
    if (b[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Parses text into a SourceFile. */
export function makeSource(path: string, text: string, role: SourceFile['role'], limits?: YamlLimits): SourceFile {
  const docs = parseYamlStream(text, limits);
  return { path, text, docs, suppressions: findSuppressions(text), role };
}

/** A parsed document is a Kubernetes object (or a `kind: List` of them). */
function isObjectDoc(v: unknown): boolean {
  return isMap(v) && typeof v.apiVersion === 'string' && typeof v.kind === 'string';
}

/** Values vs manifests: manifests are documents with apiVersion and kind (or a List); anything else is values. */
export function detectRole(docs: { value: unknown }[]): 'values' | 'manifest' {
  const content = docs.filter((d) => d.value !== undefined && d.value !== null);
  if (content.length === 0) return 'values';
  if (content.some((d) => isObjectDoc(d.value))) return 'manifest';
  return 'values';
}
