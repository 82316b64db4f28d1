// Fuzzed AdmissionReview bodies against the webhook server, in-process (startServer + fastify inject, no
// sockets): random bytes, mutated reviews and generated well-formed reviews. Every answer is 200 with the
// request's uid, 400 for what is not a review, 413 past the body limit, 415 for a wrong content type;
// never 500, never a crash, and the server still answers afterwards. Counts are fixed (seeded), no timing.
// The generators and the oracle live in webhook-bodies.gen.ts, shared with the 100k run over TLS
// (test/load/webhook-fuzz.test.ts).
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
import { applyByteMutations, byteMutationArb, expectedAnswer, generatedObjectArb, isObjectOrNull, jsonValueArb, operationArb, randomBytesArb, review, SEED_OBJECT, uidArb, uidOf, wellFormedReview } from './webhook-bodies.gen.js';

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

describe('webhook bodies (fast-check, fixed seeds)', () => {
  it('the server is ready', () => {
    expect(s.isReady()).toBe(true);
  });

  it('random bytes: 400, 413 or 415, never 500 (1500 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(randomBytesArb, async (bytes) => {
        const a = await post(Buffer.from(bytes));
        expect([400, 413, 415]).toContain(a.status);
        expect(a.status).toBe(expectedAnswer(Buffer.from(bytes), 'application/json', MAX_BODY).status);
      }),
      { numRuns: 1500, seed: 6401 },
    );
  });

  it('random JSON values: 200 only for a review envelope, else 400 (1500 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(jsonValueArb, async (v) => {
        const body = JSON.stringify(v) ?? 'null';
        const a = await post(body);
        expect([200, 400]).toContain(a.status);
        if (a.status === 200) expect(a.json?.response?.uid).toBe(uidOf(body));
        expect(a.status).toBe(expectedAnswer(body, 'application/json', MAX_BODY).status);
      }),
      { numRuns: 1500, seed: 6402 },
    );
  });

  it('mutated reviews (bytes flipped, cut, spliced): 200 with the uid, or 400 (2000 runs)', async () => {
    const base = review(SEED_OBJECT, 'uid-mutant');
    await fc.assert(
      fc.asyncProperty(fc.array(byteMutationArb(base.length), { minLength: 1, maxLength: 4 }), async (muts) => {
        const b = applyByteMutations(base, muts);
        const a = await post(b);
        expect([200, 400]).toContain(a.status);
        if (a.status === 200) expect(a.json?.response?.uid).toBe(uidOf(b));
        else expect(uidOf(b) === undefined || !isObjectOrNull(b)).toBe(true);
        expect(a.status).toBe(expectedAnswer(b, 'application/json', MAX_BODY).status);
      }),
      { numRuns: 2000, seed: 6403 },
    );
  });

  it('well-formed reviews of generated objects: 200, the uid echoed, allowed a boolean (1500 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(generatedObjectArb, operationArb, uidArb, fc.boolean(), async (o, op, uid, base) => {
        const body = wellFormedReview(o, op, uid, base);
        expect(expectedAnswer(body, 'application/json', MAX_BODY)).toEqual({ status: 200, uid });
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
      // The uid twice in the text: the decision cache cannot key the body by its text, and must not stringify the object.
      ['5000 nested maps, the uid also a label', { ...SEED_OBJECT, metadata: { ...SEED_OBJECT.metadata, labels: { ...(SEED_OBJECT.metadata as { labels?: Record<string, string> }).labels, copy: 'uid-5000 nested maps, the uid also a label' } }, spec: { template: '__DEEP__' } }, deepMap],
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
