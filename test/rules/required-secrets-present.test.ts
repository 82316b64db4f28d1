import { describe, expect, it } from 'vitest';
import type { LiveSecret } from '../../src/model/types.js';
import rule from '../../src/rules/catalog/required-secrets-present.js';
import { runCase, ruleTester } from '../helpers/rule-tester.js';

const values = `security:
  tls:
    secretName: imply-ca
  auth:
    secretName: imply-auth-token
`;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const ca: LiveSecret = { name: 'imply-ca', purpose: 'tls', subject: 'security.tls.secretName', namespace: 'imply', exists: true, type: 'kubernetes.io/tls', data: { 'tls.crt': b64('-----BEGIN CERTIFICATE-----\n...'), 'tls.key': b64('-----BEGIN PRIVATE KEY-----\n...') }, requiredKeys: ['tls.crt', 'tls.key'] };
const auth: LiveSecret = { name: 'imply-auth-token', purpose: 'auth', subject: 'security.auth.secretName', namespace: 'imply', exists: true, type: 'Opaque', data: { 'auth-token': b64('x'.repeat(44)) }, requiredKeys: ['auth-token'] };
const license: LiveSecret = { name: 'imply-secrets', purpose: 'license', subject: 'manager.secretName', namespace: 'imply', exists: false, requiredKeys: [] };

ruleTester.run('required-secrets-present', rule, {
  valid: [
    { name: 'both Secrets with their keys', values, live: { secrets: [ca, auth] } },
    { name: 'a missing licence Secret belongs to license-configured', values, live: { secrets: [ca, auth, license] } },
    { name: 'no Kubernetes access: no evidence', values, live: { metadataDbs: [] } },
  ],
  invalid: [
    {
      name: 'CA Secret missing',
      values,
      live: { secrets: [{ ...ca, exists: false, type: undefined, data: undefined }, auth] },
      errors: [{ messageId: 'missing', severity: 'error', path: 'security.tls.secretName', line: 3, column: 5, subject: 'security.tls.secretName' }],
    },
    {
      name: 'auth Secret without auth-token',
      values,
      live: { secrets: [ca, { ...auth, data: { token: b64('x'.repeat(44)) } }] },
      errors: [{ messageId: 'missingKeys', path: 'security.auth.secretName', line: 5, column: 5, subject: 'security.auth.secretName' }],
    },
    {
      name: 'CA Secret with an empty tls.key',
      values,
      live: { secrets: [{ ...ca, data: { 'tls.crt': ca.data!['tls.crt'], 'tls.key': '' } }, auth] },
      errors: [{ messageId: 'missingKeys', subject: 'security.tls.secretName' }],
    },
    {
      name: 'forbidden to read: a warning',
      values,
      live: { secrets: [{ ...ca, exists: false, data: undefined, error: 'not allowed to read Secret imply/imply-ca (HTTP 403)' }, auth] },
      errors: [{ messageId: 'unreadable', severity: 'warning' }],
    },
  ],
});

describe('required-secrets-present messages', () => {
  it('list the missing keys and the namespace', () => {
    const [f] = runCase(rule, { name: 'm', values, live: { secrets: [{ ...ca, data: {} }] } });
    expect(f.message).toContain('lacks "tls.crt" and "tls.key"');
    expect(f.message).toContain('namespace imply');
  });
});
