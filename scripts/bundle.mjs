// Build tool: bundles the CLI (and the webhook's worker) with esbuild into dist/. Heavy dependencies that only
// some commands need (fastify, pino, the Kubernetes client, database drivers, node-forge, prom-client) stay
// external and are imported lazily, so `imply-lint values.yaml` loads one small file.
// Start-up choices, each measured in docs/performance.md: the policy validator is precompiled; ajv is loaded
// only for custom rules; JSON is embedded as JSON.parse('...') strings; output is whitespace/syntax-minified
// without esbuild's keepNames wrappers (a guard below keeps class names intact for toUserError); linked
// source maps keep stack traces readable with `node --enable-source-maps`.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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
// (src/rules/custom.ts). Its imports resolve to a shim that loads the real package from node_modules on
// first use, so it is neither parsed nor run when a policy has no custom rules.
const LAZY_CJS = {
  ajv: "let m; const load = () => (m ??= require('ajv'));\nexport class Ajv { constructor(...a) { return new (load().Ajv)(...a); } }\nexport default Ajv;\n",
  'ajv-formats': "let m; const load = () => (m ??= require('ajv-formats'));\nexport default function addFormats(...a) { return load()(...a); }\n",
};
const lazyCjs = {
  name: 'lazy-cjs',
  setup(b) {
    b.onResolve({ filter: /^(ajv|ajv-formats)$/ }, (a) => (a.namespace === 'lazy-cjs' ? { path: a.path, external: true } : { path: a.path, namespace: 'lazy-cjs' }));
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

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(entries.map((e) => [path.basename(e, '.ts') === 'main' ? 'cli' : path.basename(e, '.ts'), e])),
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // keepNames would wrap every function and closure in __name(), at each creation: ~3% of a batch run.
  keepNames: false,
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['fastify', 'pino', '@kubernetes/client-node', 'mysql2', 'mysql2/*', 'pg', 'node-forge', 'prom-client', 'semver', 'playwright-core'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  plugins: [lazyCjs, jsonParse],
  logLevel: 'warning',
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
  outWalk(path.join(root, 'dist'));
  if (renamed.length) {
    console.error(`bundle: classes renamed by esbuild (constructor.name would change): ${renamed.join(', ')}; rename one of the colliding declarations`);
    process.exit(1);
  }
}
console.log(`bundled ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} into dist/`);
