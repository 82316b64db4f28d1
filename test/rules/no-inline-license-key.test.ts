import rule from '../../src/rules/catalog/no-inline-license-key.js';
import { managerYaml } from '../helpers/imply-objects.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run('no-inline-license-key', rule, {
  valid: [
    { name: 'licence from the imply-secrets Secret', values: 'manager:\n  secretName: imply-secrets\n  licenseKey: ""\n' },
    { name: 'the chart\'s empty block scalar default', values: 'manager:\n  licenseKey: | # <if not using K8s Secrets, insert license key below this line>\n\n  secretName: imply-secrets\n' },
    { name: 'whitespace only', values: 'manager:\n  licenseKey: "  \\n"\n' },
    { name: 'manager not deployed', values: 'deployments:\n  manager: false\nmanager:\n  licenseKey: abc\n' },
    { name: 'manifest: empty env value (what the chart renders by default)', manifest: managerYaml({ licenseSecret: 'imply-secrets' }) },
    {
      name: 'manifest: env read from a Secret',
      manifest: managerYaml().replace('          - name: IMPLY_MANAGER_LICENSE_KEY\n            value: ""', '          - name: IMPLY_MANAGER_LICENSE_KEY\n            valueFrom:\n              secretKeyRef: {name: imply-secrets, key: IMPLY_MANAGER_LICENSE_KEY}'),
    },
  ],
  invalid: [
    {
      name: 'licence pasted into the block scalar',
      values: 'manager:\n  licenseKey: |\n    eyJsaWNlbnNlIjoiQUNNRSJ9\n',
      errors: [{ messageId: 'inline', path: 'manager.licenseKey', line: 2, column: 3, subject: 'manager.licenseKey' }],
    },
    {
      name: 'set with --set-string',
      values: 'manager:\n  secretName: imply-secrets\n',
      sets: [{ flag: '--set-string', expr: 'manager.licenseKey=12345' }],
      errors: [{ messageId: 'inline', path: 'manager.licenseKey', line: 1, column: 1 }],
    },
    {
      name: 'a later -f file adds it',
      values: ['manager:\n  licenseKey: ""\n', 'manager:\n  licenseKey: ACME-LICENSE\n'],
      errors: [{ messageId: 'inline', file: 'values-2.yaml', line: 2, column: 3 }],
    },
    {
      name: 'a string "false" still deploys the manager',
      values: 'deployments:\n  manager: "false"\nmanager:\n  licenseKey: ACME\n',
      errors: [{ messageId: 'inline', line: 4, column: 3 }],
    },
    {
      name: 'manifest: literal IMPLY_MANAGER_LICENSE_KEY',
      manifest: managerYaml({ licenseKey: 'eyJsaWNlbnNlIjoiQUNNRSJ9' }),
      errors: [{ messageId: 'inline', object: 'Deployment/rel-manager', path: 'spec.template.spec.containers[0].env[0].value', line: 15, column: 20, subject: 'manager.licenseKey' }],
    },
  ],
});
