// Start-up stays lazy: the lint path of the bundled CLI never loads the webhook's or preflight's heavy
// dependencies (fastify alone costs ~25 ms of start-up, @kubernetes/client-node ~230 ms on this machine).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REF23, ROOT } from '../helpers/cli.js';

const HEAVY = ['fastify', '@kubernetes/client-node', 'pino', 'prom-client', 'mysql2', 'pg', 'node-forge'];

function trace(args: string[]): string[] {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-trace-')), 'trace.txt');
  fs.writeFileSync(file, '');
  const r = spawnSync(process.execPath, ['--import', path.join(ROOT, 'test/fixtures/trace/register.mjs'), path.join(ROOT, 'dist/cli.js'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', TRACE_FILE: file },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBeLessThanOrEqual(1);
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

describe('lazy start-up of the bundled CLI', () => {
  it('dist/cli.js exists (npm test builds it before vitest)', () => {
    expect(fs.existsSync(path.join(ROOT, 'dist/cli.js'))).toBe(true);
  });
  for (const format of ['text', 'json', 'sarif']) {
    it(`linting values (--format ${format}) loads none of ${HEAVY.join(', ')}`, () => {
      const loaded = trace(['--no-config', '--format', format, path.join(REF23, 'values.public-user-copy.yaml')]);
      for (const h of HEAVY) expect(loaded.filter((s) => s === h || s.startsWith(`${h}/`)), h).toEqual([]);
    });
  }
  it('linting manifests loads none of them either', () => {
    const loaded = trace(['--no-config', path.join(REF23, 'quickstart.rendered.yaml')]);
    for (const h of HEAVY) expect(loaded.filter((s) => s === h || s.startsWith(`${h}/`)), h).toEqual([]);
  });
});
