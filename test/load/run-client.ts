// Load tests: starts test/load/client.ts in its own process and follows its progress lines.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TSX } from '../webhook/helpers/serve-process.js';
import type { ClientConfig, ClientSummary, RequestRecord } from './client.js';

export interface RunningClient {
  /** Resolves once at least `n` requests were answered (or failed). */
  reached(n: number): Promise<void>;
  /** Requests answered so far, as last reported. */
  progress(): number;
  /** The summary, and with `record` every request as the client saw it. */
  done: Promise<ClientSummary & { records: RequestRecord[] }>;
}

export function startClient(config: ClientConfig, opts: { record?: boolean } = {}): RunningClient {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-load-'));
  const file = path.join(dir, 'config.json');
  const cfg: ClientConfig = opts.record ? { ...config, recordFile: path.join(dir, 'records.jsonl') } : config;
  fs.writeFileSync(file, JSON.stringify(cfg));
  const proc = spawn(process.execPath, ['--import', TSX, path.join(import.meta.dirname, 'client.ts'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let latest = 0;
  let summary: ClientSummary | undefined;
  let stderr = '';
  const waiters: { n: number; resolve: () => void }[] = [];
  let buf = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (c: string) => {
    buf += c;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const j = JSON.parse(line) as { progress?: number } & Partial<ClientSummary>;
      if (typeof j.progress === 'number') latest = j.progress;
      if (j.done) summary = j as ClientSummary;
      for (const w of waiters.filter((x) => latest >= x.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (c: string) => (stderr += c));
  const done = new Promise<ClientSummary & { records: RequestRecord[] }>((resolve, reject) =>
    proc.on('exit', (code) => {
      let records: RequestRecord[] = [];
      if (code === 0 && cfg.recordFile) {
        records = fs.readFileSync(cfg.recordFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RequestRecord);
      }
      fs.rmSync(dir, { recursive: true, force: true });
      for (const w of waiters.splice(0)) w.resolve();
      if (code === 0 && summary) resolve({ ...summary, records });
      else reject(new Error(`load client exited with ${code}: ${stderr}`));
    }),
  );
  return {
    reached: (n) => (latest >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    progress: () => latest,
    done,
  };
}
