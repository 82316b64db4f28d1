// src/model/sha256.ts (finding fingerprints without node:crypto) against node:crypto: FIPS 180-4 vectors,
// every length across the padding boundaries, non-ASCII text, and random strings.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/model/sha256.js';
import { fingerprint } from '../src/rules/engine.js';

const ref = (s: string) => createHash('sha256').update(s).digest('hex');

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 examples', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('matches node:crypto for every length from 0 to 300 bytes (one to six blocks)', () => {
    for (let n = 0; n <= 300; n++) {
      const s = 'x'.repeat(n);
      expect(sha256Hex(s), `length ${n}`).toBe(ref(s));
    }
  });

  it('hashes the UTF-8 bytes of non-ASCII text, NULs and lone surrogates as node:crypto does', () => {
    for (const s of ['é', 'naïve\u0000subject', '日本語のテキスト', '\u{1F600} emoji', 'lone \ud800 surrogate', 'a\u0000b']) expect(sha256Hex(s), s).toBe(ref(s));
  });

  it('matches node:crypto on random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => sha256Hex(s) === ref(s)),
      { numRuns: 2000 },
    );
  });

  it('keeps finding fingerprints what they were (sha256 of rule id, NUL, subject; 32 hex digits)', () => {
    expect(fingerprint('auth-enabled', 'values:security.auth')).toBe(ref('auth-enabled\u0000values:security.auth').slice(0, 32));
  });
});
