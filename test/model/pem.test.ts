import { describe, expect, it } from 'vitest';
import { daysUntil, isWellFormedDer, keyMatchesCertificate, pemInfo, splitPem } from '../../src/model/pem.js';
import { makeCert, makeEcKey, makeUnsupportedKey } from '../helpers/pki.js';

const ca = makeCert({ cn: 'imply-ca', notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2036-01-01T00:00:00Z') });
const leaf = makeCert({ ca: false, bits: 1024, cn: 'leaf' });

describe('splitPem', () => {
  it('splits blocks, tolerating indentation and CRLF', () => {
    const text = `  ${ca.certPem.replace(/\n/g, '\r\n  ')}\n${leaf.certPem}`;
    const { blocks, errors } = splitPem(text);
    expect(errors).toEqual([]);
    expect(blocks.map((b) => b.label)).toEqual(['CERTIFICATE', 'CERTIFICATE']);
    expect(blocks[0].text).toBe(ca.certPem.replace(/\r/g, ''));
  });
  it('reports an unterminated block and text without blocks', () => {
    expect(splitPem('-----BEGIN CERTIFICATE-----\nMIIB\n').errors[0].message).toMatch(/not terminated/);
    expect(splitPem('hello').errors[0].message).toMatch(/no PEM block/);
    expect(splitPem('').errors).toEqual([]);
  });
  it('reports mismatched BEGIN/END labels', () => {
    expect(splitPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n').errors[0].message).toMatch(/ends with END PRIVATE KEY/);
  });
});

describe('pemInfo', () => {
  it('reads subject, validity, CA flag and RSA size', () => {
    const info = pemInfo(ca.certPem);
    expect(info.errors).toEqual([]);
    expect(info.certificates).toHaveLength(1);
    const c = info.certificates[0];
    expect(c.subject).toBe('CN=imply-ca');
    expect(c.notBefore.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(c.notAfter.toISOString()).toBe('2036-01-01T00:00:00.000Z');
    expect(c.isCA).toBe(true);
    expect(c.keyType).toBe('rsa');
    expect(c.keySize).toBe(2048);
  });
  it('reads a chain and a non-CA 1024-bit certificate', () => {
    const info = pemInfo(leaf.certPem + ca.certPem);
    expect(info.certificates.map((c) => [c.isCA, c.keySize])).toEqual([
      [false, 1024],
      [true, 2048],
    ]);
  });
  it('reads RSA (PKCS#1) and EC (PKCS#8) private keys', () => {
    expect(pemInfo(ca.keyPem).keys).toEqual([{ index: 0, label: 'RSA PRIVATE KEY', keyType: 'rsa', keySize: 2048, unsupported: false, encrypted: false }]);
    const ec = pemInfo(makeEcKey()).keys[0];
    expect([ec.keyType, ec.curve, ec.keySize, ec.unsupported]).toEqual(['ec', 'prime256v1', 256, false]);
  });
  it('an unsupported but well-formed key is not an error', () => {
    const info = pemInfo(makeUnsupportedKey());
    expect(info.errors).toEqual([]);
    expect(info.keys[0].unsupported).toBe(true);
  });
  it('garbage is an error, for certificates and keys', () => {
    expect(pemInfo('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').errors[0].message).toMatch(/certificate 1 cannot be parsed/);
    expect(pemInfo('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n').errors[0].message).toMatch(/private key 1 cannot be parsed/);
  });
  it('flags encrypted keys', () => {
    const info = pemInfo('-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n');
    expect(info.keys[0].encrypted).toBe(true);
  });
  it('caches per input string', () => {
    expect(pemInfo(ca.certPem)).toBe(pemInfo(ca.certPem));
  });
});

describe('keyMatchesCertificate', () => {
  it('matches a certificate with its own key only', () => {
    expect(keyMatchesCertificate(ca.certPem, ca.keyPem)).toBe(true);
    expect(keyMatchesCertificate(ca.certPem, leaf.keyPem)).toBe(false);
    expect(keyMatchesCertificate(ca.certPem, makeEcKey())).toBe(false);
  });
  it('cannot compare with an unsupported key or without a certificate', () => {
    expect(keyMatchesCertificate(ca.certPem, makeUnsupportedKey())).toBeUndefined();
    expect(keyMatchesCertificate('nothing', ca.keyPem)).toBeUndefined();
  });
});

describe('helpers', () => {
  it('isWellFormedDer tells DER from garbage', () => {
    expect(isWellFormedDer(splitPem(makeUnsupportedKey()).blocks[0])).toBe(true);
    expect(isWellFormedDer(splitPem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n').blocks[0])).toBe(false);
  });
  it('daysUntil counts from the injected clock', () => {
    expect(daysUntil(new Date('2026-01-31T00:00:00Z'), new Date('2026-01-01T00:00:00Z'))).toBe(30);
    expect(daysUntil(new Date('2025-12-31T00:00:00Z'), new Date('2026-01-01T00:00:00Z'))).toBe(-1);
  });
});
