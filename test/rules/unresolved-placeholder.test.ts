import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import rule, { findPlaceholder, findPlaceholderIn } from '../../src/rules/catalog/unresolved-placeholder.js';
import { ruleTester, runCase } from '../helpers/rule-tester.js';

/** A manager Deployment as the chart renders it (env trimmed), with extra env entries appended. */
const manager = (...env: [string, string][]) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: imply-manager
  labels: {app.kubernetes.io/instance: imply}
spec:
  template:
    spec:
      containers:
        - name: imply-manager
          image: imply/manager:2023.03.1
          env:
            - name: IMPLY_MANAGER_STORE_TYPE
              value: "mysql"
${env.map(([n, v]) => `            - name: ${n}\n              value: ${JSON.stringify(v)}`).join('\n')}
`;

const query = (name: string, value: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: imply-query
spec:
  template:
    spec:
      containers:
        - name: imply
          env:
            - name: IMPLY_MANAGER_AGENT_NODE_TYPE
              value: query
            - name: ${name}
              value: ${JSON.stringify(value)}
`;

ruleTester.run('unresolved-placeholder', rule, {
  valid: [
    { name: 'real values', values: 'manager:\n  metadataStore:\n    host: db.prod.internal\n    password: ""\n' },
    { name: 'chart templates are rendered by Helm', values: 'druid:\n  commonRuntimeProperties:\n    - "druid.s3.endpoint.url=http://{{ .Release.Name }}-minio:9000"\n  zk:\n    connectString: "{{ .Release.Name }}-zookeeper:2181"\n' },
    { name: 'Imply %{var}% substitutions', manifest: query('pivot_config_ownhostname', 'ownHostname: "%{druid_common_runtime_druid_host}%"') },
    { name: 'Kubernetes $(VAR) references are expanded by the kubelet', manifest: query('JAVA_OPTS', '-Dhost=$(POD_NAME)') },
    {
      name: 'ConfigMap script data is never checked',
      manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: imply-scripts\ndata:\n  run.sh: |\n    echo "${IMPLY_MANAGER_HOST}" <fill-me>\n',
    },
    {
      name: 'container command and args in values are shell',
      values: 'manager:\n  extraInitContainers:\n    - name: wait\n      command: ["sh", "-c", "until nc -z ${DB_HOST} 3306; do sleep 1; done"]\n',
    },
    { name: 'XML is not an angle-bracket placeholder', values: 'manager:\n  annotations:\n    config: "<Configuration><Appenders></Appenders></Configuration>"\n' },
    { name: 'an email with a display name is no placeholder', values: 'manager:\n  annotations:\n    owner: "Data Team <data@example.com>"\n' },
    {
      name: 'a test hook is not a deployed component',
      manifest: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations: {"helm.sh/hook": test}\nspec:\n  containers:\n    - name: t\n      env:\n        - {name: X, value: "${X}"}\n',
    },
    {
      name: 'lists replace: a placeholder in an earlier -f file\'s list is gone',
      values: ['druid:\n  commonRuntimeProperties:\n    - a=${A}\n', 'druid:\n  commonRuntimeProperties:\n    - a=1\n'],
    },
    { name: 'a later -f file replaces the placeholder', values: ['manager:\n  metadataStore:\n    host: <db-host>\n', 'manager:\n  metadataStore:\n    host: db.internal\n'] },
    { name: 'a null deletes it (Helm drops the key)', values: ['manager:\n  metadataStore:\n    host: <db-host>\n', 'manager:\n  metadataStore:\n    host: null\n'] },
    { name: 'env from a Secret has no literal value', manifest: query('IMPLY_MANAGER_AUTH_TOKEN', 'x').replace('value: "x"', 'valueFrom: {secretKeyRef: {name: s, key: auth-token}}') },
  ],
  invalid: [
    {
      name: '${VAR} in a values key',
      values: 'manager:\n  metadataStore:\n    host: ${DB_HOST}\n',
      errors: [{ messageId: 'placeholder', path: 'manager.metadataStore.host', line: 3, column: 5, subject: 'manager.metadataStore.host', severity: 'error' }],
    },
    {
      name: 'the same placeholder rendered into the manager env has the same subject',
      manifest: manager(['IMPLY_MANAGER_STORE_HOST', '${DB_HOST}']),
      errors: [{ messageId: 'placeholder', object: 'Deployment/imply-manager', path: 'spec.template.spec.containers[0].env[1].value', line: 16, column: 22, subject: 'manager.metadataStore.host' }],
    },
    {
      name: '<fill-me> in a password',
      values: 'druid:\n  metadataStore:\n    password: <fill-me>\n',
      errors: [{ messageId: 'placeholder', path: 'druid.metadataStore.password', line: 3, column: 5, subject: 'druid.metadataStore.password' }],
    },
    {
      name: 'a whole-value CHANGEME marker',
      values: 'druid:\n  deepStorage:\n    password: CHANGEME\n',
      errors: [{ messageId: 'placeholder', path: 'druid.deepStorage.password', subject: 'druid.deepStorage.password' }],
    },
    {
      name: 'a runtime property: the list is the subject',
      values: 'druid:\n  commonRuntimeProperties:\n    - druid.s3.enablePathStyleAccess=false\n    - druid.s3.endpoint.url=${S3_ENDPOINT}\n',
      errors: [{ messageId: 'placeholder', path: 'druid.commonRuntimeProperties[1]', line: 4, column: 7, subject: 'druid.commonRuntimeProperties' }],
    },
    {
      name: 'the rendered runtime properties env maps to the same list',
      manifest: manager(['imply_defaults_commonCustomDruidProperties', 'druid.s3.enablePathStyleAccess=false\\ndruid.s3.endpoint.url=${S3_ENDPOINT}']),
      errors: [{ messageId: 'placeholder', object: 'Deployment/imply-manager', subject: 'druid.commonRuntimeProperties' }],
    },
    {
      name: 'an extraEnv entry is named by its env name',
      values: 'manager:\n  extraEnv:\n    - name: imply_manager_updateDelay\n      value: <ISO-8601 duration>\n',
      errors: [{ messageId: 'placeholder', path: 'manager.extraEnv[0].value', line: 4, column: 7, subject: 'manager.extraEnv.imply_manager_updateDelay' }],
    },
    {
      name: 'the same extraEnv entry rendered on the manager',
      manifest: manager(['imply_manager_updateDelay', '<ISO-8601 duration>']),
      errors: [{ messageId: 'placeholder', object: 'Deployment/imply-manager', subject: 'manager.extraEnv.imply_manager_updateDelay' }],
    },
    {
      name: 'an agent env entry belongs to its node type',
      manifest: query('MY_ENDPOINT', 'https://${ENDPOINT_HOST}/x'),
      errors: [{ messageId: 'placeholder', object: 'Deployment/imply-query', subject: 'query.extraEnv.MY_ENDPOINT' }],
    },
    {
      name: 'an annotation value the user set',
      values: 'query:\n  service:\n    annotations:\n      service.beta.kubernetes.io/aws-load-balancer-ssl-cert: <your-certificate-arn>\n',
      errors: [{ messageId: 'placeholder', line: 4, column: 7, subject: 'query.service.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]' }],
    },
    {
      name: 'several placeholders in one list fold into one finding',
      values: 'druid:\n  brokerRuntimeProperties:\n    - a=${A}\n    - b=${B}\n',
      errors: [{ messageId: 'placeholder', line: 3, column: 7, subject: 'druid.brokerRuntimeProperties', related: 1 }],
    },
    {
      name: 'set with --set-string: located at line 1 of the first file',
      values: 'images: {}\n',
      sets: [{ flag: '--set-string', expr: 'druid.deepStorage.path=s3://<bucket>/imply' }],
      errors: [{ messageId: 'placeholder', path: 'druid.deepStorage.path', line: 1, column: 1, subject: 'druid.deepStorage.path' }],
    },
    {
      name: 'an env var of a workload outside the chart',
      manifest: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: sidecar\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          env:\n            - {name: TOKEN, value: "${TOKEN}"}\n',
      errors: [{ messageId: 'placeholder', object: 'Deployment/sidecar', subject: 'env.TOKEN' }],
    },
  ],
});

describe('findPlaceholder', () => {
  it.each([
    ['${DB_HOST}', '${DB_HOST}'],
    ['jdbc:mysql://${host}:3306/db', '${host}'],
    ['<fill-me>', '<fill-me>'],
    ['<your password>', '<your password>'],
    ['changeme', 'changeme'],
    ['REPLACE_ME', 'REPLACE_ME'],
    ['TODO', 'TODO'],
  ])('finds %s', (s, want) => expect(findPlaceholder(s)).toBe(want));
  it.each([
    'db.prod.internal',
    '{{ .Release.Name }}-zookeeper:2181',
    '{{ printf "${x}" }}',
    'ownHostname: "%{druid_common_runtime_druid_host}%"',
    '$(POD_NAME)',
    'a <b> c'.replace('<b>', '< b >'),
    'x<y>z',
    '<html><body></body></html>',
    'Team <team@example.com>',
    '$5 price',
    'todo-list',
  ])('leaves %s alone', (s) => expect(findPlaceholder(s)).toBeUndefined());
});

// The quick path (no `$`, `<` or `{`) against the plain definition, on strings made of the characters that matter.
describe('findPlaceholder quick path', () => {
  it('answers as the plain definition does', () => {
    const parts = ['changeme', 'TODO', 'fill-me-in', 'tbd', ' ', '\t', '\n', '$', '{', '}', '<', '>', '/', '%', 'x', 'a-b', '{{ .x }}', '%{v}%', '${V}', '<fill-me>', '$(P)'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...parts), { maxLength: 12 }), (ps) => {
        const s = ps.join('');
        expect(findPlaceholder(s)).toBe(findPlaceholderIn(s));
      }),
      { numRuns: 5000 },
    );
    for (const s of [`${' '.repeat(60)}changeme${' '.repeat(60)}`, 'x'.repeat(100), '\n todo \n']) expect(findPlaceholder(s)).toBe(findPlaceholderIn(s));
  });
});

it('unresolved-placeholder: values and manifest forms share the fingerprint', () => {
  const v = runCase(rule, { name: 'v', values: 'manager:\n  metadataStore:\n    host: ${DB_HOST}\n' });
  const m = runCase(rule, { name: 'm', manifest: manager(['IMPLY_MANAGER_STORE_HOST', '${DB_HOST}']) });
  expect(v[0].fingerprint).toBe(m[0].fingerprint);
  expect(v[0].message).toBe(m[0].message);
});
