import rule from '../../src/rules/catalog/pivot-config-yaml.js';
import { ENV_VALUE_COLUMN, envValueLine, managerDoc } from '../helpers/druid-fixtures.js';
import { ruleTester } from '../helpers/rule-tester.js';

const PIVOT_ENV = 'imply_defaults_pivotCustomDruidProperties';

ruleTester.run('pivot-config-yaml', rule, {
  valid: [
    { name: 'chart default: empty list', values: 'druid:\n  update: disabled\n' },
    { name: 'features-overrides: quoted indentation', values: 'druid:\n  pivotRuntimeProperties:\n    - "stateStore:"\n    - "  type: mysql"\n' },
    {
      name: 'the seed\'s OIDC example (one-space indents)',
      values: "druid:\n  pivotRuntimeProperties:\n    - 'userMode: oidc-authentication'\n    - 'oidcOptions:'\n    - ' issuer:'\n    - ' app_base_url:'\n    - ' client_id: XXXXXXX'\n    - ' client_secret: XXXXXXX'\n    - ' scope: \"openid profile email\"'\n",
    },
    { name: 'Druid property lists are not Pivot YAML', values: 'druid:\n  brokerRuntimeProperties:\n    - "a: b: c"\n' },
    { name: 'a later -f file replaces the broken list', values: ['druid:\n  pivotRuntimeProperties:\n    - "a: b: c"\n', 'druid:\n  pivotRuntimeProperties:\n    - "a: b"\n'] },
    { name: 'manifest: features render', manifest: managerDoc([[PIVOT_ENV, 'stateStore:\\n  type: mysql']]) },
    { name: 'manifest: no pivot env (empty list renders none)', manifest: managerDoc([['imply_defaults_commonCustomDruidProperties', 'a: b: c']]) },
  ],
  invalid: [
    {
      name: 'values: a nested mapping on one line',
      values: 'druid:\n  pivotRuntimeProperties:\n    - "userMode: oidc"\n    - "stateStore: type: mysql"\n',
      errors: [{ messageId: 'invalidYaml', severity: 'error', path: 'druid.pivotRuntimeProperties[1]', line: 4, column: 7, subject: 'druid.pivotRuntimeProperties' }],
    },
    {
      name: 'manifest: the same list in the manager env',
      manifest: managerDoc([[PIVOT_ENV, 'userMode: oidc\\nstateStore: type: mysql']]),
      errors: [{ messageId: 'invalidYaml', object: 'Deployment/imply-manager', line: envValueLine(0), column: ENV_VALUE_COLUMN, subject: 'druid.pivotRuntimeProperties' }],
    },
    {
      name: 'values: an unquoted map item renders as Go map[...] text',
      values: 'druid:\n  pivotRuntimeProperties:\n    - "stateStore:"\n    - type: mysql\n',
      errors: [{ messageId: 'invalidYaml', path: 'druid.pivotRuntimeProperties[1]', line: 4 }],
    },
    {
      name: 'values: a key twice is invalid YAML',
      values: 'druid:\n  pivotRuntimeProperties:\n    - "userMode: native"\n    - "userMode: oidc"\n',
      errors: [{ messageId: 'invalidYaml', path: 'druid.pivotRuntimeProperties[1]' }],
    },
    {
      name: 'values: tab indentation',
      values: 'druid:\n  pivotRuntimeProperties:\n    - "oidcOptions:"\n    - "\\tissuer: x"\n',
      errors: [{ messageId: 'invalidYaml', path: 'druid.pivotRuntimeProperties[1]' }],
    },
    {
      name: 'values: lines that join into a sequence',
      values: 'druid:\n  pivotRuntimeProperties:\n    - "- userMode: oidc"\n',
      errors: [{ messageId: 'notMapping', path: 'druid.pivotRuntimeProperties', line: 2, column: 3 }],
    },
    {
      name: 'values: --set of one item over the chart default',
      values: 'druid: {}\n',
      sets: [{ flag: '--set', expr: 'druid.pivotRuntimeProperties[0]=a: b: c' }],
      errors: [{ messageId: 'invalidYaml', subject: 'druid.pivotRuntimeProperties', line: 1, column: 1 }],
    },
  ],
});
