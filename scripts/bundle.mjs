// Build tool: bundles the CLI (and the webhook's worker) with esbuild into dist/: an ES module build (cli.js +
// chunks, worker.js) and the CLI as one CommonJS script (cli.cjs) that bin/imply-lint.js runs from V8's code
// cache, which this script writes after a warm-up lint (dist/compile-cache/). Heavy dependencies that only
// some commands need (fastify, pino, the Kubernetes client, database drivers, node-forge, prom-client) stay
// external and are imported lazily. `--outdir DIR` builds elsewhere (A/B builds for the benchmarks; the
// launcher for such a build is DIR/imply-lint.cjs).
// Start-up choices, each measured in docs/performance.md: the policy validator is precompiled; ajv is loaded
// only for custom rules; JSON is embedded as JSON.parse('...') strings; output is whitespace/syntax-minified
// without esbuild's keepNames wrappers (a guard below keeps class names intact for toUserError); linked
// source maps keep stack traces readable with `node --enable-source-maps`.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outIdx = process.argv.indexOf('--outdir');
const outdir = path.resolve(root, outIdx > 0 ? process.argv[outIdx + 1] : 'dist');

// Precompiled policy validator first (src/rules/policy-validator.gen.js): start-up never compiles ajv.
{
  const { generate } = await import('./gen-policy-validator.mjs');
  const { js, dts } = generate();
  for (const [rel, text] of [
    ['src/rules/policy-validator.gen.js', js],
    ['src/rules/policy-validator.gen.d.ts', dts],
  ]) {
    const file = path.join(root, rel);
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text);
  }
}
// ajv (the compiler, ~700 KB of source) is needed only to compile a policy's custom rules
// (src/rules/custom.ts), js-yaml only for the rare document the `yaml` package reads unlike Go. Their
// imports resolve to a shim that loads the real package from node_modules on first use, so neither is
// parsed nor run on a plain lint.
const LAZY_CJS = {
  ajv: "let m; const load = () => (m ??= require('ajv'));\nexport class Ajv { constructor(...a) { return new (load().Ajv)(...a); } }\nexport default Ajv;\n",
  'ajv-formats': "let m; const load = () => (m ??= require('ajv-formats'));\nexport default function addFormats(...a) { return load()(...a); }\n",
  // js-yaml reads only the documents the `yaml` package cannot read the way Go does (src/model/yaml.ts).
  // node:crypto (~20 internal modules, ~5% of a short lint's instructions) only when something hashes or
  // reads a certificate: reporters and models import it at their top level. A name missing here fails the build.
  'node:crypto': [
    "let m; const load = () => (m ??= require('node:crypto'));",
    'export function createHash(...a) { return load().createHash(...a); }',
    'export function createPrivateKey(...a) { return load().createPrivateKey(...a); }',
    'export function randomBytes(...a) { return load().randomBytes(...a); }',
    'export function X509Certificate(...a) { return new (load().X509Certificate)(...a); }',
    '',
  ].join('\n'),
  'js-yaml': "let m; const load = () => (m ??= require('js-yaml'));\nexport default { get Type() { return load().Type; }, get FAILSAFE_SCHEMA() { return load().FAILSAFE_SCHEMA; }, loadAll: (...a) => load().loadAll(...a) };\n",
};
const lazyCjs = {
  name: 'lazy-cjs',
  setup(b) {
    b.onResolve({ filter: /^(ajv|ajv-formats|js-yaml|node:crypto)$/ }, (a) => (a.namespace === 'lazy-cjs' ? { path: a.path, external: true } : { path: a.path, namespace: 'lazy-cjs' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-cjs' }, (a) => ({ contents: LAZY_CJS[a.path], loader: 'js' }));
  },
};

// JSON imports (the chart lines' values schemas, ~170 KB; package.json; ...) become
// `export default JSON.parse('...')`: V8 parses a JSON string several times faster than the same data
// written as a JavaScript object literal, and the literal's boilerplate is not kept in memory.
const jsonParse = {
  name: 'json-parse',
  setup(b) {
    b.onLoad({ filter: /\.json$/ }, (a) => ({
      contents: `export default JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(fs.readFileSync(a.path, 'utf8'))))});\n`,
      loader: 'js',
    }));
  },
};

const entries = ['src/cli/main.ts'];
for (const extra of ['src/webhook/worker.ts']) if (fs.existsSync(path.join(root, extra))) entries.push(extra);

fs.rmSync(outdir, { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  // keepNames would wrap every function and closure in __name(), at each creation: ~3% of a batch run.
  keepNames: false,
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  legalComments: 'none',
  external: ['fastify', 'pino', '@kubernetes/client-node', 'mysql2', 'mysql2/*', 'pg', 'node-forge', 'prom-client', 'semver', 'playwright-core'],
  plugins: [lazyCjs, jsonParse],
  logLevel: 'warning',
};
// The ES module build (cli.js + chunks, worker.js): the webhook's worker threads, library-style imports of
// dist/cli.js, and the launcher's fallback on Node < 20.12.
await build({
  ...common,
  entryPoints: Object.fromEntries(entries.map((e) => [path.basename(e, '.ts') === 'main' ? 'cli' : path.basename(e, '.ts'), e])),
  outdir,
  splitting: true,
  format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
// The CLI as one CommonJS script, cli.cjs, which bin/imply-lint.js runs through vm.Script with V8's code
// cache (docs/performance.md section 1). The commands' lazy imports stay lazy inside it (esbuild defers
// each module's initialisation to its first import()); the heavy dependencies stay external, loaded by
// import() on first use.
await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir,
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  define: { 'import.meta.url': '__import_meta_url' },
  banner: { js: "var __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
});

// Without keepNames, esbuild renames a class whose name collides with another module's top-level name
// (class Foo -> Foo2), and src/cli/errors.ts recognises typed errors by constructor.name: refuse that.
{
  const srcClasses = new Set();
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(ts|js)$/.test(e.name)) for (const m of fs.readFileSync(full, 'utf8').matchAll(/\bclass ([A-Za-z_$][\w$]*)/g)) srcClasses.add(m[1]);
    }
  };
  walk(path.join(root, 'src'));
  const renamed = [];
  const outWalk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) outWalk(full);
      else if (e.name.endsWith('.js')) {
        for (const m of fs.readFileSync(full, 'utf8').matchAll(/\bclass ([A-Za-z_$][\w$]*?)(\d+)\b/g)) {
          if (srcClasses.has(m[1]) && !srcClasses.has(m[1] + m[2])) renamed.push(`${m[1]} -> ${m[1]}${m[2]} in ${path.relative(root, full)}`);
        }
      }
    }
  };
  outWalk(outdir);
  if (renamed.length) {
    console.error(`bundle: classes renamed by esbuild (constructor.name would change): ${renamed.join(', ')}; rename one of the colliding declarations`);
    process.exit(1);
  }
}
// Build id (the launcher names cache files after it: V8 checks only a cached script's length, not its
// text), the launcher next to the bundle (for A/B builds elsewhere than dist/), and the code cache, written
// by the launcher itself after warm-up lints of the examples, so that it holds the functions a lint runs.
{
  const cjs = path.join(outdir, 'cli.cjs');
  const text = fs.readFileSync(cjs, 'utf8');
  const id = createHash('sha256').update(text).digest('hex').slice(0, 16);
  fs.writeFileSync(cjs, `${text}//imply-lint-build:${id}\n`);
  const bin = fs.readFileSync(path.join(root, 'bin/imply-lint.js'), 'utf8');
  const here = "const DIST = path.join(__dirname, '..', 'dist');";
  if (!bin.includes(here)) {
    console.error(`bundle: bin/imply-lint.js no longer has the line ${here}`);
    process.exit(1);
  }
  const launcher = path.join(outdir, 'imply-lint.cjs');
  fs.writeFileSync(launcher, bin.replace(here, 'const DIST = __dirname;'));
  const warmup = ['examples/production-values.yaml', 'examples/quickstart-values.yaml'].filter((f) => fs.existsSync(path.join(root, f)));
  const env = { ...process.env, IMPLY_LINT_COMPILE_CACHE: path.join(outdir, 'compile-cache') };
  delete env.NODE_OPTIONS; // the cache is for Node without flags (others get their own in the user cache)
  const r = spawnSync(process.execPath, [launcher, ...(warmup.length ? ['--no-config', ...warmup] : ['--version'])], { cwd: root, env, encoding: 'utf8' });
  const made = fs.existsSync(path.join(outdir, 'compile-cache')) ? fs.readdirSync(path.join(outdir, 'compile-cache')) : [];
  if (r.status !== 0 && r.status !== 1) {
    console.error(`bundle: warm-up run failed (exit ${r.status}): ${r.stderr}`);
    process.exit(1);
  }
  if (made.length !== 1) console.warn('bundle: no code cache written (the CLI will compile at every start)');
}
console.log(`bundled ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} into ${path.relative(root, outdir) || '.'}/`);
