// Benchmark 3 (issue 5): the admission webhook. autocannon over HTTPS keep-alive against
// `imply-lint serve` and against a bare fastify HTTPS server answering a fixed "allowed" review
// (bench/bare-server.mjs), same certificate, same payloads, same run. The payloads are real
// AdmissionReview requests built from ../shared/reference/chart-2023.03.1: the manager Deployment
// (production render), the quickstart MinIO Deployment and the MinIO Secret (quickstart render).
// Everything listens on and talks to 127.0.0.1 only; every phase is bounded by its duration.
//
// Phases: (1) throughput at saturation, alternating servers; target serve >= 60% of bare.
//         (2) latency at a fixed 1,000 requests/s, evenly paced (open loop); target serve p99 <= 5 ms.
//         (3) soak at 1,000 requests/s for --soak seconds (300 for the record), sampling the server's
//             RSS; target <= 120 MB at the end and no growth trend.
//
//   node bench/webhook.mjs [--duration 10] [--rounds 2] [--connections 16] [--rate 1000]
//                          [--soak 60] [--workers 0] [--cli FILE] [--compare L=FILE,...] [--json FILE]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { CLI, ROOT, flags, fmt, linearFit, machine, median, printMachine, quantile, requireBuild, table, verdict, writeJson } from './lib.mjs';
import { ID, admissionReview, benchObjects } from './reviews.mjs';

const HELP = `usage: node bench/webhook.mjs [options]
  --duration S     seconds per throughput and latency measurement; default 10
  --rounds N       alternating throughput rounds per server; default 2
  --connections N  keep-alive connections; default 16
  --rate N         fixed request rate of the latency and soak phases (requests/s); default 1000
  --soak S         soak seconds (RSS sampled every 5 s); default 60, 300 for docs/performance.md; 0 skips
  --workers N      imply-lint serve --workers (default: serve's own default, CPUs - 1 here)
  --pin B          servers on CPU 0, this process (the load generators) on CPU 1 (taskset), so the client
                   never competes with the server for a CPU, as a client on another machine would not; the
                   server then has one CPU, as the chart's limits.cpu 1 gives it; default false
  --inline B       also serve with --workers 0 (rules on the event loop: the default on one CPU, as the chart's
                   limits.cpu 1 deploys it), hits and misses; default true (--inline=false: not)
  --serve-args S   more arguments for every imply-lint serve, space-separated (e.g. "--decision-cache 0")
  --serve-node-options S  NODE_OPTIONS for every imply-lint serve (e.g. "--max-semi-space-size=2")
  --soak-bodies M  unique (default: every object unique, the decision cache always misses and fills) or same
  --cli FILE       the imply-lint build to serve; default dist/cli.js
  --compare L=FILE more builds served beside it in phases 1 and 2 (A/B): LABEL=dist/cli.js[,...]
  --json FILE      also write the raw results to FILE`;
const opt = flags({ duration: 10, rounds: 2, connections: 16, rate: 1000, soak: 60, workers: -1, inline: true, pin: false, 'serve-args': '', 'serve-node-options': '', 'soak-bodies': 'unique', cli: CLI, compare: '', json: '' }, HELP);
if (!(opt.duration > 0 && opt.duration <= 3600)) throw new Error('--duration: 1..3600');
if (!(opt.soak >= 0 && opt.soak <= 24 * 3600)) throw new Error('--soak: 0..86400');
if (!(opt.rounds >= 1 && opt.rounds <= 100)) throw new Error('--rounds: 1..100');
if (!['same', 'unique'].includes(opt['soak-bodies'])) throw new Error('--soak-bodies: same or unique');
requireBuild();

const HOST = '127.0.0.1';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-webhook-bench-'));
const children = [];

function cleanup() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));

// --- payloads ---------------------------------------------------------------------------------------
const OBJECTS = benchObjects();
const BODIES = { same: OBJECTS.map((o) => admissionReview(o.obj, 'same')), unique: OBJECTS.map((o) => admissionReview(o.obj, ID)) };
const PAYLOADS = OBJECTS.map((o, i) => ({ name: o.name, body: BODIES.same[i].replaceAll(ID, `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`) }));
const requestsFor = (mode) => BODIES[mode].map((body) => ({ method: 'POST', path: '/validate?timeout=10s', headers: { 'content-type': 'application/json' }, body }));
let seq = 0;
/** A body of `mode` with its ids filled in (the paced client). */
const fill = (body) => body.replaceAll(ID, () => `00000000-0000-4000-9000-${String(++seq).padStart(12, '0')}`);

// --- servers ----------------------------------------------------------------------------------------
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function post(port, pathName, body) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: HOST, port, path: pathName, method: body === undefined ? 'GET' : 'POST', rejectUnauthorized: false, headers: body === undefined ? {} : { 'content-type': 'application/json' }, timeout: 5000 }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

async function waitReady(port, child, label) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${label} exited ${child.exitCode} before it was ready`);
    try {
      const r = await post(port, '/readyz');
      if (r.status === 200 || r.status === 404) return; // the bare server has no /readyz: any answer is up
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${label} not ready within 30 s`);
}

async function startServer(kind, certs, cli = opt.cli, id = kind, workers = opt.workers) {
  const port = await freePort();
  const args =
    kind === 'serve'
      ? [cli, 'serve', '--host', HOST, '--port', String(port), '--cert', certs.cert, '--key', certs.key, '--no-config', '--log-level', 'warn', ...(workers >= 0 ? ['--workers', String(workers)] : []), ...opt['serve-args'].split(' ').filter(Boolean)]
      : [path.join(ROOT, 'bench/bare-server.mjs'), '--port', String(port), '--cert', certs.cert, '--key', certs.key];
  const env = kind === 'serve' && opt['serve-node-options'] ? { ...process.env, NODE_OPTIONS: opt['serve-node-options'] } : process.env;
  const [cmd, argv] = opt.pin ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(cmd, argv, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d) => {
    if (stderr.length < 4096) stderr += d;
  });
  try {
    await waitReady(port, child, kind);
  } catch (e) {
    throw new Error(`${e.message}\n${stderr}`);
  }
  return {
    kind,
    id,
    port,
    pid: child.pid,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Resident set size of a process, from /proc (MiB), or NaN. */
function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU time (user + system, all threads) a process has used so far, in ms, from /proc; NaN elsewhere. */
function cpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}

function cannon(port, { duration, rate, mode = 'same' }) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `https://${HOST}:${port}`,
        connections: opt.connections,
        pipelining: 1,
        duration,
        requests: requestsFor(mode),
        idReplacement: true,
        ...(rate ? { overallRate: rate } : {}),
        timeout: 10,
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
}

/**
 * Open-loop load at a fixed rate: request i is sent at start + i/rate (checked every ~1 ms), over a pool of
 * `connections` keep-alive HTTPS connections, whatever the answers before it are doing; latency runs from
 * the moment it is sent to the end of its response. (autocannon's overallRate is not used for this: it lets
 * each connection send its whole per-second quota back to back at the start of every second, so the server
 * sees a burst, not a rate.) Bounded by count (rate x duration) and by a deadline of duration + 30 s.
 */
function paced(port, { duration, rate, mode = 'same' }) {
  const requests = requestsFor(mode);
  const agent = new https.Agent({ keepAlive: true, maxSockets: opt.connections, rejectUnauthorized: false });
  const total = Math.max(1, Math.round(rate * duration));
  const lat = new Float64Array(total).fill(NaN);
  let sent = 0;
  let finished = 0;
  let errors = 0;
  let non2xx = 0;
  let maxLagMs = 0;
  return new Promise((resolve) => {
    const t0 = performance.now();
    const deadline = setTimeout(() => done(), (duration + 30) * 1000);
    let ended = false;
    const done = () => {
      if (ended) return;
      ended = true;
      clearTimeout(deadline);
      agent.destroy();
      const elapsed = (performance.now() - t0) / 1000;
      const ok = Array.from(lat).filter((x) => !Number.isNaN(x));
      const q = (p) => (ok.length ? Math.round(quantile(ok, p) * 100) / 100 : NaN);
      resolve({ requests: { average: ok.length / elapsed, total: ok.length }, latency: { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1) }, errors: errors + (total - finished), timeouts: 0, non2xx, maxLagMs });
    };
    const settle = () => {
      if (++finished === total) done();
    };
    const fire = () => {
      const i = sent++;
      const p = requests[i % requests.length];
      const body = fill(p.body);
      const start = performance.now();
      const req = https.request({ host: HOST, port, path: p.path, method: 'POST', agent, headers: p.headers, timeout: 10_000 }, (res) => {
        if (res.statusCode !== 200) non2xx++;
        res.resume();
        res.on('end', () => {
          lat[i] = performance.now() - start;
          settle();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        settle();
      });
      req.end(body);
    };
    const tick = () => {
      if (ended) return;
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000) + 1);
      if (due > sent + 1) maxLagMs = Math.max(maxLagMs, ((due - sent - 1) * 1000) / rate);
      while (sent < due) fire();
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
}

const summary = (r) => ({
  rps: r.requests.average,
  total: r.requests.total,
  p50: r.latency.p50,
  p90: r.latency.p90,
  p99: r.latency.p99,
  max: r.latency.max,
  errors: r.errors,
  timeouts: r.timeouts,
  non2xx: r.non2xx,
  ...(r.maxLagMs !== undefined ? { clientMaxLagMs: Math.round(r.maxLagMs * 100) / 100 } : {}),
});

// --- run --------------------------------------------------------------------------------------------
if (opt.pin) {
  if (os.availableParallelism() < 2) throw new Error('--pin needs 2 CPUs');
  const r = spawnSync('taskset', ['-cp', '1', String(process.pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`--pin: taskset failed (${r.error?.message ?? r.stderr}); install util-linux or drop --pin`);
}
const m0 = machine();
printMachine(m0);

// Certificates from the CLI itself (as an operator would make them).
const certDir = path.join(tmp, 'certs');
{
  const r = spawnSync(process.execPath, [CLI, 'certs', '--service', 'imply-lint', '--namespace', 'imply', '--out', certDir], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`imply-lint certs failed: ${r.stderr}`);
}
const certs = { cert: path.join(certDir, 'tls.crt'), key: path.join(certDir, 'tls.key') };

const serve = await startServer('serve', certs);
const bare = await startServer('bare', certs);
const others = [];
for (const spec of opt.compare.split(',').filter(Boolean)) {
  const [label, file] = spec.includes('=') ? spec.split('=') : [spec, spec];
  if (!fs.existsSync(file)) throw new Error(`--compare: ${file} not found`);
  others.push(await startServer('serve', certs, file, `serve [${label}]`));
}
if (opt.inline) others.unshift(await startServer('serve', certs, opt.cli, 'inline', 0));
const servers = [bare, serve, ...others];
// What is measured: bare with the repeating bodies (its cost does not depend on them), and every serve twice:
// object bodies that repeat (uid unique: decision-cache hits) and bodies whose object is unique (misses).
const targets = [
  { ...bare, mode: 'same' },
  ...[serve, ...others].flatMap((sv) => [
    { ...sv, mode: 'same', id: `${sv.id} hit` },
    { ...sv, mode: 'unique', id: `${sv.id} miss` },
  ]),
];

// Sanity: each payload gets a well-formed answer with its own uid from every serve, and the MinIO Deployment is denied.
console.log('payloads:');
for (const p of PAYLOADS) {
  for (const sv of [serve, ...others]) {
    const r = await post(sv.port, '/validate?timeout=10s', p.body);
    const out = JSON.parse(r.body);
    const uid = JSON.parse(p.body).request.uid;
    if (r.status !== 200 || out.response?.uid !== uid) throw new Error(`${sv.id} answered ${r.status} ${r.body.slice(0, 300)} for ${p.name}`);
    if (sv === serve) p.allowed = out.response.allowed;
    else if (out.response.allowed !== p.allowed) throw new Error(`${sv.id} and serve disagree on ${p.name}`);
    if (sv === serve) console.log(`  ${p.name}: ${Buffer.byteLength(p.body)} bytes, serve says allowed=${out.response.allowed}${out.response.status?.message ? ` (${out.response.status.message.split('\n')[0].slice(0, 100)})` : ''}`);
  }
}
if (PAYLOADS[1].allowed !== false) throw new Error('the quickstart MinIO Deployment was not denied: serve is not running the rules');
// The same answer (but the uid) for a repeat with another uid (a decision-cache hit when the cache is on) and
// for the unique-object variant (a miss): the varying annotation does not change a decision.
for (const [i, p] of PAYLOADS.entries()) {
  for (const sv of [serve, ...others]) {
    const answers = [];
    for (const body of [fill(BODIES.same[i]), fill(BODIES.same[i]), fill(BODIES.unique[i])]) {
      const r = await post(sv.port, '/validate?timeout=10s', body);
      const out = JSON.parse(r.body);
      if (r.status !== 200 || out.response?.uid !== JSON.parse(body).request.uid) throw new Error(`${sv.id} answered ${r.status} ${r.body.slice(0, 300)} for ${p.name}`);
      answers.push(JSON.stringify({ ...out.response, uid: '' }));
    }
    if (new Set(answers).size !== 1) throw new Error(`${sv.id}: repeated or unique-object ${p.name} answered differently:\n${answers.join('\n')}`);
  }
}
const b = await post(bare.port, '/validate', PAYLOADS[0].body);
if (b.status !== 200) throw new Error(`bare server answered ${b.status}`);

const results = { bench: 'webhook', machine: m0, options: opt, payloads: PAYLOADS.map((p) => ({ name: p.name, bytes: Buffer.byteLength(p.body), allowed: p.allowed })) };

// Warm every server (JIT, TLS session setup paths), unrecorded.
for (const t of targets) await cannon(t.port, { duration: 2, mode: t.mode });

// (1) Throughput at saturation, rotating the order each round.
console.log(`\n(1) throughput: ${opt.connections} keep-alive connections, ${opt.duration} s x ${opt.rounds} rounds each, rotating order`);
const tp = Object.fromEntries(targets.map((t) => [t.id, []]));
for (let r = 0; r < opt.rounds; r++) {
  const order = [...targets.slice(r % targets.length), ...targets.slice(0, r % targets.length)];
  for (const t of order) {
    const c0 = cpuMs(t.pid);
    const res = summary(await cannon(t.port, { duration: opt.duration, mode: t.mode }));
    res.serverCpuMsPerRequest = Math.round(((cpuMs(t.pid) - c0) / res.total) * 1000) / 1000;
    tp[t.id][r] = res;
    console.log(`  round ${r + 1} ${t.id.padEnd(16)}: ${fmt(res.rps, 0)} req/s, p99 ${res.p99} ms, errors ${res.errors}, non-2xx ${res.non2xx}, server CPU ${res.serverCpuMsPerRequest} ms/request`);
  }
}
/** Median over rounds of (this server / bare in the same round). */
const tpRatio = (id) => median(tp[id].map((x, i) => x.rps / tp.bare[i].rps));
const tpBare = median(tp.bare.map((x) => x.rps));
results.throughput = { ...tp, ratio: tpRatio('serve hit'), ratioMiss: tpRatio('serve miss'), ratios: Object.fromEntries(targets.map((t) => [t.id, tpRatio(t.id)])) };

// (2) Latency at a fixed rate.
console.log(`\n(2) latency at ${opt.rate} requests/s (open loop, evenly paced) for ${opt.duration} s`);
const lat = {};
for (const sv of targets) {
  const c0 = cpuMs(sv.pid);
  lat[sv.id] = summary(await paced(sv.port, { duration: opt.duration, rate: opt.rate, mode: sv.mode }));
  lat[sv.id].serverCpuMsPerRequest = Math.round(((cpuMs(sv.pid) - c0) / lat[sv.id].total) * 1000) / 1000;
  console.log(`  ${sv.id.padEnd(16)}: ${fmt(lat[sv.id].rps, 0)} req/s achieved, p50 ${lat[sv.id].p50} ms, p90 ${lat[sv.id].p90} ms, p99 ${lat[sv.id].p99} ms, max ${lat[sv.id].max} ms, errors ${lat[sv.id].errors}, client lag <= ${lat[sv.id].clientMaxLagMs} ms, server CPU ${lat[sv.id].serverCpuMsPerRequest} ms/request`);
}
results.latency = lat;
for (const sv of others) await sv.stop();

// (3) Soak: serve only, fixed rate, RSS sampled every 5 s.
let soak;
if (opt.soak > 0) {
  console.log(`\n(3) soak: serve at ${opt.rate} requests/s for ${opt.soak} s, ${opt['soak-bodies']} bodies, RSS every 5 s`);
  const samples = [];
  const t0 = Date.now();
  samples.push({ t: 0, rss: rssMiB(serve.pid) });
  const timer = setInterval(() => samples.push({ t: (Date.now() - t0) / 1000, rss: rssMiB(serve.pid) }), 5000);
  const res = summary(await paced(serve.port, { duration: opt.soak, rate: opt.rate, mode: opt['soak-bodies'] }));
  clearInterval(timer);
  samples.push({ t: (Date.now() - t0) / 1000, rss: rssMiB(serve.pid) });
  // Trend over the second half (after warm-up growth of heaps and caches): MiB per minute.
  const half = samples.filter((s) => s.t >= opt.soak / 2);
  const fit = linearFit(
    half.map((s) => s.t / 60),
    half.map((s) => s.rss),
  );
  const end = samples.at(-1).rss;
  const peak = Math.max(...samples.map((s) => s.rss));
  soak = { ...res, samples, endRssMiB: end, peakRssMiB: peak, slopeMiBPerMin: fit.slope };
  const every = Math.max(1, Math.round(samples.length / 12));
  console.log(`  RSS MiB: ${samples.filter((_, i) => i % every === 0 || i === samples.length - 1).map((s) => `${fmt(s.t, 0)}s ${fmt(s.rss, 1)}`).join(', ')}`);
  console.log(`  ${fmt(res.rps, 0)} req/s, p99 ${res.p99} ms, errors ${res.errors}, non-2xx ${res.non2xx}; RSS end ${fmt(end, 1)} MiB, peak ${fmt(peak, 1)} MiB, second-half trend ${fmt(fit.slope, 2)} MiB/min`);
  results.soak = soak;
}

await serve.stop();
await bare.stop();

// --- verdicts ---------------------------------------------------------------------------------------
console.log('');
console.log(
  table(
    ['server', 'throughput req/s (median)', 'vs bare (median of rounds)', 'server CPU ms/req saturated', 'p50 ms @rate', 'p99 ms @rate', 'max ms @rate', 'server CPU ms/req @rate', 'errors + non-2xx'],
    targets.map((sv) => [
      sv.id === 'bare' ? 'bare fastify (fixed answer)' : `imply-lint ${sv.id.replace(/^inline/, 'serve --workers 0').replace(' hit', ', object repeats (cache hit)').replace(' miss', ', object unique (cache miss)')}`,
      fmt(median(tp[sv.id].map((x) => x.rps)), 0),
      `${fmt(100 * tpRatio(sv.id), 0)}%`,
      median(tp[sv.id].map((x) => x.serverCpuMsPerRequest)),
      lat[sv.id].p50,
      lat[sv.id].p99,
      lat[sv.id].max,
      lat[sv.id].serverCpuMsPerRequest,
      [...tp[sv.id], lat[sv.id]].reduce((a, x) => a + x.errors + x.non2xx, 0),
    ]),
  ),
);
console.log('');
const MB = 120 / 1.048576; // 120 MB in MiB
const variantsShown = [['serve', 'serve'], ...(opt.inline ? [['inline', 'serve --workers 0']] : [])];
for (const [v, name] of variantsShown) {
  for (const [id, what] of [[`${v} hit`, 'object repeats, cache hit'], [`${v} miss`, 'object unique, cache miss']]) {
    const med = median(tp[id].map((x) => x.rps));
    console.log(`target: ${name} throughput >= 60% of bare (${what}): ${fmt(100 * tpRatio(id), 0)}% (medians ${fmt(med, 0)} / ${fmt(tpBare, 0)} req/s) ${verdict(tpRatio(id) >= 0.6)}`);
  }
}
for (const [v, name] of variantsShown) {
  for (const [id, what] of [[`${v} hit`, 'cache hit'], [`${v} miss`, 'cache miss']]) {
    const l = lat[id];
    console.log(`target: ${name} p99 <= 5 ms at ${opt.rate} requests/s (${what}): ${l.p99} ms ${verdict(l.p99 <= 5 && l.rps >= opt.rate * 0.95)}${l.rps < opt.rate * 0.95 ? ` (only ${fmt(l.rps, 0)} req/s achieved)` : ''} (bare: ${lat.bare.p99} ms)`);
  }
}
if (soak) {
  const noGrowth = soak.slopeMiBPerMin <= 1;
  console.log(`target: serve RSS <= 120 MB after ${opt.soak} s of load, no growth trend: ${fmt(soak.endRssMiB * 1.048576, 1)} MB, trend ${fmt(soak.slopeMiBPerMin, 2)} MiB/min ${verdict(soak.endRssMiB <= MB && noGrowth)}${opt.soak < 300 ? ` (${opt.soak} s run; the target is for 300 s: --soak 300)` : ''}`);
}
results.loadEnd = machine().loadavg;
console.log(`load average at start ${m0.loadavg.join(' ')}, at end ${results.loadEnd.join(' ')}`);
writeJson(opt.json, results);
process.exit(0);
