// Test helper: runs the CLI in-process with a captured Io, or the bundled binary as a child process.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { run } from '../../src/cli/run.js';
import type { Io } from '../../src/cli/inputs.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const REF = path.resolve(ROOT, '../shared/reference');
export const REF23 = path.join(REF, 'chart-2023.03.1');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `imply-lint argv` in-process. */
export async function cli(argv: string[], opts: { cwd?: string; stdin?: string | Buffer; env?: Record<string, string> } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    readStdin: async () => (opts.stdin === undefined ? Buffer.alloc(0) : Buffer.from(opts.stdin)),
    cwd: opts.cwd ?? ROOT,
    env: { ...opts.env },
    isTTY: false,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** Runs the bundled CLI (dist/cli.js, built by `npm test` before vitest) as a child process. */
export function cliProcess(argv: string[], opts: { cwd?: string; stdin?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/imply-lint.js'), ...argv], {
    cwd: opts.cwd ?? ROOT,
    input: opts.stdin,
    env: { PATH: process.env.PATH ?? '', ...opts.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Parses the JSON reporter's output. */
export function findingsOf(stdout: string): { ruleId: string; severity: string; path?: string; object?: string; location?: { file: string; line: number; column: number }; suppressed?: boolean; fingerprint: string; subject: string }[] {
  const doc = JSON.parse(stdout) as { results: { findings: never[] }[] };
  return doc.results.flatMap((r) => r.findings);
}
