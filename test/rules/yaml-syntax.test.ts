import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import rule from '../../src/rules/catalog/yaml-syntax.js';
import { makeSource } from '../../src/model/source.js';
import { fingerprint } from '../../src/rules/engine.js';
import { ruleTester, runCase } from '../helpers/rule-tester.js';

const quickstart = fs.readFileSync(path.resolve(import.meta.dirname, '../../../shared/reference/chart-2023.03.1/quickstart.rendered.yaml'), 'utf8');

const deployment = (replicas: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: imply-query
spec:
  replicas: ${replicas}
  template: {}
`;

ruleTester.run('yaml-syntax', rule, {
  valid: [
    { name: 'plain values', values: 'deployments:\n  minio: false\n' },
    { name: 'a comment-only file', values: '# nothing set yet\n# deployments:\n#   minio: false\n' },
    { name: 'an empty file', values: '' },
    { name: 'empty documents between separators', manifest: '---\n---\n# only a comment\n---\n' },
    { name: 'YAML 1.1 booleans and a sexagesimal-looking string are fine', values: 'deployments:\n  minio: off\nagents:\n  clusterName: 1:20\n' },
    { name: 'a document separator followed by a comment', manifest: `--- # first\n${deployment('2')}` },
    {
      // reference/README.md: lines 1273-1275 continue a flow sequence at the key's indentation. Go's YAML
      // (helm, kubectl) accepts it, so it is no syntax error.
      name: 'the real quickstart render with its MinIO command quirk',
      manifest: quickstart,
    },
  ],
  invalid: [
    {
      name: 'unclosed quote in values',
      values: 'deployments:\n  minio: "false\n',
      errors: [{ messageId: 'syntax', line: 3, column: 1, subject: 'deployments.minio' }],
    },
    {
      name: 'mis-indented key: subject is the enclosing mapping',
      values: 'manager:\n  metadataStore:\n    host: db\n   port: 3306\n',
      errors: [{ messageId: 'syntax', line: 4, column: 1, subject: 'manager.metadataStore' }],
    },
    {
      name: 'unclosed flow sequence: subject is the key before the damage',
      values: 'druid:\n  zk:\n    connectString: [a, b\n  update: rolling\n',
      errors: [{ messageId: 'syntax', line: 4, column: 3, subject: 'druid.zk.connectString' }],
    },
    {
      name: 'in a rendered object the subject is Kind:path, not the object name or file',
      manifest: deployment('[1'),
      errors: [{ messageId: 'syntax', line: 7, column: 3, subject: 'Deployment:spec.replicas' }],
    },
    {
      name: 'an error before any key has the root subject',
      values: '@foo: 1\n',
      errors: [{ messageId: 'syntax', line: 1, column: 1, subject: '(root)' }],
    },
    {
      name: '.inf cannot become JSON: Helm refuses it',
      values: 'zookeeper:\n  replicaCount: .inf\n',
      errors: [{ messageId: 'refused', line: 2, column: 17, subject: 'zookeeper.replicaCount' }],
    },
    {
      name: '-.Inf and .nan too, one finding each',
      values: 'a: -.Inf\nb: .nan\n',
      errors: [
        { messageId: 'refused', line: 1, column: 4, subject: 'a' },
        { messageId: 'refused', line: 2, column: 4, subject: 'b' },
      ],
    },
    {
      name: 'the error is found in a later -f file',
      values: ['deployments:\n  minio: false\n', 'deployments:\n  minio: [\n'],
      errors: [{ messageId: 'syntax', file: 'values-2.yaml', subject: 'deployments.minio' }],
    },
    {
      name: 'only the broken document of a stream is reported',
      manifest: `${deployment('2')}---\n${deployment('[1')}`,
      errors: [{ messageId: 'syntax', line: 15, column: 3, subject: 'Deployment:spec.replicas' }],
    },
  ],
});

it('yaml-syntax: cascading errors of one document are one finding with related locations', () => {
  const text = 'a:\n  b: 1\n c: 2\n  d: [\n';
  const errors = makeSource('values.yaml', text, 'values').docs[0].errors;
  expect(errors.length).toBeGreaterThan(1);
  const found = runCase(rule, { name: 'cascade', values: text });
  expect(found).toHaveLength(1);
  expect(found[0].location?.line).toBe(errors[0].range.line);
  expect(found[0].related.length).toBeGreaterThan(0);
});

it('yaml-syntax: the same mistake in two files has one fingerprint (no file name in it)', () => {
  const a = runCase(rule, { name: 'a', values: 'zookeeper:\n  replicaCount: .inf\n' });
  const b = runCase(rule, { name: 'b', values: ['# first file\nzookeeper:\n  replicaCount: .inf\n'] });
  expect(a[0].fingerprint).toBe(b[0].fingerprint);
  expect(a[0].fingerprint).toBe(fingerprint('yaml-syntax', 'zookeeper.replicaCount'));
});
