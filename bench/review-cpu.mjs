// Benchmark (issue 5): CPU per webhook review, in process. Does what the webhook's worker does for one task
// (src/webhook/worker.ts: JSON.parse of the body's text, parseAdmissionReview, review with the --no-config
// policy and the built-in rules, the findings reply) over the payloads of bench/webhook.mjs (the production
// manager Deployment, the quickstart MinIO Deployment and Secret, each with a per-request unique annotation,
// i.e. decision-cache misses), and reports process CPU per review. No server, no TLS, no threads: this is
// the review's own cost, steady on a shared machine where end-to-end throughput is not.
//
// `--compare LABEL=DIR,...` bundles the same entry from other trees' src/ (e.g. a copy of the tree before a
// change) and runs them interleaved in the same process, rounds in rotating order; it also checks that
// every variant gives byte-identical replies (uid aside) for every payload.
//
//   node bench/review-cpu.mjs [--n 20000] [--rounds 5] [--compare base=/tmp/tree] [--only LABEL] [--json FILE]
//   node --cpu-prof bench/review-cpu.mjs --n 50000 --rounds 1     (profile of the review path)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ROOT, flags, machine, median, printMachine, table, writeJson } from './lib.mjs';
import { ID, admissionReview, benchObjects } from './reviews.mjs';

const HELP = `usage: node bench/review-cpu.mjs [options]
  --n N            reviews per variant in total; default 20000
  --rounds R       interleaved rounds (each variant runs N/R reviews per round); default 5
  --compare L=DIR  more source trees (DIR/src) to bundle and run beside this one: LABEL=DIR[,...]
  --only LABEL     run only that variant ("current" is this tree)
  --warmup N       unmeasured reviews per variant first; default 3000 (instruction counts under
                   valgrind --tool=callgrind: the difference of two runs with different --n)
  --json FILE      also write the raw results to FILE`;
const opt = flags({ n: 20000, rounds: 5, warmup: 3000, compare: '', only: '', json: '' }, HELP);
if (!(opt.n >= 1 && opt.rounds >= 1 && opt.rounds <= 1000)) throw new Error('--n >= 1, --rounds 1..1000');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-review-cpu-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const ENTRY = `export { parseAdmissionReview, review } from './src/webhook/review.ts';
export { BUILTIN_RULES } from './src/rules/registry.ts';
export { resolvePolicy } from './src/rules/policy.ts';
export { compileCustomRules } from './src/rules/custom.ts';
`;

/** Bundles the entry from `dir`'s src/ (as scripts/bundle.mjs does: minified syntax, no keepNames). */
async function load(label, dir) {
  const out = path.join(tmp, label);
  fs.mkdirSync(out, { recursive: true });
  // policy.ts finds the packs by walking up from the module.
  fs.symlinkSync(path.join(dir, 'policies'), path.join(out, 'policies'));
  await build({
    stdin: { contents: ENTRY, resolveDir: dir, loader: 'ts' },
    absWorkingDir: dir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    keepNames: false,
    minifyWhitespace: true,
    minifySyntax: true,
    outfile: path.join(out, 'review.mjs'),
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
  const m = await import(pathToFileURL(path.join(out, 'review.mjs')).href);
  const policy = m.resolvePolicy(undefined, { cwd: dir, knownRuleIds: new Set(m.BUILTIN_RULES.map((r) => r.meta.id)), noConfig: true });
  const rules = [...m.BUILTIN_RULES, ...m.compileCustomRules(policy)];
  const init = { policy, mode: 'enforce', kubeVersion: undefined };
  /** One worker task, as src/webhook/worker.ts handles it. */
  const task = (raw, now) => {
    const request = m.parseAdmissionReview(JSON.parse(raw));
    const out = m.review(request, { policy: init.policy, rules, mode: init.mode, now: new Date(now), kubeVersion: init.kubeVersion });
    const findings = (out.result?.findings ?? []).map((f) => ({ ruleId: f.ruleId, severity: f.severity, fingerprint: f.fingerprint, suppressed: Boolean(f.suppressed), message: f.message }));
    return { type: 'result', review: out.review, decision: out.decision, ref: out.ref, findings };
  };
  return { label, task };
}

// --- payloads: those of bench/webhook.mjs, object unique per request ------------------------------------
const BODIES = benchObjects().map((o) => admissionReview(o.obj, ID));
// Unique bodies made up front (the making is not measured).
const POOL = 3000;
const bodies = [];
for (let i = 0; i < POOL; i++) bodies.push(BODIES[i % 3].replaceAll(ID, `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`));
const NOW = Date.parse('2026-01-15T00:00:00Z');

// --- variants -------------------------------------------------------------------------------------------
const specs = [['current', ROOT]];
for (const c of opt.compare ? opt.compare.split(',') : []) {
  const [label, dir] = c.split('=');
  if (!label || !dir) throw new Error(`--compare ${c}: expected LABEL=DIR`);
  specs.push([label, path.resolve(dir)]);
}
const variants = [];
for (const [label, dir] of specs) if (!opt.only || opt.only === label) variants.push(await load(label, dir));
if (variants.length === 0) throw new Error(`--only ${opt.only}: no such variant`);

// Same answers from every variant, for every payload (uid included: same body).
const reference = bodies.slice(0, 3).map((b) => JSON.stringify(variants[0].task(b, NOW)));
for (const v of variants) {
  bodies.slice(0, 3).forEach((b, i) => {
    const got = JSON.stringify(v.task(b, NOW));
    if (got !== reference[i]) throw new Error(`${v.label} answers payload ${i} differently:\n${got}\nvs\n${reference[i]}`);
  });
}
console.log(`payloads: ${BODIES.map((b) => `${Buffer.byteLength(b)} B`).join(', ')}; answers identical across ${variants.map((v) => v.label).join(', ')}`);

const m0 = machine();
printMachine(m0);

// Warm-up: let each variant's code reach its optimised tiers.
for (const v of variants) for (let i = 0; i < opt.warmup; i++) v.task(bodies[i % POOL], NOW);

const per = Math.max(1, Math.floor(opt.n / opt.rounds));
const samples = Object.fromEntries(variants.map((v) => [v.label, []]));
for (let r = 0; r < opt.rounds; r++) {
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(r + k) % variants.length];
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < per; i++) v.task(bodies[i % POOL], NOW);
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const c = process.cpuUsage(c0);
    samples[v.label].push({ cpuMsPerReview: (c.user + c.system) / 1000 / per, wallMsPerReview: wall / per });
  }
}
const base = variants[variants.length - 1].label;
const rows = variants.map((v) => {
  const s = samples[v.label];
  const cpu = median(s.map((x) => x.cpuMsPerReview));
  const wall = median(s.map((x) => x.wallMsPerReview));
  const ratio = median(s.map((x, i) => x.cpuMsPerReview / samples[base][i].cpuMsPerReview));
  const lo = Math.min(...s.map((x) => x.cpuMsPerReview));
  const hi = Math.max(...s.map((x) => x.cpuMsPerReview));
  return [v.label, cpu.toFixed(4), `${lo.toFixed(4)}..${hi.toFixed(4)}`, wall.toFixed(4), `${(ratio * 100).toFixed(1)}%`];
});
console.log(`\n${per} reviews per variant per round, ${opt.rounds} rounds (medians; the ratio is the median of per-round ratios):`);
console.log(table(['variant', 'CPU ms / review', 'min..max', 'wall ms / review', `CPU vs ${base}`], rows));
if (opt.json) writeJson(opt.json, { bench: 'review-cpu', machine: m0, options: opt, samples });
