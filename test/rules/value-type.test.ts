import { expect, it } from 'vitest';
import rule from '../../src/rules/catalog/value-type.js';
import { ruleTester, runCase } from '../helpers/rule-tester.js';

ruleTester.run('value-type', rule, {
  valid: [
    { name: 'nothing set: chart defaults are never checked', values: '# empty\n' },
    {
      name: 'every type as the chart expects',
      values:
        'deployments:\n  minio: false\n  zookeeper: true\nmaster:\n  replicaCount: 2\nimages:\n  manager:\n    tag: "2023.03.1"\n  pullPolicy: IfNotPresent\ndruid:\n  update: rolling\n  commonRuntimeProperties:\n    - druid.s3.enablePathStyleAccess=false\nmanager:\n  metadataStore:\n    port: 3306\n  customVersions:\n    - 2023.03.1-hdp-2.7.3\n',
    },
    { name: 'YAML 1.1 off/no are booleans (Helm reads them as false)', values: 'deployments:\n  minio: off\n  mysql: no\n' },
    { name: 'a template string where the chart uses tpl', values: 'manager:\n  service:\n    port: "{{ ternary 80 443 (empty .Values.security.tls) }}"\n' },
    { name: 'a number where the chart uses tpl', values: 'manager:\n  service:\n    port: 8443\n' },
    { name: 'null deletes a chart default', values: 'manager:\n  licenseKey: null\ndruid:\n  metadataStore: null\n' },
    { name: 'free-form subtrees are not typed', values: 'manager:\n  resources:\n    limits: {memory: 4G, cpu: 2}\n  nodeSelector:\n    kubernetes.io/os: linux\n' },
    { name: 'ingress tls as the documented list (the default {} is a placeholder)', values: 'manager:\n  ingress:\n    tls:\n      - hosts: [imply.example]\n        secretName: imply-tls\n' },
    { name: 'a key whose type differs between chart lines is never reported', values: 'dataTier1:\n  extraVolumeClaimTemplates: {}\n' },
    { name: 'an untyped key (null default) takes anything', values: 'query:\n  ingress:\n    pivot:\n      host: pivot.example\nnameOverride: imply\n' },
    { name: 'a --set integer where an integer is expected', values: 'images: {}\n', sets: [{ flag: '--set', expr: 'master.replicaCount=3' }] },
    { name: 'a --set decimal-looking tag stays a string (Helm strvals)', values: 'images: {}\n', sets: [{ flag: '--set', expr: 'images.manager.tag=2023.10' }] },
    { name: 'later -f file corrects an earlier one', values: ['deployments:\n  minio: "false"\n', 'deployments:\n  minio: false\n'] },
    { name: 'unknown keys are unknown-key\'s business', values: 'master:\n  replicaCout: two\n' },
    {
      name: 'lists replace: a bad list in an earlier -f file is gone',
      values: ['druid:\n  commonRuntimeProperties:\n    - {a: b}\n', 'druid:\n  commonRuntimeProperties:\n    - a=b\n'],
    },
    { name: 'a blank router/pivot port (the values file: "Leave blank to not expose")', values: 'query:\n  service:\n    routerPort: ""\n    pivotPort:\n' },
    { name: 'the 0.4 line types its own keys', chartVersion: '0.4.11', values: 'master:\n  replicaCount: 2\ndeployments:\n  mysql: false\n' },
  ],
  invalid: [
    {
      name: 'deployments.* as the string "false" leaves the subchart ON',
      values: 'deployments:\n  minio: "false"\n',
      errors: [{ messageId: 'nonBooleanCondition', path: 'deployments.minio', line: 2, column: 3, subject: 'deployments.minio', severity: 'error' }],
    },
    {
      name: 'deployments.* as 0',
      values: 'deployments:\n  mysql: 0\n',
      errors: [{ messageId: 'nonBooleanCondition', path: 'deployments.mysql', line: 2, column: 3 }],
    },
    {
      name: 'deployments.* from --set-string is a string',
      values: 'images: {}\n',
      sets: [{ flag: '--set-string', expr: 'deployments.zookeeper=false' }],
      errors: [{ messageId: 'nonBooleanCondition', path: 'deployments.zookeeper', line: 1, column: 1, subject: 'deployments.zookeeper' }],
    },
    {
      name: 'non-numeric replicaCount',
      values: 'master:\n  replicaCount: two\n',
      errors: [{ messageId: 'wrongType', path: 'master.replicaCount', line: 2, column: 3, severity: 'error' }],
    },
    {
      name: 'a quoted number where an integer is expected is a warning',
      values: 'master:\n  replicaCount: "3"\n',
      errors: [{ messageId: 'quotedNumber', path: 'master.replicaCount', line: 2, column: 3, severity: 'warning', subject: 'master.replicaCount' }],
    },
    {
      name: 'a quoted number from --set-string',
      values: 'master: {}\n',
      sets: [{ flag: '--set-string', expr: 'master.replicaCount=3' }],
      errors: [{ messageId: 'quotedNumber', path: 'master.replicaCount', line: 1, column: 1, severity: 'warning' }],
    },
    {
      name: 'an unquoted version loses its trailing zero (2023.10 -> 2023.1)',
      values: 'images:\n  manager:\n    tag: 2023.10\n',
      errors: [{ messageId: 'unquotedNumber', path: 'images.manager.tag', line: 3, column: 5, severity: 'warning', subject: 'images.manager.tag' }],
    },
    {
      name: 'an unquoted number where a string is expected',
      values: 'manager:\n  metadataStore:\n    password: 123456\n',
      errors: [{ messageId: 'unquotedNumber', path: 'manager.metadataStore.password', line: 3, column: 5, severity: 'warning' }],
    },
    {
      name: 'a lossy number in a list of strings or numbers (customVersions)',
      values: 'manager:\n  customVersions:\n    - 2023.10\n',
      errors: [{ messageId: 'unquotedNumber', path: 'manager.customVersions[0]', line: 3, column: 7, severity: 'warning' }],
    },
    {
      name: 'druid.update: off is the boolean false (YAML 1.1), not a strategy',
      values: 'druid:\n  update: off\n',
      errors: [{ messageId: 'wrongType', path: 'druid.update', line: 2, column: 3, subject: 'druid.update' }],
    },
    {
      name: 'druid.update outside disabled/rolling/hard',
      values: 'druid:\n  update: always\n',
      errors: [{ messageId: 'badEnum', path: 'druid.update', line: 2, column: 3 }],
    },
    {
      name: 'a Service type Kubernetes does not know',
      values: 'manager:\n  service:\n    type: Loadbalancer\n',
      errors: [{ messageId: 'badEnum', path: 'manager.service.type', line: 3, column: 5 }],
    },
    {
      name: 'a string where the chart expects a map',
      values: 'security:\n  tls: imply-ca\n',
      errors: [{ messageId: 'wrongType', path: 'security.tls', line: 2, column: 3 }],
    },
    {
      name: 'a map where the chart expects a list',
      values: 'manager:\n  extraEnv:\n    A: b\n',
      errors: [{ messageId: 'wrongType', path: 'manager.extraEnv', line: 2, column: 3 }],
    },
    {
      name: 'a map item in a runtime-properties list',
      values: 'druid:\n  commonRuntimeProperties:\n    - a=b\n    - druid.x: y\n',
      errors: [{ messageId: 'wrongType', path: 'druid.commonRuntimeProperties[1]', line: 4, column: 7 }],
    },
    {
      name: 'a quoted boolean in a customFiles item',
      values: 'druid:\n  customFiles:\n    - path: https://x.example/a.tar.gz\n      executable: "yes"\n',
      errors: [{ messageId: 'wrongType', path: 'druid.customFiles[0].executable', line: 4, column: 7 }],
    },
    {
      name: 'the 0.4 line: a non-boolean condition',
      chartVersion: '0.4.11',
      values: 'deployments:\n  zookeeper: "no"\n',
      errors: [{ messageId: 'nonBooleanCondition', path: 'deployments.zookeeper', line: 2, column: 3, subject: 'deployments.zookeeper' }],
    },
    {
      name: 'the later -f file is the one reported',
      values: ['master:\n  replicaCount: 2\n', 'master:\n  replicaCount: many\n'],
      errors: [{ messageId: 'wrongType', file: 'values-2.yaml', line: 2, column: 3 }],
    },
  ],
});

const first = (values: string) => runCase(rule, { name: 'm', values })[0];

it('value-type: the message shows what YAML made of an unquoted version', () => {
  const f = first('images:\n  manager:\n    tag: 2023.10\n');
  expect(f.message).toContain('2023.1');
  expect(f.message).toContain('(written 2023.10)');
});

it('value-type: an integer that reads back the same has no "written" note', () => {
  expect(first('images:\n  agent:\n    tag: 15\n').message).not.toContain('written');
});

it('value-type: the condition message says Helm deploys the subchart', () => {
  expect(first('deployments:\n  minio: "false"\n').message).toContain('deploys the subchart');
});
