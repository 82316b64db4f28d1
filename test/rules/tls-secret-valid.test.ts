import rule from '../../src/rules/catalog/tls-secret-valid.js';
import { defaultSettings } from '../../src/rules/policy.js';
import { managerYaml, releaseYaml, stream } from '../helpers/imply-objects.js';
import { makeCert, makeEcKey, makeUnsupportedKey, secretYaml } from '../helpers/pki.js';
import { ruleTester } from '../helpers/rule-tester.js';

const now = new Date('2026-01-15T00:00:00Z');
const context = { now };

const ca = makeCert({ cn: 'imply-ca' });
const other = makeCert({ cn: 'other' });
const weak = makeCert({ bits: 1024 });
const expired = makeCert({ notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2025-12-01T00:00:00Z') });
const expiring = makeCert({ notAfter: new Date('2026-02-01T00:00:00Z') });
const leaf = makeCert({ ca: false, cn: 'imply-manager' });
const noConstraints = makeCert({ ca: null, cn: 'no-basic-constraints' });
const ecKey = makeEcKey();

const tlsSecret = (data: Record<string, string>, name = 'imply-ca', type?: string) => secretYaml(name, data, type);
const good = { 'tls.crt': ca.certPem, 'tls.key': ca.keyPem };
const live = (data: Record<string, string> | undefined, type = 'kubernetes.io/tls') => ({
  secrets: [
    {
      name: 'imply-ca',
      purpose: 'tls' as const,
      subject: 'security.tls.secretName',
      exists: true,
      type,
      data: data && Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    },
  ],
});

ruleTester.run('tls-secret-valid', rule, {
  valid: [
    { name: 'values: TLS with a valid Secret name', values: 'security:\n  tls:\n    secretName: imply-ca\n' },
    { name: 'values: TLS off, nothing to validate', values: 'security: {}\n' },
    { name: 'values: dotted DNS-1123 name', values: 'security:\n  tls:\n    secretName: imply-ca.v2\n' },
    { name: 'manifest: release mounting imply-ca', manifest: releaseYaml({ caSecret: 'imply-ca' }) },
    { name: 'admission: a valid CA Secret', manifest: tlsSecret(good), wholeStream: false, context },
    { name: 'admission: a CA Secret given with stringData', manifest: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: imply-ca\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: |\n${ca.certPem.trimEnd().replace(/^/gm, '    ')}\n  tls.key: |\n${ca.keyPem.trimEnd().replace(/^/gm, '    ')}\n`, wholeStream: false, context },
    { name: 'admission: expiring in 45 days is fine', manifest: tlsSecret(good), wholeStream: false, context: { now: new Date('2034-11-17T00:00:00Z') } },
    { name: 'admission: another Secret (not the CA) is not checked', manifest: tlsSecret({ 'tls.crt': leaf.certPem }, 'ingress-tls'), wholeStream: false, context },
    {
      name: 'admission: an unsupported key type is not "invalid" (and cannot be compared)',
      manifest: tlsSecret({ 'tls.crt': ca.certPem, 'tls.key': makeUnsupportedKey() }),
      wholeStream: false,
      context,
    },
    { name: 'live: a valid CA Secret', values: 'security:\n  tls:\n    secretName: imply-ca\n', live: live(good), context },
    { name: 'live: a missing Secret is required-secrets-present\'s finding', live: { secrets: [{ name: 'imply-ca', purpose: 'tls', subject: 'security.tls.secretName', exists: false }] }, context },
  ],
  invalid: [
    {
      name: 'values: TLS block without secretName',
      values: 'security:\n  tls:\n    enabled: true\n',
      errors: [{ messageId: 'missingSecretName', path: 'security.tls.secretName', line: 2, column: 3, subject: 'security.tls.secretName' }],
    },
    {
      name: 'values: empty secretName',
      values: 'security:\n  tls:\n    secretName: ""\n',
      errors: [{ messageId: 'missingSecretName', path: 'security.tls.secretName', line: 3, column: 5, subject: 'security.tls.secretName' }],
    },
    {
      name: 'values: not a DNS-1123 name',
      values: 'security:\n  tls:\n    secretName: Imply_CA\n',
      errors: [{ messageId: 'invalidSecretName', path: 'security.tls.secretName', line: 3, column: 5, subject: 'security.tls.secretName' }],
    },
    {
      name: 'values: --set a bad name over a good file',
      values: 'security:\n  tls:\n    secretName: imply-ca\n',
      sets: [{ flag: '--set', expr: 'security.tls.secretName=-ca' }],
      errors: [{ messageId: 'invalidSecretName', path: 'security.tls.secretName' }],
    },
    {
      name: 'values: a later file empties the name',
      values: ['security:\n  tls:\n    secretName: imply-ca\n', 'security:\n  tls:\n    secretName: ""\n'],
      errors: [{ messageId: 'missingSecretName', file: 'values-2.yaml', line: 3 }],
    },
    {
      name: 'manifest: ca-secrets volume with a bad name, folded over manager and agents',
      manifest: releaseYaml({ caSecret: 'Imply_CA' }),
      errors: [{ messageId: 'invalidSecretName', object: 'Deployment/rel-manager', path: 'spec.template.spec.volumes[1].secret.secretName', subject: 'security.tls.secretName', related: 3 }],
    },
    {
      name: 'manifest: ca-secrets volume with an empty name',
      manifest: managerYaml({ caSecret: '' }),
      errors: [{ messageId: 'missingSecretName', object: 'Deployment/rel-manager', subject: 'security.tls.secretName' }],
    },
    {
      name: 'admission: an Opaque Secret',
      manifest: tlsSecret(good, 'imply-ca', 'Opaque'),
      wholeStream: false,
      context,
      errors: [{ messageId: 'wrongType', object: 'Secret/imply-ca', line: 1, column: 1, subject: 'security.tls.secretName/type' }],
    },
    {
      name: 'admission: tls.key missing',
      manifest: tlsSecret({ 'tls.crt': ca.certPem }),
      wholeStream: false,
      context,
      errors: [{ messageId: 'missingKey', object: 'Secret/imply-ca', subject: 'security.tls.secretName/tls.key' }],
    },
    {
      name: 'admission: RSA 1024',
      manifest: tlsSecret({ 'tls.crt': weak.certPem, 'tls.key': weak.keyPem }),
      wholeStream: false,
      context,
      errors: [{ messageId: 'weakKey', object: 'Secret/imply-ca', path: 'data["tls.crt"]', line: 7, column: 12, subject: 'security.tls.secretName/key-size' }],
    },
    {
      name: 'admission: expired',
      manifest: tlsSecret({ 'tls.crt': expired.certPem, 'tls.key': expired.keyPem }),
      wholeStream: false,
      context,
      errors: [{ messageId: 'expired', severity: 'error', subject: 'security.tls.secretName/validity' }],
    },
    {
      name: 'admission: expiring in 17 days is a warning',
      manifest: tlsSecret({ 'tls.crt': expiring.certPem, 'tls.key': expiring.keyPem }),
      wholeStream: false,
      context,
      errors: [{ messageId: 'expiring', severity: 'warning', subject: 'security.tls.secretName/validity' }],
    },
    {
      name: 'admission: a leaf certificate (CA:FALSE) is not a CA',
      manifest: tlsSecret({ 'tls.crt': leaf.certPem, 'tls.key': leaf.keyPem }),
      wholeStream: false,
      context,
      errors: [{ messageId: 'notCa', subject: 'security.tls.secretName/ca' }],
    },
    {
      name: 'admission: no basicConstraints is not a CA either',
      manifest: tlsSecret({ 'tls.crt': noConstraints.certPem, 'tls.key': noConstraints.keyPem }),
      wholeStream: false,
      context,
      errors: [{ messageId: 'notCa' }],
    },
    {
      name: 'admission: key of another certificate',
      manifest: tlsSecret({ 'tls.crt': ca.certPem, 'tls.key': other.keyPem }),
      wholeStream: false,
      context,
      errors: [{ messageId: 'keyMismatch', path: 'data["tls.key"]', subject: 'security.tls.secretName/key-match' }],
    },
    {
      name: 'admission: an EC key (read by node:crypto) does not match an RSA certificate',
      manifest: tlsSecret({ 'tls.crt': ca.certPem, 'tls.key': ecKey }),
      wholeStream: false,
      context,
      errors: [{ messageId: 'keyMismatch' }],
    },
    {
      name: 'admission: garbage in tls.crt and tls.key',
      manifest: tlsSecret({ 'tls.crt': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'tls.key': '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }),
      wholeStream: false,
      context,
      errors: [
        { messageId: 'certificateInvalid', subject: 'security.tls.secretName/tls.crt' },
        { messageId: 'keyInvalid', subject: 'security.tls.secretName/tls.key' },
      ],
    },
    {
      name: 'admission: several problems are several findings',
      manifest: tlsSecret({ 'tls.crt': leaf.certPem, 'tls.key': other.keyPem }, 'imply-ca', 'Opaque'),
      wholeStream: false,
      context,
      errors: [{ messageId: 'wrongType' }, { messageId: 'notCa' }, { messageId: 'keyMismatch' }],
    },
    {
      name: 'admission: the policy names the CA Secret',
      manifest: tlsSecret({ 'tls.crt': expired.certPem, 'tls.key': expired.keyPem }, 'corp-ca'),
      wholeStream: false,
      context,
      policy: { settings: { ...defaultSettings(), secretNames: { ca: 'corp-ca', auth: 'imply-auth-token', license: 'imply-secrets' } } },
      errors: [{ messageId: 'expired', object: 'Secret/corp-ca' }],
    },
    {
      name: 'stream: the Secret the release mounts is checked under its own name',
      manifest: stream(managerYaml({ caSecret: 'release-ca' }), tlsSecret({ 'tls.crt': leaf.certPem, 'tls.key': leaf.keyPem }, 'release-ca')),
      context,
      errors: [{ messageId: 'notCa', object: 'Secret/release-ca' }],
    },
    {
      name: 'live: the CA Secret read by preflight is expired (anchored on the values key naming it)',
      values: 'security:\n  tls:\n    secretName: imply-ca\n',
      live: live({ 'tls.crt': expired.certPem, 'tls.key': expired.keyPem }),
      context,
      errors: [{ messageId: 'expired', path: 'security.tls.secretName', line: 3, column: 5, subject: 'security.tls.secretName/validity' }],
    },
    {
      name: 'live: the CA Secret read by preflight lacks tls.crt',
      values: 'security:\n  tls:\n    secretName: imply-ca\n',
      live: live({ 'tls.key': ca.keyPem }),
      context,
      errors: [{ messageId: 'missingKey', subject: 'security.tls.secretName/tls.crt' }],
    },
  ],
});
