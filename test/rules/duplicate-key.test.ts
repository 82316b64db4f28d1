import { expect, it } from 'vitest';
import { modelFromTexts } from '../../src/model/build.js';
import rule from '../../src/rules/catalog/duplicate-key.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run('duplicate-key', rule, {
  valid: [
    { name: 'the same key under different parents', values: 'master:\n  replicaCount: 2\nquery:\n  replicaCount: 2\n' },
    { name: 'the same key in two -f files is layering, not a duplicate', values: ['deployments:\n  minio: true\n', 'deployments:\n  minio: false\n'] },
    { name: 'the same key in two documents of a stream', manifest: 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n' },
    { name: 'merge keys are no duplicates', values: 'base: &b\n  replicaCount: 2\nmaster:\n  <<: *b\n  replicaCount: 3\n' },
  ],
  invalid: [
    {
      name: 'a values key twice: reported at the second, the first related',
      values: 'deployments:\n  minio: true\n  minio: false\n',
      errors: [{ messageId: 'duplicate', line: 3, column: 3, subject: 'deployments.minio', related: 1, severity: 'warning' }],
    },
    {
      name: 'a top-level section twice',
      values: 'druid:\n  update: rolling\nmaster:\n  replicaCount: 2\ndruid:\n  implyVersion: "2023.03.1"\n',
      errors: [{ messageId: 'duplicate', line: 5, column: 1, subject: 'druid', related: 1 }],
    },
    {
      name: 'in a flow mapping',
      values: 'security: {tls: {secretName: a}, tls: {secretName: b}}\n',
      errors: [{ messageId: 'duplicate', line: 1, column: 34, subject: 'security.tls' }],
    },
    {
      name: 'three times: one finding, the other two places related',
      values: 'a: 1\na: 2\na: 3\n',
      errors: [{ messageId: 'duplicate', line: 2, column: 1, subject: 'a', related: 2 }],
    },
    {
      name: 'in a rendered object: Kind:path, no object name',
      manifest: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: imply-query\nspec:\n  replicas: 1\n  replicas: 2\n',
      errors: [{ messageId: 'duplicate', line: 7, column: 3, subject: 'Deployment:spec.replicas', related: 1 }],
    },
    {
      name: 'inside a kind: List item, the item kind names it',
      manifest: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n  spec:\n    type: ClusterIP\n    type: NodePort\n',
      errors: [{ messageId: 'duplicate', line: 9, column: 5, subject: 'Service:spec.type' }],
    },
    {
      name: 'YAML 1.1 keys that resolve to the same key (y and true)',
      values: 'map:\n  y: 1\n  true: 2\n',
      errors: [{ messageId: 'duplicate', line: 3, column: 3, subject: 'map.true' }],
    },
  ],
});

it('duplicate-key: Helm keeps the later value, as the message says', () => {
  const m = modelFromTexts({ values: [{ path: 'v.yaml', text: 'deployments:\n  minio: true\n  minio: false\n' }] });
  expect(m.values!.get(['deployments', 'minio'])).toBe(false);
});
