// Test helper: `imply-lint serve` as a child process (the real CLI from the TypeScript sources, through tsx), its
// JSON log lines collected, its port read from the "listening" line, readiness polled, and signals sent.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import { generatePki } from '../../../src/webhook/certs.js';
import type { Pki } from '../../../src/webhook/certs.js';
import { call } from './https.js';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
/** tsx's loader by absolute URL, so the child can run from any working directory. */
export const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export interface ServeProcess {
  proc: ChildProcess;
  port: number;
  logs: Record<string, any>[];
  stderr: () => string;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  waitReady(ca: string, servername: string, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts `imply-lint serve <args>` (always on 127.0.0.1, port 0 unless given). */
export async function startServe(args: string[], opts: { env?: Record<string, string>; cwd?: string; startTimeoutMs?: number } = {}): Promise<ServeProcess> {
  const full = ['--import', TSX, path.join(ROOT, 'src/cli/main.ts'), 'serve', '--host', '127.0.0.1', ...(args.includes('--port') ? [] : ['--port', '0']), ...args];
  const proc = spawn(process.execPath, full, {
    cwd: opts.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, any>[] = [];
  let err = '';
  let buf = '';
  let onListen: ((port: number) => void) | undefined;
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      try {
        const j = JSON.parse(line) as Record<string, any>;
        logs.push(j);
        if (j.event === 'listening') onListen?.(j.port as number);
      } catch {
        logs.push({ raw: line });
      }
    }
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within ${opts.startTimeoutMs ?? 60_000} ms: ${err}`)), opts.startTimeoutMs ?? 60_000);
    onListen = (p) => {
      clearTimeout(timer);
      resolve(p);
    };
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${e.code ?? e.signal} before listening: ${err}`));
    });
  });
  return {
    proc,
    port,
    logs,
    stderr: () => err,
    exited,
    async waitReady(ca, servername, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        try {
          const r = await call({ port, ca, servername, path: '/readyz', timeoutMs: 2000 });
          if (r.status === 200) return;
        } catch {
          /* not yet */
        }
        if (Date.now() > until) throw new Error(`serve not ready within ${timeoutMs} ms; logs: ${JSON.stringify(logs.slice(-5))} ${err}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      proc.kill(signal);
    },
  };
}

/** Runs `imply-lint serve <args>` expecting it to fail at start: exit code and stderr. */
export function serveFails(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'src/cli/main.ts'), 'serve', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** A fresh PKI for the webhook Service, its serving pair written to a temp dir, and the serve flags that use it. */
export interface ServingPki {
  dir: string;
  pki: Pki;
  /** `--cert <dir>/tls.crt --key <dir>/tls.key` */
  certArgs: string[];
}

export async function servingPki(prefix: string, service: string, namespace: string): Promise<ServingPki> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const pki = await generatePki({ service, namespace, now: new Date() });
  fs.writeFileSync(path.join(dir, 'tls.crt'), pki.serving.certPem);
  fs.writeFileSync(path.join(dir, 'tls.key'), pki.serving.keyPem);
  return { dir, pki, certArgs: ['--cert', path.join(dir, 'tls.crt'), '--key', path.join(dir, 'tls.key')] };
}

/** SIGTERM to a serve still running and its exit awaited; then the PKI's temp dir removed. */
export async function stopServe(s: ServeProcess | undefined, certs: ServingPki | undefined): Promise<void> {
  if (s && s.proc.exitCode === null && s.proc.signalCode === null) {
    s.kill('SIGTERM');
    await s.exited;
  }
  if (certs) fs.rmSync(certs.dir, { recursive: true, force: true });
}
