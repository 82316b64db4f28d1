// Webhook stage: certificates for the admission webhook. node-forge generates the CA and the serving
// certificate (`imply-lint certs` and self-managed mode); node:crypto reads them back and decides whether a
// key and certificate pair may be served (both parse, they match, the certificate is in its validity window).
// Only `serve` and `certs` import this module (node-forge is loaded lazily, never on the lint path).
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** A certificate problem: the CLI prints it as one line and exits 2. */
export class CertError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

/** A PEM certificate and its PEM private key. */
export interface CertPair {
  certPem: string;
  keyPem: string;
}

/** A CA and a serving certificate it signed. */
export interface Pki {
  ca: CertPair;
  serving: CertPair;
}

/** notBefore is back-dated by this much, so API servers with a slightly late clock accept new certificates. */
export const BACKDATE_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;

/** Default lifetimes: the CA outlives several serving certificates. */
export const DEFAULT_CA_DAYS = 3650;
export const DEFAULT_SERVING_DAYS = 365;

/** RFC 1123 DNS label, as Kubernetes names Services and Namespaces. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Throws CertError unless `v` is a valid Service or Namespace name. */
export function checkDnsLabel(v: string, what: string): void {
  if (v.length === 0 || v.length > 63 || !DNS_LABEL.test(v)) throw new CertError(`${what} "${v}" is not a valid DNS label (lower-case letters, digits and '-', at most 63 characters)`);
}

/** The names the API server uses to reach a Service: `<svc>.<ns>.svc` first (what it verifies), then the FQDN. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [`${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`, `${service}.${namespace}`, service];
}

type Forge = typeof import('node-forge');
let forgeMod: Forge | undefined;

async function forge(): Promise<Forge> {
  if (!forgeMod) {
    const m = (await import('node-forge')) as unknown as { default?: Forge } & Forge;
    forgeMod = m.default ?? m;
  }
  return forgeMod;
}

/** A positive 128-bit serial number (RFC 5280: at most 20 octets, positive, unpredictable). */
function serialHex(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f;
  if (b[0] === 0) b[0] = 0x01;
  return b.toString('hex');
}

function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

/** Generates a self-signed CA (RSA 2048, basicConstraints CA:TRUE, keyCertSign). */
export async function generateCa(opts: { now: Date; days?: number; commonName?: string }): Promise<CertPair> {
  const f = await forge();
  const keys = f.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = f.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialHex();
  const v = validity(opts.now, opts.days ?? DEFAULT_CA_DAYS);
  cert.validity.notBefore = v.notBefore;
  cert.validity.notAfter = v.notAfter;
  const attrs = [
    { name: 'commonName', value: opts.commonName ?? `imply-lint-webhook-ca-${opts.now.getTime()}` },
    { name: 'organizationName', value: 'imply-lint' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, f.md.sha256.create());
  return { certPem: lf(f.pki.certificateToPem(cert)), keyPem: lf(f.pki.privateKeyToPem(keys.privateKey)) };
}

/** forge writes CRLF line ends; files, Secrets and caBundles use LF. */
function lf(pem: string): string {
  return pem.replace(/\r\n/g, '\n');
}

/** Issues the serving certificate for `<service>.<namespace>.svc` (serverAuth, SANs, CA:FALSE) signed by `ca`. */
export async function issueServingCert(ca: CertPair, opts: { service: string; namespace: string; now: Date; days?: number }): Promise<CertPair> {
  checkDnsLabel(opts.service, 'service');
  checkDnsLabel(opts.namespace, 'namespace');
  const f = await forge();
  const caCert = f.pki.certificateFromPem(ca.certPem);
  const caKey = f.pki.privateKeyFromPem(ca.keyPem);
  const keys = f.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = f.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialHex();
  const v = validity(opts.now, opts.days ?? DEFAULT_SERVING_DAYS);
  // Never outlive the CA: a chain with an expired CA fails even when the leaf is still valid.
  cert.validity.notBefore = v.notBefore;
  cert.validity.notAfter = v.notAfter.getTime() > caCert.validity.notAfter.getTime() ? caCert.validity.notAfter : v.notAfter;
  const names = serviceDnsNames(opts.service, opts.namespace);
  cert.setSubject([{ name: 'commonName', value: names[0] }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, f.md.sha256.create());
  return { certPem: lf(f.pki.certificateToPem(cert)), keyPem: lf(f.pki.privateKeyToPem(keys.privateKey)) };
}

/** A new CA and a serving certificate for the Service. */
export async function generatePki(opts: { service: string; namespace: string; now: Date; caDays?: number; days?: number }): Promise<Pki> {
  checkDnsLabel(opts.service, 'service');
  checkDnsLabel(opts.namespace, 'namespace');
  const ca = await generateCa({ now: opts.now, days: opts.caDays });
  const serving = await issueServingCert(ca, { service: opts.service, namespace: opts.namespace, now: opts.now, days: opts.days });
  return { ca, serving };
}

/** What node:crypto made of a key and certificate pair that may be served. */
export interface CheckedPair {
  cert: X509Certificate;
  key: KeyObject;
  notBefore: Date;
  notAfter: Date;
  fingerprint256: string;
}

/**
 * Parses a serving pair with node:crypto: the first certificate of `certPem` must parse, the key must parse,
 * and the key must belong to the certificate. Throws CertError saying which part failed.
 */
export function checkPair(certPem: string | Buffer, keyPem: string | Buffer): CheckedPair {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (e) {
    throw new CertError(`certificate does not parse: ${(e as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (e) {
    throw new CertError(`private key does not parse: ${(e as Error).message}`);
  }
  if (!cert.checkPrivateKey(key)) throw new CertError('private key does not match the certificate');
  return { cert, key, notBefore: new Date(cert.validFrom), notAfter: new Date(cert.validTo), fingerprint256: cert.fingerprint256 };
}

/** Every certificate of a PEM bundle (a caBundle may hold the old and the new CA during rotation). */
export function bundleCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/** Joins PEM certificates into one bundle (no duplicates, each ending in a newline). */
export function joinBundle(...pems: (string | undefined)[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of pems) {
    if (!p) continue;
    for (const b of p.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []) {
      const norm = b.replace(/\r/g, '');
      if (seen.has(norm)) continue;
      seen.add(norm);
      out.push(`${norm}\n`);
    }
  }
  return out.join('');
}

/**
 * Renewal is due once less than `fraction` of the certificate's lifetime is left (cert-manager renews at
 * two thirds of the lifetime by default; so do we).
 */
export function renewalDue(certPem: string, now: Date, fraction = 1 / 3): boolean {
  let c: X509Certificate;
  try {
    c = new X509Certificate(certPem);
  } catch {
    return true;
  }
  const from = Date.parse(c.validFrom);
  const to = Date.parse(c.validTo);
  return to - now.getTime() < (to - from) * fraction;
}
