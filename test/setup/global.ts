// Test setup: nothing global yet beyond making sure shared reference data is present.
import fs from 'node:fs';
import path from 'node:path';

export default function setup(): void {
  const ref = path.resolve(import.meta.dirname, '../../../shared/reference');
  if (!fs.existsSync(ref)) throw new Error(`reference data not found at ${ref} (tests read ../shared/reference)`);
}
