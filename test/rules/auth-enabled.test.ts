import rule from '../../src/rules/catalog/auth-enabled.js';
import { agentYaml, managerYaml, releaseYaml, stream } from '../helpers/imply-objects.js';
import { ruleTester } from '../helpers/rule-tester.js';

const strong = Buffer.alloc(32, 7).toString('base64'); // what `openssl rand -base64 32` looks like: 44 characters
const tokenSecret = (token: string | undefined, name = 'imply-auth-token') =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\ntype: Opaque\ndata:\n${token === undefined ? '  other: eA==\n' : `  auth-token: ${Buffer.from(token).toString('base64')}\n`}`;
const authValues = 'security:\n  auth:\n    secretName: imply-auth-token\n';
const live = (token: string) => ({
  secrets: [{ name: 'imply-auth-token', purpose: 'auth' as const, subject: 'security.auth.secretName', exists: true, type: 'Opaque', data: { 'auth-token': Buffer.from(token).toString('base64') } }],
});

ruleTester.run('auth-enabled', rule, {
  valid: [
    { name: 'security.auth.secretName set', values: authValues },
    { name: 'set with --set', values: 'security: {}\n', sets: [{ flag: '--set', expr: 'security.auth.secretName=imply-auth-token' }] },
    { name: 'nothing of Imply deployed', values: 'deployments:\n  manager: false\n  agents: no\n' },
    { name: 'release reading the token from a Secret', manifest: releaseYaml({ authSecret: 'imply-auth-token' }) },
    { name: 'admission of a lone agent with the token', manifest: agentYaml({ nodeType: 'master', authSecret: 'imply-auth-token' }), wholeStream: false },
    { name: 'admission: a strong token', manifest: tokenSecret(strong), wholeStream: false },
    { name: 'admission: a Secret of another name is not the token', manifest: tokenSecret('supersecret', 'something-else'), wholeStream: false },
    { name: 'live: strong token', values: authValues, live: live(strong) },
  ],
  invalid: [
    {
      name: 'security: {} (the public values file)',
      values: 'deployments:\n  manager: true\nsecurity: {}\n',
      errors: [{ messageId: 'notEnabled', path: 'security.auth.secretName', line: 3, column: 1, subject: 'security.auth.secretName' }],
    },
    {
      name: 'chart default',
      values: 'images: {}\n',
      errors: [{ messageId: 'notEnabled', line: 1, column: 1 }],
    },
    {
      name: 'empty secretName',
      values: 'security:\n  auth:\n    secretName: ""\n',
      errors: [{ messageId: 'notEnabled', path: 'security.auth.secretName', line: 3, column: 5 }],
    },
    {
      name: 'a later file deletes it with null',
      values: [authValues, 'security:\n  auth: null\n'],
      errors: [{ messageId: 'notEnabled', file: 'values-2.yaml', line: 2, column: 3 }],
    },
    {
      name: 'chart line 0.4.11',
      values: 'images:\n  manager:\n    tag: "2020.12"\n',
      errors: [{ messageId: 'notEnabled' }],
    },
    {
      name: 'release without the token env: one finding on the manager, agents related',
      manifest: releaseYaml(),
      errors: [{ messageId: 'notEnabled', object: 'Deployment/rel-manager', line: 2, column: 1, subject: 'security.auth.secretName', related: 3 }],
    },
    {
      name: 'admission of a lone agent without the token',
      manifest: agentYaml({ nodeType: 'query' }),
      wholeStream: false,
      errors: [{ messageId: 'notEnabled', object: 'Deployment/rel-query', subject: 'security.auth.secretName' }],
    },
    {
      name: 'a secretKeyRef without a name',
      manifest: managerYaml({ authSecret: '' }),
      errors: [{ messageId: 'notEnabled', object: 'Deployment/rel-manager' }],
    },
    {
      name: 'admission: the seed\'s example token',
      manifest: tokenSecret('supersecret'),
      wholeStream: false,
      errors: [{ messageId: 'weakToken', object: 'Secret/imply-auth-token', path: 'data.auth-token', line: 7, column: 15, subject: 'security.auth.secretName/auth-token' }],
    },
    {
      name: 'admission: a short token',
      manifest: tokenSecret('0123456789abcdef0123456789abcde'),
      wholeStream: false,
      errors: [{ messageId: 'weakToken', subject: 'security.auth.secretName/auth-token' }],
    },
    {
      name: 'admission: no auth-token key',
      manifest: tokenSecret(undefined),
      wholeStream: false,
      errors: [{ messageId: 'missingToken', subject: 'security.auth.secretName/auth-token' }],
    },
    {
      name: 'stream: the Secret the release references, under its own name',
      manifest: stream(managerYaml({ authSecret: 'rel-token' }), tokenSecret('short', 'rel-token')),
      errors: [{ messageId: 'weakToken', object: 'Secret/rel-token' }],
    },
    {
      name: 'live: the token read by preflight is the seed\'s example',
      values: authValues,
      live: live('supersecret'),
      errors: [{ messageId: 'weakToken', path: 'security.auth.secretName', line: 3, column: 5, subject: 'security.auth.secretName/auth-token' }],
    },
  ],
});
