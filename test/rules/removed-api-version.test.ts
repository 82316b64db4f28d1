import { describe, expect, it } from 'vitest';
import { API_DEPRECATIONS, apiDeprecation } from '../../src/model/k8s-apis.js';
import rule from '../../src/rules/catalog/removed-api-version.js';
import { runCase, ruleTester } from '../helpers/rule-tester.js';

const pdbs = (apiVersion: string) => `apiVersion: ${apiVersion}
kind: PodDisruptionBudget
metadata:
  name: rel-master
spec:
  maxUnavailable: 1
---
apiVersion: ${apiVersion}
kind: PodDisruptionBudget
metadata:
  name: rel-query
spec:
  maxUnavailable: 1
`;

const mixed = `apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
  name: rel-pivot-ingress
---
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata:
  name: rel-query
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: rel-manager
`;

const testHook = `apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: rel-test
  annotations:
    "helm.sh/hook": test
`;

ruleTester.run('removed-api-version', rule, {
  valid: [
    { name: 'policy/v1beta1 without a target version: no evidence', manifest: pdbs('policy/v1beta1') },
    { name: 'policy/v1beta1 on 1.20, before its deprecation', manifest: pdbs('policy/v1beta1'), context: { kubeVersion: '1.20' } },
    { name: 'policy/v1 on 1.30', manifest: pdbs('policy/v1'), context: { kubeVersion: '1.30.0' } },
    { name: 'a Helm test hook is not deployed with the release', manifest: testHook, context: { kubeVersion: '1.30' } },
    { name: 'values carry no apiVersion', values: 'deployments:\n  zookeeper: true\n', context: { kubeVersion: '1.30' } },
  ],
  invalid: [
    {
      name: 'policy/v1beta1 PodDisruptionBudgets on 1.25 fold into one finding per API kind',
      manifest: pdbs('policy/v1beta1'),
      context: { kubeVersion: '1.25' },
      errors: [{ messageId: 'removed', severity: 'error', object: 'PodDisruptionBudget/rel-master', path: 'apiVersion', line: 1, column: 13, subject: 'apiVersion:policy/v1beta1/PodDisruptionBudget', related: 1 }],
    },
    {
      name: 'deprecated but still served on 1.22: warning',
      manifest: pdbs('policy/v1beta1'),
      context: { kubeVersion: 'v1.22.17' },
      errors: [{ messageId: 'deprecated', severity: 'warning', object: 'PodDisruptionBudget/rel-master', line: 1, subject: 'apiVersion:policy/v1beta1/PodDisruptionBudget' }],
    },
    {
      name: 'one finding per API version and kind',
      manifest: mixed,
      context: { kubeVersion: '1.26.3' },
      errors: [
        { messageId: 'removed', object: 'Ingress/rel-pivot-ingress', line: 1, column: 13, subject: 'apiVersion:networking.k8s.io/v1beta1/Ingress' },
        { messageId: 'removed', object: 'HorizontalPodAutoscaler/rel-query', line: 6, column: 13, subject: 'apiVersion:autoscaling/v2beta2/HorizontalPodAutoscaler' },
      ],
    },
    {
      name: 'the API server version at admission of one object',
      manifest: 'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: rel-data\n',
      wholeStream: false,
      live: { kubeVersion: 'v1.27.8' },
      errors: [{ messageId: 'removed', object: 'PodDisruptionBudget/rel-data', line: 1, column: 13 }],
    },
  ],
});

describe('removed-api-version table (src/model/k8s-apis.ts)', () => {
  it('knows the removals of the Kubernetes deprecation guide', () => {
    expect(apiDeprecation('policy/v1beta1', 'PodDisruptionBudget')).toMatchObject({ removedIn: '1.25', replacement: 'policy/v1' });
    expect(apiDeprecation('batch/v1beta1', 'CronJob')?.removedIn).toBe('1.25');
    expect(apiDeprecation('networking.k8s.io/v1beta1', 'Ingress')?.removedIn).toBe('1.22');
    expect(apiDeprecation('extensions/v1beta1', 'Ingress')?.removedIn).toBe('1.22');
    expect(apiDeprecation('extensions/v1beta1', 'Deployment')?.removedIn).toBe('1.16');
    expect(apiDeprecation('apps/v1beta2', 'StatefulSet')?.removedIn).toBe('1.16');
    expect(apiDeprecation('autoscaling/v2beta1', 'HorizontalPodAutoscaler')?.removedIn).toBe('1.25');
    expect(apiDeprecation('autoscaling/v2beta2', 'HorizontalPodAutoscaler')?.removedIn).toBe('1.26');
    expect(apiDeprecation('flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema')?.removedIn).toBe('1.32');
    expect(apiDeprecation('policy/v1', 'PodDisruptionBudget')).toBeUndefined();
    expect(apiDeprecation('apps/v1', 'Deployment')).toBeUndefined();
  });
  it('deprecates every entry before it removes it', () => {
    const num = (v: string) => Number(v.split('.')[1]);
    for (const d of API_DEPRECATIONS) expect(num(d.deprecatedIn), `${d.apiVersion}/${d.kind}`).toBeLessThan(num(d.removedIn));
  });
  it('names the kind, the removal and the replacement; other objects of the kind are related', () => {
    const [f] = runCase(rule, { name: 'msg', manifest: pdbs('policy/v1beta1'), context: { kubeVersion: '1.30' } });
    expect(f.message).toBe('policy/v1beta1 PodDisruptionBudget is no longer served from Kubernetes 1.25 (target: 1.30); the API server rejects these objects. Render them as policy/v1.');
    expect(f.related[0]).toMatchObject({ object: 'PodDisruptionBudget/rel-query', line: 8, column: 13 });
  });
});
