// Rules stage: policy packs and `.imply-lint.yaml`, validated against policies/schema.json and folded
// into one resolved policy (ESLint-style: a severity-only entry keeps earlier options; flags win last).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatPath, isMap, pathKey, parsePath } from '../model/path.js';
import { FileTooLargeError, readFileBounded } from '../model/read-bounded.js';
import { DEFAULT_LIMITS, parseYamlStream, YamlLimitError } from '../model/yaml.js';
import type { YamlDoc } from '../model/yaml.js';
import type { PolicyExemption, PolicySettings, Severity } from './types.js';
import { validatePolicyDoc } from './policy-validate.js';

/** A policy that cannot be used: one line, with where. */
export class PolicyError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line = 1,
    readonly column = 1,
  ) {
    super(message);
  }
}

/** A custom rule written declaratively as a JSON Schema condition (Polaris-style). */
export interface CustomRuleSpec {
  id: string;
  title: string;
  severity: Severity;
  target: 'values' | 'manifest';
  path?: string;
  match?: { kinds?: string[]; apiVersions?: string[]; names?: string[] };
  schema: Record<string, unknown>;
  message: string;
  fix?: string;
  rationale?: string;
  source: { file: string; line: number; column: number };
}

export interface RuleSetting {
  severity?: Severity | 'off';
  options?: Record<string, unknown>;
}

export interface ResolvedPolicy {
  name: string;
  files: string[];
  rules: Record<string, RuleSetting>;
  exemptions: PolicyExemption[];
  customRules: CustomRuleSpec[];
  settings: PolicySettings;
}

export const BUILTIN_PACKS = ['production', 'staging', 'quickstart'] as const;

/** The package's policies/ folder (works from src/ under vitest and from the bundled dist/). */
export function packsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = path.join(dir, 'policies');
    if (fs.existsSync(path.join(p, 'production.yaml'))) return p;
    dir = path.dirname(dir);
  }
  throw new Error('policies/ folder not found next to imply-lint');
}

/** The default settings before any pack. */
export function defaultSettings(): PolicySettings {
  return { secretNames: { ca: 'imply-ca', auth: 'imply-auth-token', license: 'imply-secrets' } };
}

/** An empty policy: every rule at its default (what the production pack amounts to). */
export function emptyPolicy(): ResolvedPolicy {
  return { name: 'default', files: [], rules: {}, exemptions: [], customRules: [], settings: defaultSettings() };
}

interface LoadCtx {
  knownRuleIds: ReadonlySet<string>;
  seen: Set<string>;
  files: string[];
}

function posOf(doc: YamlDoc, p: (string | number)[], key = false): { line: number; column: number } {
  for (let n = p.length; n >= 0; n--) {
    const pos = doc.positions.get(pathKey(p.slice(0, n)));
    if (pos) {
      const r = key && pos.key ? pos.key : pos.value;
      return { line: r.line, column: r.column };
    }
  }
  return { line: 1, column: 1 };
}

function resolveRef(ref: string, fromDir: string): { file: string; display: string } {
  if ((BUILTIN_PACKS as readonly string[]).includes(ref)) {
    const file = path.join(packsDir(), `${ref}.yaml`);
    return { file, display: `policies/${ref}.yaml` };
  }
  const file = path.resolve(fromDir, ref);
  return { file, display: path.relative(process.cwd(), file) || file };
}

function loadInto(acc: ResolvedPolicy, ref: string, fromDir: string, ctx: LoadCtx): void {
  const { file, display } = resolveRef(ref, fromDir);
  if (ctx.seen.has(file)) throw new PolicyError(`policy extends itself (cycle through ${display})`, display);
  ctx.seen.add(file);
  let text: string;
  try {
    text = readFileBounded(file, DEFAULT_LIMITS.maxBytes).toString('utf8');
  } catch (e) {
    if (e instanceof FileTooLargeError) throw new PolicyError(`invalid policy: ${e.message}`, display);
    const code = (e as NodeJS.ErrnoException).code;
    throw new PolicyError(code === 'ENOENT' ? `policy not found: ${ref} (packs: ${BUILTIN_PACKS.join(', ')})` : `cannot read policy: ${(e as Error).message}`, display);
  }
  let docs: YamlDoc[];
  try {
    docs = parseYamlStream(text);
  } catch (e) {
    // A YAML limit (alias bomb, nesting, size) carries where it was hit.
    if (e instanceof YamlLimitError) throw new PolicyError(`invalid policy: limit exceeded (${e.kind}): ${e.message}`, display, e.line, e.column);
    throw new PolicyError(`invalid policy: ${(e as Error).message}`, display);
  }
  const doc = docs.find((d) => d.value !== undefined);
  const err = docs.flatMap((d) => d.errors)[0];
  if (err) throw new PolicyError(`invalid policy YAML: ${err.message}`, display, err.range.line, err.range.column);
  if (!doc) return;
  const v = doc.value;
  const problem = validatePolicyDoc(v);
  if (problem) {
    const at = posOf(doc, problem.path, problem.atKey);
    throw new PolicyError(`invalid policy: ${problem.message}`, display, at.line, at.column);
  }
  const pol = v as {
    name?: string;
    extends?: string | string[];
    rules?: Record<string, Severity | 'off' | false | RuleSetting>;
    exemptions?: Omit<PolicyExemption, 'source'>[];
    customRules?: Omit<CustomRuleSpec, 'source'>[];
    settings?: Partial<PolicySettings> & { secretNames?: Partial<PolicySettings['secretNames']> };
  };
  const exts = pol.extends === undefined ? [] : Array.isArray(pol.extends) ? pol.extends : [pol.extends];
  for (const e of exts) loadInto(acc, e, path.dirname(file), ctx);
  ctx.files.push(display);
  if (pol.name) acc.name = pol.name;
  (pol.customRules ?? []).forEach((c, i) => {
    const at = posOf(doc, ['customRules', i]);
    if (ctx.knownRuleIds.has(c.id)) throw new PolicyError(`custom rule id "${c.id}" is a built-in rule id`, display, at.line, at.column);
    if (c.path !== undefined) {
      try {
        parsePath(c.path);
      } catch {
        const p = posOf(doc, ['customRules', i, 'path']);
        throw new PolicyError(`custom rule ${c.id}: invalid path "${c.path}"`, display, p.line, p.column);
      }
    }
    acc.customRules = acc.customRules.filter((x) => x.id !== c.id);
    acc.customRules.push({ ...c, source: { file: display, line: at.line, column: at.column } });
  });
  const known = (id: string) => ctx.knownRuleIds.has(id) || acc.customRules.some((c) => c.id === id);
  for (const [id, setting] of Object.entries(pol.rules ?? {})) {
    if (!known(id)) {
      const at = posOf(doc, ['rules', id], true);
      throw new PolicyError(`unknown rule id "${id}"${suggest(id, [...ctx.knownRuleIds])}`, display, at.line, at.column);
    }
    const prev = acc.rules[id] ?? {};
    // A bare `off` is false in YAML 1.1 (as Helm reads YAML): both mean off.
    const sev = (v: unknown): Severity | 'off' | undefined => (v === false ? 'off' : (v as Severity | 'off' | undefined));
    if (typeof setting !== 'object' || setting === null) acc.rules[id] = { ...prev, severity: sev(setting) };
    else acc.rules[id] = { severity: sev(setting.severity) ?? prev.severity, options: setting.options ? { ...(prev.options ?? {}), ...setting.options } : prev.options };
  }
  (pol.exemptions ?? []).forEach((e, i) => {
    if (e.rule && !known(e.rule)) {
      const at = posOf(doc, ['exemptions', i, 'rule']);
      throw new PolicyError(`unknown rule id "${e.rule}" in exemption${suggest(e.rule, [...ctx.knownRuleIds])}`, display, at.line, at.column);
    }
    const r = doc.positions.get(pathKey(['exemptions', i]))?.value;
    acc.exemptions.push({ ...e, source: r ? { file: display, range: r } : undefined });
  });
  if (pol.settings) {
    const { secretNames, ...rest } = pol.settings;
    acc.settings = { ...acc.settings, ...rest, secretNames: { ...acc.settings.secretNames, ...(secretNames ?? {}) } };
  }
}

/** Edit distance, for "did you mean". */
export function levenshtein(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (Math.abs(m - n) > 8) return Math.max(m, n);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[n];
}

/** ` (did you mean "x"?)` for the closest candidate within a small distance, else "". */
export function suggest(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestD <= limit ? ` (did you mean "${best}"?)` : '';
}

/**
 * Resolves the policy chain: a pack name or file (`--policy`), else `.imply-lint.yaml` found from `cwd`
 * upwards, else the production pack. A config file without `extends` extends production.
 */
export function resolvePolicy(ref: string | undefined, opts: { cwd: string; knownRuleIds: ReadonlySet<string>; noConfig?: boolean }): ResolvedPolicy {
  const acc = emptyPolicy();
  const ctx: LoadCtx = { knownRuleIds: opts.knownRuleIds, seen: new Set(), files: [] };
  let chosen = ref;
  if (!chosen && !opts.noConfig) chosen = findConfig(opts.cwd);
  if (!chosen) chosen = 'production';
  if (!(BUILTIN_PACKS as readonly string[]).includes(chosen)) {
    // A user file that extends nothing builds on the production pack.
    const { file } = resolveRef(chosen, opts.cwd);
    let extendsSomething = false;
    try {
      const v = parseYamlStream(readFileBounded(file, DEFAULT_LIMITS.maxBytes).toString('utf8')).find((d) => d.value !== undefined)?.value;
      extendsSomething = isMap(v) && v.extends !== undefined;
    } catch {
      /* loadInto reports the real problem */
    }
    if (!extendsSomething) loadInto(acc, 'production', opts.cwd, ctx);
  }
  loadInto(acc, chosen, opts.cwd, ctx);
  acc.files = ctx.files;
  return acc;
}

/** `.imply-lint.yaml` (or `.imply-lint.yml`) in cwd or a parent, stopping at a git root. */
export function findConfig(cwd: string): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    for (const name of ['.imply-lint.yaml', '.imply-lint.yml']) {
      const p = path.join(dir, name);
      if (fs.existsSync(p)) return p;
    }
    if (fs.existsSync(path.join(dir, '.git'))) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Applies `--rule` (only these), `--skip-rule` and `--quiet` on top of a resolved policy. */
export function applyRuleFlags(p: ResolvedPolicy, allIds: readonly string[], only: string[], skip: string[]): ResolvedPolicy {
  const rules = { ...p.rules };
  if (only.length > 0) for (const id of allIds) if (!only.includes(id)) rules[id] = { ...rules[id], severity: 'off' };
  for (const id of skip) rules[id] = { ...rules[id], severity: 'off' };
  return { ...p, rules };
}

export { formatPath };
