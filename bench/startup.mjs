// Benchmark 1 (issue 5): CLI cold start. `imply-lint` on a real full values file
// (../shared/reference/chart-2023.03.1/values.public-user-copy.yaml, read in place) against a bare
// `node -e 0`, with `helm lint` / `helm template` of the probe test chart on the same values beside it,
// all measured side by side in the same run: every round runs each command once for wall time and once
// under GNU time for peak RSS and CPU, in a shuffled order, so load changes hit all commands alike.
// Ratios are medians of per-round ratios against bare node. Targets: wall <= 1.3x, peak RSS <= 1.5x.
// The children run without NODE_EXTRA_CA_CERTS unless --keep-env: Node 20 reads that bundle at every start
// (a full system CA bundle is ~80% of `node -e 0`'s instructions), which flatters every ratio here.
// --callgrind N adds instruction counts (valgrind), which a shared machine's load does not move.
//
//   node bench/startup.mjs [--rounds 20] [--warmup 2] [--values FILE] [--json FILE] [--callgrind 1] [--keep-env]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, CLI, GNU_TIME, REF23, ROOT, flags, fmt, findHelm, machine, measure, median, printMachine, quantile, requireBuild, table, verdict, writeJson } from './lib.mjs';

const HELP = `usage: node bench/startup.mjs [--rounds N] [--warmup N] [--values FILE] [--cli FILE] [--compare L=FILE,...] [--json FILE]
  --rounds   measured rounds (each runs every command twice: wall, and RSS/CPU under GNU time); default 20
  --warmup   unrecorded rounds first (page cache, helm extraction); default 2
  --values   the values file to lint; default the real chart-2023.03.1 user copy
  --cli      the imply-lint entry point to run; default bin/imply-lint.js (A/B builds: another dist/cli.js)
  --compare  extra builds to time in the same rounds: LABEL=path/to/entry[,LABEL=...] (an entry is
             dist/cli.js, or the launcher \`node scripts/bundle.mjs --outdir DIR\` writes: DIR/imply-lint.cjs)
  --callgrind  also count instructions of each command N times under valgrind (slow); default 0
  --keep-env   keep NODE_EXTRA_CA_CERTS in the children's environment (default: removed)
  --json     also write the raw results to FILE`;
const opt = flags({ rounds: 20, warmup: 2, values: path.join(REF23, 'values.public-user-copy.yaml'), cli: BIN, compare: '', json: '', callgrind: 0, 'keep-env': false }, HELP);
if (!(opt.rounds >= 1 && opt.rounds <= 1000)) throw new Error('--rounds must be 1..1000');
requireBuild();
if (!fs.existsSync(opt.values)) {
  console.error(`values file not found: ${opt.values}`);
  process.exit(2);
}

const node = process.execPath;
const env = { ...process.env };
const extraCa = env.NODE_EXTRA_CA_CERTS;
if (!opt['keep-env']) delete env.NODE_EXTRA_CA_CERTS;
const chart = path.join(ROOT, 'test/fixtures/probe-chart');
const helm = findHelm();
const commands = [
  { id: 'node', label: 'node -e 0 (floor)', cmd: node, args: ['-e', '0'] },
  { id: 'yaml', label: "node: import 'yaml' (unbundled, context)", cmd: node, args: ['--input-type=module', '-e', "import 'yaml'"] },
  { id: 'version', label: 'imply-lint --version', cmd: node, args: [opt.cli, '--version'] },
  { id: 'lint', label: 'imply-lint values (text)', cmd: node, args: [opt.cli, '--no-config', opt.values], target: true },
  { id: 'lint-json', label: 'imply-lint values --format json', cmd: node, args: [opt.cli, '--no-config', '--format', 'json', opt.values] },
  // The ES module build (chunks, no code cache): what bin/imply-lint.js ran before the code cache.
  { id: 'lint-esm', label: 'node dist/cli.js values (ES modules, no code cache)', cmd: node, args: [CLI, '--no-config', opt.values] },
];
// Context: the same file parsed by a bundled `yaml` (CST, AST with a line counter, toJS) and nothing else,
// the floor for any tool that reads this file with that parser: bundled the way dist/ is, in a temp dir.
const floorDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-startup-'));
process.on('exit', () => fs.rmSync(floorDir, { recursive: true, force: true }));
{
  const src = path.join(floorDir, 'yaml-floor.mjs');
  fs.writeFileSync(
    src,
    [
      "import fs from 'node:fs';",
      "import { Composer, LineCounter, Parser } from 'yaml';",
      "const text = fs.readFileSync(process.argv[2], 'utf8');",
      'const lc = new LineCounter();',
      'const docs = [...new Composer().compose(new Parser(lc.addNewLine).parse(text))];',
      'if (docs.length === 0 || docs[0].toJS() === undefined) process.exit(3);',
      '',
    ].join('\n'),
  );
  const { build } = await import('esbuild');
  await build({
    entryPoints: [src],
    outfile: path.join(floorDir, 'yaml-floor.bundle.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minifyWhitespace: true,
    minifySyntax: true,
    nodePaths: [path.join(ROOT, 'node_modules')],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'error',
  });
  const floor = path.join(floorDir, 'yaml-floor.bundle.mjs');
  commands.splice(
    2,
    0,
    { id: 'yaml-floor', label: 'bundled yaml: parse the file, nothing else', cmd: node, args: [floor, opt.values] },
    { id: 'yaml-floor-noopt', label: 'same, TurboFan off (as imply-lint for small input)', cmd: node, args: ['--no-opt', floor, opt.values] },
  );
}
for (const spec of opt.compare.split(',').filter(Boolean)) {
  const [label, file] = spec.includes('=') ? spec.split('=') : [spec, spec];
  if (!fs.existsSync(file)) throw new Error(`--compare: ${file} not found`);
  commands.push({ id: `cmp:${label}`, label: `imply-lint values [${label}]`, cmd: node, args: [file, '--no-config', opt.values] });
}
if (helm) {
  commands.push({ id: 'helm-lint', label: 'helm lint probe-chart -f values', cmd: helm, args: ['lint', chart, '-f', opt.values] });
  commands.push({ id: 'helm-template', label: 'helm template probe-chart -f values', cmd: helm, args: ['template', 'probe', chart, '-f', opt.values] });
} else console.log('helm not found (set HELM_BIN or run the unit tests once to extract it): helm rows skipped');

// Sanity: every imply-lint build really ran (exit 0/1 with a summary), so we never time an error path;
// the other commands must exit 0.
for (const c of commands) {
  const r = await measure(c.cmd, c.args, { stdout: 'pipe', env });
  if (c.id === 'lint' || c.id === 'lint-esm' || c.id.startsWith('cmp:')) {
    if (r.code !== 0 && r.code !== 1) throw new Error(`${c.label} exited ${r.code}: ${r.stderr}`);
    if (!/\d+ errors?, \d+ warnings?/.test(r.stdout)) throw new Error(`${c.label} printed no summary:\n${r.stdout.slice(-500)}${r.stderr}`);
  } else if (c.id === 'helm-lint') {
    // helm lint exits 1 for the probe chart (it flags the templates/values.json extension) after doing all its work.
    if (r.code !== 0 && !/1 chart\(s\) linted/.test(r.stderr + r.stdout)) throw new Error(`${c.label} exited ${r.code}: ${r.stderr}`);
  } else if (c.id !== 'lint-json' && r.code !== 0) throw new Error(`${c.label} exited ${r.code}: ${r.stderr}`);
}

// Deterministic shuffle (xorshift), so runs are comparable but no command always goes first.
let seed = 0x9e3779b9;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};
const shuffled = (xs) => {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
};

const m0 = machine();
printMachine(m0);
console.log(`values: ${opt.values} (${fs.statSync(opt.values).size} bytes); ${opt.rounds} rounds + ${opt.warmup} warm-up${GNU_TIME ? '' : '; GNU time missing: no RSS/CPU'}`);
console.log(`NODE_EXTRA_CA_CERTS: ${extraCa === undefined ? 'not set' : opt['keep-env'] ? `kept (${extraCa})` : `set (${extraCa}) but removed for the children (--keep-env keeps it)`}`);

const samples = Object.fromEntries(commands.map((c) => [c.id, { wall: [], rss: [], cpu: [] }]));
const rounds = [];
for (let r = 0; r < opt.warmup + opt.rounds; r++) {
  const round = {};
  for (const c of shuffled(commands)) {
    const w = await measure(c.cmd, c.args, { env });
    const u = await measure(c.cmd, c.args, { rusage: true, env });
    if (![0, 1].includes(w.code)) throw new Error(`${c.label} exited ${w.code}: ${w.stderr}`);
    round[c.id] = { wall: w.wallMs, rss: u.rssKiB, cpu: u.cpuMs };
  }
  if (r < opt.warmup) continue;
  rounds.push(round);
  for (const c of commands) {
    samples[c.id].wall.push(round[c.id].wall);
    samples[c.id].rss.push(round[c.id].rss);
    samples[c.id].cpu.push(round[c.id].cpu);
  }
}

/** Median over rounds of (this command / bare node in the same round). */
const pairedRatio = (id, key) => median(rounds.map((r) => r[id][key] / r.node[key]).filter(Number.isFinite));
const rows = commands.map((c) => {
  const s = samples[c.id];
  return [
    c.label,
    fmt(median(s.wall)),
    fmt(quantile(s.wall, 0.9)),
    `${fmt(pairedRatio(c.id, 'wall'), 2)}x`,
    fmt(median(s.rss) / 1024),
    `${fmt(pairedRatio(c.id, 'rss'), 2)}x`,
    fmt(median(s.cpu), 0),
  ];
});
console.log('');
console.log(table(['command', 'wall median ms', 'wall p90 ms', 'wall / node', 'peak RSS MiB', 'RSS / node', 'CPU ms (user+sys)'], rows));
const wallRatio = pairedRatio('lint', 'wall');
const rssRatio = pairedRatio('lint', 'rss');
console.log('');
console.log(`target: imply-lint wall <= 1.3x bare node: ${fmt(wallRatio, 2)}x ${verdict(wallRatio <= 1.3)}`);
console.log(`target: imply-lint peak RSS <= 1.5x bare node: ${fmt(rssRatio, 2)}x ${verdict(rssRatio <= 1.5)}`);
if (helm) console.log(`context: imply-lint / helm lint wall ${fmt(median(samples.lint.wall) / median(samples['helm-lint'].wall), 2)}x, helm lint / node ${fmt(pairedRatio('helm-lint', 'wall'), 2)}x`);
// Instruction counts: repeatable under load (within ~1%), unlike times; not a wall-time ratio (no I/O waits).
const instructions = {};
if (opt.callgrind > 0) {
  // Not helm: valgrind cannot run the Go runtime (it aborts).
  for (const c of commands.filter((x) => x.cmd === node)) {
    const counts = [];
    for (let i = 0; i < opt.callgrind; i++) {
      const r = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', c.cmd, ...c.args], { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
      const m = /Collected : (\d+)/.exec(r.stderr ?? '');
      if (!m) throw new Error(`valgrind failed for ${c.label}: ${(r.stderr ?? r.error?.message ?? '').slice(-300)}`);
      counts.push(Number(m[1]));
    }
    instructions[c.id] = median(counts);
  }
  console.log('');
  console.log(table(['command', 'instructions (M)', 'instr. / node'], commands.filter((c) => c.id in instructions).map((c) => [c.label, fmt(instructions[c.id] / 1e6, 0), `${fmt(instructions[c.id] / instructions.node, 2)}x`])));
}
const m1 = machine();
console.log(`load average at start ${m0.loadavg.join(' ')}, at end ${m1.loadavg.join(' ')}`);
writeJson(opt.json, { bench: 'startup', machine: m0, loadEnd: m1.loadavg, options: opt, extraCaCertsRemoved: extraCa !== undefined && !opt['keep-env'], instructions, commands: commands.map(({ id, label, args }) => ({ id, label, args })), samples, ratios: { wall: wallRatio, rss: rssRatio } });
