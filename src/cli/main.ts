// CLI stage: the process entry point, and the only module that sets the exit code.
import { run } from './run.js';
import { MAX_INPUT_BYTES } from './inputs.js';
import type { Io } from './inputs.js';
import { restoreTiering, tuneForShortRun } from './tiering.js';

/** Reads stdin, stopping one byte past the input limit (`cat /dev/zero | imply-lint -` must not exhaust memory). */
function readStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (size > MAX_INPUT_BYTES) {
        process.stdin.off('data', onData);
        process.stdin.destroy();
        resolve(Buffer.concat(chunks).subarray(0, MAX_INPUT_BYTES + 1));
      }
    };
    process.stdin.on('data', onData);
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}

const io: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin,
  cwd: process.cwd(),
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
};

// A small lint is over before V8's optimizing compiler pays back: skip it (src/cli/tiering.ts).
tuneForShortRun(process.argv.slice(2), io.cwd);

run(process.argv.slice(2), io).then(
  (code) => {
    restoreTiering();
    process.exitCode = code;
  },
  (e: unknown) => {
    restoreTiering();
    process.stderr.write(`imply-lint: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
