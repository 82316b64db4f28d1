// Fix stage: a finding's fix as a text replacement in its values file, for SARIF `fixes`. Computed here,
// before the reporter (reporters never parse or decide): the finding's edits are applied to the file's
// text (write.ts) and the change is reduced to one region by the common prefix and suffix of lines.
import { maskSecrets } from '../report/mask.js';
import type { LintResult, TextFix } from '../rules/types.js';
import type { SourceFile } from '../model/types.js';
import { firstIndex } from './plan.js';
import { applyEditsToText, FixWriteError } from './write.js';
import { getIn } from '../model/path.js';
import { makeSource } from '../model/source.js';

type Replacement = TextFix['replacements'][number];

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The one region (whole lines where it can) that turns `before` into `after`. */
export function diffRegion(before: string, after: string): Replacement {
  const a = before.split('\n');
  const b = after.split('\n');
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  if (s === 0 && p === a.length) p--; // only appended: replace the last line with itself plus the rest
  const inserted = b.slice(p, b.length - s);
  if (s > 0) return { startLine: p + 1, startColumn: 1, endLine: a.length - s + 1, endColumn: 1, insertedContent: inserted.map((l) => `${l}\n`).join('') };
  const last = a[a.length - 1];
  return { startLine: p + 1, startColumn: 1, endLine: a.length, endColumn: codePoints(last) + 1, insertedContent: inserted.join('\n') };
}

/** Applies a replacement (1-based lines, code-point columns, end exclusive) to a text. */
export function applyReplacement(text: string, r: Replacement): string {
  const lines = text.split('\n');
  const offset = (line: number, column: number): number => {
    let o = 0;
    for (let i = 0; i < line - 1; i++) o += lines[i].length + 1;
    const l = lines[line - 1] ?? '';
    return o + [...l].slice(0, column - 1).join('').length;
  };
  return text.slice(0, offset(r.startLine, r.startColumn)) + r.insertedContent + text.slice(offset(r.endLine, r.endColumn));
}

/** The secret values a masked reading hides in these lines (what an inserted text must not repeat). */
function secretsOf(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const m = maskSecrets(line);
    if (m === line) continue;
    let i = 0;
    while (i < line.length) {
      if (m[i] !== line[i]) {
        let j = i;
        while (j < line.length && m[j] !== line[j]) j++;
        out.push(line.slice(i, j));
        i = j;
      } else i++;
    }
  }
  return out.filter((x) => x.length >= 3);
}

/**
 * Sets `textFix` on findings that have an autofix and sit in a values file, when the fix is expressible
 * as an edit of that file alone and shows no secret (the region is quoted in the report).
 */
export function attachTextFixes(results: readonly LintResult[], sources: readonly SourceFile[]): void {
  const byPath = new Map(sources.filter((s) => s.role === 'values').map((s) => [s.path, s]));
  for (const r of results) {
    for (const f of r.findings) {
      if (!f.autofix || !f.location) continue;
      const src = byPath.get(f.location.file);
      if (!src || src.path === '<stdin>') continue;
      const own = makeSource(src.path, src.text, 'values').docs.map((d) => d.value);
      // A list the file does not hold would be written whole from values the file does not have.
      if (f.autofix.set.some((e) => firstIndex(e.path) >= 0 && !own.some((v) => Array.isArray(getIn(v, e.path.slice(0, firstIndex(e.path))))))) continue;
      let text: string;
      try {
        text = applyEditsToText(src.text, f.autofix.set).text;
      } catch (e) {
        if (e instanceof FixWriteError) continue;
        throw e;
      }
      if (text === src.text) continue;
      const region = diffRegion(src.text, text);
      const deleted = src.text.split('\n').slice(region.startLine - 1, region.endLine);
      if (maskSecrets(region.insertedContent) !== region.insertedContent || secretsOf(deleted).some((x) => region.insertedContent.includes(x))) continue;
      f.textFix = { file: src.path, description: f.autofix.description, replacements: [region] };
    }
  }
}
