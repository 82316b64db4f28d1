import rule from '../../src/rules/catalog/legacy-tls-disabled.js';
import { releaseYaml } from '../helpers/imply-objects.js';
import { ruleTester } from '../helpers/rule-tester.js';

const tlsOn = 'security:\n  tls:\n    secretName: imply-ca\n';

ruleTester.run('legacy-tls-disabled', rule, {
  valid: [
    { name: 'TLS off: nothing to restrict (the public values file)', values: 'security: {}\n' },
    { name: 'TLS on and security.enableLegacyTls: false', values: `${tlsOn}  enableLegacyTls: false\n` },
    { name: 'the seed\'s top-level enableLegacyTls: false counts', values: `${tlsOn}enableLegacyTls: false\n` },
    { name: 'YAML 1.1 "no" is false', values: `${tlsOn}  enableLegacyTls: no\n` },
    { name: 'disabled by --set', values: tlsOn, sets: [{ flag: '--set', expr: 'security.enableLegacyTls=false' }] },
    { name: 'a later -f file disables it', values: [`${tlsOn}  enableLegacyTls: true\n`, 'security:\n  enableLegacyTls: false\n'] },
    { name: 'manifests carry no evidence (chart lines up to 2023.03 render nothing for it)', manifest: releaseYaml({ caSecret: 'imply-ca' }) },
  ],
  invalid: [
    {
      name: 'TLS on, key absent (legacy TLS is supported by default)',
      values: tlsOn,
      errors: [{ messageId: 'legacyAllowed', path: 'security.enableLegacyTls', line: 1, column: 1, subject: 'security.enableLegacyTls' }],
    },
    {
      name: 'explicitly true',
      values: `${tlsOn}  enableLegacyTls: true\n`,
      errors: [{ messageId: 'legacyAllowed', path: 'security.enableLegacyTls', line: 4, column: 3, subject: 'security.enableLegacyTls' }],
    },
    {
      name: 'a top-level true is reported where it is written',
      values: `${tlsOn}enableLegacyTls: true\n`,
      errors: [{ messageId: 'legacyAllowed', path: 'enableLegacyTls', line: 4, column: 1, subject: 'security.enableLegacyTls' }],
    },
    {
      name: 'a quoted "false" is a string, not false',
      values: `${tlsOn}  enableLegacyTls: "false"\n`,
      errors: [{ messageId: 'legacyAllowed', line: 4, column: 3 }],
    },
    {
      name: '--set-string makes it a string',
      values: tlsOn,
      sets: [{ flag: '--set-string', expr: 'security.enableLegacyTls=false' }],
      errors: [{ messageId: 'legacyAllowed', path: 'security.enableLegacyTls' }],
    },
    {
      name: 'a later -f file re-enables it',
      values: [`${tlsOn}  enableLegacyTls: false\n`, 'security:\n  enableLegacyTls: true\n'],
      errors: [{ messageId: 'legacyAllowed', file: 'values-2.yaml', line: 2, column: 3 }],
    },
    {
      name: 'null deletes an earlier false',
      values: [`${tlsOn}  enableLegacyTls: false\n`, 'security:\n  enableLegacyTls: null\n'],
      errors: [{ messageId: 'legacyAllowed', file: 'values-2.yaml', line: 2 }],
    },
    {
      name: 'TLS turned on by --set, legacy TLS left on',
      values: 'security: {}\n',
      sets: [{ flag: '--set', expr: 'security.tls.secretName=imply-ca' }],
      errors: [{ messageId: 'legacyAllowed', line: 1, column: 1 }],
    },
    {
      name: 'chart line 2021.05-1',
      values: tlsOn,
      chartVersion: '2021.05-1',
      errors: [{ messageId: 'legacyAllowed' }],
    },
  ],
});
