import rule from '../../src/rules/catalog/no-dangling-quickstart-references.js';
import { ENV_VALUE_COLUMN, MINIO_DEPLOYMENT, agentDoc, docOffset, envValueLine, managerDoc, stream } from '../helpers/druid-fixtures.js';
import { ruleTester } from '../helpers/rule-tester.js';

const QS_COMMON = '# MinIO configurations\\ndruid.s3.endpoint.url=http://imply-minio:9000\\ndruid.s3.enablePathStyleAccess=true';
const agentDocs = [managerDoc([['imply_defaults_commonCustomDruidProperties', 'druid.s3.enablePathStyleAccess=false']]), agentDoc('query', [['druid_common_runtime_druid_s3_endpoint_url', 'http://imply-minio:9000']])];

ruleTester.run('no-dangling-quickstart-references', rule, {
  valid: [
    { name: 'chart defaults: MinIO on, its URL is live', values: 'images: {}\n' },
    { name: 'production-overrides style: MinIO off and the list replaced', values: 'deployments:\n  minio: false\ndruid:\n  commonRuntimeProperties:\n    - druid.s3.enablePathStyleAccess=false\n' },
    { name: 'a non-boolean deployments.minio leaves the subchart on', values: 'deployments:\n  minio: "false"\n' },
    { name: 'MinIO off, list cleared by a later -f file', values: ['deployments:\n  minio: false\n', 'druid:\n  commonRuntimeProperties: []\n'] },
    { name: 'a literal host of another release is not ours', context: { releaseName: 'prod' }, values: 'deployments:\n  minio: false\ndruid:\n  commonRuntimeProperties:\n    - druid.s3.endpoint.url=http://staging-minio:9000\n' },
    { name: 'a comment naming MinIO is harmless', values: 'deployments:\n  minio: false\ndruid:\n  commonRuntimeProperties:\n    - "# was http://{{ .Release.Name }}-minio:9000"\n' },
    {
      name: '2021 chart line: bundled MySQL defaults to on, so its Service is live',
      chartVersion: '2021.05-1',
      values: 'druid:\n  coordinatorRuntimeProperties:\n    - druid.metadata.storage.connector.connectURI=jdbc:mysql://{{ .Release.Name }}-mysql:3306/druid\n',
    },
    {
      name: 'the chart line from images.manager.tag (2021.05): MySQL on by default',
      values: 'images:\n  manager:\n    tag: "2021.05"\ndruid:\n  coordinatorRuntimeProperties:\n    - druid.metadata.storage.connector.connectURI=jdbc:mysql://{{ .Release.Name }}-mysql:3306/druid\n',
    },
    { name: 'manifest: quickstart render with the MinIO Deployment', manifest: stream(managerDoc([['imply_defaults_commonCustomDruidProperties', QS_COMMON]]), MINIO_DEPLOYMENT) },
    { name: 'manifest: one object at admission cannot tell whether MinIO is off', wholeStream: false, manifest: managerDoc([['imply_defaults_commonCustomDruidProperties', QS_COMMON]]) },
    { name: 'manifest: production render', manifest: managerDoc([['imply_defaults_commonCustomDruidProperties', 'druid.s3.enablePathStyleAccess=false'], ['imply_defaults_deepStoragePath', 's3://acme-imply-deep-storage/prod/']]) },
  ],
  invalid: [
    {
      name: 'values: MinIO off but the chart-default common list kept',
      values: 'deployments:\n  minio: false\n',
      errors: [{ messageId: 'danglingReference', severity: 'error', path: 'druid.commonRuntimeProperties[1]', line: 1, column: 1, subject: 'druid.commonRuntimeProperties[1]' }],
    },
    {
      name: 'manifest: the rendered common list still names imply-minio and no MinIO is rendered',
      manifest: managerDoc([['imply_defaults_commonCustomDruidProperties', QS_COMMON]]),
      errors: [{ messageId: 'danglingReference', object: 'Deployment/imply-manager', line: envValueLine(0), column: ENV_VALUE_COLUMN, subject: 'druid.commonRuntimeProperties[1]' }],
    },
    {
      name: 'values: YAML 1.1 "no" disables MinIO (Helm reads it as false)',
      values: 'deployments:\n  minio: no\ndruid:\n  commonRuntimeProperties:\n    - druid.s3.endpoint.url=http://{{ .Release.Name }}-minio:9000\n',
      errors: [{ messageId: 'danglingReference', path: 'druid.commonRuntimeProperties[0]', line: 5, column: 7 }],
    },
    {
      name: 'values: the resolved release name with --release-name',
      context: { releaseName: 'prod' },
      values: 'deployments:\n  minio: false\ndruid:\n  commonRuntimeProperties:\n    - druid.s3.endpoint.url=http://prod-minio.imply.svc.cluster.local:9000\n',
      errors: [{ messageId: 'danglingReference', path: 'druid.commonRuntimeProperties[0]' }],
    },
    {
      name: 'values: bundled MySQL off by the 2023 chart default',
      values: 'druid:\n  coordinatorRuntimeProperties:\n    - druid.metadata.storage.connector.connectURI=jdbc:mysql://{{ .Release.Name }}-mysql:3306/druid\n',
      errors: [{ messageId: 'danglingReference', path: 'druid.coordinatorRuntimeProperties[0]', subject: 'druid.coordinatorRuntimeProperties[0]' }],
    },
    {
      name: 'values: ZooKeeper headless service with ZooKeeper off',
      values: 'deployments:\n  zookeeper: false\ndruid:\n  commonRuntimeProperties:\n    - druid.zk.service.host={{ .Release.Name }}-zookeeper-headless:2181\n',
      errors: [{ messageId: 'danglingReference', path: 'druid.commonRuntimeProperties[0]' }],
    },
    {
      name: 'values: deep storage path on the disabled MinIO',
      values: 'deployments:\n  minio: false\ndruid:\n  commonRuntimeProperties: []\n  deepStorage:\n    path: "http://{{ .Release.Name }}-minio:9000/imply"\n',
      errors: [{ messageId: 'danglingReference', path: 'druid.deepStorage.path', line: 6, column: 5, subject: 'druid.deepStorage.path' }],
    },
    {
      name: 'manifest: deep storage env on the disabled MinIO',
      manifest: managerDoc([['imply_defaults_deepStoragePath', 'http://imply-minio:9000/imply']]),
      errors: [{ messageId: 'danglingReference', subject: 'druid.deepStorage.path', line: envValueLine(0) }],
    },
    {
      name: 'values: agent extraEnv naming the release\'s MinIO',
      context: { releaseName: 'imply' },
      values: 'deployments:\n  minio: false\ndruid:\n  commonRuntimeProperties: []\nquery:\n  extraEnv:\n    - name: druid_common_runtime_druid_s3_endpoint_url\n      value: http://imply-minio:9000\n',
      errors: [{ messageId: 'danglingReference', path: 'query.extraEnv[0]', line: 7, column: 7, subject: 'query.extraEnv.druid_common_runtime_druid_s3_endpoint_url' }],
    },
    {
      name: 'manifest: agent env naming the release\'s MinIO',
      manifest: stream(...agentDocs),
      errors: [{ messageId: 'danglingReference', object: 'Deployment/imply-query', line: docOffset(agentDocs, 1) + envValueLine(0), subject: 'query.extraEnv.druid_common_runtime_druid_s3_endpoint_url' }],
    },
    {
      name: 'values: --set turns MinIO off over a file that kept the list',
      values: 'deployments:\n  minio: true\n',
      sets: [{ flag: '--set', expr: 'deployments.minio=false' }],
      errors: [{ messageId: 'danglingReference', path: 'druid.commonRuntimeProperties[1]', line: 1, column: 1 }],
    },
  ],
});
