// The short-run tiering decision (src/cli/tiering.ts) reads only the command line and file sizes: small lint
// inputs are measured, anything else (other commands, stdin, large inputs, big directories) is left alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHORT_RUN_BYTES, smallLintInputBytes } from '../../src/cli/tiering.js';
import { REF23 } from '../helpers/cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-tiering-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const values = path.join(REF23, 'values.public-user-copy.yaml');
const size = fs.statSync(values).size;

describe('smallLintInputBytes', () => {
  it('sums the files of a lint, positional and -f/--values/--previous-values', () => {
    expect(smallLintInputBytes(['--no-config', values], tmp)).toBe(size);
    expect(smallLintInputBytes(['lint', '-f', values, '--previous-values', values], tmp)).toBe(2 * size);
    expect(smallLintInputBytes([`--values=${values}`, '--format', 'json'], tmp)).toBe(size);
  });

  it('walks directories (their YAML files)', () => {
    const dir = path.join(tmp, 'small');
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'a: 1\n');
    fs.writeFileSync(path.join(dir, 'sub', 'b.yml'), 'b: 22\n');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x'.repeat(1000));
    expect(smallLintInputBytes([dir], tmp)).toBe(5 + 6);
  });

  it('gives up (undefined) on stdin, other commands and large inputs', () => {
    expect(smallLintInputBytes(['-'], tmp)).toBeUndefined();
    expect(smallLintInputBytes(['-f', '-'], tmp)).toBeUndefined();
    for (const cmd of ['serve', 'preflight', 'chart', 'rules', '--version', '--help']) expect(smallLintInputBytes([cmd, values], tmp), cmd).toBeUndefined();
    const big = path.join(tmp, 'big.yaml');
    fs.writeFileSync(big, `k: "${'x'.repeat(SHORT_RUN_BYTES)}"\n`);
    expect(smallLintInputBytes([values, big], tmp)).toBeUndefined();
    const many = path.join(tmp, 'many');
    fs.mkdirSync(many);
    for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(many, `f${i}.yaml`), 'a: 1\n');
    expect(smallLintInputBytes([many], tmp)).toBeUndefined();
  });

  it('leaves missing files to the CLI to report', () => {
    expect(smallLintInputBytes([path.join(tmp, 'nope.yaml')], tmp)).toBe(0);
  });
});
