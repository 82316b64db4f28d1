// `imply-lint certs` and the certificate helpers: files read back with node:crypto X509Certificate.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CertError, bundleCertificates, checkPair, generateCa, generatePki, issueServingCert, joinBundle, renewalDue, serviceDnsNames } from '../../src/webhook/certs.js';
import { cli } from '../helpers/cli.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-certs-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('imply-lint certs', { timeout: 60_000 }, () => {
  it('writes ca.crt, tls.crt and tls.key for <svc>.<ns>.svc', async () => {
    const cwd = tmp();
    const before = Date.now();
    const r = await cli(['certs', '--service', 'imply-lint-webhook', '--namespace', 'imply-lint', '--out', 'out'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('for imply-lint-webhook.imply-lint.svc');
    const out = path.join(cwd, 'out');
    expect(fs.readdirSync(out).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(fs.statSync(path.join(out, 'tls.key')).mode & 0o777).toBe(0o600);

    const ca = new X509Certificate(fs.readFileSync(path.join(out, 'ca.crt')));
    const leaf = new X509Certificate(fs.readFileSync(path.join(out, 'tls.crt')));
    const key = createPrivateKey(fs.readFileSync(path.join(out, 'tls.key')));
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.checkPrivateKey(key)).toBe(true);
    expect(leaf.subjectAltName).toBe('DNS:imply-lint-webhook.imply-lint.svc, DNS:imply-lint-webhook.imply-lint.svc.cluster.local, DNS:imply-lint-webhook.imply-lint, DNS:imply-lint-webhook');
    expect(leaf.checkHost('imply-lint-webhook.imply-lint.svc')).toBe('imply-lint-webhook.imply-lint.svc');
    expect(leaf.checkHost('imply-lint-webhook.imply-lint.svc.cluster.local')).toBeDefined();
    expect(leaf.checkHost('other.imply-lint.svc')).toBeUndefined();
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // extended key usage: serverAuth
    // Back-dated for clock skew; one year by default.
    expect(Date.parse(leaf.validFrom)).toBeLessThanOrEqual(before - 59 * 60_000);
    expect(Date.parse(leaf.validTo) - Date.now()).toBeGreaterThan(364 * 24 * 3600_000);
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('takes --days and refuses to overwrite without --force', async () => {
    const cwd = tmp();
    expect((await cli(['certs', '--service', 's', '--namespace', 'n', '--out', '.', '--days', '30'], { cwd })).code).toBe(0);
    const leaf = new X509Certificate(fs.readFileSync(path.join(cwd, 'tls.crt')));
    expect(Math.round((Date.parse(leaf.validTo) - Date.now()) / (24 * 3600_000))).toBe(30);
    const again = await cli(['certs', '--service', 's', '--namespace', 'n', '--out', '.'], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('imply-lint: ca.crt: already exists (use --force to overwrite)\n');
    const forced = await cli(['certs', '--service', 's', '--namespace', 'n', '--out', '.', '--force'], { cwd });
    expect(forced.code).toBe(0);
    expect(new X509Certificate(fs.readFileSync(path.join(cwd, 'tls.crt'))).fingerprint256).not.toBe(leaf.fingerprint256);
  });

  it('usage errors exit 2 with one line', async () => {
    const cwd = tmp();
    const missing = await cli(['certs', '--service', 's', '--out', 'x'], { cwd });
    expect([missing.code, missing.stderr]).toEqual([2, 'imply-lint: certs: --service, --namespace and --out are required\n']);
    const bad = await cli(['certs', '--service', 'Bad_Name', '--namespace', 'n', '--out', 'x'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`imply-lint: service "Bad_Name" is not a valid DNS label (lower-case letters, digits and '-', at most 63 characters)\n`);
    const days = await cli(['certs', '--service', 's', '--namespace', 'n', '--out', 'x', '--days', 'ten'], { cwd });
    expect(days.stderr).toBe('imply-lint: --days: expected a whole number from 1 to 36500, got "ten"\n');
    const help = await cli(['certs', '--help'], { cwd });
    expect([help.code, help.stdout.startsWith('Usage: imply-lint certs')]).toEqual([0, true]);
  });
});

describe('certificate helpers', { timeout: 60_000 }, () => {
  it('checkPair says what is wrong', async () => {
    const a = await generatePki({ service: 's', namespace: 'n', now: new Date() });
    const b = await generatePki({ service: 's', namespace: 'n', now: new Date() });
    expect(checkPair(a.serving.certPem, a.serving.keyPem).cert.subject).toBe('CN=s.n.svc');
    expect(() => checkPair(a.serving.certPem, b.serving.keyPem)).toThrow('private key does not match the certificate');
    expect(() => checkPair('garbage', a.serving.keyPem)).toThrow(CertError);
    expect(() => checkPair('garbage', a.serving.keyPem)).toThrow(/^certificate does not parse/);
    expect(() => checkPair(a.serving.certPem, 'garbage')).toThrow(/^private key does not parse/);
  });

  it('the serving certificate never outlives its CA; renewal is due in the last third', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const ca = await generateCa({ now, days: 10 });
    const leaf = await issueServingCert(ca, { service: 's', namespace: 'n', now, days: 365 });
    expect(new X509Certificate(leaf.certPem).validTo).toBe(new X509Certificate(ca.certPem).validTo);
    expect(renewalDue(leaf.certPem, new Date(now.getTime() + 6 * 24 * 3600_000))).toBe(false);
    expect(renewalDue(leaf.certPem, new Date(now.getTime() + 7 * 24 * 3600_000))).toBe(true);
    expect(renewalDue('not a cert', now)).toBe(true);
  });

  it('bundles join without duplicates and read back in order', async () => {
    const now = new Date();
    const [a, b] = await Promise.all([generateCa({ now }), generateCa({ now })]);
    const bundle = joinBundle(a.certPem, b.certPem, a.certPem);
    expect(bundleCertificates(bundle).map((c) => c.fingerprint256)).toEqual([new X509Certificate(a.certPem).fingerprint256, new X509Certificate(b.certPem).fingerprint256]);
    expect(bundle.includes('\r')).toBe(false);
    expect(serviceDnsNames('svc', 'ns')[0]).toBe('svc.ns.svc');
  });
});
