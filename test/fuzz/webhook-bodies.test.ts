// Fuzzed AdmissionReview bodies against the webhook server, in-process (startServer + fastify inject, no
// sockets): random bytes, mutated reviews and generated well-formed reviews. Every answer is 200 with the
// request's uid, 400 for what is not a review, 413 past the body limit, 415 for a wrong content type;
// never 500, never a crash, and the server still answers afterwards. Counts are fixed (seeded), no timing.
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import { resolvePolicy } from '../../src/rules/policy.js';
import { generatePki } from '../../src/webhook/certs.js';
import { startServer } from '../../src/webhook/server.js';
import type { WebhookServer } from '../../src/webhook/server.js';
import { assertPrototypesClean } from './util.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAX_BODY = 256 * 1024;
const policy = resolvePolicy('production', { cwd: ROOT, knownRuleIds: new Set(BUILTIN_RULES.map((r) => r.meta.id)), noConfig: true });

let s: WebhookServer;
let dir: string;
const counts = new Map<number, number>();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-fuzz-wh-'));
  const pki = await generatePki({ service: 'imply-lint-webhook', namespace: 'imply-lint', now: new Date() });
  fs.writeFileSync(path.join(dir, 'tls.crt'), pki.serving.certPem);
  fs.writeFileSync(path.join(dir, 'tls.key'), pki.serving.keyPem);
  s = await startServer({
    host: '127.0.0.1',
    port: 0,
    certs: { kind: 'files', certFile: path.join(dir, 'tls.crt'), keyFile: path.join(dir, 'tls.key'), pollMs: 60_000 },
    policy,
    mode: 'enforce',
    onError: 'deny',
    drainDelayMs: 0,
    maxBodyBytes: MAX_BODY,
    ruleTimeoutMs: 10_000,
    workers: 2,
    logLevel: 'fatal',
    logLine: () => {},
  });
  for (let i = 0; i < 200 && !s.isReady(); i++) await new Promise((r) => setTimeout(r, 50));
}, 60_000);

afterAll(async () => {
  await s?.shutdown('test');
  fs.rmSync(dir, { recursive: true, force: true });
  assertPrototypesClean();
});

interface Answer {
  status: number;
  json?: { apiVersion?: string; kind?: string; response?: { uid?: string; allowed?: boolean } };
}

async function post(payload: string | Buffer, contentType = 'application/json'): Promise<Answer> {
  const res = await s.app.inject({ method: 'POST', url: '/validate?timeout=10s', payload, headers: { 'content-type': contentType } });
  counts.set(res.statusCode, (counts.get(res.statusCode) ?? 0) + 1);
  let json: Answer['json'];
  try {
    json = JSON.parse(res.body) as Answer['json'];
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, json };
}

/** The uid the body carries when it is a well-formed review envelope (what the server must echo). */
function uidOf(body: string): string | undefined {
  try {
    const v = JSON.parse(body) as { apiVersion?: unknown; kind?: unknown; request?: { uid?: unknown; operation?: unknown } };
    const ok = v && v.apiVersion === 'admission.k8s.io/v1' && v.kind === 'AdmissionReview' && typeof v.request?.uid === 'string' && v.request.uid !== '' && ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'].includes(v.request.operation as string);
    return ok ? (v.request!.uid as string) : undefined;
  } catch {
    return undefined;
  }
}

const review = (object: unknown, uid = 'uid-1', operation = 'CREATE', oldObject: unknown = null) =>
  JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid, kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, operation, namespace: 'imply', name: 'imply-query', object, oldObject, dryRun: false } });

const SEED_OBJECT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'imply-minio', labels: { release: 'imply', app: 'minio', 'app.kubernetes.io/instance': 'imply' } },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'minio', image: 'minio/minio:latest', env: [{ name: 'A', value: 'b' }] }] } } },
};

describe('webhook bodies (fast-check, fixed seeds)', () => {
  it('the server is ready', () => {
    expect(s.isReady()).toBe(true);
  });

  it('random bytes: 400, 413 or 415, never 500 (1500 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400, size: 'max' }), async (bytes) => {
        const a = await post(Buffer.from(bytes));
        expect([400, 413, 415]).toContain(a.status);
      }),
      { numRuns: 1500, seed: 6401 },
    );
  });

  it('random JSON values: 200 only for a review envelope, else 400 (1500 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (v) => {
        const body = JSON.stringify(v) ?? 'null';
        const a = await post(body);
        expect([200, 400]).toContain(a.status);
        if (a.status === 200) expect(a.json?.response?.uid).toBe(uidOf(body));
      }),
      { numRuns: 1500, seed: 6402 },
    );
  });

  it('mutated reviews (bytes flipped, cut, spliced): 200 with the uid, or 400 (2000 runs)', async () => {
    const base = review(SEED_OBJECT, 'uid-mutant');
    const mutation = fc.oneof(
      fc.tuple(fc.constant('flip' as const), fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })),
      fc.tuple(fc.constant('cut' as const), fc.nat(base.length - 1), fc.nat(40)),
      fc.tuple(fc.constant('insert' as const), fc.nat(base.length - 1), fc.constantFrom('"__proto__":{"a":1},', '[', ']', '{', '}', ',', '"', '\\u0000', 'null', '1e999', '"\ud800"', '{"constructor":{"prototype":{"x":1}}},')),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (muts) => {
        let b = base;
        for (const [kind, at, arg] of muts) {
          const i = Math.min(at, b.length);
          if (kind === 'flip') b = b.slice(0, i) + String.fromCharCode(arg as number) + b.slice(i + 1);
          else if (kind === 'cut') b = b.slice(0, i) + b.slice(i + (arg as number));
          else b = b.slice(0, i) + (arg as string) + b.slice(i);
        }
        const a = await post(b);
        expect([200, 400]).toContain(a.status);
        if (a.status === 200) expect(a.json?.response?.uid).toBe(uidOf(b));
        else expect(uidOf(b) === undefined || !isObjectOrNull(b)).toBe(true);
      }),
      { numRuns: 2000, seed: 6403 },
    );
  });

  it('well-formed reviews of generated objects: 200, the uid echoed, allowed a boolean (1500 runs)', async () => {
    const key = fc.constantFrom('apiVersion', 'kind', 'metadata', 'name', 'labels', 'annotations', 'spec', 'replicas', 'template', 'containers', 'image', 'env', 'value', 'data', 'stringData', '__proto__', 'constructor', 'prototype', 'imply-lint.io/exempt', 'app.kubernetes.io/instance');
    const leaf = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.constantFrom('imply', 'minio/minio:latest', 'imply/imply:2023.03.1', 'Deployment', 'StatefulSet', 'Secret', 'v1', 'apps/v1'));
    const obj = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, tie('map'), fc.array(tie('node'), { maxLength: 3 })),
      map: fc.array(fc.tuple(key, tie('node')), { maxLength: 5 }).map((pairs) => {
        const o: Record<string, unknown> = {};
        for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        return o;
      }),
    })).map;
    await fc.assert(
      fc.asyncProperty(obj, fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT'), fc.string({ minLength: 1, maxLength: 40 }), fc.boolean(), async (o, op, uid, base) => {
        const object = base ? { ...SEED_OBJECT, ...o } : o;
        const body = review(object, uid, op, op === 'UPDATE' ? SEED_OBJECT : null);
        const a = await post(body);
        expect(a.status).toBe(200);
        expect(a.json?.response?.uid).toBe(uid);
        expect(typeof a.json?.response?.allowed).toBe('boolean');
      }),
      { numRuns: 1500, seed: 6404 },
    );
    assertPrototypesClean();
  });

  it('hostile shapes inside a well-formed review: deep, wide, long, odd types', async () => {
    // Deep JSON is spliced in as text: JSON.stringify itself would run out of stack building it.
    const DEEP = '"__DEEP__"';
    const deepList = '['.repeat(5_000) + '"x"' + ']'.repeat(5_000);
    const deepMap = '{"a":'.repeat(5_000) + '"x"' + '}'.repeat(5_000);
    const cases: [string, unknown, string?][] = [
      ['5000 nested lists in spec', { ...SEED_OBJECT, spec: { x: '__DEEP__' } }, deepList],
      ['5000 nested maps in annotations', { ...SEED_OBJECT, metadata: { ...SEED_OBJECT.metadata, annotations: '__DEEP__' } }, deepMap],
      ['5000 nested maps as the whole template', { ...SEED_OBJECT, spec: { template: '__DEEP__' } }, deepMap],
      ['20k env entries', { ...SEED_OBJECT, spec: { template: { spec: { containers: [{ name: 'c', image: 'i', env: Array.from({ length: 5_000 }, (_, i) => ({ name: `E${i}`, value: 'v' })) }] } } } }],
      ['a 200 KB label value', { ...SEED_OBJECT, metadata: { name: 'x', labels: { a: 'x'.repeat(200_000) } } }],
      ['types where strings belong', { apiVersion: 1, kind: ['Deployment'], metadata: { name: { a: 1 }, labels: [1, 2], annotations: 'x' }, spec: 'nope' }],
      ['an empty object', {}],
      ['a null object (DELETE)', null],
    ];
    for (const [name, object, splice] of cases) {
      const body = splice ? review(object, `uid-${name}`).replace(DEEP, splice) : review(object, `uid-${name}`);
      const a = await post(body);
      if (Buffer.byteLength(body) > MAX_BODY) {
        expect(a.status, name).toBe(413);
        continue;
      }
      expect(a.status, name).toBe(200);
      expect(a.json?.response?.uid, name).toBe(`uid-${name}`);
      expect(typeof a.json?.response?.allowed, name).toBe('boolean');
      // Nesting in the thousands is refused before any worker sees it: answered per --on-error (deny here),
      // with the uid and the reason, instead of failing the request.
      if (splice) expect(a.json?.response, name).toMatchObject({ allowed: false, status: { message: expect.stringContaining('nested deeper than 200 levels') } });
    }
  });

  it('the limits: 413 past --max-body, 415 for another content type, 400 for an empty body', async () => {
    expect((await post(review({ ...SEED_OBJECT, data: 'x'.repeat(MAX_BODY) }))).status).toBe(413);
    expect((await post(Buffer.alloc(MAX_BODY + 1, 0x20))).status).toBe(413);
    expect((await post(review(SEED_OBJECT), 'text/plain')).status).toBe(415);
    expect((await post(review(SEED_OBJECT), 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await post('')).status).toBe(400);
  });

  it('still answers a normal review after all that, and never answered 500', async () => {
    const a = await post(review(SEED_OBJECT, 'uid-after'));
    expect(a.status).toBe(200);
    expect(a.json?.response).toMatchObject({ uid: 'uid-after', allowed: false });
    expect(counts.get(500) ?? 0).toBe(0);
    const total = [...counts.values()].reduce((x, y) => x + y, 0);
    expect(total).toBeGreaterThan(6_500);
  });
});

/** True when the body parses to a JSON object whose request.object is an object or null (a reviewable shape). */
function isObjectOrNull(body: string): boolean {
  try {
    const o = (JSON.parse(body) as { request?: { object?: unknown; oldObject?: unknown } }).request;
    const ok = (v: unknown) => v === undefined || v === null || (typeof v === 'object' && !Array.isArray(v));
    return ok(o?.object) && ok(o?.oldObject);
  } catch {
    return false;
  }
}
