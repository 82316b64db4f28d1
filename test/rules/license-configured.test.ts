import rule from '../../src/rules/catalog/license-configured.js';
import { managerYaml, stream } from '../helpers/imply-objects.js';
import { ruleTester } from '../helpers/rule-tester.js';

const licenseSecret = (key: string | undefined, name = 'imply-secrets') =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\ntype: Opaque\ndata:\n${key === undefined ? '  OTHER_SECRET: eA==\n' : `  IMPLY_MANAGER_LICENSE_KEY: ${Buffer.from(key).toString('base64')}\n`}`;
const live = (data: Record<string, string> | undefined, exists = true) => ({
  secrets: [{ name: 'imply-secrets', purpose: 'license' as const, subject: 'manager.secretName', exists, type: 'Opaque', data }],
});

ruleTester.run('license-configured', rule, {
  valid: [
    { name: 'licence Secret named (the chart default)', values: 'images: {}\n' },
    { name: 'licence inline (no-inline-license-key\'s concern)', values: 'manager:\n  secretName: ""\n  licenseKey: ACME-1234\n' },
    { name: 'manager not deployed', values: 'deployments:\n  manager: false\nmanager:\n  secretName: ""\n' },
    { name: 'manifest: manager mounting imply-secrets', manifest: managerYaml({ licenseSecret: 'imply-secrets' }) },
    { name: 'manifest: manager with an inline licence env', manifest: managerYaml({ licenseKey: 'ACME-1234' }) },
    { name: 'admission: the licence Secret has the key', manifest: licenseSecret('ACME-1234'), wholeStream: false },
    { name: 'admission: another Secret is not the licence', manifest: licenseSecret(undefined, 'unrelated'), wholeStream: false },
    { name: 'live: the licence Secret has the key', values: 'images: {}\n', live: live({ IMPLY_MANAGER_LICENSE_KEY: Buffer.from('ACME').toString('base64') }) },
    { name: 'live: a missing Secret does not matter when the licence is inline', values: 'manager:\n  licenseKey: ACME\n', live: live(undefined, false) },
  ],
  invalid: [
    {
      name: 'both empty: only the 30-day trial',
      values: 'manager:\n  secretName: ""\n  licenseKey: ""\n',
      errors: [{ messageId: 'notConfigured', severity: 'warning', path: 'manager.secretName', line: 2, column: 3, subject: 'manager.secretName' }],
    },
    {
      name: 'null deletes the chart\'s imply-secrets default',
      values: 'manager:\n  secretName: null\n',
      errors: [{ messageId: 'notConfigured', path: 'manager.secretName', line: 2, column: 3 }],
    },
    {
      name: '--set empties it',
      values: 'images: {}\n',
      sets: [{ flag: '--set', expr: 'manager.secretName=' }],
      errors: [{ messageId: 'notConfigured', path: 'manager.secretName', line: 1, column: 1 }],
    },
    {
      name: 'manifest: manager without the licence mount or env',
      manifest: managerYaml(),
      errors: [{ messageId: 'notConfigured', object: 'Deployment/rel-manager', line: 1, column: 1, subject: 'manager.secretName' }],
    },
    {
      name: 'admission: the licence Secret lacks IMPLY_MANAGER_LICENSE_KEY (error)',
      manifest: licenseSecret(undefined),
      wholeStream: false,
      errors: [{ messageId: 'secretMissingKey', severity: 'error', object: 'Secret/imply-secrets', path: 'data', line: 7, subject: 'manager.secretName/IMPLY_MANAGER_LICENSE_KEY' }],
    },
    {
      name: 'admission: an empty key',
      manifest: licenseSecret('  \n'),
      wholeStream: false,
      errors: [{ messageId: 'secretMissingKey', severity: 'error', path: 'data.IMPLY_MANAGER_LICENSE_KEY', line: 7 }],
    },
    {
      name: 'stream: the Secret the manager mounts, under its own name',
      manifest: stream(managerYaml({ licenseSecret: 'acme-license' }), licenseSecret(undefined, 'acme-license')),
      errors: [{ messageId: 'secretMissingKey', object: 'Secret/acme-license' }],
    },
    {
      name: 'live: the licence Secret read by preflight lacks the key',
      values: 'images: {}\n',
      live: live({ OTHER: 'eA==' }),
      errors: [{ messageId: 'secretMissingKey', severity: 'error', path: 'manager.secretName', line: 1, subject: 'manager.secretName/IMPLY_MANAGER_LICENSE_KEY' }],
    },
    {
      name: 'live: the licence Secret does not exist (mounted optional, so the trial applies)',
      values: 'manager:\n  secretName: imply-secrets\n',
      live: live(undefined, false),
      errors: [{ messageId: 'secretMissingKey', severity: 'error', line: 2, column: 3 }],
    },
  ],
});
