import rule from '../../src/rules/catalog/manager-update-delay-format.js';
import { ENV_VALUE_COLUMN, envValueLine, managerDoc } from '../helpers/druid-fixtures.js';
import { ruleTester } from '../helpers/rule-tester.js';

const ENV = 'imply_manager_updateDelay';
const extraEnv = (value: string) => `manager:\n  extraEnv:\n    - name: ${ENV}\n      value: ${value}\n`;

ruleTester.run('manager-update-delay-format', rule, {
  valid: [
    { name: 'chart default: no extraEnv', values: 'manager:\n  secretName: imply-secrets\n' },
    { name: 'features-overrides: PT2H', values: extraEnv('PT2H') },
    { name: 'the seed\'s PT5M', values: extraEnv('PT5M') },
    { name: 'days and fractional seconds', values: extraEnv('P1DT0.5S') },
    { name: 'another env var is not checked', values: 'manager:\n  extraEnv:\n    - name: OTHER\n      value: soon\n' },
    { name: 'valueFrom: the value is not in the input', values: `manager:\n  extraEnv:\n    - name: ${ENV}\n      valueFrom:\n        configMapKeyRef: {name: c, key: delay}\n` },
    { name: 'a later -f list replaces the placeholder', values: [extraEnv('ISO-8601_VALUE'), extraEnv('PT10M')] },
    { name: 'manifest: features render', manifest: managerDoc([[ENV, 'PT2H']]) },
  ],
  invalid: [
    {
      name: 'values: the seed\'s placeholder ISO-8601_VALUE',
      values: extraEnv('ISO-8601_VALUE'),
      errors: [{ messageId: 'notIsoDuration', severity: 'error', path: 'manager.extraEnv[0].value', line: 4, column: 7, subject: 'manager.extraEnv.imply_manager_updateDelay' }],
    },
    {
      name: 'manifest: the placeholder rendered into the manager env',
      manifest: managerDoc([[ENV, 'ISO-8601_VALUE']]),
      errors: [{ messageId: 'notIsoDuration', object: 'Deployment/imply-manager', line: envValueLine(0), column: ENV_VALUE_COLUMN, subject: 'manager.extraEnv.imply_manager_updateDelay' }],
    },
    { name: 'values: a Go-style duration', values: extraEnv('5m'), errors: [{ messageId: 'notIsoDuration' }] },
    { name: 'values: P without a part', values: extraEnv('"PT"'), errors: [{ messageId: 'notIsoDuration' }] },
    { name: 'values: a fraction before the last part', values: extraEnv('PT1.5H30M'), errors: [{ messageId: 'notIsoDuration' }] },
    { name: 'values: a bare number', values: extraEnv('300'), errors: [{ messageId: 'notIsoDuration' }] },
    {
      name: 'values: --set-string of the env item',
      values: 'manager:\n  secretName: imply-secrets\n',
      sets: [{ flag: '--set-string', expr: `manager.extraEnv[0].name=${ENV},manager.extraEnv[0].value=5 minutes` }],
      errors: [{ messageId: 'notIsoDuration', path: 'manager.extraEnv[0].value', line: 1, column: 1 }],
    },
  ],
});
