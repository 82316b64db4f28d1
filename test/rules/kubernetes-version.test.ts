import rule from '../../src/rules/catalog/kubernetes-version.js';
import { ruleTester } from '../helpers/rule-tester.js';

const pdb = 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: rel-master\n';

ruleTester.run('kubernetes-version', rule, {
  valid: [
    { name: 'no target version known: no evidence', values: 'images: {}\n' },
    { name: 'exactly 1.19', values: 'images: {}\n', context: { kubeVersion: '1.19' } },
    { name: 'a provider build string of a supported version', manifest: pdb, context: { kubeVersion: 'v1.19.16-eks-48e63af' } },
    { name: 'current cluster', manifest: pdb, context: { kubeVersion: '1.30.0' } },
    { name: 'an unparsable version is no evidence', values: 'images: {}\n', context: { kubeVersion: 'unknown' } },
    { name: 'preflight /version of a supported cluster', values: 'images: {}\n', live: { kubeVersion: 'v1.29.4' } },
  ],
  invalid: [
    {
      name: '--kube-version 1.18 on a values file (context-only: line 1 of the first file)',
      values: 'images:\n  manager:\n    tag: "2023.03.1"\n',
      context: { kubeVersion: '1.18' },
      errors: [{ messageId: 'tooOld', file: 'values.yaml', line: 1, column: 1, subject: 'context.kubeVersion' }],
    },
    {
      name: 'API server version at admission of one object',
      manifest: pdb,
      wholeStream: false,
      context: { kubeVersion: 'v1.18.20-gke.1500' },
      errors: [{ messageId: 'tooOld', file: 'manifest.yaml', line: 1, column: 1, subject: 'context.kubeVersion' }],
    },
    {
      name: 'preflight /version below 1.19',
      values: 'images: {}\n',
      live: { kubeVersion: 'v1.16.15' },
      errors: [{ messageId: 'tooOld', line: 1, column: 1, severity: 'error' }],
    },
    {
      name: 'the --kube-version flag wins over a probe',
      values: 'images: {}\n',
      context: { kubeVersion: '1.17.0' },
      live: { kubeVersion: '1.30.0' },
      errors: [{ messageId: 'tooOld', line: 1 }],
    },
  ],
});
