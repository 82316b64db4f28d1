// Webhook decision cache: the key is what review() reads besides the uid; hits carry the new uid; bounded,
// least recently used out; entries expire (rules read the clock); the pool answers repeats without a worker.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import { resolvePolicy } from '../../src/rules/policy.js';
import fc from 'fast-check';
import { DecisionCache, answerText, decisionKey } from '../../src/webhook/decision-cache.js';
import type { CachedOutcome } from '../../src/webhook/decision-cache.js';
import { WorkerPool } from '../../src/webhook/pool.js';
import type { AdmissionRequest, AdmissionReviewOut } from '../../src/webhook/review.js';
import { minioRequest } from './helpers/requests.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const policy = resolvePolicy('production', { cwd: ROOT, knownRuleIds: new Set(BUILTIN_RULES.map((r) => r.meta.id)), noConfig: true });

function minio(uid: string, extra: Partial<AdmissionRequest> = {}, image?: string): AdmissionRequest {
  return minioRequest(uid, { extra, image });
}

const outcome = (uid: string): CachedOutcome => ({ review: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } }, decision: 'allowed', findings: [] });

describe('decisionKey', () => {
  it('ignores the uid and nothing else review() reads', () => {
    const k = decisionKey(minio('a'));
    expect(decisionKey(minio('b'))).toBe(k);
    expect(decisionKey(minio('a', { operation: 'UPDATE' }))).not.toBe(k);
    expect(decisionKey(minio('a', { dryRun: true }))).not.toBe(k);
    expect(decisionKey(minio('a', { namespace: 'other' }))).not.toBe(k);
    expect(decisionKey(minio('a', { oldObject: { kind: 'Deployment' } }))).not.toBe(k);
    expect(decisionKey(minio('a', {}, 'minio/minio:other'))).not.toBe(k);
  });
});

describe('decisionKey with the body text', () => {
  const text = (r: AdmissionRequest, extra: Record<string, unknown> = {}) => JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { ...r, ...extra } });

  it('blanks the uid when it occurs once: repeats with other uids share the key, anything else does not', () => {
    const a = minio('uid-a');
    const b = minio('uid-b');
    expect(decisionKey(a, text(a))).toMatch(/^r:/);
    expect(decisionKey(a, text(a))).toBe(decisionKey(b, text(b)));
    expect(decisionKey(a, text(a, { dryRun: true }))).not.toBe(decisionKey(b, text(b)));
    expect(decisionKey(a, text(a, { userInfo: { username: 'x' } }))).not.toBe(decisionKey(b, text(b)));
  });

  it('falls back to the fields review() reads when the uid occurs more than once or not literally', () => {
    // The object carries its own request's uid: blanking both would let two different objects share a key.
    const a = minio('uid-a', { name: 'uid-a' });
    expect(decisionKey(a, text(a))).toBe(decisionKey(a));
    expect(decisionKey(a, text(a))).toMatch(/^o:/);
    const escaped = text(minio('uid-a')).replace('"uid-a"', '"uid\\u002da"');
    expect(decisionKey(minio('uid-a'), escaped)).toBe(decisionKey(minio('uid-a')));
  });
});

describe('DecisionCache', () => {
  it('answers a hit with the caller uid, and keeps the stored outcome as it was', () => {
    const c = new DecisionCache(10, 30_000);
    c.set('k', outcome('first'), 1000);
    const hit = c.get('k', 'second', 2000);
    expect(hit?.review.response.uid).toBe('second');
    expect(c.get('k', 'third', 2000)?.review.response.uid).toBe('third');
    expect([c.hits, c.misses]).toEqual([2, 0]);
  });

  it('drops entries older than the lifetime, or from a clock that went back', () => {
    const c = new DecisionCache(10, 30_000);
    c.set('k', outcome('u'), 100_000);
    expect(c.get('k', 'u', 130_000)).toBeDefined();
    expect(c.get('k', 'u', 130_001)).toBeUndefined();
    c.set('k', outcome('u'), 100_000);
    expect(c.get('k', 'u', 99_999)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('holds at most maxEntries, least recently used out; 0 entries stores nothing', () => {
    const c = new DecisionCache(2, 30_000);
    c.set('a', outcome('a'), 0);
    c.set('b', outcome('b'), 0);
    expect(c.get('a', 'x', 0)).toBeDefined(); // a is now the most recent
    c.set('c', outcome('c'), 0);
    expect(c.size).toBe(2);
    expect(c.get('b', 'x', 0)).toBeUndefined();
    expect(c.get('a', 'x', 0)).toBeDefined();
    expect(c.get('c', 'x', 0)).toBeDefined();
    const off = new DecisionCache(0, 30_000);
    off.set('a', outcome('a'), 0);
    expect(off.size).toBe(0);
  });
});

describe('answer text of a hit', () => {
  const env = (response: AdmissionReviewOut['response']): AdmissionReviewOut => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response });
  const reviews: AdmissionReviewOut[] = [
    env({ uid: 'x', allowed: true }),
    env({ uid: 'x', allowed: true, warnings: ['[imply-lint] a "quoted" warning', 'ünïcödé \u2028 line'] }),
    env({ uid: 'x', allowed: false, status: { code: 403, reason: 'Forbidden', message: 'Deployment/imply-minio:\n- no-quickstart-minio' }, warnings: ['w'], auditAnnotations: { findings: 'a/error/0123' } }),
  ];

  it('is byte for byte JSON.stringify of the review with the new uid, for any uid', () => {
    for (const r of reviews) {
      const t = answerText(r)!;
      expect(t).toBeDefined();
      fc.assert(
        fc.property(fc.string({ unit: 'binary' }), (uid) => {
          expect(`${t.head}${JSON.stringify(uid)}${t.tail}`).toBe(JSON.stringify({ ...r, response: { ...r.response, uid } }));
        }),
        { numRuns: 300 },
      );
    }
  });

  it('is not made when the response does not start with its uid (getText then serialises the copy)', () => {
    const odd = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { allowed: true, uid: 'x' } } as AdmissionReviewOut;
    expect(answerText(odd)).toBeUndefined();
    const c = new DecisionCache(10, 30_000);
    c.set('k', { review: odd, decision: 'allowed', findings: [] }, 0);
    expect(c.getText('k', 'y"z', 0)?.body).toBe(JSON.stringify({ ...odd, response: { ...odd.response, uid: 'y"z' } }));
  });

  it('getText counts like get, and leaves the stored outcome as it was', () => {
    const c = new DecisionCache(10, 30_000);
    c.set('k', { review: reviews[2], decision: 'denied', findings: [] }, 0);
    const hit = c.getText('k', 'new-uid', 10)!;
    expect(JSON.parse(hit.body)).toEqual({ ...reviews[2], response: { ...reviews[2].response, uid: 'new-uid' } });
    expect(hit.outcome.review.response.uid).toBe('x');
    expect(c.getText('nope', 'u', 10)).toBeUndefined();
    expect([c.hits, c.misses]).toEqual([1, 1]);
  });
});

describe('WorkerPool with the decision cache', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = new WorkerPool({ size: 1, init: { policy, mode: 'enforce', decisionCache: { entries: 100, ttlMs: 30_000 } } });
    await pool.start();
  });
  afterAll(async () => {
    await pool.close();
  });

  it('answers a repeated object from the cache with its own uid and the same decision; another object misses', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const first = await pool.run(minio('u-1'), now, 10_000);
    expect(first.cached).toBeUndefined();
    expect(first.decision).toBe('denied');
    const again = await pool.run(minio('u-2'), now + 1000, 10_000);
    expect(again.cached).toBe(true);
    expect(again.review.response.uid).toBe('u-2');
    expect({ ...again.review.response, uid: '' }).toEqual({ ...first.review.response, uid: '' });
    expect(again.findings).toEqual(first.findings);
    const other = await pool.run(minio('u-3', { dryRun: true }), now + 1000, 10_000);
    expect(other.cached).toBeUndefined();
    expect(other.review.response.uid).toBe('u-3');
    // Past the entry's lifetime the rules run again.
    const later = await pool.run(minio('u-4'), now + 31_000, 10_000);
    expect(later.cached).toBeUndefined();
    expect(later.decision).toBe('denied');
  });

  it('lookup gives the key run() takes, and for a repeat the answer text with the new uid', async () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    const body = (r: AdmissionRequest) => JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: r });
    const r1 = minio('l-1', { namespace: 'lookup' });
    const r2 = minio('l-2', { namespace: 'lookup' });
    const miss = pool.lookup(r1, now, body(r1));
    expect(miss.key).toMatch(/^r:/);
    expect(miss.hit).toBeUndefined();
    const first = await pool.run(r1, now, 10_000, body(r1), miss.key);
    const again = pool.lookup(r2, now + 1, body(r2));
    expect(again.key).toBe(miss.key);
    expect(JSON.parse(again.hit!.body)).toEqual({ ...first.review, response: { ...first.review.response, uid: 'l-2' } });
    expect(again.hit!.outcome.findings).toEqual(first.findings);
    // No text, or a uid the text holds twice: nothing is keyed before the depth check (run() keys it after).
    expect(pool.lookup(r2, now + 1)).toEqual({});
    const twice = minio('l-3', { namespace: 'lookup', name: 'l-3' });
    expect(pool.lookup(twice, now + 1, body(twice))).toEqual({});
  });

  it('is off with extra rule modules, and with 0 entries', () => {
    const withExtra = new WorkerPool({ size: 1, init: { policy, mode: 'enforce', extraRuleModules: [path.join(ROOT, 'test/fixtures/webhook/fault-rules.ts')] } });
    expect(withExtra.cache).toBeUndefined();
    const zero = new WorkerPool({ size: 1, init: { policy, mode: 'enforce', decisionCache: { entries: 0, ttlMs: 30_000 } } });
    expect(zero.cache).toBeUndefined();
    expect(pool.cache).toBeDefined();
  });
});
