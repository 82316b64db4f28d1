// Test helper: a loopback HTTPS stand-in for the Kubernetes API, for the calls self-managed mode makes (Secrets,
// Leases, ValidatingWebhookConfigurations). It behaves as the API documents: bearer-token auth, 404/409/422
// Status objects, resourceVersion optimistic concurrency on PUT, RFC 6902 JSON Patch with `test`, MicroTime
// (six fractional digits) on Lease times; and it refuses anything else (wrong method, path, Content-Type or
// body shape), recording every request so tests can assert them exactly.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';

export interface Recorded {
  method: string;
  path: string;
  query?: string;
  contentType?: string;
  accept?: string;
  authorization?: string;
  body?: Record<string, any>;
  status: number;
}

type Obj = Record<string, any>;

type LoopbackPki = { caPem: string; certPem: string; keyPem: string };
let sharedPki: LoopbackPki | undefined;

/** A CA and a server certificate for IP 127.0.0.1 (what a kubeconfig's certificate-authority-data holds). */
export function loopbackPki(): LoopbackPki {
  sharedPki ??= makeLoopbackPki();
  return sharedPki;
}

function makeLoopbackPki(): LoopbackPki {
  const caKeys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = '01';
  ca.validity.notBefore = new Date(Date.now() - 3600_000);
  ca.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  ca.setSubject([{ name: 'commonName', value: 'fake-kube-ca' }]);
  ca.setIssuer([{ name: 'commonName', value: 'fake-kube-ca' }]);
  ca.setExtensions([{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, critical: true }]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const c = forge.pki.createCertificate();
  c.publicKey = keys.publicKey;
  c.serialNumber = '02';
  c.validity.notBefore = new Date(Date.now() - 3600_000);
  c.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  c.setSubject([{ name: 'commonName', value: 'kube-apiserver' }]);
  c.setIssuer(ca.subject.attributes);
  c.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
  ]);
  c.sign(caKeys.privateKey, forge.md.sha256.create());
  return { caPem: forge.pki.certificateToPem(ca), certPem: forge.pki.certificateToPem(c), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

const MICROTIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function status(code: number, reason: string, message: string, details?: Obj): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** RFC 6902 on a JSON document (the operations the API server accepts). */
function applyJsonPatch(doc: Obj, ops: Obj[]): { ok: true; doc: Obj } | { ok: false; code: number; message: string } {
  const out = JSON.parse(JSON.stringify(doc)) as Obj;
  for (const op of ops) {
    const parts = String(op.path).split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let parent: any = out;
    for (const p of parts.slice(0, -1)) {
      parent = Array.isArray(parent) ? parent[Number(p)] : parent?.[p];
      if (parent === undefined) return { ok: false, code: 422, message: `doc is missing path: ${op.path}` };
    }
    const last = parts[parts.length - 1];
    if (op.op === 'test') {
      const cur = Array.isArray(parent) ? parent[Number(last)] : parent[last];
      if (JSON.stringify(cur) !== JSON.stringify(op.value)) return { ok: false, code: 422, message: `the server rejected our request due to an error in our request: testing value ${op.path} failed` };
    } else if (op.op === 'add' || op.op === 'replace') {
      if (op.op === 'replace' && !(last in parent)) return { ok: false, code: 422, message: `replace operation does not apply: doc is missing key: ${op.path}` };
      if (Array.isArray(parent)) parent.splice(Number(last), op.op === 'replace' ? 1 : 0, op.value);
      else parent[last] = op.value;
    } else if (op.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else return { ok: false, code: 400, message: `unknown op ${String(op.op)}` };
  }
  return { ok: true, doc: out };
}

/**
 * The plumbing every loopback stand-in of the API server shares: TLS for 127.0.0.1, a bearer token, the recorded
 * requests, a kubeconfig pointing at it. Subclasses answer the calls (`handle`).
 */
export abstract class LoopbackApi {
  readonly token = `fake-token-${randomUUID()}`;
  readonly requests: Recorded[] = [];
  /** Problems found in requests (wrong Content-Type, body shape...): tests assert this stays empty. */
  readonly violations: string[] = [];
  /** Runs before a request is handled (tests interleave other writers or replicas, or hang the server). */
  beforeHandle?: (method: string, path: string) => Promise<void> | void;
  port = 0;
  protected readonly pki = loopbackPki();
  private server?: https.Server;

  get caPem(): string {
    return this.pki.caPem;
  }

  async start(port = 0): Promise<void> {
    this.server = https.createServer({ cert: this.pki.certPem, key: this.pki.keyPem, minVersion: 'TLSv1.2' }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.handle(req, Buffer.concat(chunks).toString('utf8')).then(({ code, body }) => {
          res.writeHead(code, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(body));
        });
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** A kubeconfig file for this server, or for `port` (one that is not listening, say), in `dir` or a temp dir. */
  kubeconfig(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-kube-')), port = this.port): string {
    const file = path.join(dir, 'kubeconfig.yaml');
    const ca = Buffer.from(this.pki.caPem).toString('base64');
    fs.writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '  - name: fake',
        '    cluster:',
        `      server: https://127.0.0.1:${port}`,
        `      certificate-authority-data: ${ca}`,
        'users:',
        '  - name: webhook',
        '    user:',
        `      token: ${this.token}`,
        'contexts:',
        '  - name: fake',
        '    context: { cluster: fake, user: webhook }',
        'current-context: fake',
        '',
      ].join('\n'),
    );
    return file;
  }

  protected abstract handle(req: import('node:http').IncomingMessage, raw: string): Promise<{ code: number; body: Obj }>;
}

export class FakeKube extends LoopbackApi {
  readonly secrets = new Map<string, Obj>();
  readonly leases = new Map<string, Obj>();
  readonly webhookConfigs = new Map<string, Obj>();
  private rv = 100;

  private nextRv(): string {
    return String(++this.rv);
  }

  /** Stores an object as the API server would after creating it. */
  seed(kind: 'webhookConfig', obj: Obj): void {
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: this.nextRv(), uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } };
    if (kind === 'webhookConfig') this.webhookConfigs.set(obj.metadata.name, stored);
  }

  private violate(msg: string): void {
    this.violations.push(msg);
  }

  protected async handle(req: import('node:http').IncomingMessage, raw: string): Promise<{ code: number; body: Obj }> {
    const [p, query = ''] = (req.url ?? '').split('?');
    const method = req.method ?? '';
    await this.beforeHandle?.(method, p);
    const rec: Recorded = { method, path: p, query, contentType: req.headers['content-type'], accept: req.headers.accept, authorization: req.headers.authorization, status: 0 };
    this.requests.push(rec);
    const reply = (code: number, body: Obj) => {
      rec.status = code;
      return { code, body };
    };
    if (req.headers.authorization !== `Bearer ${this.token}`) return reply(401, status(401, 'Unauthorized', 'Unauthorized'));
    let body: any;
    if (raw.length) {
      try {
        body = JSON.parse(raw);
        rec.body = body;
      } catch {
        this.violate(`${method} ${p}: body is not JSON`);
        return reply(400, status(400, 'BadRequest', 'body is not JSON'));
      }
    }
    const needsJson = method === 'POST' || method === 'PUT';
    if (needsJson && req.headers['content-type'] !== 'application/json') this.violate(`${method} ${p}: Content-Type ${req.headers['content-type']} (want application/json)`);
    if (method === 'PATCH' && req.headers['content-type'] !== 'application/json-patch+json') this.violate(`PATCH ${p}: Content-Type ${req.headers['content-type']} (want application/json-patch+json)`);
    if (method === 'GET' && raw.length) this.violate(`GET ${p} with a body`);

    let m: RegExpExecArray | null;
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/.exec(p))) return reply(...this.namespaced(this.secrets, 'v1', 'Secret', 'secrets', m[1], m[2], method, body));
    if ((m = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/]+))?$/.exec(p))) {
      if (body && (method === 'POST' || method === 'PUT')) {
        for (const f of ['acquireTime', 'renewTime']) {
          const v = body.spec?.[f];
          if (v !== undefined && (typeof v !== 'string' || !MICROTIME.test(v))) {
            return reply(400, status(400, 'BadRequest', `Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05.000000Z07:00"`));
          }
        }
      }
      return reply(...this.namespaced(this.leases, 'coordination.k8s.io/v1', 'Lease', 'leases', m[1], m[2], method, body));
    }
    if ((m = /^\/apis\/admissionregistration\.k8s\.io\/v1\/validatingwebhookconfigurations\/([^/]+)$/.exec(p))) {
      const cur = this.webhookConfigs.get(m[1]);
      if (!cur) return reply(404, status(404, 'NotFound', `validatingwebhookconfigurations.admissionregistration.k8s.io "${m[1]}" not found`, { name: m[1], group: 'admissionregistration.k8s.io', kind: 'validatingwebhookconfigurations' }));
      if (method === 'GET') return reply(200, cur);
      if (method === 'PATCH') {
        if (!Array.isArray(body)) {
          this.violate('PATCH body is not a JSON Patch array');
          return reply(400, status(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'));
        }
        const r = applyJsonPatch(cur, body);
        if (!r.ok) return reply(r.code, status(r.code, r.code === 422 ? 'Invalid' : 'BadRequest', r.message));
        for (const w of r.doc.webhooks ?? []) {
          const b = w.clientConfig?.caBundle;
          if (b !== undefined && (typeof b !== 'string' || !BASE64.test(b))) return reply(422, status(422, 'Invalid', 'caBundle: not base64'));
        }
        r.doc.metadata.resourceVersion = this.nextRv();
        this.webhookConfigs.set(m[1], r.doc);
        return reply(200, r.doc);
      }
    }
    this.violate(`unexpected ${method} ${p}`);
    return reply(404, status(404, 'NotFound', 'the server could not find the requested resource'));
  }

  private namespaced(store: Map<string, Obj>, apiVersion: string, kind: string, resource: string, ns: string, name: string | undefined, method: string, body: any): [number, Obj] {
    const key = (n: string) => `${ns}/${n}`;
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    const notFound = (n: string): [number, Obj] => [404, status(404, 'NotFound', `${resource}${group ? `.${group}` : ''} "${n}" not found`, { name: n, ...(group ? { group } : {}), kind: resource })];
    if (method === 'GET' && name) {
      const o = store.get(key(name));
      return o ? [200, o] : notFound(name);
    }
    if (method === 'POST' && !name) {
      if (body?.apiVersion !== apiVersion || body?.kind !== kind) this.violate(`POST ${resource}: apiVersion/kind ${body?.apiVersion}/${body?.kind}`);
      const n = body?.metadata?.name;
      if (typeof n !== 'string') return [422, status(422, 'Invalid', 'metadata.name: Required value')];
      if (body.metadata.namespace !== undefined && body.metadata.namespace !== ns) return [400, status(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request')];
      if (body.metadata.resourceVersion !== undefined) return [500, status(500, 'InternalError', 'resourceVersion should not be set on objects to be created')];
      if (kind === 'Secret') for (const [k, v] of Object.entries(body.data ?? {})) if (typeof v !== 'string' || !BASE64.test(v)) return [422, status(422, 'Invalid', `data[${k}]: not base64`)];
      if (store.has(key(n))) return [409, status(409, 'AlreadyExists', `${resource} "${n}" already exists`, { name: n, kind: resource })];
      const o = { ...body, metadata: { ...body.metadata, namespace: ns, resourceVersion: this.nextRv(), uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } };
      store.set(key(n), o);
      return [201, o];
    }
    if (method === 'PUT' && name) {
      const cur = store.get(key(name));
      if (!cur) return notFound(name);
      if (body?.apiVersion !== apiVersion || body?.kind !== kind) this.violate(`PUT ${resource}: apiVersion/kind ${body?.apiVersion}/${body?.kind}`);
      if (body?.metadata?.name !== name) return [400, status(400, 'BadRequest', 'the name of the object does not match the name on the URL')];
      const rv = body?.metadata?.resourceVersion;
      if (rv === undefined || rv === '') return [422, status(422, 'Invalid', 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update')];
      if (rv !== cur.metadata.resourceVersion) {
        return [409, status(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: resource })];
      }
      const o = { ...body, metadata: { ...body.metadata, namespace: ns, resourceVersion: this.nextRv(), uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp } };
      store.set(key(name), o);
      return [200, o];
    }
    this.violate(`unexpected ${method} on ${resource}`);
    return [405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')];
  }
}
