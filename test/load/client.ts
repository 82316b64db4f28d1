// Load client for the webhook load and fault tests, run as its own process (node --import tsx client.ts
// CONFIG.json) so the server under test never shares an event loop with it. Sends exactly `total`
// AdmissionReview POSTs with `concurrency` in flight, verifies each answer as the API server does (HTTP 200,
// apiVersion/kind, uid echoed), and optionally routes only to targets whose /readyz answers 200 (polled, as
// endpoints follow readiness). Prints progress lines and one final JSON summary; it never measures latency.
// With `recordFile`, it also writes one JSON line per request (uid, target, body, send and answer times, the
// answer) for tests that check answers against the server's log and timeline.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';

export interface ClientConfig {
  targets: { port: number }[];
  /** PEM bundle the server certificate must verify against. */
  ca: string;
  servername: string;
  /** AdmissionReview bodies with the uid written as __UID__; used round-robin. */
  bodies: string[];
  total: number;
  concurrency: number;
  /** true: keep-alive connections (as the API server); false: a new TLS connection per request. */
  keepAlive: boolean;
  /** Poll /readyz of every target at this interval and send only to ready ones. */
  readinessPollMs?: number;
  timeoutMs?: number;
  progressEvery?: number;
  /** Write one RequestRecord per line to this file before the summary. */
  recordFile?: string;
  /**
   * At most this many requests started per second (request i starts no earlier than start + i / rate). A fault
   * test uses it so that a fixed count still outlasts the faults however fast the server answers (a decision
   * cache hit is ~2x faster than linting); it never speeds anything up.
   */
  maxRatePerSec?: number;
}

/** One request as the client saw it. Times are Date.now() (the same clock as the server's log `time`). */
export interface RequestRecord {
  uid: string;
  port: number;
  body: number;
  sentAt: number;
  answeredAt: number;
  status: number;
  /** HTTP 200 and a well-formed AdmissionReview answer with this uid. */
  ok: boolean;
  allowed?: boolean;
  message?: string;
  warnings?: string[];
}

export interface ClientSummary {
  done: true;
  sent: number;
  statuses: Record<string, number>;
  errors: string[];
  badResponses: string[];
  perTarget: Record<string, number>;
  denied: number;
  allowed: number;
  /** Answers whose status reason was InternalError (rules failed or timed out: --on-error). */
  internalErrors: number;
  /** Requests and InternalError answers per body index. */
  sentByBody: Record<number, number>;
  internalByBody: Record<number, number>;
}

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as ClientConfig;
const agent = cfg.keepAlive ? new https.Agent({ keepAlive: true, maxSockets: cfg.concurrency, ca: cfg.ca }) : undefined;
const ready = new Map<number, boolean>(cfg.targets.map((t) => [t.port, !cfg.readinessPollMs]));
const records: RequestRecord[] = [];
const summary: ClientSummary = { done: true, sent: 0, statuses: {}, errors: [], badResponses: [], perTarget: {}, denied: 0, allowed: 0, internalErrors: 0, sentByBody: {}, internalByBody: {} };

function request(port: number, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        servername: cfg.servername,
        ca: cfg.ca,
        method,
        path,
        agent: agent ?? false,
        headers: body ? { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': Buffer.byteLength(body) } : {},
        timeout: cfg.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

let polling = true;
async function pollReadiness(): Promise<void> {
  while (polling) {
    await Promise.all(
      cfg.targets.map(async (t) => {
        try {
          const r = await request(t.port, 'GET', '/readyz');
          ready.set(t.port, r.status === 200);
        } catch {
          ready.set(t.port, false);
        }
      }),
    );
    await new Promise((r) => setTimeout(r, cfg.readinessPollMs));
  }
}

let rr = 0;
async function pickTarget(): Promise<number> {
  for (;;) {
    const live = cfg.targets.filter((t) => ready.get(t.port));
    if (live.length) return live[rr++ % live.length].port;
    await new Promise((r) => setTimeout(r, 20));
  }
}

let next = 0;
let startedAt = 0;
async function worker(): Promise<void> {
  while (next < cfg.total) {
    const i = next++;
    if (cfg.maxRatePerSec) {
      const wait = startedAt + (i * 1000) / cfg.maxRatePerSec - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const uid = randomUUID();
    const bi = i % cfg.bodies.length;
    const body = cfg.bodies[bi].replace('__UID__', uid);
    summary.sentByBody[bi] = (summary.sentByBody[bi] ?? 0) + 1;
    const port = await pickTarget();
    summary.perTarget[port] = (summary.perTarget[port] ?? 0) + 1;
    const rec: RequestRecord = { uid, port, body: bi, sentAt: Date.now(), answeredAt: 0, status: 0, ok: false };
    try {
      const r = await request(port, 'POST', '/validate?timeout=10s', body);
      rec.answeredAt = Date.now();
      rec.status = r.status;
      summary.statuses[r.status] = (summary.statuses[r.status] ?? 0) + 1;
      if (r.status === 200) {
        const j = JSON.parse(r.text) as { apiVersion?: string; kind?: string; response?: { uid?: string; allowed?: boolean; warnings?: string[]; status?: { reason?: string; message?: string } } };
        if (j.apiVersion !== 'admission.k8s.io/v1' || j.kind !== 'AdmissionReview' || j.response?.uid !== uid || typeof j.response.allowed !== 'boolean') {
          summary.badResponses.push(r.text.slice(0, 200));
        } else {
          Object.assign(rec, { ok: true, allowed: j.response.allowed, message: j.response.status?.message, warnings: j.response.warnings });
          if (j.response.allowed) summary.allowed++;
          else summary.denied++;
          if (!j.response.allowed && j.response.status?.reason === 'InternalError') {
            summary.internalErrors++;
            summary.internalByBody[bi] = (summary.internalByBody[bi] ?? 0) + 1;
          }
        }
      }
    } catch (e) {
      rec.answeredAt = Date.now();
      summary.errors.push(`${port}: ${(e as Error).message}`);
    }
    if (cfg.recordFile) records.push(rec);
    summary.sent++;
    if (summary.sent % (cfg.progressEvery ?? 100) === 0) process.stdout.write(`${JSON.stringify({ progress: summary.sent, perTarget: summary.perTarget })}\n`);
  }
}

async function main(): Promise<void> {
  const poller = cfg.readinessPollMs ? pollReadiness() : Promise.resolve();
  if (cfg.readinessPollMs) await new Promise((r) => setTimeout(r, cfg.readinessPollMs! + 50));
  startedAt = Date.now();
  await Promise.all(Array.from({ length: cfg.concurrency }, () => worker()));
  polling = false;
  await poller;
  agent?.destroy();
  if (cfg.recordFile) fs.writeFileSync(cfg.recordFile, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

void main();
