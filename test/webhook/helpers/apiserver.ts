// Test helper: calls the webhook the way kube-apiserver does (k8s.io/apiserver admission/plugin/webhook). For
// an object and an operation it picks the webhook entries of a rendered ValidatingWebhookConfiguration whose
// rules, namespaceSelector, objectSelector and matchConditions match; POSTs an AdmissionReview v1 over TLS
// verified against the entry's caBundle with the Service DNS name as server name, with the entry's timeout;
// checks the answer as the API server does (HTTP 200, apiVersion/kind, response present, uid echoed, no patch
// from a validating webhook); and applies the failurePolicy when a call fails.
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import { isMap } from '../../../src/model/path.js';

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface RuleWithOperations {
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  operations?: string[];
  scope?: 'Cluster' | 'Namespaced' | '*';
}

export interface WebhookEntry {
  name: string;
  clientConfig: { service?: { name: string; namespace: string; path?: string; port?: number }; url?: string; caBundle?: string };
  rules?: RuleWithOperations[];
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  matchConditions?: { name: string; expression: string }[];
  timeoutSeconds?: number;
  failurePolicy?: 'Fail' | 'Ignore';
  admissionReviewVersions: string[];
  sideEffects: string;
}

/** Label selector semantics of k8s.io/apimachinery labels.Selector. */
export function selectorMatches(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const v = has ? labels[e.key] : undefined;
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(v!)) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(v!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unknown selector operator ${String(e.operator)}`);
    }
  }
  return true;
}

export interface RequestAttrs {
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  namespaced: boolean;
}

const star = (list: string[] | undefined, v: string) => (list ?? []).some((x) => x === '*' || x === v);

/** Rule matching as admission/plugin/webhook/predicates/rules does (exact matchPolicy; `*` wildcards). */
export function rulesMatch(rules: RuleWithOperations[] | undefined, a: RequestAttrs): boolean {
  return (rules ?? []).some((r) => {
    if (!star(r.operations, a.operation)) return false;
    if (!star(r.apiGroups, a.group) || !star(r.apiVersions, a.version)) return false;
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    if (!(r.resources ?? []).some((x) => x === '*' || x === res || (x === `*/${a.subresource}` && a.subresource) || (x === `${a.resource}/*` && a.subresource))) return false;
    const scope = r.scope ?? '*';
    return scope === '*' || (scope === 'Namespaced') === a.namespaced;
  });
}

/** The REST resource of the kinds Imply releases contain (what discovery would tell the API server). */
const RESOURCES: Record<string, { resource: string; namespaced: boolean }> = {
  Deployment: { resource: 'deployments', namespaced: true },
  StatefulSet: { resource: 'statefulsets', namespaced: true },
  DaemonSet: { resource: 'daemonsets', namespaced: true },
  Job: { resource: 'jobs', namespaced: true },
  CronJob: { resource: 'cronjobs', namespaced: true },
  Pod: { resource: 'pods', namespaced: true },
  Service: { resource: 'services', namespaced: true },
  Secret: { resource: 'secrets', namespaced: true },
  ConfigMap: { resource: 'configmaps', namespaced: true },
  ServiceAccount: { resource: 'serviceaccounts', namespaced: true },
  PersistentVolumeClaim: { resource: 'persistentvolumeclaims', namespaced: true },
  PodDisruptionBudget: { resource: 'poddisruptionbudgets', namespaced: true },
  Ingress: { resource: 'ingresses', namespaced: true },
  Namespace: { resource: 'namespaces', namespaced: false },
};

export function resourceOf(obj: Record<string, unknown>): { group: string; version: string; kind: string; resource: string; namespaced: boolean } {
  const apiVersion = String(obj.apiVersion ?? '');
  const kind = String(obj.kind ?? '');
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const r = RESOURCES[kind];
  if (!r) throw new Error(`harness: no resource known for kind ${kind}`);
  return { group, version, kind, ...r };
}

// ---- A small CEL evaluator: enough for the chart's matchConditions (member access, literals, lists, in,
// ==, !=, &&, ||, !, has()). An unknown field is an evaluation error, as in CEL.

export class CelError extends Error {}

type Tok = { t: 'id' | 'str' | 'num' | 'op'; v: string };

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') j++;
        s += src[j++];
      }
      if (src[j] !== c) throw new CelError('unterminated string');
      out.push({ t: 'str', v: s });
      i = j + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['==', '!=', '&&', '||'].includes(two)) {
      out.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if ('()[],.!'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (m) {
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
      continue;
    }
    const n = /^\d+/.exec(src.slice(i));
    if (n) {
      out.push({ t: 'num', v: n[0] });
      i += n[0].length;
      continue;
    }
    throw new CelError(`unexpected character ${c}`);
  }
  return out;
}

/** Evaluates a CEL boolean expression over `vars` (object, oldObject, request, ...). */
export function evalCel(src: string, vars: Record<string, unknown>): unknown {
  const toks = lex(src);
  let p = 0;
  const peek = () => toks[p];
  const eat = (v?: string): Tok => {
    const t = toks[p++];
    if (!t || (v !== undefined && t.v !== v)) throw new CelError(`expected ${v ?? 'token'} at ${p}`);
    return t;
  };
  const member = (base: unknown, key: string): unknown => {
    if (!isMap(base) || !Object.prototype.hasOwnProperty.call(base, key)) throw new CelError(`no such key: ${key}`);
    return base[key];
  };
  const primary = (): unknown => {
    const t = peek();
    if (!t) throw new CelError('unexpected end');
    if (t.v === '(' && t.t === 'op') {
      eat('(');
      const v = orExpr();
      eat(')');
      return v;
    }
    if (t.v === '[' && t.t === 'op') {
      eat('[');
      const items: unknown[] = [];
      while (peek()?.v !== ']') {
        items.push(orExpr());
        if (peek()?.v === ',') eat(',');
      }
      eat(']');
      return items;
    }
    if (t.t === 'str') {
      p++;
      return t.v;
    }
    if (t.t === 'num') {
      p++;
      return Number(t.v);
    }
    if (t.t === 'id') {
      p++;
      if (t.v === 'true') return true;
      if (t.v === 'false') return false;
      if (t.v === 'null') return null;
      if (t.v === 'has' && peek()?.v === '(') {
        eat('(');
        // has(a.b.c): true when the last field is present (the prefix must resolve).
        let base: unknown = member(vars, eat().v);
        const keys: string[] = [];
        while (peek()?.v === '.') {
          eat('.');
          keys.push(eat().v);
        }
        eat(')');
        for (const k of keys.slice(0, -1)) base = member(base, k);
        const last = keys[keys.length - 1];
        return isMap(base) && Object.prototype.hasOwnProperty.call(base, last);
      }
      let v = member(vars, t.v);
      while (peek()?.v === '.') {
        eat('.');
        v = member(v, eat().v);
      }
      return v;
    }
    throw new CelError(`unexpected ${t.v}`);
  };
  const unary = (): unknown => {
    if (peek()?.v === '!') {
      eat('!');
      const v = unary();
      if (typeof v !== 'boolean') throw new CelError('! needs a bool');
      return !v;
    }
    return primary();
  };
  const rel = (): unknown => {
    const l = unary();
    const t = peek();
    if (t?.t === 'id' && t.v === 'in') {
      p++;
      const r = unary();
      if (Array.isArray(r)) return r.includes(l);
      if (isMap(r) && typeof l === 'string') return Object.prototype.hasOwnProperty.call(r, l);
      throw new CelError('in needs a list or map');
    }
    if (t?.v === '==' || t?.v === '!=') {
      p++;
      const r = unary();
      return t.v === '==' ? l === r : l !== r;
    }
    return l;
  };
  const andExpr = (): unknown => {
    let l = rel();
    while (peek()?.v === '&&') {
      eat('&&');
      const r = rel();
      l = Boolean(l) && Boolean(r);
    }
    return l;
  };
  const orExpr = (): unknown => {
    let l = andExpr();
    while (peek()?.v === '||') {
      eat('||');
      const r = andExpr();
      l = Boolean(l) || Boolean(r);
    }
    return l;
  };
  const v = orExpr();
  if (p !== toks.length) throw new CelError(`trailing input at ${p}`);
  return v;
}

// ---- Calling the webhook.

export interface AdmitOptions {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  namespace: string;
  oldObject?: Record<string, unknown>;
  dryRun?: boolean;
}

export interface WebhookCall {
  webhook: string;
  /** The AdmissionReview sent. */
  request: Record<string, unknown>;
  status?: number;
  /** The parsed AdmissionReview answered. */
  body?: { apiVersion?: string; kind?: string; response?: { uid?: string; allowed?: boolean; status?: { code?: number; message?: string }; warnings?: string[]; auditAnnotations?: Record<string, string>; patch?: string } };
  /** Why the API server would treat this call as failed (then failurePolicy decides). */
  error?: string;
}

export interface AdmitResult {
  /** Entries the API server would call (after all selectors). */
  called: string[];
  calls: WebhookCall[];
  allowed: boolean;
  warnings: string[];
  /** Deny messages (webhook denials, or failures under failurePolicy Fail). */
  denials: string[];
}

/** Where the Service of a webhook entry is reachable in the test (the API server would resolve the Service). */
export interface Endpoint {
  host: '127.0.0.1';
  port: number;
}

/** The API server's check of a v1 AdmissionReview answer (VerifyAdmissionResponse for validating webhooks). */
export function verifyResponse(uid: string, status: number | undefined, body: WebhookCall['body']): string | undefined {
  if (status !== 200) return `webhook returned HTTP ${status}`;
  if (!body || typeof body !== 'object') return 'response is not a JSON object';
  if (body.apiVersion !== 'admission.k8s.io/v1') return `expected response apiVersion admission.k8s.io/v1, got ${JSON.stringify(body.apiVersion)}`;
  if (body.kind !== 'AdmissionReview') return `expected response kind AdmissionReview, got ${JSON.stringify(body.kind)}`;
  if (!body.response) return 'webhook response was absent';
  if (body.response.uid !== uid) return `expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(body.response.uid)}`;
  if (typeof body.response.allowed !== 'boolean') return 'response.allowed is not a boolean';
  if (body.response.patch !== undefined) return 'validating webhook may not return a patch';
  return undefined;
}

function post(ep: Endpoint, w: WebhookEntry, payload: string): Promise<{ status?: number; text?: string; error?: string }> {
  const svc = w.clientConfig.service!;
  const ca = Buffer.from(w.clientConfig.caBundle ?? '', 'base64');
  const timeoutMs = (w.timeoutSeconds ?? 10) * 1000;
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: ep.host,
        port: ep.port,
        servername: `${svc.name}.${svc.namespace}.svc`,
        ca,
        minVersion: 'TLSv1.2',
        method: 'POST',
        path: `${svc.path ?? '/'}?timeout=${w.timeoutSeconds ?? 10}s`,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, */*', 'Content-Length': Buffer.byteLength(payload) },
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => resolve({ error: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ error: e.message }));
    req.end(payload);
  });
}

/** The AdmissionReview v1 request the API server sends for this object. */
export function admissionReview(obj: Record<string, unknown>, o: AdmitOptions): Record<string, unknown> {
  const r = resourceOf(obj);
  const meta = isMap(obj.metadata) ? obj.metadata : {};
  const object = o.operation === 'DELETE' ? null : { ...obj, metadata: { ...meta, namespace: o.namespace } };
  const opts = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions' }[o.operation];
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: randomUUID(),
      kind: { group: r.group, version: r.version, kind: r.kind },
      resource: { group: r.group, version: r.version, resource: r.resource },
      requestKind: { group: r.group, version: r.version, kind: r.kind },
      requestResource: { group: r.group, version: r.version, resource: r.resource },
      name: typeof meta.name === 'string' ? meta.name : undefined,
      namespace: o.namespace,
      operation: o.operation,
      userInfo: { username: 'system:serviceaccount:imply:helm', uid: 'b6a1d7c4-0000-4000-8000-000000000001', groups: ['system:serviceaccounts', 'system:authenticated'] },
      object,
      oldObject: o.oldObject ? { ...o.oldObject, metadata: { ...(isMap(o.oldObject.metadata) ? o.oldObject.metadata : {}), namespace: o.namespace } } : null,
      dryRun: Boolean(o.dryRun),
      options: { apiVersion: 'meta.k8s.io/v1', kind: opts },
    },
  };
}

/** A stand-in for kube-apiserver's validating admission for one ValidatingWebhookConfiguration. */
export class ApiServerSim {
  readonly webhooks: WebhookEntry[];

  constructor(
    vwc: Record<string, unknown>,
    private readonly endpoint: Endpoint,
    private readonly namespaceLabels: (ns: string) => Record<string, string> = (ns) => ({ 'kubernetes.io/metadata.name': ns }),
  ) {
    if (vwc.apiVersion !== 'admissionregistration.k8s.io/v1' || vwc.kind !== 'ValidatingWebhookConfiguration') throw new Error('not a ValidatingWebhookConfiguration v1');
    this.webhooks = (vwc.webhooks as WebhookEntry[]) ?? [];
  }

  /** The entries that would be called for this request, in order, and the matchCondition errors. */
  select(obj: Record<string, unknown>, o: AdmitOptions): { entry: WebhookEntry; conditionError?: string }[] {
    const r = resourceOf(obj);
    const attrs: RequestAttrs = { group: r.group, version: r.version, resource: r.resource, operation: o.operation, namespaced: r.namespaced };
    const labelsOf = (x: Record<string, unknown> | undefined) => {
      const m = x && isMap(x.metadata) && isMap(x.metadata.labels) ? (x.metadata.labels as Record<string, string>) : {};
      return m;
    };
    const out: { entry: WebhookEntry; conditionError?: string }[] = [];
    for (const w of this.webhooks) {
      if (!w.admissionReviewVersions.includes('v1')) continue;
      if (!rulesMatch(w.rules, attrs)) continue;
      if (r.namespaced && !selectorMatches(w.namespaceSelector, this.namespaceLabels(o.namespace))) continue;
      // The object selector matches if the new or the old object matches (DELETE: the old one).
      const objs = [o.operation === 'DELETE' ? undefined : obj, o.oldObject].filter((x): x is Record<string, unknown> => Boolean(x));
      if (!objs.some((x) => selectorMatches(w.objectSelector, labelsOf(x)))) continue;
      let conditionError: string | undefined;
      let skip = false;
      for (const c of w.matchConditions ?? []) {
        try {
          const v = evalCel(c.expression, { object: o.operation === 'DELETE' ? null : obj, oldObject: o.oldObject ?? null, request: {} });
          if (v === false) skip = true;
          else if (v !== true) conditionError = `matchCondition ${c.name} is not a bool`;
        } catch (e) {
          conditionError = `matchCondition ${c.name}: ${(e as Error).message}`;
        }
      }
      if (skip) continue;
      out.push({ entry: w, conditionError });
    }
    return out;
  }

  /** Admits one object: calls every matching webhook and folds the answers as the API server does. */
  async admit(obj: Record<string, unknown>, o: AdmitOptions): Promise<AdmitResult> {
    const selected = this.select(obj, o);
    const res: AdmitResult = { called: selected.map((s) => s.entry.name), calls: [], allowed: true, warnings: [], denials: [] };
    const fail = (w: WebhookEntry, why: string) => {
      if ((w.failurePolicy ?? 'Fail') === 'Fail') {
        res.allowed = false;
        res.denials.push(`failed calling webhook "${w.name}": ${why}`);
      }
    };
    // Validating webhooks run in parallel.
    await Promise.all(
      selected.map(async ({ entry, conditionError }) => {
        if (conditionError) {
          fail(entry, conditionError);
          return;
        }
        const review = admissionReview(obj, o);
        const uid = (review.request as { uid: string }).uid;
        const call: WebhookCall = { webhook: entry.name, request: review };
        res.calls.push(call);
        const r = await post(this.endpoint, entry, JSON.stringify(review));
        call.status = r.status;
        if (r.error) {
          call.error = r.error;
          fail(entry, r.error);
          return;
        }
        try {
          call.body = JSON.parse(r.text ?? '') as WebhookCall['body'];
        } catch {
          call.error = `response is not JSON: ${(r.text ?? '').slice(0, 200)}`;
          fail(entry, call.error);
          return;
        }
        const bad = verifyResponse(uid, r.status, call.body);
        if (bad) {
          call.error = bad;
          fail(entry, bad);
          return;
        }
        const resp = call.body!.response!;
        res.warnings.push(...(resp.warnings ?? []));
        if (!resp.allowed) {
          res.allowed = false;
          res.denials.push(`admission webhook "${entry.name}" denied the request: ${resp.status?.message ?? ''}`);
        }
      }),
    );
    return res;
  }
}
