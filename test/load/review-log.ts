// Load tests: the server's log against what the client saw. Every AdmissionReview the client got an answer
// for must appear exactly once as an `event: review` line in the log of the server that answered it, and the
// log holds no review the client did not get.
import type { ChildProcess } from 'node:child_process';
import type { RequestRecord } from './client.js';

/** Resolves once a child's stdout has ended (its 'exit' can come before the last lines are read). */
export function stdoutDrained(proc: ChildProcess): Promise<void> {
  const out = proc.stdout;
  if (!out || out.readableEnded || out.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    out.once('end', () => resolve());
    out.once('close', () => resolve());
  });
}

export interface ReviewLogCheck {
  answered: number;
  logged: number;
  /** Answered, but no review line. */
  missing: string[];
  /** Review lines for one uid beyond the first. */
  duplicated: string[];
  /** Review lines for a uid this client never got an answer for from this server. */
  unexpected: string[];
}

/** Compares the `ok` answers one server (`port`) gave with its `review` log lines. */
export function checkReviewLog(records: RequestRecord[], port: number, logs: Record<string, unknown>[]): ReviewLogCheck {
  const answered = new Set(records.filter((r) => r.port === port && r.ok).map((r) => r.uid));
  const seen = new Set<string>();
  const duplicated: string[] = [];
  const unexpected: string[] = [];
  let logged = 0;
  for (const l of logs) {
    if (l.event !== 'review') continue;
    logged++;
    const uid = String(l.uid);
    if (seen.has(uid)) duplicated.push(uid);
    seen.add(uid);
    if (!answered.has(uid)) unexpected.push(uid);
  }
  const missing = [...answered].filter((u) => !seen.has(u));
  return { answered: answered.size, logged, missing: missing.slice(0, 20), duplicated: duplicated.slice(0, 20), unexpected: unexpected.slice(0, 20) };
}
