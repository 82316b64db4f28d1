// Fix stage: plans the smallest values overlay that resolves the fixable findings of one lint target.
// Rules own their fixes (ReportDescriptor.fix); this module only merges, iterates and prunes them:
// a fix can uncover a finding with a fix of its own (disabling MinIO leaves the default S3 endpoint
// dangling), and one fix can make another unnecessary (a disabled subchart's password).
import { formatPath, getIn, isMap, pathKey } from '../model/path.js';
import type { Path } from '../model/path.js';
import type { ValuesModel } from '../model/types.js';
import { maskSecrets } from '../report/mask.js';
import type { Finding, LintResult } from '../rules/types.js';
import { SEVERITY_RANK } from '../rules/types.js';
import { FILL_ME } from '../rules/util.js';

/** Re-lints the target with an extra values layer after the user's own (undefined: as the user has it). */
export type Relint = (overlay: Record<string, unknown> | undefined) => { result: LintResult; values?: ValuesModel };

/** One edit of the plan, with the rules whose findings asked for it. */
export interface PlannedEdit {
  path: Path;
  value: unknown;
  rules: string[];
  descriptions: string[];
}

export interface FixPlan {
  edits: PlannedEdit[];
  /** Fixable findings of the original lint that the overlay resolves. */
  fixed: Finding[];
  /** Fixable findings the overlay does not resolve (should be none; a rule bug otherwise). */
  unresolved: Finding[];
  /** Findings without a fix of their own that the overlay resolves too (e.g. no-default-credentials). */
  alsoResolved: Finding[];
  /** Findings the overlay brings (unresolved-placeholder for every `<fill-me>`, …). */
  introduced: Finding[];
  /** Edits left out: a conflict with an earlier edit, or a list that would copy a secret. */
  skipped: { path: string; ruleId: string; reason: string }[];
  /** How many edits write a `<fill-me>` placeholder. */
  placeholders: number;
  before: LintResult;
  after: LintResult;
}

/** Rounds of fix -> re-lint; each round only adds edits, so it stops well before this. */
const MAX_ROUNDS = 6;

const live = (r: LintResult): Finding[] => r.findings.filter((f) => !f.suppressed);

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** True when one path is a prefix of the other (their edits cannot both hold). */
function overlaps(a: Path, b: Path): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Index of the first list index in a path, or -1. */
export function firstIndex(path: Path): number {
  return path.findIndex((s) => typeof s === 'number');
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Sets a nested value, creating maps (and keeping lists) on the way. */
export function setPath(root: Record<string, unknown>, path: Path, value: unknown): void {
  let cur: Record<string | number, unknown> | unknown[] = root;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i];
    const next = (cur as Record<string | number, unknown>)[seg as string];
    if (next === null || typeof next !== 'object') {
      const fresh: Record<string, unknown> = {};
      Object.defineProperty(cur, seg, { value: fresh, enumerable: true, writable: true, configurable: true });
      cur = fresh;
    } else cur = next as Record<string, unknown>;
  }
  Object.defineProperty(cur, path[path.length - 1], { value: clone(value), enumerable: true, writable: true, configurable: true });
}

/**
 * The overlay map for a set of edits. Helm replaces lists on merge, so an edit inside a list carries the
 * whole list: the effective one (`base`) with the edits applied.
 */
export function overlayOf(edits: readonly { path: Path; value: unknown }[], base: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of edits) {
    const i = firstIndex(e.path);
    if (i >= 0) {
      const listPath = e.path.slice(0, i);
      if (!Array.isArray(getIn(out, listPath))) setPath(out, listPath, clone(getIn(base, listPath)) ?? []);
    }
    setPath(out, e.path, e.value);
  }
  return out;
}

/** A `key=value` list item whose key names a secret (`druid.s3.secretKey=…`), or a YAML secret once dumped. */
const SECRET_ITEM = /^\s*[^=#\s]*(password|passwd|secret|token|licen[cs]e|accesskey|privatekey)[^=\s]*\s*=\s*\S/i;

function copiesSecret(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  for (const x of list) {
    if (typeof x === 'string' && SECRET_ITEM.test(x)) return true;
    if (isMap(x) || Array.isArray(x)) {
      const text = JSON.stringify(x, null, 1).replace(/^\s*"([^"]+)":\s*/gm, '$1: ');
      if (maskSecrets(text) !== text) return true;
      if (isMap(x) && typeof x.name === 'string' && /(PASSWORD|SECRET|TOKEN|KEY)$/i.test(x.name) && typeof x.value === 'string' && x.value !== '') return true;
    }
  }
  return false;
}

function byPriority(a: Finding, b: Finding): number {
  const s = SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];
  if (s !== 0) return s;
  if (a.ruleId !== b.ruleId) return a.ruleId < b.ruleId ? -1 : 1;
  return a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0;
}

/**
 * Plans the fix: lint, collect the fixes of fixable findings (most severe first; the first edit of a path
 * wins a conflict), re-lint with the overlay until no new edit appears, then drop every edit whose removal
 * brings back no finding (the smallest overlay that resolves as much).
 */
export function planFix(relint: Relint): FixPlan {
  const first = relint(undefined);
  const before = first.result;
  const base = first.values?.merged ?? {};
  const edits: PlannedEdit[] = [];
  const skipped: FixPlan['skipped'] = [];
  const skippedKeys = new Set<string>();

  const add = (f: Finding, path: Path, value: unknown, description: string, merged: Record<string, unknown>): boolean => {
    const same = edits.find((e) => pathKey(e.path) === pathKey(path));
    if (same) {
      if (sameValue(same.value, value)) {
        if (!same.rules.includes(f.ruleId)) same.rules.push(f.ruleId);
        if (!same.descriptions.includes(description)) same.descriptions.push(description);
      } else note(f, path, `conflicts with ${same.rules.join(', ')} (kept ${JSON.stringify(same.value)})`);
      return false;
    }
    const clash = edits.find((e) => overlaps(e.path, path));
    if (clash) {
      note(f, path, `overlaps ${formatPath(clash.path)} of ${clash.rules.join(', ')}`);
      return false;
    }
    if (sameValue(getIn(merged, path), value)) return false; // already so
    const i = firstIndex(path);
    if (i >= 0 && copiesSecret(getIn(base, path.slice(0, i)))) {
      note(f, path, 'the list holds a secret, which an overlay would copy (use --write)');
      return false;
    }
    edits.push({ path, value, rules: [f.ruleId], descriptions: [description] });
    return true;
  };
  const note = (f: Finding, path: Path, reason: string) => {
    const k = `${f.ruleId}\u0000${pathKey(path)}`;
    if (skippedKeys.has(k)) return;
    skippedKeys.add(k);
    skipped.push({ path: formatPath(path), ruleId: f.ruleId, reason });
  };

  let cur = first;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const merged = cur.values?.merged ?? {};
    let added = false;
    for (const f of live(cur.result).filter((x) => x.autofix).sort(byPriority)) {
      for (const e of f.autofix!.set) added = add(f, e.path, e.value, f.autofix!.description, merged) || added;
    }
    if (!added) break;
    cur = relint(overlayOf(edits, base));
  }

  // Prune: an edit whose removal brings back no finding is not needed (later edits first: they depend on earlier ones).
  let after = edits.length ? cur.result : before;
  const allowed = new Set(live(after).map((f) => f.fingerprint));
  for (let i = edits.length - 1; i >= 0; i--) {
    const trial = edits.filter((_, j) => j !== i);
    const r = relint(trial.length ? overlayOf(trial, base) : undefined).result;
    if (live(r).every((f) => allowed.has(f.fingerprint))) {
      edits.splice(i, 1);
      after = r;
    }
  }
  if (edits.length === 0) after = before;

  const afterFps = new Set(live(after).map((f) => f.fingerprint));
  const beforeFps = new Set(live(before).map((f) => f.fingerprint));
  const fixable = live(before).filter((f) => f.autofix);
  edits.sort((a, b) => (pathKey(a.path) < pathKey(b.path) ? -1 : pathKey(a.path) > pathKey(b.path) ? 1 : 0));
  return {
    edits,
    fixed: fixable.filter((f) => !afterFps.has(f.fingerprint)),
    unresolved: fixable.filter((f) => afterFps.has(f.fingerprint)),
    alsoResolved: live(before).filter((f) => !f.autofix && !afterFps.has(f.fingerprint)),
    introduced: live(after).filter((f) => !beforeFps.has(f.fingerprint)),
    skipped,
    placeholders: edits.filter((e) => JSON.stringify(e.value).includes(FILL_ME)).length,
    before,
    after,
  };
}
