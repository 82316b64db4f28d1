import rule from '../../src/rules/catalog/runtime-property-duplicate.js';
import { ENV_VALUE_COLUMN, agentDoc, docOffset, envValueLine, managerDoc, stream } from '../helpers/druid-fixtures.js';
import { ruleTester } from '../helpers/rule-tester.js';

const overrideDocs = [
  managerDoc([['imply_defaults_historicalCustomDruidProperties', 'druid.processing.numThreads=7']]),
  agentDoc('dataTier1', [['druid_historical_runtime_druid_processing_numThreads', '3']]),
];

ruleTester.run('runtime-property-duplicate', rule, {
  valid: [
    { name: 'chart defaults', values: 'druid:\n  update: disabled\n' },
    { name: 'the same key in two different lists is an intended override', values: 'druid:\n  historicalRuntimeProperties:\n    - druid.processing.numThreads=7\n  historicalTier1RuntimeProperties:\n    - druid.processing.numThreads=3\n' },
    { name: 'comments may repeat', values: 'druid:\n  brokerRuntimeProperties:\n    - "# tuning"\n    - druid.a=1\n    - "# tuning"\n' },
    { name: 'a later -f list replaces the earlier one (no concatenation)', values: ['druid:\n  brokerRuntimeProperties:\n    - druid.a=1\n', 'druid:\n  brokerRuntimeProperties:\n    - druid.a=2\n'] },
    {
      name: 'agent env for a service that pod does not run is ignored by the chart script',
      values: 'druid:\n  brokerRuntimeProperties:\n    - druid.a=1\nmaster:\n  extraEnv:\n    - name: druid_broker_runtime_druid_a\n      value: "2"\n',
    },
    {
      name: 'agent env on a data tier with replicaCount 0 is not deployed',
      values: 'druid:\n  historicalRuntimeProperties:\n    - druid.a=1\ndataTier2:\n  replicaCount: 0\n  extraEnv:\n    - name: druid_historical_runtime_druid_a\n      value: "2"\n',
    },
    { name: 'manifest: distinct keys', manifest: managerDoc([['imply_defaults_historicalCustomDruidProperties', 'jvm.config.xms=-Xms4g\\njvm.config.xmx=-Xmx4g\\ndruid.processing.numThreads=7']]) },
    { name: 'manifest: the chart\'s own druid.host env (valueFrom) overrides nothing visible', manifest: stream(managerDoc([['imply_defaults_commonCustomDruidProperties', 'druid.a=1']]), agentDoc('dataTier1')) },
  ],
  invalid: [
    {
      name: 'values: a key twice in one list (the seed\'s pattern)',
      values: 'druid:\n  historicalRuntimeProperties:\n    - jvm.config.xms=-Xms128m\n    - jvm.config.xmx=-Xmx1280m\n    - jvm.config.xms=-Xms256m\n',
      errors: [{ messageId: 'duplicate', severity: 'warning', path: 'druid.historicalRuntimeProperties[2]', line: 5, column: 7, subject: 'druid.historicalRuntimeProperties[2]', related: 1 }],
    },
    {
      name: 'manifest: the same duplicate in the rendered env',
      manifest: managerDoc([['imply_defaults_historicalCustomDruidProperties', 'jvm.config.xms=-Xms128m\\njvm.config.xmx=-Xmx1280m\\njvm.config.xms=-Xms256m']]),
      errors: [{ messageId: 'duplicate', object: 'Deployment/imply-manager', line: envValueLine(0), column: ENV_VALUE_COLUMN, subject: 'druid.historicalRuntimeProperties[2]' }],
    },
    {
      name: 'values: a chart-default list gets a duplicate through --set',
      values: 'druid: {}\n',
      sets: [{ flag: '--set', expr: 'druid.brokerRuntimeProperties={druid.a=1,druid.a=2}' }],
      errors: [{ messageId: 'duplicate', subject: 'druid.brokerRuntimeProperties[1]', line: 1, column: 1 }],
    },
    {
      name: 'values: agent extraEnv overrides a list key',
      values: 'druid:\n  historicalRuntimeProperties:\n    - druid.processing.numThreads=7\ndataTier1:\n  extraEnv:\n    - name: druid_historical_runtime_druid_processing_numThreads\n      value: "3"\n',
      errors: [{ messageId: 'overriddenByEnv', path: 'dataTier1.extraEnv[0]', line: 6, column: 7, subject: 'dataTier1.extraEnv.druid_historical_runtime_druid_processing_numThreads', related: 1 }],
    },
    {
      name: 'manifest: agent env overrides the manager\'s list key',
      manifest: stream(...overrideDocs),
      errors: [{ messageId: 'overriddenByEnv', object: 'StatefulSet/imply-data', line: docOffset(overrideDocs, 1) + envValueLine(0), column: ENV_VALUE_COLUMN, subject: 'dataTier1.extraEnv.druid_historical_runtime_druid_processing_numThreads', related: 1 }],
    },
    {
      name: 'values: common env on the query tier overrides the common list (case-insensitive name)',
      values: 'druid:\n  commonRuntimeProperties:\n    - druid.s3.enablePathStyleAccess=false\nquery:\n  extraEnv:\n    - name: DRUID_COMMON_RUNTIME_druid_s3_enablePathStyleAccess\n      value: "true"\n',
      errors: [{ messageId: 'overriddenByEnv', path: 'query.extraEnv[0]', subject: 'query.extraEnv.DRUID_COMMON_RUNTIME_druid_s3_enablePathStyleAccess' }],
    },
  ],
});
