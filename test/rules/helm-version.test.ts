import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/catalog/helm-version.js';
import { runCase, ruleTester } from '../helpers/rule-tester.js';

ruleTester.run('helm-version', rule, {
  valid: [
    { name: 'no helm version known: values carry no evidence', values: 'images: {}\n' },
    { name: 'exactly 3.2.0', values: 'images: {}\n', context: { helmVersion: 'v3.2.0' } },
    { name: '`helm version --short` of a current client', values: 'images: {}\n', context: { helmVersion: 'v3.14.4+g81c902a' } },
    { name: 'Helm 4', manifest: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n', context: { helmVersion: 'v4.1.4' } },
    { name: 'garbage is no evidence', values: 'images: {}\n', context: { helmVersion: 'not installed' } },
  ],
  invalid: [
    {
      name: '--helm-version 3.1.3',
      values: 'images:\n  agent:\n    tag: v15\n',
      context: { helmVersion: '3.1.3' },
      errors: [{ messageId: 'tooOld', file: 'values.yaml', line: 1, column: 1, subject: 'context.helmVersion' }],
    },
    {
      name: 'Helm 2 client string',
      manifest: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n',
      context: { helmVersion: 'Client: v2.16.12+g47f0b88' },
      errors: [{ messageId: 'tooOld', file: 'manifest.yaml', line: 1, column: 1, subject: 'context.helmVersion' }],
    },
    {
      name: 'preflight `helm version`',
      values: 'images: {}\n',
      live: { helmVersion: 'v3.0.0+ge29ce2a' },
      errors: [{ messageId: 'tooOld', line: 1, column: 1 }],
    },
  ],
});

describe('helm-version message', () => {
  it('names the version and the minimum', () => {
    const [f] = runCase(rule, { name: 'msg', values: 'images: {}\n', context: { helmVersion: 'v3.1.0' } });
    expect(f.message).toBe('Helm v3.1.0 is older than 3.2.0, which the Imply chart requires. Use Helm 3.2.0 or later.');
    expect(f.provenance?.kind).toBe('context');
  });
});
