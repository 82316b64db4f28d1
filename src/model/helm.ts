// Model stage: runs the real `helm` binary (`helm template`, `helm version`) for the inputs that need a
// chart rendered. No shell: arguments go to execFile as a list, in the user's order.
import fs from 'node:fs';
import path from 'node:path';
import type { ExecFileException } from 'node:child_process';

/** helm exited non-zero, timed out, printed too much, or could not be started. */
export class HelmError extends Error {
  constructor(
    message: string,
    /** Everything helm printed on stderr (may be empty). */
    readonly stderr = '',
    /** helm's exit code, when it ran and exited. */
    readonly exitCode?: number,
  ) {
    super(message);
    this.name = 'HelmError';
  }
}

/** One `--set` / `--set-string` flag, in command-line order. */
export interface HelmSetFlag {
  flag: '--set' | '--set-string';
  expr: string;
}

export interface RenderChartOptions {
  /** The helm binary (see findHelm()). */
  helm: string;
  chartDir: string;
  /** Defaults to `release-name`, as `helm template` names an unnamed release. */
  releaseName?: string;
  namespace?: string;
  /** `-f` files, in order. */
  valuesFiles: string[];
  /** `--set` / `--set-string`, in command-line order (helm itself applies all --set first). */
  sets: HelmSetFlag[];
  kubeVersion?: string;
  apiVersions?: string[];
  /** Default 60 s. */
  timeoutMs?: number;
  /** Largest stdout accepted; default 64 MiB (the YAML reader's own limit). */
  maxOutputBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * The one line of helm's stderr worth showing: its `Error:` line (helm prints warnings such as
 * "coalesce.go:...: warning: cannot overwrite table with non table" before it), else the first non-empty
 * line. helm v4 spreads a template error over an indented block ("Error: t.yaml:61:12", "executing ...",
 * "can't evaluate field ..."): the block's last line, the cause, is appended.
 */
export function firstErrorLine(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim());
  const at = lines.findIndex((l) => l.startsWith('Error:'));
  if (at < 0) return lines.find((l) => l.length > 0) ?? '';
  let cause = '';
  for (let i = at + 1; i < lines.length && lines[i].length > 0; i++) cause = lines[i];
  return cause && !cause.startsWith('Use --debug') ? `${lines[at].replace(/:$/, '')}: ${cause}` : lines[at];
}

interface RunResult {
  stdout: string;
  stderr: string;
}

async function runHelm(helm: string, args: string[], timeoutMs: number, maxBuffer: number, what: string): Promise<RunResult> {
  const { execFile } = await import('node:child_process');
  return new Promise<RunResult>((resolve, reject) => {
    execFile(
      helm,
      args,
      { timeout: timeoutMs, maxBuffer, encoding: 'utf8', windowsHide: true, killSignal: 'SIGKILL' },
      (err: ExecFileException | null, stdout: string, stderr: string) => {
        if (!err) {
          resolve({ stdout, stderr });
          return;
        }
        const code = (err as { code?: unknown }).code;
        if (code === 'ENOENT' || code === 'EACCES') {
          reject(new HelmError(`cannot run helm (${helm}): ${String(code)}`, stderr));
        } else if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
          reject(new HelmError(`${what}: output larger than ${maxBuffer} bytes`, stderr));
        } else if (err.killed || err.signal) {
          reject(new HelmError(`${what}: no answer after ${timeoutMs} ms (killed)`, stderr));
        } else {
          const line = firstErrorLine(stderr) || err.message.split('\n')[0];
          reject(new HelmError(line, stderr, typeof code === 'number' ? code : undefined));
        }
      },
    );
  });
}

/** The argv of `helm template` for these options (exported for tests and `--dry-run` style output). */
export function templateArgs(opts: RenderChartOptions): string[] {
  const args = ['template', opts.releaseName ?? 'release-name', opts.chartDir];
  if (opts.namespace) args.push('--namespace', opts.namespace);
  for (const f of opts.valuesFiles) args.push('--values', f);
  // The `=` form keeps an expression that starts with `-` from reading as a flag.
  for (const s of opts.sets) args.push(`${s.flag}=${s.expr}`);
  if (opts.kubeVersion) args.push('--kube-version', opts.kubeVersion);
  for (const a of opts.apiVersions ?? []) args.push(`--api-versions=${a}`);
  return args;
}

/** Renders a chart with `helm template`; resolves to the manifest stream, throws HelmError on failure. */
export async function renderChart(opts: RenderChartOptions): Promise<string> {
  const { stdout } = await runHelm(
    opts.helm,
    templateArgs(opts),
    opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT,
    'helm template',
  );
  return stdout;
}

/** `helm version --short` reduced to the semantic version: `v4.1.4+g05fa379` -> `4.1.4`. */
export async function helmVersion(helm: string, timeoutMs = 15_000): Promise<string> {
  const { stdout } = await runHelm(helm, ['version', '--short'], timeoutMs, 1024 * 1024, 'helm version');
  const v = parseHelmVersion(stdout);
  if (!v) throw new HelmError(`helm version: cannot read a version from ${JSON.stringify(stdout.trim().slice(0, 80))}`);
  return v;
}

/** Extracts `X.Y.Z` (with any pre-release) from helm's version output; undefined if there is none. */
export function parseHelmVersion(text: string): string | undefined {
  const m = /v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(text);
  return m?.[1];
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The helm to use: `HELM_BIN`, else `helm` on `PATH`, else undefined. */
export function findHelm(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.HELM_BIN) return env.HELM_BIN;
  const names = process.platform === 'win32' ? ['helm.exe', 'helm'] : ['helm'];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const n of names) {
      const candidate = path.join(dir, n);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}
