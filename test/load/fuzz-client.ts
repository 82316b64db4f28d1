// Fuzz load client for test/load/webhook-fuzz.test.ts, run as its own process (node --import tsx fuzz-client.ts
// CONFIG.json). Draws exactly the planned number of bodies from `fuzzBodies(seed)` (test/fuzz/webhook-bodies.gen.ts,
// deterministic), sends each as POST /validate over keep-alive TLS (certificate verified against the CA for the
// Service name) with `concurrency` in flight, and checks each answer against the class the oracle gave for what was
// sent: 200 with that uid, apiVersion/kind and a boolean `allowed`; 400, 413 or 415 with a JSON error body of that
// status. Counts mismatches and connection errors; writes the uid of every 200 answer (one JSON string per line) to
// `uidsFile`; prints progress lines and one final JSON summary. It never measures latency.
import fs from 'node:fs';
import https from 'node:https';
import { fuzzBodies } from '../fuzz/webhook-bodies.gen.js';
import type { FuzzBody, FuzzPlan } from '../fuzz/webhook-bodies.gen.js';
import { referenceBodies } from './bodies.js';

export interface FuzzClientConfig {
  port: number;
  ca: string;
  servername: string;
  seed: number;
  plan: FuzzPlan;
  /** The server's --max-body, in bytes (the oracle's 413 line). */
  maxBody: number;
  concurrency: number;
  uidsFile: string;
  timeoutMs?: number;
  progressEvery?: number;
}

export interface FuzzClientSummary {
  done: true;
  sent: number;
  /** Per category: bodies sent and the expected statuses among them. */
  byCategory: Record<string, { sent: number; expected: Record<string, number> }>;
  /** Statuses expected by the oracle, and statuses answered, over all requests. */
  expected: Record<string, number>;
  statuses: Record<string, number>;
  mismatches: number;
  mismatchExamples: string[];
  errors: number;
  errorExamples: string[];
  /**
   * Bodies over --max-body whose connection the server closed while this client was still sending them: the
   * server refuses such a body (413) without reading it all, and HTTP lets it close the connection then (RFC 9112
   * section 9.6), so a client that is still writing sees EPIPE or ECONNRESET before it reads the 413. Counted
   * here, not as errors, only for bodies the oracle expects 413 for.
   */
  closedWhileSendingOversize: number;
  allowed: number;
  denied: number;
  /** Bytes of request bodies sent, and how many went chunked (no Content-Length). */
  bodyBytes: number;
  chunked: number;
}

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as FuzzClientConfig;
const agent = new https.Agent({ keepAlive: true, maxSockets: cfg.concurrency, ca: cfg.ca });
const summary: FuzzClientSummary = { done: true, sent: 0, byCategory: {}, expected: {}, statuses: {}, mismatches: 0, mismatchExamples: [], errors: 0, errorExamples: [], closedWhileSendingOversize: 0, allowed: 0, denied: 0, bodyBytes: 0, chunked: 0 };
const uids = fs.openSync(cfg.uidsFile, 'w');

/** Real rendered chart objects (Imply-like) the mutated and well-formed reviews are built from. */
const bases = referenceBodies().map((b) => (JSON.parse(b) as { request: { object: Record<string, unknown> } }).request.object);
const stream = fuzzBodies(cfg.seed, cfg.plan, cfg.maxBody, bases);

function send(f: FuzzBody): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Accept: 'application/json' };
    if (f.contentType !== undefined) headers['Content-Type'] = f.contentType;
    if (!f.chunked) headers['Content-Length'] = f.body.length;
    const req = https.request(
      { host: '127.0.0.1', port: cfg.port, servername: cfg.servername, ca: cfg.ca, method: 'POST', path: '/validate?timeout=10s', agent, headers, timeout: cfg.timeoutMs ?? 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (f.chunked) {
      // Three pieces, so the server meets the size limit while reading (no Content-Length to refuse up front).
      const third = Math.ceil(f.body.length / 3);
      req.write(f.body.subarray(0, third));
      req.write(f.body.subarray(third, 2 * third));
      req.end(f.body.subarray(2 * third));
    } else req.end(f.body);
  });
}

const bump = (m: Record<string, number>, k: string | number) => (m[k] = (m[k] ?? 0) + 1);

/** Why the answer does not match what the oracle expects, or undefined when it does. */
function mismatch(f: FuzzBody, status: number, text: string): string | undefined {
  if (status !== f.expected.status) return `expected ${f.expected.status}, got ${status}`;
  let j: any;
  try {
    j = JSON.parse(text);
  } catch {
    return `status ${status} with a body that is not JSON`;
  }
  if (f.expected.status !== 200) return j?.statusCode === status && typeof j.message === 'string' ? undefined : `status ${status} without its JSON error body`;
  if (j?.apiVersion !== 'admission.k8s.io/v1' || j.kind !== 'AdmissionReview') return 'not an AdmissionReview answer';
  if (j.response?.uid !== f.expected.uid) return `uid ${JSON.stringify(j.response?.uid)?.slice(0, 80)} instead of ${JSON.stringify(f.expected.uid).slice(0, 80)}`;
  if (typeof j.response.allowed !== 'boolean') return '`allowed` not a boolean';
  if (j.response.allowed) summary.allowed++;
  else summary.denied++;
  return undefined;
}

async function worker(): Promise<void> {
  for (;;) {
    const it = stream.next();
    if (it.done) return;
    const f = it.value;
    const cat = (summary.byCategory[f.category] ??= { sent: 0, expected: {} });
    cat.sent++;
    bump(cat.expected, f.expected.status);
    bump(summary.expected, f.expected.status);
    summary.bodyBytes += f.body.length;
    if (f.chunked) summary.chunked++;
    try {
      const r = await send(f);
      bump(summary.statuses, r.status);
      const why = mismatch(f, r.status, r.text);
      if (why) {
        summary.mismatches++;
        if (summary.mismatchExamples.length < 20) summary.mismatchExamples.push(`#${f.n} ${f.category} (${f.contentType ?? 'no content-type'}, ${f.body.length} B${f.chunked ? ' chunked' : ''}): ${why}; body ${JSON.stringify(f.body.subarray(0, 160).toString('utf8'))}; answer ${r.text.slice(0, 200)}`);
      }
      if (r.status === 200) {
        let uid: unknown = null;
        try {
          uid = (JSON.parse(r.text) as { response?: { uid?: unknown } }).response?.uid ?? null;
        } catch {
          /* counted as a mismatch above */
        }
        fs.writeSync(uids, `${JSON.stringify(uid)}\n`);
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (f.expected.status === 413 && f.body.length > cfg.maxBody && (code === 'EPIPE' || code === 'ECONNRESET')) {
        summary.closedWhileSendingOversize++;
        summary.sent++;
        continue;
      }
      summary.errors++;
      if (summary.errorExamples.length < 20) summary.errorExamples.push(`#${f.n} ${f.category} (${f.body.length} B${f.chunked ? ' chunked' : ''}): ${(e as Error).message}`);
    }
    summary.sent++;
    if (summary.sent % (cfg.progressEvery ?? 1000) === 0) process.stdout.write(`${JSON.stringify({ progress: summary.sent })}\n`);
  }
}

async function main(): Promise<void> {
  await Promise.all(Array.from({ length: cfg.concurrency }, () => worker()));
  agent.destroy();
  fs.closeSync(uids);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

void main();
