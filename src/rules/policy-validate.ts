// Rules stage: validates a policy document against policies/schema.json and names the first problem by
// path, so the caller can point at its line. The validator is precompiled at build time
// (scripts/gen-policy-validator.mjs writes policy-validator.gen.js with ajv's standalone code), so loading a
// policy never loads or runs the ajv compiler: that compile was ~150 ms of every lint run.
import type { ErrorObject } from 'ajv';
import { validate } from './policy-validator.gen.js';

function pointerToPath(ptr: string): (string | number)[] {
  if (!ptr) return [];
  return ptr
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describe(e: ErrorObject): { message: string; path: (string | number)[]; atKey: boolean } {
  const path = pointerToPath(e.instancePath);
  const where = path.length ? path.join('.') : 'top level';
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return { message: `unknown key "${extra}" at ${where}`, path: [...path, extra], atKey: true };
  }
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { message: `${where} is missing required "${missing}"`, path, atKey: false };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
    return { message: `${where} must be one of ${allowed}`, path, atKey: false };
  }
  return { message: `${where} ${e.message ?? 'is invalid'}`, path, atKey: false };
}

/** The first schema violation of a policy document, or undefined when valid. */
export function validatePolicyDoc(doc: unknown): { message: string; path: (string | number)[]; atKey: boolean } | undefined {
  if (validate(doc)) return undefined;
  const errors = validate.errors ?? [];
  // oneOf failures are reported after the branch errors; the most specific error is the deepest.
  const sorted = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length);
  const best = sorted.find((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf') ?? sorted[0];
  return best ? describe(best) : { message: 'invalid policy', path: [], atKey: false };
}
