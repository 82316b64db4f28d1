// Rules stage: small pure helpers shared by rule checks (Helm and Go-template semantics, versions).
import { isMap } from '../model/path.js';
import type { Path } from '../model/path.js';
import type { ValuesModel } from '../model/types.js';

/** Go-template truthiness (`{{ if .Values.x }}`): false, 0, "", nil, empty map/list are false. */
export function goTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/**
 * Helm chart dependency condition (`deployments.minio`): only a real boolean decides; anything else
 * (a string "false", a number, null) leaves the subchart ON (RULES.md).
 */
export function conditionEnabled(values: ValuesModel, path: Path): boolean {
  const v = values.get(path);
  return typeof v === 'boolean' ? v : true;
}

/** Values a string, or undefined for non-strings (numbers are rendered as strings by templates). */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A string list (runtime properties); non-string items are rendered as Go would print them. */
export function strList(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((x) => (x === null ? '' : typeof x === 'string' ? x : JSON.stringify(x)));
}

/** Parses `1.2.3`-like versions (ignoring suffixes); undefined if no leading number. */
export function parseVersion(v: string): number[] | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

/** Compares parsed versions: <0, 0, >0. */
export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Replaces `{{ .Release.Name }}` (any spacing) with the release name when known. */
export function resolveReleaseName(s: string, release: string | undefined): string {
  if (!release) return s;
  return s.replace(/\{\{-?\s*\.Release\.Name\s*-?\}\}/g, release);
}

/**
 * An integer as a template renders it: a number, or a numeric string (`"3"` renders as `3`, which the
 * API server reads as an int). Undefined for anything else (value-type reports those).
 */
export function intValue(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v.trim());
  return undefined;
}

/** The placeholder a fix writes for a value the user must supply (unresolved-placeholder flags it until filled). */
export const FILL_ME = '<fill-me>';
