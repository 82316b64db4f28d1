// Webhook pool: rules run in worker threads with a deadline; a rule that throws or loops never blocks the
// caller, the looping worker is replaced, and the pool keeps answering.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import { resolvePolicy } from '../../src/rules/policy.js';
import { ReviewFailure, WorkerPool } from '../../src/webhook/pool.js';
import type { PoolEvent } from '../../src/webhook/pool.js';
import type { AdmissionRequest } from '../../src/webhook/review.js';
import { minioRequest } from './helpers/requests.js';
import { FAULT_ANNOTATION } from '../fixtures/webhook/fault-rules.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FAULTS = path.join(ROOT, 'test/fixtures/webhook/fault-rules.ts');
const policy = resolvePolicy('production', { cwd: ROOT, knownRuleIds: new Set(BUILTIN_RULES.map((r) => r.meta.id)), noConfig: true });

function minio(uid: string, fault?: string): AdmissionRequest {
  return minioRequest(uid, fault ? { annotations: { [FAULT_ANNOTATION]: fault } } : {});
}

describe('WorkerPool', () => {
  const events: PoolEvent[] = [];
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = new WorkerPool({ size: 2, init: { policy, mode: 'enforce', extraRuleModules: [FAULTS] }, onEvent: (e) => events.push(e) });
    await pool.start();
  });
  afterAll(async () => {
    await pool.close();
  });

  it('reviews in a worker with the same engine and policy', async () => {
    const r = await pool.run(minio('u-1'), Date.parse('2026-01-01T00:00:00Z'), 10_000);
    expect(r.decision).toBe('denied');
    expect(r.review.response.uid).toBe('u-1');
    expect(r.findings.map((f) => f.ruleId)).toEqual(['no-quickstart-minio']);
  });

  it('a rule that throws fails the review with kind "rule", and the worker stays', async () => {
    const before = pool.replaced;
    const err = await pool.run(minio('u-2', 'throw'), Date.now(), 10_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReviewFailure);
    expect((err as ReviewFailure).kind).toBe('rule');
    expect((err as ReviewFailure).message).toContain('test-fault-throws: this rule always throws');
    expect(pool.replaced).toBe(before);
  });

  it('a rule that loops times out, its worker is replaced, and other requests are still answered', async () => {
    const before = pool.replaced;
    const looping = pool.run(minio('u-3', 'loop'), Date.now(), 500).catch((e: unknown) => e);
    // Meanwhile the other worker answers.
    const ok = await pool.run(minio('u-4'), Date.now(), 10_000);
    expect(ok.review.response.uid).toBe('u-4');
    const err = await looping;
    expect(err).toBeInstanceOf(ReviewFailure);
    expect((err as ReviewFailure).kind).toBe('timeout');
    expect(pool.replaced).toBe(before + 1);
    expect(events.some((e) => e.type === 'worker-replaced' && e.reason === 'timeout')).toBe(true);
    // The replacement comes up and serves.
    const after = await pool.run(minio('u-5'), Date.now(), 15_000);
    expect(after.decision).toBe('denied');
  });

  it('a backtracking regular expression is cut off at the deadline', async () => {
    const err = await pool.run(minio('u-6', 'redos'), Date.now(), 500).catch((e: unknown) => e);
    expect((err as ReviewFailure).kind).toBe('timeout');
    const after = await pool.run(minio('u-7'), Date.now(), 15_000);
    expect(after.review.response.uid).toBe('u-7');
  });

  it('the deadline covers waiting for a worker', async () => {
    const a = pool.run(minio('u-8', 'loop'), Date.now(), 1500).catch((e: unknown) => e);
    const b = pool.run(minio('u-9', 'loop'), Date.now(), 1500).catch((e: unknown) => e);
    const queued = await pool.run(minio('u-10'), Date.now(), 300).catch((e: unknown) => e);
    expect((queued as ReviewFailure).kind).toBe('timeout');
    expect((queued as ReviewFailure).message).toMatch(/waiting/);
    expect(((await a) as ReviewFailure).kind).toBe('timeout');
    expect(((await b) as ReviewFailure).kind).toBe('timeout');
  });

  it('refuses work once closed', async () => {
    const p = new WorkerPool({ size: 1, init: { policy, mode: 'warn' } });
    await p.start();
    await p.close();
    const err = await p.run(minio('u-11'), Date.now(), 1000).catch((e: unknown) => e);
    expect((err as ReviewFailure).kind).toBe('closed');
  });
});

describe('WorkerPool limits', () => {
  it('refuses work past maxQueue (answered per --on-error by the server)', async () => {
    const p = new WorkerPool({ size: 1, maxQueue: 1, init: { policy, mode: 'enforce', extraRuleModules: [FAULTS] } });
    await p.start();
    try {
      const busy = p.run(minio('q-1', 'loop'), Date.now(), 800).catch((e: unknown) => e);
      const queued = p.run(minio('q-2'), Date.now(), 800).catch((e: unknown) => e);
      const refused = await p.run(minio('q-3'), Date.now(), 800).catch((e: unknown) => e);
      expect((refused as ReviewFailure).kind).toBe('overload');
      expect(((await busy) as ReviewFailure).kind).toBe('timeout');
      expect(((await queued) as ReviewFailure).kind).toBe('timeout');
    } finally {
      await p.close();
    }
  });
});

describe('WorkerPool start', () => {
  it('reports a policy that cannot be compiled in the worker', async () => {
    const bad = { ...policy, customRules: [{ id: 'bad-custom', title: 't', severity: 'error' as const, target: 'manifest' as const, schema: { type: 'nonsense-type' }, message: 'm', source: { file: 'p.yaml', line: 3, column: 1 } }] };
    const p = new WorkerPool({ size: 1, init: { policy: bad, mode: 'enforce' } });
    await expect(p.start()).rejects.toThrow(/bad-custom: invalid schema/);
    await p.close();
  });
});

describe('WorkerPool without workers (size 0: rules on the calling thread)', () => {
  const t = Date.parse('2026-01-01T00:00:00Z');
  const requests = (): AdmissionRequest[] => [
    minio('i-1'),
    minioRequest('i-2', { image: 'minio/minio:RELEASE.2024-01-01T00-00-00Z' }),
    minioRequest('i-3', { extra: { operation: 'DELETE' } }),
    minioRequest('i-4', { extra: { dryRun: true } }),
  ];

  it('answers exactly as a rule worker does, without starting a thread', async () => {
    const inline = new WorkerPool({ size: 0, init: { policy, mode: 'enforce', decisionCache: { entries: 0, ttlMs: 1 } } });
    const worker = new WorkerPool({ size: 1, init: { policy, mode: 'enforce', decisionCache: { entries: 0, ttlMs: 1 } } });
    await Promise.all([inline.start(), worker.start()]);
    try {
      expect(inline.inline).toBe(true);
      expect([inline.ready, inline.readyCount]).toEqual([true, 0]);
      for (const req of requests()) {
        const [a, b] = await Promise.all([inline.run(req, t, 10_000), worker.run(req, t, 10_000)]);
        expect(a).toEqual(b);
        expect(a.review.response.uid).toBe(req.uid);
      }
      expect(inline.busy).toBe(0);
    } finally {
      await Promise.all([inline.close(), worker.close()]);
    }
  });

  it('keeps the decision cache: a repeat with another uid is a hit with its own uid', async () => {
    const p = new WorkerPool({ size: 0, init: { policy, mode: 'enforce' } });
    await p.start();
    try {
      const a = await p.run(minio('c-1'), t, 10_000);
      const b = await p.run(minio('c-2'), t, 10_000);
      expect([a.cached, b.cached]).toEqual([undefined, true]);
      expect(b.review.response.uid).toBe('c-2');
      expect({ ...b.review.response, uid: '' }).toEqual({ ...a.review.response, uid: '' });
    } finally {
      await p.close();
    }
  });

  it('refuses extra rule modules (only a worker can be cut off at the deadline) and work once closed', async () => {
    expect(() => new WorkerPool({ size: 0, init: { policy, mode: 'enforce', extraRuleModules: [FAULTS] } })).toThrow(/need rule workers/);
    const p = new WorkerPool({ size: 0, init: { policy, mode: 'warn' } });
    const early = await p.run(minio('e-0'), t, 1000).catch((e: unknown) => e);
    expect((early as ReviewFailure).kind).toBe('internal');
    await p.start();
    await p.close();
    expect(p.ready).toBe(false);
    const err = await p.run(minio('e-1'), t, 1000).catch((e: unknown) => e);
    expect((err as ReviewFailure).kind).toBe('closed');
  });

  it('reports a policy whose custom rules do not compile', async () => {
    const bad = { ...policy, customRules: [{ id: 'bad-custom', title: 't', severity: 'error' as const, target: 'manifest' as const, schema: { type: 'nonsense-type' }, message: 'm', source: { file: 'p.yaml', line: 3, column: 1 } }] };
    const p = new WorkerPool({ size: 0, init: { policy: bad, mode: 'enforce' } });
    await expect(p.start()).rejects.toThrow(/bad-custom: invalid schema/);
    await p.close();
  });
});
