// Webhook stage: a bounded cache of review outcomes, kept by the worker pool (pool.ts) in the server's thread,
// so a repeat is answered without a worker. The key (decisionKey) covers everything review() reads besides the
// uid (operation, namespace, dryRun, object, oldObject), so two requests with the same key get the same
// outcome from the same rules and policy. Policy, mode and rules are fixed for the life
// of a pool; a policy reload makes a new pool, so a reload empties the cache by construction. Rules also
// read the clock (certificate and exemption expiry): an entry lives `ttlMs` at most, so a cached decision is
// never more than that behind the clock. Pure apart from node:crypto.
import { createHash } from 'node:crypto';
import type { AdmissionRequest, AdmissionReviewOut, ReviewReply } from './review.js';

/** A review as answered (its review for any uid: the caller puts the request's uid in), as review.ts makes it. */
export type CachedOutcome = ReviewReply;

/** Defaults of `imply-lint serve --decision-cache`. */
export const DECISION_CACHE_DEFAULTS = { entries: 1000, ttlMs: 30_000 } as const;

/**
 * The cache key of a request: everything review() reads except the uid. With the body's text (`raw`), the key is
 * the sha256 of that text with the uid's JSON string blanked, which spares a JSON.stringify of the object (~7%
 * of the event loop's time on a hit); it is used only when the uid's JSON string occurs exactly once in the
 * text, and then two texts with the same key differ in nothing but the request's uid (a JSON string token
 * containing `"<uid>"` either is exactly that token or decodes to something else than the uid). Otherwise
 * the key hashes the fields review() reads. The text also holds fields review() ignores (userInfo, options):
 * they can only make a repeat miss, never share a key between different inputs.
 */
export function decisionKey(req: AdmissionRequest, raw?: string): string {
  const fromText = raw !== undefined ? textDecisionKey(req, raw) : undefined;
  if (fromText !== undefined) return fromText;
  const text = JSON.stringify([req.operation, req.namespace ?? null, req.dryRun === true, req.object ?? null, req.oldObject ?? null]);
  return `o:${createHash('sha256').update(text).digest('base64')}`;
}

/**
 * The answer's JSON text for any uid: `head + JSON.stringify(uid) + tail` is byte for byte what JSON.stringify
 * gives for the review with that uid (the response's first key is its uid), so a hit is answered without
 * copying and serialising the review again.
 */
export interface AnswerText {
  head: string;
  tail: string;
}

/** AnswerText of a review (see there); undefined when the response does not start with its uid. */
export function answerText(review: AdmissionReviewOut): AnswerText | undefined {
  const { uid, ...rest } = review.response;
  if (Object.keys(review.response)[0] !== 'uid' || typeof uid !== 'string') return undefined;
  const env = JSON.stringify({ ...review, response: {} });
  const marker = '"response":{}';
  if (!env.endsWith(`${marker}}`)) return undefined;
  const restText = JSON.stringify(rest);
  return { head: `${env.slice(0, env.length - marker.length - 1)}"response":{"uid":`, tail: `${restText === '{}' ? '' : `,${restText.slice(1, -1)}`}}}` };
}

interface Entry {
  at: number;
  outcome: CachedOutcome;
  /** Made on the first hit through getText. */
  text?: AnswerText | null;
}

/**
 * decisionKey from the body text alone, or undefined when the uid's JSON string does not occur exactly once in it.
 * Walks nothing but the text, so it is safe before the object's depth is checked (the fallback key stringifies
 * the object, which a deep enough one would not survive).
 */
export function textDecisionKey(req: AdmissionRequest, raw: string): string | undefined {
  const quoted = JSON.stringify(req.uid);
  const at = raw.indexOf(quoted);
  if (at < 0 || raw.indexOf(quoted, at + 1) >= 0) return undefined;
  return `r:${createHash('sha256').update(raw.slice(0, at)).update('""').update(raw.slice(at + quoted.length)).digest('base64')}`;
}

/** Least recently used first out (a Map keeps insertion order; a hit moves the entry to the end). */
export class DecisionCache {
  private readonly map = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** The outcome cached under `key` no more than ttlMs before `now`, with `uid` as the response's uid. */
  get(key: string, uid: string, now: number): CachedOutcome | undefined {
    const e = this.entry(key, now);
    if (!e) return undefined;
    const o = e.outcome;
    return { ...o, review: { ...o.review, response: { ...o.review.response, uid } } };
  }

  /**
   * A hit as the server sends it: the stored outcome (its review carries the first request's uid: read only its
   * decision, ref and findings) and the answer's JSON text for `uid`. Counts hits and misses as get() does.
   */
  getText(key: string, uid: string, now: number): { outcome: CachedOutcome; body: string } | undefined {
    const e = this.entry(key, now);
    if (!e) return undefined;
    if (e.text === undefined) e.text = answerText(e.outcome.review) ?? null;
    const body = e.text ? `${e.text.head}${JSON.stringify(uid)}${e.text.tail}` : JSON.stringify({ ...e.outcome.review, response: { ...e.outcome.review.response, uid } });
    return { outcome: e.outcome, body };
  }

  private entry(key: string, now: number): Entry | undefined {
    const e = this.map.get(key);
    if (!e || now - e.at > this.ttlMs || now < e.at) {
      if (e) this.map.delete(key);
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, e);
    return e;
  }

  set(key: string, outcome: CachedOutcome, now: number): void {
    if (this.maxEntries <= 0) return;
    this.map.delete(key);
    this.map.set(key, { at: now, outcome });
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
  }
}
