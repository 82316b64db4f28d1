// Rules stage: compiles a policy's declarative custom rules (JSON Schema conditions, Polaris-style) into
// Rule objects the engine runs like built-ins. Schemas are compiled with ajv once, when the policy loads,
// and their regular expressions are screened for catastrophic backtracking first.
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isTestHook } from '../model/manifests.js';
import { formatPath, isMap, parsePath } from '../model/path.js';
import type { Path } from '../model/path.js';
import type { K8sObject } from '../model/types.js';
import { PolicyError } from './policy.js';
import type { CustomRuleSpec, ResolvedPolicy } from './policy.js';
import { unsafeRegexReason } from './regex-safety.js';
import { defineRule } from './types.js';
import type { Rule, RuleContext } from './types.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Strings longer than this are not run through a custom rule's `pattern` (the ReDoS backstop). */
export const MAX_PATTERN_INPUT = 8192;

/** Keywords whose values are data, not schemas: a `pattern` key inside them is no regular expression. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);

/** Every regular expression a schema would run: `pattern` values and `patternProperties` keys. */
export function schemaPatterns(schema: unknown): string[] {
  const out: string[] = [];
  const rec = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(rec);
      return;
    }
    if (!isMap(node)) return;
    for (const [k, v] of Object.entries(node)) {
      if (DATA_KEYWORDS.has(k)) continue;
      if (k === 'pattern' && typeof v === 'string') out.push(v);
      else if (k === 'patternProperties' && isMap(v)) {
        out.push(...Object.keys(v));
        Object.values(v).forEach(rec);
      } else if (k === 'properties' && isMap(v)) {
        // Property names are data; their schemas are not.
        Object.values(v).forEach(rec);
      } else rec(v);
    }
  };
  rec(schema);
  return out;
}

/** ajv's regular-expression engine with the input length capped (`code` only matters for standalone code). */
const cappedRegExp = Object.assign(
  (pattern: string, flags: string): { test(s: string): boolean; toString(): string } => {
    const re = new RegExp(pattern, flags);
    return {
      test: (s: string) => s.length <= MAX_PATTERN_INPUT && re.test(s),
      toString: () => re.toString(),
    };
  },
  { code: 'cappedRegExp' },
);

function newAjv(): Ajv {
  // Unknown keywords are refused (a typo such as `minimun` would otherwise make a rule that never fires);
  // type, tuple and required strictness stay off so plain schemas like {properties: {...}} compile.
  const ajv = new Ajv({ allErrors: true, strictSchema: true, strictNumbers: true, strictTypes: false, strictTuples: false, strictRequired: false, code: { regExp: cappedRegExp } });
  addFormats(ajv);
  return ajv;
}

/** JSON pointer -> path, with array indexes as numbers (decided by the data, not the text). */
function pointerPath(pointer: string, data: unknown): (string | number)[] {
  if (!pointer) return [];
  const out: (string | number)[] = [];
  let cur = data;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = isMap(cur) ? cur[seg] : undefined;
    }
  }
  return out;
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function valueAt(data: unknown, path: Path): unknown {
  let cur = data;
  for (const s of path) cur = isMap(cur) || Array.isArray(cur) ? (cur as Record<string | number, unknown>)[s] : undefined;
  return cur;
}

/** Where an ajv error points: the instance path, or the property it names (missing, extra, bad name). */
function errorTarget(e: ErrorObject, data: unknown): { path: (string | number)[]; pointer: string; anchorPath: (string | number)[] } {
  const path = pointerPath(e.instancePath, data);
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required' && typeof params.missingProperty === 'string') {
    return { path, pointer: `${e.instancePath}/${escapePointer(params.missingProperty)}`, anchorPath: path };
  }
  const extra = e.keyword === 'additionalProperties' ? params.additionalProperty : e.keyword === 'propertyNames' ? params.propertyName : undefined;
  if (typeof extra === 'string') return { path, pointer: `${e.instancePath}/${escapePointer(extra)}`, anchorPath: [...path, extra] };
  return { path, pointer: e.instancePath, anchorPath: path };
}

function errorText(e: ErrorObject, data: unknown, where: string): string {
  const v = valueAt(data, pointerPath(e.instancePath, data));
  if (e.keyword === 'pattern' && typeof v === 'string' && v.length > MAX_PATTERN_INPUT) {
    return `${where} is longer than ${MAX_PATTERN_INPUT} characters, too long to check against the pattern safely`;
  }
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return `${where} has the unexpected key "${String(params.additionalProperty)}"`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

/**
 * `*` matches any run of characters. Matched without a regular expression: `*a*a*a...*b` as `.*a.*a...`
 * backtracks exponentially on a long name; this takes at most glob length x name length steps.
 */
export function globMatch(glob: string, s: string): boolean {
  if (!glob.includes('*')) return glob === s;
  let g = 0;
  let i = 0;
  let star = -1;
  let mark = 0;
  while (i < s.length) {
    if (g < glob.length && glob[g] === '*') {
      star = g++;
      mark = i;
    } else if (g < glob.length && glob[g] === s[i]) {
      g++;
      i++;
    } else if (star >= 0) {
      // Let the last `*` swallow one more character and retry from there.
      g = star + 1;
      i = ++mark;
    } else return false;
  }
  while (g < glob.length && glob[g] === '*') g++;
  return g === glob.length;
}

function matches(spec: CustomRuleSpec, o: K8sObject): boolean {
  const m = spec.match;
  if (!m) return true;
  if (m.kinds?.length && !m.kinds.includes(o.kind)) return false;
  if (m.apiVersions?.length && !m.apiVersions.includes(o.apiVersion)) return false;
  if (m.names?.length && !m.names.some((g) => globMatch(g, o.name))) return false;
  return true;
}

function compileOne(ajv: Ajv, spec: CustomRuleSpec): Rule {
  const { file, line, column } = spec.source;
  for (const p of schemaPatterns(spec.schema)) {
    const why = unsafeRegexReason(p);
    if (why) throw new PolicyError(`custom rule ${spec.id}: pattern ${JSON.stringify(p)} refused: ${why}`, file, line, column);
  }
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(spec.schema);
  } catch (e) {
    throw new PolicyError(`custom rule ${spec.id}: invalid schema: ${(e as Error).message}`, file, line, column);
  }
  const base: (string | number)[] = spec.path ? parsePath(spec.path) : [];
  const kinds = spec.match?.kinds?.join(', ');

  const reportErrors = (ctx: RuleContext, data: unknown, errors: ErrorObject[], at: (p: (string | number)[]) => Parameters<RuleContext['report']>[0]['at'], subjectOf: (pointer: string) => string, whereOf: (p: (string | number)[]) => string) => {
    for (const e of errors) {
      const t = errorTarget(e, data);
      ctx.report({ messageId: 'violation', data: { detail: errorText(e, data, whereOf(t.path)) }, subject: subjectOf(t.pointer), at: at(t.anchorPath) });
    }
  };

  return defineRule({
    meta: {
      id: spec.id,
      title: spec.title,
      severity: spec.severity,
      // Values conditions are configuration checks; manifest conditions are about the Kubernetes objects.
      category: spec.target === 'values' ? 'druid' : 'availability',
      inputs: [spec.target],
      rationale: spec.rationale ?? `Custom rule of the policy ${file}:${line}.`,
      fix: spec.fix ?? spec.message,
      subject:
        spec.target === 'values'
          ? `${spec.path ?? ''}<JSON pointer of the violation> (values)`
          : `<Kind><JSON pointer of the violation>${kinds ? ` (${kinds})` : ''}`,
      messages: { violation: `${spec.message} ({{detail}})` },
      tags: ['custom'],
    },
    check(model, ctx) {
      if (spec.target === 'values') {
        const v = model.values;
        if (!v) return;
        // An absent key is what the templates see as nil.
        const data = base.length ? (v.get(base) ?? null) : v.merged;
        if (validate(data)) return;
        reportErrors(
          ctx,
          data,
          validate.errors ?? [],
          (p) => ({ values: [...base, ...p] }),
          (pointer) => `${spec.path ?? ''}${pointer}` || '/',
          (p) => formatPath([...base, ...p]) || 'the values',
        );
        return;
      }
      for (const o of model.manifests?.objects ?? []) {
        if (isTestHook(o) || !matches(spec, o)) continue;
        if (validate(o.raw)) continue;
        reportErrors(
          ctx,
          o.raw,
          validate.errors ?? [],
          (p) => ({ object: o, path: p }),
          (pointer) => `${o.kind}${pointer}`,
          (p) => `${o.kind}${p.length ? ` ${formatPath(p)}` : ''}`,
        );
      }
    },
  });
}

/**
 * The policy's custom rules as Rule objects. Throws PolicyError (file:line of the rule) for a schema ajv
 * cannot compile or a regular expression that could backtrack catastrophically.
 */
export function compileCustomRules(policy: ResolvedPolicy): Rule[] {
  if (policy.customRules.length === 0) return [];
  const ajv = newAjv();
  return policy.customRules.map((spec) => compileOne(ajv, spec));
}
