#!/usr/bin/env node
// imply-lint launcher: runs the bundled CLI (built by `npm run build`, which `npm install` runs via prepare).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('imply-lint: dist/cli.js is missing: run `npm run build` first\n');
  process.exitCode = 2;
} else {
  await import(cli.href);
}
