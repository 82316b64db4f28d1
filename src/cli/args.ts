// CLI stage: flag definitions shared by the commands, parsed with node:util parseArgs (strict: an unknown
// flag is a usage error, exit 2).
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UserError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags of `lint` and `chart` (and, where they make sense, preflight). */
export const LINT_OPTIONS = {
  values: { type: 'string', short: 'f', multiple: true },
  set: { type: 'string', multiple: true },
  'set-string': { type: 'string', multiple: true },
  'kube-version': { type: 'string' },
  'chart-version': { type: 'string' },
  'helm-version': { type: 'string' },
  'release-name': { type: 'string' },
  'previous-values': { type: 'string', multiple: true },
  policy: { type: 'string' },
  'no-config': { type: 'boolean' },
  rule: { type: 'string', multiple: true },
  'skip-rule': { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
  'max-warnings': { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  'fail-on': { type: 'string' },
  'docs-base-url': { type: 'string' },
  baseline: { type: 'string' },
  'write-baseline': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export type Flags = Record<string, string | boolean | string[] | undefined>;

/** Parses argv for one command; unknown flags and missing values become UserErrors. */
export function parseFlags(argv: string[], options: Options): { flags: Flags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { flags: values as Flags, positionals };
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option/, 'unknown flag');
    throw new UserError(`${msg} (see imply-lint --help)`);
  }
}

/** Reads a multiple-valued flag as a list. */
export function list(v: unknown): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/** Parses a duration like 5s, 250ms, 2m, or a bare number of seconds. */
export function parseDuration(v: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m) throw new UserError(`${flag}: invalid duration "${v}" (use e.g. 5s, 250ms, 2m)`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

/** Parses a size like 6MiB, 512KiB, 1048576. */
export function parseSize(v: string, flag: string): number {
  const m = /^(\d+)(B|KiB|MiB|GiB|KB|MB|GB|k|m)?$/i.exec(v.trim());
  if (!m) throw new UserError(`${flag}: invalid size "${v}" (use e.g. 6MiB)`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'B').toLowerCase();
  const mult: Record<string, number> = { b: 1, kib: 1024, k: 1024, kb: 1000, mib: 1024 ** 2, m: 1024 ** 2, mb: 1e6, gib: 1024 ** 3, gb: 1e9 };
  return n * mult[unit];
}

/** Validates a Kubernetes or Helm version flag (`1.30`, `v1.30.2`). */
export function versionFlag(v: string | undefined, flag: string): string | undefined {
  if (v === undefined) return undefined;
  if (!/^v?\d+\.\d+(\.\d+)?([-+].*)?$/.test(v)) throw new UserError(`${flag}: invalid version "${v}" (use e.g. 1.30 or v3.14.0)`);
  return v.replace(/^v/, '');
}
