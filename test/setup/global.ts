// Test setup: nothing global yet beyond making sure shared reference data is present.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export default function setup(): void {
  const ref = path.resolve(import.meta.dirname, '../../../shared/reference');
  if (!fs.existsSync(ref)) throw new Error(`reference data not found at ${ref} (tests read ../shared/reference)`);
  // `npm test` builds before vitest; a bare `npx vitest` gets the bundle built here.
  const root = path.resolve(import.meta.dirname, '../..');
  if (!fs.existsSync(path.join(root, 'dist/cli.js'))) execFileSync(process.execPath, [path.join(root, 'scripts/bundle.mjs')], { cwd: root, stdio: 'inherit' });
}
