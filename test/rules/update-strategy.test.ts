import rule from '../../src/rules/catalog/update-strategy.js';
import { managerDoc, productionManagerEnv } from '../fixtures/quickstart-availability.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run('update-strategy', rule, {
  valid: [
    { name: 'rolling', values: 'druid:\n  update: rolling\n' },
    { name: 'an unknown word is value-type\'s business', values: 'druid:\n  update: sometimes\n' },
    { name: '--set chooses rolling over a hard file', values: 'druid:\n  update: hard\n', sets: [{ flag: '--set', expr: 'druid.update=rolling' }] },
    { name: 'later -f file chooses rolling', values: ['druid:\n  update: hard\n', 'druid:\n  update: rolling\n'] },
    { name: 'manager env rolling (prod.r)', manifest: managerDoc(productionManagerEnv()) },
  ],
  invalid: [
    {
      name: 'hard stops every node',
      values: 'druid:\n  update: hard\n',
      errors: [{ messageId: 'hard', severity: 'warning', path: 'druid.update', line: 2, column: 3, subject: 'druid.update' }],
    },
    {
      name: 'disabled explicitly is info',
      values: 'druid:\n  update: disabled\n',
      errors: [{ messageId: 'disabled', severity: 'info', path: 'druid.update', line: 2, column: 3, subject: 'druid.update' }],
    },
    { name: 'chart default (disabled) on the 2023 line', values: 'images:\n  manager:\n    tag: "2023.03.1"\n', errors: [{ messageId: 'disabled', severity: 'info', line: 1, column: 1 }] },
    { name: 'chart default (disabled) on the 2021 line', values: 'druid: {}\n', chartVersion: '2021.05-1', errors: [{ messageId: 'disabled', severity: 'info', path: 'druid.update' }] },
    { name: 'null deletes the default: the manager default is disabled', values: 'druid:\n  update: null\n', errors: [{ messageId: 'disabled', severity: 'info', line: 2, column: 3 }] },
    {
      name: 'later -f file goes hard',
      values: ['druid:\n  update: rolling\n', 'druid:\n  update: hard\n'],
      errors: [{ messageId: 'hard', file: 'values-2.yaml', line: 2, column: 3 }],
    },
    {
      name: 'manager env hard',
      manifest: managerDoc(productionManagerEnv({ IMPLY_MANAGER_DEFAULTS_UPDATE_TYPE: 'hard' })),
      errors: [
        { messageId: 'hard', severity: 'warning', object: 'Deployment/rel-manager', path: 'spec.template.spec.containers[0].env[4].value', line: 24, column: 22, subject: 'druid.update' },
      ],
    },
    {
      name: 'manager env disabled (qs.r)',
      manifest: managerDoc(productionManagerEnv({ IMPLY_MANAGER_DEFAULTS_UPDATE_TYPE: 'disabled' })),
      errors: [{ messageId: 'disabled', severity: 'info', object: 'Deployment/rel-manager', subject: 'druid.update' }],
    },
  ],
});
