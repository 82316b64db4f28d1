import rule from '../../src/rules/catalog/tls-enabled.js';
import { agentYaml, managerYaml, releaseYaml } from '../helpers/imply-objects.js';
import { ruleTester } from '../helpers/rule-tester.js';

// The manager as production.rendered.yaml has it (TLS on), trimmed to the evidence.
const managerWithTls = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: imply-manager
  labels:
    app.kubernetes.io/instance: imply
spec:
  template:
    spec:
      containers:
        - name: imply
          image: "imply/manager:2023.03.1"
          env:
          - name: IMPLY_MANAGER_STORE_TYPE
            value: "mysql"
          - name: IMPLY_MANAGER_CA_KEY_PATH
            value: /etc/imply/ca/tls.key
          - name: IMPLY_MANAGER_CA_CERT_PATH
            value: /etc/imply/ca/tls.crt
      volumes:
        - name: ca-secrets
          secret:
            secretName: imply-ca
`;

// The same manager as quickstart.rendered.yaml has it (TLS off).
const managerWithoutTls = `# Source: imply/templates/manager/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: imply-manager
  labels:
    app.kubernetes.io/instance: imply
spec:
  template:
    spec:
      containers:
        - name: imply
          image: "imply/manager:2023.03.1"
          env:
          - name: IMPLY_MANAGER_STORE_TYPE
            value: "postgresql"
      volumes:
        - name: var-volume
          emptyDir: {}
`;

ruleTester.run('tls-enabled', rule, {
  valid: [
    { name: 'security.tls.secretName set', values: 'security:\n  tls:\n    secretName: imply-ca\n' },
    { name: 'set with --set', values: 'images: {}\n', sets: [{ flag: '--set', expr: 'security.tls.secretName=imply-ca' }] },
    { name: 'later -f file turns TLS on', values: ['security: {}\n', 'security:\n  tls:\n    secretName: imply-ca\n'] },
    { name: 'nothing of Imply deployed (manager and agents off)', values: 'deployments:\n  manager: false\n  agents: false\n' },
    { name: 'manager and agents off with YAML 1.1 "no"', values: 'deployments:\n  manager: no\n  agents: off\n' },
    { name: 'manager with the CA env and volume', manifest: managerWithTls },
    { name: 'whole release with TLS', manifest: releaseYaml({ caSecret: 'imply-ca' }) },
    { name: 'admission of a lone agent with TLS evidence', manifest: agentYaml({ nodeType: 'query', caSecret: 'imply-ca' }), wholeStream: false },
    { name: 'no Imply workload in the input', manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n' },
    {
      name: 'a test hook without TLS is not a deployed component',
      manifest: managerWithoutTls.replace('  labels:', '  annotations:\n    helm.sh/hook: test\n  labels:'),
    },
  ],
  invalid: [
    {
      name: 'security: {} (the public values file)',
      values: 'images:\n  manager:\n    tag: "2023.03.1"\nsecurity: {}\n',
      errors: [{ messageId: 'disabled', path: 'security.tls', line: 4, column: 1, subject: 'security.tls' }],
    },
    {
      name: 'chart default (key absent) anchors at line 1',
      values: 'images:\n  manager:\n    tag: "2023.03.1"\n',
      errors: [{ messageId: 'disabled', path: 'security.tls', line: 1, column: 1 }],
    },
    {
      name: 'an empty tls map is off (Go-template emptiness)',
      values: 'security:\n  tls: {}\n',
      errors: [{ messageId: 'disabled', path: 'security.tls', line: 2, column: 3 }],
    },
    {
      name: 'an empty string is off',
      values: 'security:\n  tls: ""\n',
      errors: [{ messageId: 'disabled', line: 2, column: 3 }],
    },
    {
      name: 'a later null deletes the earlier file\'s TLS block',
      values: ['security:\n  tls:\n    secretName: imply-ca\n', 'security:\n  tls: null\n'],
      errors: [{ messageId: 'disabled', file: 'values-2.yaml', line: 2, column: 3 }],
    },
    {
      name: '--set null deletes it too',
      values: 'security:\n  tls:\n    secretName: imply-ca\n',
      sets: [{ flag: '--set', expr: 'security.tls=null' }],
      errors: [{ messageId: 'disabled', path: 'security.tls' }],
    },
    {
      name: 'agents only (manager off) still need TLS',
      values: 'deployments:\n  manager: false\n',
      errors: [{ messageId: 'disabled', line: 1, column: 1 }],
    },
    {
      name: 'a string "false" is truthy in a template: the manager is still deployed',
      values: 'deployments:\n  manager: "false"\n  agents: false\n',
      errors: [{ messageId: 'disabled', line: 1, column: 1 }],
    },
    {
      name: 'chart line 2021.05-1 defaults have no TLS either',
      values: 'druid:\n  update: rolling\n',
      chartVersion: '2021.05-1',
      errors: [{ messageId: 'disabled', line: 1, column: 1 }],
    },
    {
      name: 'manager without the CA env and volume (quickstart render)',
      manifest: managerWithoutTls,
      errors: [{ messageId: 'disabled', object: 'Deployment/imply-manager', line: 2, column: 1, subject: 'security.tls' }],
    },
    {
      name: 'whole release without TLS folds manager and agents into one finding',
      manifest: releaseYaml(),
      errors: [{ messageId: 'disabled', object: 'Deployment/rel-manager', subject: 'security.tls', related: 3 }],
    },
    {
      name: 'admission of a lone data StatefulSet without TLS',
      manifest: agentYaml({ nodeType: 'dataTier1' }),
      wholeStream: false,
      errors: [{ messageId: 'disabled', object: 'StatefulSet/rel-data', line: 1, subject: 'security.tls' }],
    },
    {
      name: 'the CA env without the ca-secrets volume is not TLS',
      manifest: managerYaml({ caSecret: 'imply-ca' }).replace(/        - name: ca-secrets\n          secret:\n            secretName: "imply-ca"\n/, ''),
      errors: [{ messageId: 'disabled', object: 'Deployment/rel-manager' }],
    },
  ],
});
