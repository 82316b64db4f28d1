// Build tool: bundles the CLI (and the webhook's worker) with esbuild into dist/. Heavy dependencies that only
// some commands need (fastify, pino, the Kubernetes client, database drivers, node-forge, prom-client) stay
// external and are imported lazily, so `imply-lint values.yaml` loads one small file.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
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
  keepNames: true,
  sourcemap: false,
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['fastify', 'pino', '@kubernetes/client-node', 'mysql2', 'mysql2/*', 'pg', 'node-forge', 'prom-client', 'semver', 'playwright-core'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
console.log(`bundled ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} into dist/`);
