import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/catalog/agent-java-compat.js';
import { runCase, ruleTester } from '../helpers/rule-tester.js';
import { managerWithVersion } from '../helpers/version-objects.js';

const manager = managerWithVersion;

// An agent StatefulSet as the chart renders the data tier: the agent image on `configure-sysctl` and `imply`.
const dataAgent = (tag: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: rel-data
  labels: {app.kubernetes.io/instance: rel}
spec:
  template:
    spec:
      initContainers:
      - name: configure-sysctl
        image: "imply/agent:${tag}"
      containers:
        - name: imply
          image: "imply/agent:${tag}"
          env:
            - name: IMPLY_MANAGER_AGENT_NODE_TYPE
              value: dataTier1
`;

ruleTester.run('agent-java-compat', rule, {
  valid: [
    { name: 'chart default v15 (agent default Java)', values: 'images:\n  pullPolicy: IfNotPresent\n' },
    { name: 'java17 with Imply 2023.08', values: 'images:\n  agent:\n    tag: v20-java17\ndruid:\n  implyVersion: "2023.08"\n' },
    { name: 'java17, implyVersion empty, Manager 2023.09.1', values: 'images:\n  manager:\n    tag: "2023.09.1"\n  agent:\n    tag: v20-java17\n' },
    { name: 'java11 on 2023.03.1', values: 'images:\n  agent:\n    tag: v15-java11\ndruid:\n  implyVersion: "2023.03.1"\n' },
    { name: 'agents off (YAML 1.1 n is false)', values: 'deployments:\n  agents: n\nimages:\n  agent:\n    tag: v20-java21\n' },
    { name: 'not an agent tag format: no evidence', values: 'images:\n  agent:\n    tag: latest\n' },
    { name: 'rendered java17 agents with a 2023.08.1 cluster', manifest: `${manager('imply/manager:2023.08.1', '2023.08.1')}---\n${dataAgent('v20-java17')}` },
    { name: 'a lone java17 agent at admission: only the tag format is checked', manifest: dataAgent('v20-java17'), wholeStream: false },
  ],
  invalid: [
    {
      name: 'Java 21 is not an agent Java',
      values: 'images:\n  agent:\n    tag: v21-java21\n',
      errors: [{ messageId: 'unsupportedJava', path: 'images.agent.tag', line: 3, column: 5, subject: 'images.agent.tag' }],
    },
    {
      name: 'java17 with druid.implyVersion 2023.03.1',
      values: 'images:\n  agent:\n    tag: v20-java17\ndruid:\n  implyVersion: "2023.03.1"\n',
      errors: [{ messageId: 'java17TooEarly', path: 'images.agent.tag', line: 3, column: 5 }],
    },
    {
      name: 'java17, implyVersion empty: the Manager image tag (chart default 2023.03.1) decides',
      values: 'images:\n  agent:\n    tag: v20-java17\n',
      errors: [{ messageId: 'java17TooEarly', line: 3 }],
    },
    {
      name: 'a non-boolean deployments.agents leaves agents on; --set wins over the file',
      values: 'deployments:\n  agents: "false"\nimages:\n  agent:\n    tag: v15\n',
      sets: [{ flag: '--set', expr: 'images.agent.tag=v20-java8x' }, { flag: '--set-string', expr: 'images.agent.tag=v20-java19' }],
      errors: [{ messageId: 'unsupportedJava', path: 'images.agent.tag', subject: 'images.agent.tag' }],
    },
    {
      name: 'rendered: java17 agents, cluster 2023.03.1 (the init container folds in)',
      manifest: `${manager('imply/manager:2023.03.1', '2023.03.1')}---\n${dataAgent('v20-java17')}`,
      errors: [{ messageId: 'java17TooEarly', object: 'StatefulSet/rel-data', path: 'spec.template.spec.initContainers[0].image', line: 28, column: 16, subject: 'images.agent.tag', related: 1 }],
    },
    {
      name: 'rendered without imply_defaults_implyVersion: the Manager image tag decides',
      manifest: `${manager('imply/manager:2023.07')}---\n${dataAgent('v20-java17')}`,
      errors: [{ messageId: 'java17TooEarly', object: 'StatefulSet/rel-data', related: 1 }],
    },
    {
      name: 'a lone agent at admission with an unsupported Java',
      manifest: dataAgent('v20-java21'),
      wholeStream: false,
      errors: [{ messageId: 'unsupportedJava', object: 'StatefulSet/rel-data', line: 11, column: 16 }],
    },
  ],
});

describe('agent-java-compat: one mistake, one identity', () => {
  it('values and manifest forms share messageId, message and fingerprint', () => {
    const [a] = runCase(rule, { name: 'v', values: 'images:\n  agent:\n    tag: v20-java17\ndruid:\n  implyVersion: "2023.03.1"\n' });
    const [b] = runCase(rule, { name: 'm', manifest: `${manager('imply/manager:2023.03.1', '2023.03.1')}---\n${dataAgent('v20-java17')}` });
    expect([a.messageId, a.message, a.fingerprint]).toEqual([b.messageId, b.message, b.fingerprint]);
    expect(a.message).toContain('Imply 2023.03.1');
  });
});
