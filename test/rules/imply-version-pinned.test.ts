import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/catalog/imply-version-pinned.js';
import { runCase, ruleTester } from '../helpers/rule-tester.js';
import { managerWithVersion } from '../helpers/version-objects.js';

const manager = managerWithVersion;

ruleTester.run('imply-version-pinned', rule, {
  valid: [
    { name: 'pinned', values: 'druid:\n  implyVersion: "2023.03.1"\n' },
    { name: '0.4.11 line has no implyVersion key', values: 'images:\n  pullPolicy: IfNotPresent\n', chartVersion: '0.4.11' },
    { name: 'Manager not deployed by this release (YAML 1.1 off)', values: 'deployments:\n  manager: off\n' },
    { name: 'rendered manager with imply_defaults_implyVersion', manifest: manager('imply/manager:2023.03.1', '2023.03.1') },
    { name: 'a 0.4-line manager (2021.02) renders no implyVersion', manifest: manager('imply/manager:2021.02') },
    { name: 'no manager in the input', manifest: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: rel-query\n' },
  ],
  invalid: [
    {
      name: 'explicitly empty',
      values: 'druid:\n  implyVersion: ""\n',
      errors: [{ messageId: 'notPinned', path: 'druid.implyVersion', line: 2, column: 3, subject: 'druid.implyVersion' }],
    },
    {
      name: 'chart default (empty on the 2023.03.1 line) when the user sets nothing',
      values: 'images:\n  pullPolicy: IfNotPresent\n',
      errors: [{ messageId: 'notPinned', path: 'druid.implyVersion', file: 'values.yaml', line: 1, column: 1 }],
    },
    {
      name: '2021.05-1 line default',
      values: 'images:\n  manager:\n    tag: "2021.05"\n',
      errors: [{ messageId: 'notPinned', path: 'druid.implyVersion', line: 1, column: 1 }],
    },
    {
      name: 'null deletes a pinned value of an earlier file',
      values: ['druid:\n  implyVersion: "2023.03.1"\n', 'druid:\n  implyVersion: null\n'],
      errors: [{ messageId: 'notPinned', path: 'druid.implyVersion', file: 'values-2.yaml', line: 2, column: 3 }],
    },
    {
      name: 'whitespace only, and a non-boolean deployments.manager leaves the Manager on',
      values: 'deployments:\n  manager: "off"\ndruid:\n  implyVersion: "  "\n',
      errors: [{ messageId: 'notPinned', line: 4, column: 3 }],
    },
    {
      name: '--set druid.implyVersion= empties the pinned file value',
      values: 'druid:\n  implyVersion: "2023.03.1"\n',
      sets: [{ flag: '--set', expr: 'druid.implyVersion=' }],
      errors: [{ messageId: 'notPinned', path: 'druid.implyVersion' }],
    },
    {
      name: 'rendered manager without imply_defaults_implyVersion (quickstart.rendered.yaml)',
      manifest: `apiVersion: v1\nkind: Service\nmetadata:\n  name: rel-manager-int\n---\n${manager('imply/manager:2023.03.1')}`,
      errors: [{ messageId: 'notPinned', object: 'Deployment/rel-manager', line: 6, column: 1, subject: 'druid.implyVersion' }],
    },
    {
      name: 'rendered with an empty value',
      manifest: manager('imply/manager:2023.03.1', ''),
      errors: [{ messageId: 'notPinned', object: 'Deployment/rel-manager', path: 'spec.template.spec.containers[0].env[1].value', line: 16, column: 22 }],
    },
  ],
});

describe('imply-version-pinned: one mistake, one identity', () => {
  it('values and manifest forms share messageId, message and fingerprint', () => {
    const [a] = runCase(rule, { name: 'v', values: 'druid:\n  implyVersion: ""\n' });
    const [b] = runCase(rule, { name: 'm', manifest: manager('imply/manager:2023.03.1') });
    expect([a.messageId, a.message, a.fingerprint]).toEqual([b.messageId, b.message, b.fingerprint]);
  });
});
