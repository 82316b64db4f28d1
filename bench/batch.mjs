// Benchmark 2 (issue 5): batch. One `imply-lint` process lints 5,000 values files and 500 rendered
// manifest streams (variants of the real chart-2023.03.1 files, generated into a temp dir), against one
// process that only parses the same files with `yaml` (parseAllDocuments: CST + AST, the floor of any
// YAML tool that reports positions). Target: total time <= 2x yaml's. Then the same at 1x, 4x and 16x of
// a smaller base, to show the cost grows linearly. Reports files/s, MB/s and peak RSS.
//
//   node bench/batch.mjs [--values 5000] [--manifests 500] [--growth-base 0.05] [--growth 1,4,16]
//                        [--repeat 3] [--cli FILE] [--compare L=FILE,...] [--keep] [--json FILE]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, REF23, flags, fmt, linearFit, machine, measure, median, printMachine, requireBuild, table, verdict, writeJson } from './lib.mjs';

const HELP = `usage: node bench/batch.mjs [options]
  --values N        values files in the headline run (1x); default 5000
  --manifests N     rendered manifest streams in the headline run; default 500
  --growth-base F   the growth series' 1x as a fraction of the headline counts; default 0.05 (250 + 25):
                    16x of the full 5,000 + 500 would take most of an hour on a 2-core machine
  --growth LIST     multiples for the growth series; default 1,4,16 ("" skips the series)
  --repeat N        measurements per input set, rotating the order (medians reported); default 3
  --cli FILE        the imply-lint build to run; default dist/cli.js (A/B: another build's dist/cli.js)
  --compare L=FILE  more builds timed on the headline input in the same repeats: LABEL=dist/cli.js[,...]
  --keep            keep the generated files (printed path)
  --json FILE       also write the raw results to FILE`;
const opt = flags({ values: 5000, manifests: 500, 'growth-base': 0.05, growth: '1,4,16', repeat: 3, cli: CLI, compare: '', keep: false, json: '' }, HELP);
for (const k of ['values', 'manifests', 'repeat']) if (!(Number.isInteger(opt[k]) && opt[k] >= 0 && opt[k] <= 1_000_000)) throw new Error(`--${k}: 0..1000000`);
requireBuild();

const VALUES_BASES = ['values.public-user-copy.yaml', 'production-overrides.yaml', 'features-overrides.yaml'].map((f) => fs.readFileSync(path.join(REF23, f), 'utf8'));
const STREAM_BASES = ['quickstart.rendered.yaml', 'production.rendered.yaml', 'features.rendered.yaml'].map((f) => fs.readFileSync(path.join(REF23, f), 'utf8'));

/** Deterministic variant i of a base text: a header comment and changed replica counts, so no two files are equal. */
function variant(text, i, key) {
  let n = 0;
  const body = text.replace(new RegExp(`^(\\s*${key}: )(\\d+)$`, 'gm'), (_, pre) => `${pre}${((i + n++) % 4) + 1}`);
  return `# bench variant ${i}\n${body}`;
}

/** Writes `values` values files and `manifests` streams under dir; returns their total bytes. */
function generate(dir, values, manifests) {
  fs.mkdirSync(path.join(dir, 'values'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'manifests'), { recursive: true });
  let bytes = 0;
  for (let i = 0; i < values; i++) {
    const t = variant(VALUES_BASES[i % VALUES_BASES.length], i, 'replicaCount');
    fs.writeFileSync(path.join(dir, 'values', `v${String(i).padStart(6, '0')}.yaml`), t);
    bytes += Buffer.byteLength(t);
  }
  for (let i = 0; i < manifests; i++) {
    const t = variant(STREAM_BASES[i % STREAM_BASES.length], i, 'replicas');
    fs.writeFileSync(path.join(dir, 'manifests', `m${String(i).padStart(6, '0')}.yaml`), t);
    bytes += Buffer.byteLength(t);
  }
  return bytes;
}

// The floor: read every file and parse it with yaml, nothing else, in one process.
const YAML_ONLY = `
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
const files = [];
const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) { const f = path.join(d, e.name); if (e.isDirectory()) walk(f); else if (/\\.ya?ml$/.test(e.name)) files.push(f); } };
walk(process.argv[1]);
let docs = 0;
for (const f of files) { const r = parseAllDocuments(fs.readFileSync(f, 'utf8')); docs += Array.isArray(r) ? r.length : 0; }
if (docs === 0) process.exit(3);
`;

/**
 * Times the yaml-only floor and each imply-lint build on one input set, `--repeat` times in a rotating
 * order. Ratios are medians of per-repeat ratios (lint / yaml of the same repeat), so load changes on a
 * shared machine hit numerator and denominator alike; CPU time (user+sys) is reported beside wall time.
 */
async function timeAll(dir, bytes, files, builds) {
  const report = path.join(dir, 'report.json');
  const ids = ['yaml', ...builds.map((b) => b.label)];
  const runs = Object.fromEntries(ids.map((id) => [id, []]));
  for (let r = 0; r < opt.repeat; r++) {
    const order = [...ids.slice(r % ids.length), ...ids.slice(0, r % ids.length)];
    for (const id of order) {
      if (id === 'yaml') {
        const m = await measure(process.execPath, ['--input-type=module', '-e', YAML_ONLY, dir], { rusage: true, timeoutMs: 3_600_000 });
        if (m.code !== 0) throw new Error(`yaml-only exited ${m.code}: ${m.stderr}`);
        runs.yaml[r] = m;
        continue;
      }
      const b = builds.find((x) => x.label === id);
      const m = await measure(process.execPath, [b.cli, '--no-config', '--format', 'json', '-o', report, dir], { rusage: true, timeoutMs: 3_600_000 });
      if (m.code !== 0 && m.code !== 1) throw new Error(`imply-lint (${id}) exited ${m.code}: ${m.stderr}`);
      const results = JSON.parse(fs.readFileSync(report, 'utf8'));
      const n = Array.isArray(results) ? results.length : Array.isArray(results.results) ? results.results.length : undefined;
      if (n !== files) throw new Error(`imply-lint (${id}) reported ${n} targets for ${files} files`);
      fs.rmSync(report, { force: true });
      runs[id][r] = m;
    }
  }
  const pick = (ms) => ({ wallMs: median(ms.map((m) => m.wallMs)), rssKiB: median(ms.map((m) => m.rssKiB)), cpuMs: median(ms.map((m) => m.cpuMs)) });
  const y = pick(runs.yaml);
  const out = { files, bytes, yaml: { ...y, wallRuns: runs.yaml.map((m) => m.wallMs) }, builds: {} };
  for (const b of builds) {
    const l = pick(runs[b.label]);
    out.builds[b.label] = {
      ...l,
      wallRuns: runs[b.label].map((m) => m.wallMs),
      ratio: median(runs[b.label].map((m, i) => m.wallMs / runs.yaml[i].wallMs)),
      cpuRatio: median(runs[b.label].map((m, i) => m.cpuMs / runs.yaml[i].cpuMs)),
      filesPerS: files / (l.wallMs / 1000),
      mbPerS: bytes / 2 ** 20 / (l.wallMs / 1000),
    };
  }
  return out;
}

const row = (label, r, b = r.builds.main) => [
  label,
  r.files,
  fmt(r.bytes / 2 ** 20),
  fmt(r.yaml.wallMs / 1000, 2),
  fmt(b.wallMs / 1000, 2),
  `${fmt(b.ratio, 2)}x`,
  `${fmt(b.cpuRatio, 2)}x`,
  fmt(b.filesPerS, 0),
  fmt(b.mbPerS, 2),
  fmt(b.rssKiB / 1024, 0),
  fmt(r.yaml.rssKiB / 1024, 0),
];
const HEADER = ['input', 'files', 'MiB', 'yaml only s', 'imply-lint s', 'lint / yaml (wall)', 'lint / yaml (CPU)', 'files/s', 'MiB/s', 'lint peak RSS MiB', 'yaml peak RSS MiB'];
const BUILDS = [
  { label: 'main', cli: opt.cli },
  ...opt.compare
    .split(',')
    .filter(Boolean)
    .map((spec) => {
      const [label, cli] = spec.includes('=') ? spec.split('=') : [spec, spec];
      if (!fs.existsSync(cli)) throw new Error(`--compare: ${cli} not found`);
      return { label, cli };
    }),
];

const m0 = machine();
printMachine(m0);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-batch-'));
const out = { bench: 'batch', machine: m0, options: opt, headline: undefined, growth: [] };
try {
  if (opt.values + opt.manifests > 0) {
    const dir = path.join(tmp, 'headline');
    const bytes = generate(dir, opt.values, opt.manifests);
    console.log(`headline: ${opt.values} values files + ${opt.manifests} manifest streams, ${fmt(bytes / 2 ** 20)} MiB in ${dir}`);
    const r = await timeAll(dir, bytes, opt.values + opt.manifests, BUILDS);
    out.headline = r;
    console.log('');
    console.log(table(HEADER, BUILDS.map((b) => row(b.label === 'main' ? `${opt.values} values + ${opt.manifests} streams` : `  [${b.label}]`, r, r.builds[b.label]))));
    console.log('');
    const hr = r.builds.main.ratio;
    console.log(`target: total time <= 2x yaml alone: ${fmt(hr, 2)}x (CPU ${fmt(r.builds.main.cpuRatio, 2)}x) ${verdict(hr <= 2)}`);
    if (!opt.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
  const mults = String(opt.growth).split(',').map(Number).filter((x) => x > 0);
  if (mults.length) {
    const baseV = Math.max(1, Math.round(opt.values * opt['growth-base']));
    const baseM = Math.max(opt.manifests > 0 ? 1 : 0, Math.round(opt.manifests * opt['growth-base']));
    console.log('');
    console.log(`growth series: 1x = ${baseV} values files + ${baseM} streams (${opt['growth-base']} of the headline counts)`);
    for (const k of mults) {
      const dir = path.join(tmp, `x${k}`);
      const bytes = generate(dir, baseV * k, baseM * k);
      const r = await timeAll(dir, bytes, (baseV + baseM) * k, [BUILDS[0]]);
      out.growth.push({ multiple: k, ...r });
      console.log(`  ${k}x: ${r.files} files, ${fmt(r.builds.main.wallMs / 1000, 2)} s (yaml only ${fmt(r.yaml.wallMs / 1000, 2)} s)`);
      if (!opt.keep) fs.rmSync(dir, { recursive: true, force: true });
    }
    const g = out.growth;
    console.log('');
    console.log(
      table(
        [...HEADER, 'lint ms / file', 'marginal lint ms / file', 'lint CPU ms / file'],
        g.map((r, i) => [
          ...row(`${r.multiple}x`, r),
          fmt(r.builds.main.wallMs / r.files, 2),
          i === 0 ? '-' : fmt((r.builds.main.wallMs - g[i - 1].builds.main.wallMs) / (r.files - g[i - 1].files), 2),
          fmt(r.builds.main.cpuMs / r.files, 2),
        ]),
      ),
    );
    if (g.length >= 2) {
      const fit = linearFit(
        g.map((r) => r.bytes),
        g.map((r) => r.builds.main.wallMs),
      );
      const marginal = (key) => g.slice(1).map((r, i) => (r.builds.main[key] - g[i].builds.main[key]) / (r.files - g[i].files));
      const marg = marginal('wallMs');
      const margCpu = marginal('cpuMs');
      const cpuFit = linearFit(
        g.map((r) => r.bytes),
        g.map((r) => r.builds.main.cpuMs),
      );
      const spreadOf = (xs) => Math.max(...xs) / Math.min(...xs);
      out.linear = {
        r2: fit.r2,
        msPerMiB: fit.slope * 2 ** 20,
        fixedMs: fit.intercept,
        cpuR2: cpuFit.r2,
        cpuMsPerMiB: cpuFit.slope * 2 ** 20,
        cpuFixedMs: cpuFit.intercept,
        marginalWallMsPerFile: marg,
        marginalCpuMsPerFile: margCpu,
      };
      console.log('');
      console.log(`linear fit of lint wall time over input bytes: ${fmt(fit.slope * 2 ** 20, 0)} ms/MiB + ${fmt(fit.intercept, 0)} ms fixed, R² ${fmt(fit.r2, 4)}`);
      console.log(`linear fit of lint CPU time over input bytes:  ${fmt(cpuFit.slope * 2 ** 20, 0)} ms/MiB + ${fmt(cpuFit.intercept, 0)} ms fixed, R² ${fmt(cpuFit.r2, 4)}`);
      if (marg.length >= 2) {
        console.log(`marginal cost per file between steps: wall ${marg.map((x) => fmt(x, 2)).join(' -> ')} ms, CPU ${margCpu.map((x) => fmt(x, 2)).join(' -> ')} ms`);
        // CPU time is the cost measure here: on a shared machine wall time also measures the neighbours.
        const spread = spreadOf(margCpu);
        console.log(`linear growth: CPU marginal cost largest / smallest step ${fmt(spread, 2)} (<= 1.25), CPU fit R² ${fmt(cpuFit.r2, 4)} (>= 0.99) ${verdict(spread <= 1.25 && cpuFit.r2 >= 0.99)}`);
      }
    }
  }
} finally {
  if (opt.keep) console.log(`kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}
out.loadEnd = machine().loadavg;
console.log(`load average at start ${m0.loadavg.join(' ')}, at end ${out.loadEnd.join(' ')}`);
writeJson(opt.json, out);
