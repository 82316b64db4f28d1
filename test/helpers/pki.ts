// Test helper: certificates and keys generated at test time (node-forge builds and signs certificates;
// node:crypto makes the EC key forge cannot). No private key is ever committed.
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface TestCert {
  certPem: string;
  keyPem: string;
}

export interface CertOptions {
  bits?: number;
  notBefore?: Date;
  notAfter?: Date;
  /** basicConstraints CA:TRUE (default) or CA:FALSE; `null` leaves the extension out. */
  ca?: boolean | null;
  cn?: string;
}

let serial = 1;

/** A self-signed RSA certificate and its PKCS#1 private key. */
export function makeCert(opts: CertOptions = {}): TestCert {
  const keys = forge.pki.rsa.generateKeyPair({ bits: opts.bits ?? 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = (serial++).toString(16).padStart(2, '0');
  cert.validity.notBefore = opts.notBefore ?? new Date('2025-01-01T00:00:00Z');
  cert.validity.notAfter = opts.notAfter ?? new Date('2035-01-01T00:00:00Z');
  const attrs = [{ name: 'commonName', value: opts.cn ?? 'imply-test-ca' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  if (opts.ca !== null) cert.setExtensions([{ name: 'basicConstraints', cA: opts.ca ?? true, critical: true }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** A PKCS#8 EC P-256 private key (node:crypto: forge cannot make or read EC keys). */
export function makeEcKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** A well-formed PKCS#8 key whose algorithm OID (1.3.6.1.4.1.55555.1) no runtime knows: "unsupported", not invalid. */
export function makeUnsupportedKey(): string {
  const oid = Buffer.from([0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb2, 0x03, 0x01]);
  const algo = Buffer.concat([Buffer.from([0x30, oid.length]), oid]);
  const inner = Buffer.from([0x04, 0x04, 0x01, 0x02, 0x03, 0x04]);
  const version = Buffer.from([0x02, 0x01, 0x00]);
  const body = Buffer.concat([version, algo, inner]);
  const der = Buffer.concat([Buffer.from([0x30, body.length]), body]);
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** A Secret manifest with base64 `data` (as kubectl writes it). */
export function secretYaml(name: string, data: Record<string, string>, type = 'kubernetes.io/tls'): string {
  const lines = [`apiVersion: v1`, `kind: Secret`, `metadata:`, `  name: ${name}`, `type: ${type}`, `data:`];
  for (const [k, v] of Object.entries(data)) lines.push(`  ${k}: ${b64(v)}`);
  return lines.join('\n') + '\n';
}

/** Values YAML with a PEM block scalar at `indent` spaces under `key:`. */
export function pemBlockScalar(key: string, pem: string, indent: number): string {
  const pad = ' '.repeat(indent);
  return `${' '.repeat(indent - 2)}${key}: |\n${pem.trimEnd().split('\n').map((l) => pad + l).join('\n')}\n`;
}
