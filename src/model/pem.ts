// Model stage: PEM payloads (CA Secrets, metadata-store `tlsCert`, env values) pre-parsed for rules with
// `node:crypto`, so checks read facts (subject, validity, CA flag, key type and size, key match, parse
// errors) instead of parsing. node-forge cannot read EC keys, so it is not used here.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** One `-----BEGIN X-----` … `-----END X-----` block. */
export interface PemBlock {
  /** The label, e.g. `CERTIFICATE`, `RSA PRIVATE KEY`. */
  label: string;
  /** The block re-assembled with trimmed lines (what OpenSSL is given). */
  text: string;
  /** 0-based index among the blocks of the input. */
  index: number;
}

/** A parse problem of one block (or of the input as a whole when `block` is undefined). */
export interface PemError {
  block?: number;
  label?: string;
  message: string;
}

/** Facts of one certificate. */
export interface CertificateInfo {
  index: number;
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  /** basicConstraints CA:TRUE. */
  isCA: boolean;
  /** `rsa`, `ec`, `ed25519`, … or undefined when the public key type is not supported by this runtime. */
  keyType?: string;
  /** RSA modulus bits, EC curve bits (undefined when unknown). */
  keySize?: number;
  curve?: string;
  fingerprint256: string;
}

/** Facts of one private key. */
export interface PrivateKeyInfo {
  index: number;
  label: string;
  keyType?: string;
  keySize?: number;
  curve?: string;
  /** The key is well-formed but of a type this runtime cannot load: not "invalid". */
  unsupported: boolean;
  /** Encrypted keys cannot be used by the Imply manager (no passphrase is configured). */
  encrypted: boolean;
}

/** Everything a rule may ask of a PEM input. */
export interface PemInfo {
  blocks: number;
  certificates: CertificateInfo[];
  keys: PrivateKeyInfo[];
  errors: PemError[];
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n?([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

/** Splits text into PEM blocks; tolerates indentation and CRLF; reports unterminated or mismatched blocks. */
export function splitPem(text: string): { blocks: PemBlock[]; errors: PemError[] } {
  const blocks: PemBlock[] = [];
  const errors: PemError[] = [];
  let m: RegExpExecArray | null;
  BLOCK.lastIndex = 0;
  let consumed = 0;
  while ((m = BLOCK.exec(text)) !== null) {
    const [, label, body, endLabel] = m;
    const index = blocks.length;
    if (label !== endLabel) errors.push({ block: index, label, message: `block BEGIN ${label} ends with END ${endLabel}` });
    const lines = body
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '');
    blocks.push({ label, text: `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`, index });
    consumed = BLOCK.lastIndex;
  }
  const rest = text.slice(consumed);
  if (/-----BEGIN [A-Z0-9 ]+-----/.test(rest)) errors.push({ message: 'a PEM block is not terminated (no END line)' });
  if (blocks.length === 0 && text.trim() !== '' && errors.length === 0) errors.push({ message: 'no PEM block found' });
  return { blocks, errors };
}

const CURVE_BITS: Record<string, number> = {
  prime256v1: 256,
  'P-256': 256,
  secp256k1: 256,
  secp384r1: 384,
  'P-384': 384,
  secp521r1: 521,
  'P-521': 521,
  secp224r1: 224,
};

function keyFacts(k: KeyObject): { keyType?: string; keySize?: number; curve?: string } {
  const keyType = k.asymmetricKeyType;
  const d = k.asymmetricKeyDetails ?? {};
  if (keyType === 'rsa' || keyType === 'rsa-pss' || keyType === 'dsa') return { keyType, keySize: d.modulusLength };
  if (keyType === 'ec') return { keyType, curve: d.namedCurve, keySize: d.namedCurve ? CURVE_BITS[d.namedCurve] : undefined };
  if (keyType === 'ed25519' || keyType === 'x25519') return { keyType, keySize: 256 };
  if (keyType === 'ed448' || keyType === 'x448') return { keyType, keySize: 448 };
  return { keyType };
}

/**
 * True when the block's body is well-formed DER (strict base64, one outer SEQUENCE of the right length).
 * Used to tell "a key type this runtime cannot load" (well-formed) from garbage: OpenSSL reports both as
 * "unsupported".
 */
export function isWellFormedDer(block: PemBlock): boolean {
  const body = block.text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('-----') && !/^[A-Za-z-]+:/.test(l))
    .join('');
  if (body === '' || body.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(body)) return false;
  const der = Buffer.from(body, 'base64');
  if (der.length < 2 || der[0] !== 0x30) return false;
  let len = der[1];
  let off = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || der.length < 2 + n) return false;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[2 + i];
    off = 2 + n;
  }
  return off + len === der.length;
}

interface Parsed {
  info: PemInfo;
  x509: X509Certificate[];
  keyObjects: (KeyObject | undefined)[];
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function errCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
}

/** Parses every block of `text` (uncached; use `pemInfo`). */
function parse(text: string): Parsed {
  const { blocks, errors } = splitPem(text);
  const info: PemInfo = { blocks: blocks.length, certificates: [], keys: [], errors: [...errors] };
  const x509: X509Certificate[] = [];
  const keyObjects: (KeyObject | undefined)[] = [];
  for (const b of blocks) {
    if (b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE' || b.label === 'X509 CERTIFICATE') {
      let x: X509Certificate;
      try {
        x = new X509Certificate(b.text);
      } catch (e) {
        info.errors.push({ block: b.index, label: b.label, message: `certificate ${b.index + 1} cannot be parsed (${errMessage(e)})` });
        continue;
      }
      let facts: ReturnType<typeof keyFacts> = {};
      try {
        facts = keyFacts(x.publicKey);
      } catch {
        // A public key type this runtime cannot load: not an invalid certificate.
      }
      x509.push(x);
      info.certificates.push({
        index: b.index,
        subject: x.subject,
        issuer: x.issuer,
        notBefore: new Date(x.validFrom),
        notAfter: new Date(x.validTo),
        isCA: x.ca,
        ...facts,
        fingerprint256: x.fingerprint256,
      });
    } else if (/PRIVATE KEY$/.test(b.label)) {
      const encrypted = b.label.startsWith('ENCRYPTED') || /Proc-Type:\s*4,ENCRYPTED/.test(b.text);
      try {
        const k = createPrivateKey(b.text);
        keyObjects.push(k);
        info.keys.push({ index: b.index, label: b.label, ...keyFacts(k), unsupported: false, encrypted: false });
      } catch (e) {
        keyObjects.push(undefined);
        if (encrypted || errCode(e) === 'ERR_MISSING_PASSPHRASE') {
          info.keys.push({ index: b.index, label: b.label, unsupported: false, encrypted: true });
        } else if (isWellFormedDer(b)) {
          info.keys.push({ index: b.index, label: b.label, unsupported: true, encrypted: false });
        } else {
          info.errors.push({ block: b.index, label: b.label, message: `private key ${b.index + 1} cannot be parsed (${errMessage(e)})` });
        }
      }
    }
    // Other blocks (PUBLIC KEY, DH PARAMETERS, …) are neither certificates nor keys: ignored.
  }
  return { info, x509, keyObjects };
}

const MAX_CACHE = 256;
const cache = new Map<string, Parsed>();

function parsedOf(text: string): Parsed {
  let p = cache.get(text);
  if (!p) {
    p = parse(text);
    if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value as string);
    cache.set(text, p);
  }
  return p;
}

/** Facts of a PEM input (certificates, keys, errors). Cached per input string: rules may call it freely. */
export function pemInfo(text: string): PemInfo {
  return parsedOf(text).info;
}

/**
 * Whether the first loadable private key of `keyText` belongs to the first certificate of `certText`
 * (X509Certificate.checkPrivateKey). Undefined when either side has nothing to compare (no certificate,
 * no key, or a key type this runtime cannot load).
 */
export function keyMatchesCertificate(certText: string, keyText: string): boolean | undefined {
  const c = parsedOf(certText);
  const k = parsedOf(keyText);
  const cert = c.x509[0];
  const key = k.keyObjects.find((x): x is KeyObject => x !== undefined);
  if (!cert || !key) return undefined;
  try {
    return cert.checkPrivateKey(key);
  } catch {
    return false;
  }
}

/** Days from `now` until `d` (negative when past). */
export function daysUntil(d: Date, now: Date): number {
  return (d.getTime() - now.getTime()) / 86_400_000;
}
