// Model stage: reads an input file with a size cap, so that `/dev/zero`, an endless pipe or a huge file
// named on the command line or in a policy's `extends` is refused instead of exhausting memory.
import fs from 'node:fs';

/** The file holds more than the cap allows (a structural limit: exit 2). */
export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`larger than ${maxBytes} bytes`);
  }
}

/**
 * The bytes of `file`, read in chunks and given up once more than `maxBytes` arrive. Works for
 * regular files and for pipes (`<(helm template ...)`), whose size stat cannot tell. Errors from the
 * file system (ENOENT, EACCES, EISDIR) are thrown as they are.
 */
export function readFileBounded(file: string, maxBytes: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const st = fs.fstatSync(fd);
    if (st.isFile() && st.size > maxBytes) throw new FileTooLargeError(maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new FileTooLargeError(maxBytes);
    }
    return Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}
