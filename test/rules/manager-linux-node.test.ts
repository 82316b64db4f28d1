import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/catalog/manager-linux-node.js';
import { runCase, ruleTester } from '../helpers/rule-tester.js';

// The manager as features.rendered.yaml renders manager.nodeSelector (at the end of the pod spec).
const manager = (os: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: rel-manager
spec:
  template:
    spec:
      containers:
        - name: imply
          image: "imply/manager:2023.03.1"
          env:
            - name: IMPLY_MANAGER_STORE_TYPE
              value: mysql
      nodeSelector:
        kubernetes.io/os: ${os}
`;

const queryAffinity = (operator: string, values: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: rel-query
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: imply
          image: "imply/agent:v15"
          env:
            - name: IMPLY_MANAGER_AGENT_NODE_TYPE
              value: query
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - key: kubernetes.io/os
                    operator: ${operator}
                    values: [${values}]
`;

const windowsAffinity = `affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - matchExpressions:
            - key: kubernetes.io/os
              operator: In
              values: [windows]
`;

ruleTester.run('manager-linux-node', rule, {
  valid: [
    { name: 'chart defaults (empty nodeSelector and affinity)', values: 'images:\n  pullPolicy: IfNotPresent\n' },
    { name: 'linux selector (features-overrides.yaml)', values: 'manager:\n  nodeSelector:\n    kubernetes.io/os: linux\n' },
    { name: 'other labels are not OS pins', values: 'query:\n  nodeSelector:\n    node.kubernetes.io/instance-type: m5.2xlarge\n' },
    {
      name: 'a term that admits linux keeps the pod schedulable on Linux',
      values: `master:\n  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n          - matchExpressions:\n              - {key: kubernetes.io/os, operator: In, values: [windows]}\n          - matchExpressions:\n              - {key: kubernetes.io/os, operator: In, values: [linux]}\n`,
    },
    { name: 'a tier with replicaCount 0 runs no pods', values: 'dataTier2:\n  replicaCount: 0\n  nodeSelector:\n    kubernetes.io/os: windows\n' },
    { name: 'agents off (YAML 1.1 no)', values: 'deployments:\n  agents: no\nquery:\n  nodeSelector:\n    kubernetes.io/os: windows\n' },
    { name: 'rendered linux manager', manifest: manager('linux') },
    { name: 'rendered NotIn windows admits linux', manifest: queryAffinity('NotIn', 'windows') },
  ],
  invalid: [
    {
      name: 'manager pinned to Windows: error',
      values: 'manager:\n  nodeSelector:\n    kubernetes.io/os: windows\n',
      errors: [{ messageId: 'notLinux', severity: 'error', path: 'manager.nodeSelector["kubernetes.io/os"]', line: 3, column: 5, subject: 'manager.nodeSelector' }],
    },
    {
      name: 'a data tier on macOS (beta label): warning',
      values: 'dataTier1:\n  nodeSelector:\n    beta.kubernetes.io/os: darwin\n',
      errors: [{ messageId: 'notLinux', severity: 'warning', path: 'dataTier1.nodeSelector["beta.kubernetes.io/os"]', line: 3, column: 5, subject: 'dataTier1.nodeSelector' }],
    },
    {
      name: 'label values are case-sensitive: "Linux" matches no node',
      values: 'query:\n  nodeSelector:\n    kubernetes.io/os: Linux\n',
      errors: [{ messageId: 'notLinux', severity: 'warning', path: 'query.nodeSelector["kubernetes.io/os"]', line: 3, column: 5 }],
    },
    {
      name: 'required affinity In [windows] on the query tier',
      values: `query:\n  ${windowsAffinity.replace(/\n(?=.)/g, '\n  ')}`,
      errors: [{ messageId: 'notLinux', severity: 'error', path: 'query.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]', line: 7, column: 17, subject: 'query.affinity' }],
    },
    {
      name: 'additional data tier, later -f file wins, non-boolean deployments.agents leaves agents on',
      values: ['deployments:\n  agents: "no"\nadditionalDataTiers:\n  - replicaCount: 2\n', 'additionalDataTiers:\n  - replicaCount: 1\n    nodeSelector:\n      kubernetes.io/os: windows\n'],
      errors: [{ messageId: 'notLinux', severity: 'error', path: 'additionalDataTiers[0].nodeSelector["kubernetes.io/os"]', file: 'values-2.yaml', line: 4, column: 7, subject: 'additionalDataTiers[0].nodeSelector' }],
    },
    {
      name: '--set on a key with dots',
      values: 'images: {}\n',
      sets: [{ flag: '--set', expr: 'master.nodeSelector.kubernetes\\.io/os=windows' }],
      errors: [{ messageId: 'notLinux', severity: 'error', path: 'master.nodeSelector["kubernetes.io/os"]', subject: 'master.nodeSelector' }],
    },
    {
      name: 'rendered manager with a Windows nodeSelector',
      manifest: manager('windows'),
      errors: [{ messageId: 'notLinux', severity: 'error', object: 'Deployment/rel-manager', path: 'spec.template.spec.nodeSelector["kubernetes.io/os"]', line: 15, column: 27, subject: 'manager.nodeSelector' }],
    },
    {
      name: 'rendered query with NotIn [linux]: warning',
      manifest: queryAffinity('NotIn', 'linux'),
      errors: [{ messageId: 'notLinux', severity: 'warning', object: 'Deployment/rel-query', line: 20, column: 21, subject: 'query.affinity' }],
    },
  ],
});

describe('manager-linux-node: one mistake, one identity', () => {
  it('values and manifest forms share messageId, message and fingerprint', () => {
    const [a] = runCase(rule, { name: 'v', values: 'manager:\n  nodeSelector:\n    kubernetes.io/os: windows\n' });
    const [b] = runCase(rule, { name: 'm', manifest: manager('windows') });
    expect([a.messageId, a.message, a.fingerprint]).toEqual([b.messageId, b.message, b.fingerprint]);
  });
});
