// CLI stage: V8 tiering for short runs. A lint of one values file or one rendered stream is over before
// V8's optimizing compiler (TurboFan) pays back: on the benchmark machine it spent ~65 ms of CPU and ~10 MiB
// of peak RSS compiling code that then ran a few more times (docs/performance.md). For small inputs the
// entry point (main.ts, never a library caller or a test) turns it off before any work; large or unknown
// inputs (stdin, big directories: the batch case, where optimized code wins 1.5-2x) keep the default.
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';

/** Below this many input bytes, a lint runs faster without TurboFan (measured break-even: ~1 MB). */
export const SHORT_RUN_BYTES = 512 * 1024;
/** Directory walks stop after this many entries (the input then counts as large). */
const MAX_ENTRIES = 256;

const NOT_LINT = new Set(['chart', 'post-render', 'preflight', 'serve', 'certs', 'rules', 'explain', 'schema', 'docs-gen', 'help', '--help', '-h', '--version', '-V']);
/** Flags whose value is a file that is read as lint input. */
const FILE_FLAGS = new Set(['-f', '--values', '--previous-values']);

/**
 * Bytes of lint input named on a `lint` command line, or undefined when not a lint, when stdin is read, or
 * once the input is known to be large. Bounded: stops at SHORT_RUN_BYTES or MAX_ENTRIES.
 */
export function smallLintInputBytes(argv: string[], cwd: string): number | undefined {
  if (argv.length === 0 || NOT_LINT.has(argv[0])) return undefined;
  let bytes = 0;
  let entries = 0;
  const add = (p: string): boolean => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return true; // a missing file is the CLI's error to report, not ours
    }
    if (++entries > MAX_ENTRIES) return false;
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = fs.readdirSync(p);
      } catch {
        return true;
      }
      for (const n of names) {
        if (n.startsWith('.') || n === 'node_modules') continue;
        const full = path.join(p, n);
        if (/\.ya?ml$/i.test(n) || !path.extname(n)) {
          if (!add(full)) return false;
        }
      }
    } else if (st.isFile()) bytes += st.size;
    return bytes < SHORT_RUN_BYTES;
  };
  const args = argv[0] === 'lint' ? argv.slice(1) : argv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let file: string | undefined;
    if (FILE_FLAGS.has(a)) file = args[++i];
    else if (a.startsWith('--values=') || a.startsWith('--previous-values=')) file = a.slice(a.indexOf('=') + 1);
    else if (a.startsWith('-f') && a.length > 2) file = a.slice(2);
    else if (a === '-') return undefined;
    else if (a.startsWith('-')) {
      // --flag VALUE pairs: the value is skipped by the stat below when it is no file; a flag that happens
      // to name a file only makes the estimate larger (the safe side).
      continue;
    } else file = a;
    if (file === undefined) continue;
    if (file === '-') return undefined;
    if (!add(path.resolve(cwd, file))) return undefined;
  }
  return bytes;
}

/** Whether tuneForShortRun changed V8's flags (restoreTiering undoes it). */
let tuned = false;

/** V8 flags the user gave (node options or NODE_OPTIONS) that decide tiering themselves: those win. */
const USER_TIERING = /--(no-)?(opt|turbofan|sparkplug)\b|--jitless|--max-opt\b/;

/** Turns TurboFan off for a small lint run (see the header); returns whether it did. */
export function tuneForShortRun(argv: string[], cwd: string): boolean {
  if (USER_TIERING.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)) return false;
  const bytes = smallLintInputBytes(argv, cwd);
  if (bytes === undefined || bytes >= SHORT_RUN_BYTES) return false;
  v8.setFlagsFromString('--no-opt');
  tuned = true;
  return true;
}

/**
 * Puts V8's flags back as they were at start (called by main.ts once the run is over). V8 rejects a code
 * cache made under other flags than the ones it is loaded under, and bin/imply-lint.js writes its cache at
 * exit, while the bundle is loaded before any tuning.
 */
export function restoreTiering(): void {
  if (!tuned) return;
  v8.setFlagsFromString('--opt');
  tuned = false;
}
