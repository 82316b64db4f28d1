// Test helper: validates Kubernetes objects against the OpenAPI-derived models of @kubernetes/client-node
// (generated from the Kubernetes v1.34 OpenAPI spec): every field must exist in the model (strict field
// validation, as `kubectl apply --validate=strict` asks of the API server), have the model's type, and the
// fields the spec marks required (non-optional in the generated .d.ts) must be present. On top, the API
// server's own validation of names, labels and ValidatingWebhookConfiguration fields that no schema carries.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';

type Attr = { name: string; baseName: string; type: string; format: string };
type ModelClass = { getAttributeTypeMap(): Attr[] };

const req = createRequire(import.meta.url);
const MODELS_DIR = path.join(path.dirname(req.resolve('@kubernetes/client-node')), 'gen/models');

/** The model class for `apiVersion` + `kind`, e.g. apps/v1 Deployment -> V1Deployment. */
const KINDS: Record<string, string> = {
  'v1/Service': 'V1Service',
  'v1/ServiceAccount': 'V1ServiceAccount',
  'v1/ConfigMap': 'V1ConfigMap',
  'v1/Secret': 'V1Secret',
  'apps/v1/Deployment': 'V1Deployment',
  'policy/v1/PodDisruptionBudget': 'V1PodDisruptionBudget',
  'rbac.authorization.k8s.io/v1/Role': 'V1Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'V1RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'V1ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'V1ClusterRoleBinding',
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': 'V1ValidatingWebhookConfiguration',
  'coordination.k8s.io/v1/Lease': 'V1Lease',
};

const requiredCache = new Map<string, Set<string>>();

/** Fields the OpenAPI spec requires: in the generated .d.ts they are declared without `?`. */
function requiredOf(type: string): Set<string> {
  let s = requiredCache.get(type);
  if (s) return s;
  s = new Set();
  const file = path.join(MODELS_DIR, `${type}.d.ts`);
  const text = fs.readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^\s{4}'([A-Za-z0-9_$-]+)'(\??):/gm)) if (m[2] !== '?') s.add(m[1]);
  requiredCache.set(type, s);
  return s;
}

function model(type: string): ModelClass | undefined {
  const c = (k8s as unknown as Record<string, unknown>)[type];
  return c && typeof (c as ModelClass).getAttributeTypeMap === 'function' ? (c as ModelClass) : undefined;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkValue(v: unknown, type: string, format: string, at: string, errors: string[]): void {
  if (v === null || v === undefined) return;
  if (type === 'any' || type === 'object') return;
  if (type === 'string') {
    if (typeof v !== 'string') errors.push(`${at}: expected string, got ${JSON.stringify(v)}`);
    else if (format === 'byte' && !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) errors.push(`${at}: expected base64`);
    return;
  }
  if (type === 'number') {
    if (typeof v !== 'number') errors.push(`${at}: expected number, got ${JSON.stringify(v)}`);
    else if ((format === 'int32' || format === 'int64') && !Number.isInteger(v)) errors.push(`${at}: expected integer`);
    return;
  }
  if (type === 'boolean') {
    if (typeof v !== 'boolean') errors.push(`${at}: expected boolean, got ${JSON.stringify(v)}`);
    return;
  }
  if (type === 'IntOrString') {
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v))) errors.push(`${at}: expected int or string`);
    return;
  }
  if (type === 'Date' || type === 'V1MicroTime') {
    if (typeof v !== 'string' || !Number.isFinite(Date.parse(v))) errors.push(`${at}: expected RFC 3339 time`);
    return;
  }
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) {
    if (!Array.isArray(v)) errors.push(`${at}: expected array`);
    else v.forEach((x, i) => checkValue(x, arr[1], format, `${at}[${i}]`, errors));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (!isMap(v)) errors.push(`${at}: expected map`);
    else for (const [k, x] of Object.entries(v)) checkValue(x, map[1], format, `${at}.${k}`, errors);
    return;
  }
  validateModel(v, type, at, errors);
}

function validateModel(v: unknown, type: string, at: string, errors: string[]): void {
  const m = model(type);
  if (!m) {
    errors.push(`${at}: no model ${type}`);
    return;
  }
  if (!isMap(v)) {
    errors.push(`${at}: expected object (${type})`);
    return;
  }
  const attrs = m.getAttributeTypeMap();
  const byBase = new Map(attrs.map((a) => [a.baseName, a]));
  for (const [k, x] of Object.entries(v)) {
    const a = byBase.get(k);
    if (!a) {
      errors.push(`${at}.${k}: unknown field (${type})`);
      continue;
    }
    checkValue(x, a.type, a.format, `${at}.${k}`, errors);
  }
  for (const r of requiredOf(type)) {
    const a = attrs.find((x) => x.name === r);
    if (a && v[a.baseName] === undefined) errors.push(`${at}.${a.baseName}: required (${type})`);
  }
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkLabelKey(k: string, at: string, errors: string[]): void {
  const [prefix, name] = k.includes('/') ? k.split('/', 2) : [undefined, k];
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) errors.push(`${at}: label key prefix "${prefix}" is not a DNS subdomain`);
  if (name.length > 63 || !LABEL_NAME.test(name)) errors.push(`${at}: label key "${k}" is invalid`);
}

function checkSelector(sel: unknown, at: string, errors: string[]): void {
  if (!isMap(sel)) return;
  for (const e of (sel.matchExpressions as Record<string, unknown>[] | undefined) ?? []) {
    const op = e.operator;
    const values = (e.values as unknown[] | undefined) ?? [];
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(String(op))) errors.push(`${at}: operator ${String(op)} invalid`);
    if ((op === 'In' || op === 'NotIn') && values.length === 0) errors.push(`${at}: ${String(op)} needs values`);
    if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) errors.push(`${at}: ${String(op)} takes no values`);
    checkLabelKey(String(e.key), `${at}.key`, errors);
  }
}

/** The API server's validation of a ValidatingWebhookConfiguration beyond the schema (ValidateValidatingWebhookConfiguration). */
function validateWebhookConfig(o: Record<string, unknown>, errors: string[]): void {
  const hooks = (o.webhooks as Record<string, unknown>[] | undefined) ?? [];
  const names = new Set<string>();
  hooks.forEach((w, i) => {
    const at = `webhooks[${i}]`;
    const name = String(w.name);
    if (names.has(name)) errors.push(`${at}.name: duplicate ${name}`);
    names.add(name);
    if (!DNS1123_SUBDOMAIN.test(name) || name.split('.').length < 3) errors.push(`${at}.name: must be a fully qualified domain name with at least three segments`);
    const versions = (w.admissionReviewVersions as string[] | undefined) ?? [];
    if (!versions.includes('v1') && !versions.includes('v1beta1')) errors.push(`${at}.admissionReviewVersions: must include v1 or v1beta1`);
    if (!['None', 'NoneOnDryRun'].includes(String(w.sideEffects))) errors.push(`${at}.sideEffects: must be None or NoneOnDryRun in v1`);
    if (w.failurePolicy !== undefined && !['Fail', 'Ignore'].includes(String(w.failurePolicy))) errors.push(`${at}.failurePolicy invalid`);
    if (w.matchPolicy !== undefined && !['Exact', 'Equivalent'].includes(String(w.matchPolicy))) errors.push(`${at}.matchPolicy invalid`);
    const t = w.timeoutSeconds as number | undefined;
    if (t !== undefined && (t < 1 || t > 30)) errors.push(`${at}.timeoutSeconds: must be between 1 and 30`);
    const cc = (w.clientConfig ?? {}) as Record<string, unknown>;
    if ((cc.url === undefined) === (cc.service === undefined)) errors.push(`${at}.clientConfig: exactly one of url or service`);
    const svc = cc.service as Record<string, unknown> | undefined;
    if (svc) {
      if (!DNS1123_LABEL.test(String(svc.name))) errors.push(`${at}.clientConfig.service.name invalid`);
      if (svc.path !== undefined && !String(svc.path).startsWith('/')) errors.push(`${at}.clientConfig.service.path must start with /`);
      const port = svc.port as number | undefined;
      if (port !== undefined && (port < 1 || port > 65535)) errors.push(`${at}.clientConfig.service.port invalid`);
    }
    if (typeof cc.caBundle === 'string' && cc.caBundle.length > 0 && !/^[A-Za-z0-9+/]*={0,2}$/.test(cc.caBundle)) errors.push(`${at}.clientConfig.caBundle: not base64`);
    for (const [k, sel] of [['namespaceSelector', w.namespaceSelector], ['objectSelector', w.objectSelector]] as const) checkSelector(sel, `${at}.${k}`, errors);
    const conds = (w.matchConditions as Record<string, unknown>[] | undefined) ?? [];
    if (conds.length > 64) errors.push(`${at}.matchConditions: at most 64`);
    const condNames = new Set<string>();
    conds.forEach((c, j) => {
      if (condNames.has(String(c.name))) errors.push(`${at}.matchConditions[${j}].name duplicate`);
      condNames.add(String(c.name));
      if (!LABEL_NAME.test(String(c.name))) errors.push(`${at}.matchConditions[${j}].name invalid`);
      if (!String(c.expression ?? '').trim()) errors.push(`${at}.matchConditions[${j}].expression empty`);
    });
    for (const [j, r] of (((w.rules as Record<string, unknown>[] | undefined) ?? []) as Record<string, string[]>[]).entries()) {
      for (const op of r.operations ?? []) if (!['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*'].includes(op)) errors.push(`${at}.rules[${j}].operations: ${op} invalid`);
      if (r.scope !== undefined && !['Cluster', 'Namespaced', '*'].includes(r.scope as unknown as string)) errors.push(`${at}.rules[${j}].scope invalid`);
    }
  });
}

/** Problems of one object, empty when it is valid. */
export function validateK8sObject(o: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const key = `${String(o.apiVersion)}/${String(o.kind)}`;
  const type = KINDS[key];
  if (!type) return [`no schema for ${key}`];
  validateModel(o, type, `${String(o.kind)}`, errors);
  const meta = (o.metadata ?? {}) as Record<string, unknown>;
  const name = String(meta.name ?? '');
  if (!name || name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) errors.push(`metadata.name "${name}" is not a DNS subdomain`);
  if ((o.kind === 'Service' || o.kind === 'Deployment') && (name.length > 63 || !DNS1123_LABEL.test(name))) errors.push(`metadata.name "${name}" must be a DNS label`);
  for (const [k, v] of Object.entries((meta.labels ?? {}) as Record<string, unknown>)) {
    checkLabelKey(k, `metadata.labels`, errors);
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) errors.push(`metadata.labels.${k}: invalid value ${JSON.stringify(v)}`);
  }
  if (o.kind === 'ValidatingWebhookConfiguration') validateWebhookConfig(o, errors);
  if (o.kind === 'Deployment') {
    const spec = o.spec as Record<string, unknown>;
    const sel = ((spec.selector as Record<string, unknown>)?.matchLabels ?? {}) as Record<string, string>;
    const tl = (((spec.template as Record<string, unknown>).metadata as Record<string, unknown>)?.labels ?? {}) as Record<string, string>;
    for (const [k, v] of Object.entries(sel)) if (tl[k] !== v) errors.push(`spec.template.metadata.labels: selector ${k}=${v} does not match the template`);
  }
  return errors;
}
