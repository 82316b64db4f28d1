import rule from '../../src/rules/catalog/jvm-heap-consistency.js';
import { ENV_VALUE_COLUMN, agentDoc, docOffset, envValueLine, managerDoc, stream } from '../helpers/druid-fixtures.js';
import { ruleTester } from '../helpers/rule-tester.js';

const envDocs = [managerDoc([]), agentDoc('dataTier1', [['druid_middlemanager_runtime_druid_indexer_runner_javaOpts', '-server -Xms2g -Xmx1g']])];

ruleTester.run('jvm-heap-consistency', rule, {
  valid: [
    { name: 'chart defaults', values: 'druid:\n  update: disabled\n' },
    {
      name: 'features-overrides lists: matching heap and peon flags',
      values: 'druid:\n  historicalRuntimeProperties:\n    - jvm.config.xms=-Xms4g\n    - jvm.config.xmx=-Xmx4g\n  middleManagerRuntimeProperties:\n    - druid.indexer.runner.javaOpts=-server -Xms1g -Xmx1g -XX:MaxDirectMemorySize=2g\n',
    },
    { name: 'equal sizes in different units', values: 'druid:\n  brokerRuntimeProperties:\n    - jvm.config.xms=-Xms1024m\n    - jvm.config.xmx=-Xmx1G\n' },
    { name: 'Xms and Xmx in different lists are not compared', values: 'druid:\n  historicalRuntimeProperties:\n    - jvm.config.xms=-Xms8g\n  historicalTier1RuntimeProperties:\n    - jvm.config.xmx=-Xmx4g\n' },
    { name: 'direct memory next to the heap flag is no wrong key', values: 'druid:\n  historicalRuntimeProperties:\n    - jvm.config.xmx=-Xmx4g -XX:MaxDirectMemorySize=4g\n' },
    { name: 'the last flag wins on a JVM command line', values: 'druid:\n  middleManagerRuntimeProperties:\n    - druid.indexer.runner.javaOpts=-Xms4g -Xmx2g -Xms1g\n' },
    { name: 'a later -f list replaces the broken one', values: ['druid:\n  brokerRuntimeProperties:\n    - jvm.config.xms=-Xmx128m\n', 'druid:\n  brokerRuntimeProperties:\n    - jvm.config.xms=-Xms128m\n'] },
    { name: 'manifest: features render', manifest: managerDoc([['imply_defaults_historicalCustomDruidProperties', 'jvm.config.xms=-Xms4g\\njvm.config.xmx=-Xmx4g\\ndruid.processing.numThreads=7'], ['imply_defaults_middleManagerCustomDruidProperties', 'druid.indexer.runner.javaOpts=-server -Xms1g -Xmx1g -XX:MaxDirectMemorySize=2g']]) },
  ],
  invalid: [
    {
      name: 'values: the seed\'s own jvm.config.xms=-Xmx128m',
      values: 'druid:\n  historicalRuntimeProperties:\n    - druid.emitter.clarity.clusterName=sandboxImply\n    - jvm.config.xms=-Xmx128m\n    - jvm.config.xmx=-Xmx1280m\n',
      errors: [{ messageId: 'flagUnderWrongKey', severity: 'error', path: 'druid.historicalRuntimeProperties[1]', line: 4, column: 7, subject: 'druid.historicalRuntimeProperties[1]' }],
    },
    {
      name: 'manifest: the seed\'s mistake in the rendered env',
      manifest: managerDoc([['imply_defaults_historicalCustomDruidProperties', 'druid.emitter.clarity.clusterName=sandboxImply\\njvm.config.xms=-Xmx128m\\njvm.config.xmx=-Xmx1280m']]),
      errors: [{ messageId: 'flagUnderWrongKey', object: 'Deployment/imply-manager', line: envValueLine(0), column: ENV_VALUE_COLUMN, subject: 'druid.historicalRuntimeProperties[1]' }],
    },
    {
      name: 'values: Xms above Xmx',
      values: 'druid:\n  brokerRuntimeProperties:\n    - jvm.config.xms=-Xms8g\n    - jvm.config.xmx=-Xmx4g\n',
      errors: [{ messageId: 'xmsAboveXmx', path: 'druid.brokerRuntimeProperties[0]', line: 3, column: 7, subject: 'druid.brokerRuntimeProperties[0]', related: 1 }],
    },
    {
      name: 'values: peon Xms above Xmx in javaOpts',
      values: 'druid:\n  middleManagerRuntimeProperties:\n    - druid.indexer.runner.javaOpts=-server -Xms2g -Xmx1g\n',
      errors: [{ messageId: 'xmsAboveXmx', path: 'druid.middleManagerRuntimeProperties[0]', subject: 'druid.middleManagerRuntimeProperties[0]', related: 0 }],
    },
    {
      name: 'values: malformed heap size',
      values: 'druid:\n  coordinatorRuntimeProperties:\n    - jvm.config.xmx=-Xmx4gb\n',
      errors: [{ messageId: 'malformedSize', path: 'druid.coordinatorRuntimeProperties[0]' }],
    },
    {
      name: 'values: malformed direct-memory size in javaOpts',
      values: 'druid:\n  middleManagerRuntimeProperties:\n    - druid.indexer.runner.javaOpts=-Xmx1g -XX:MaxDirectMemorySize=1.5g\n',
      errors: [{ messageId: 'malformedSize', path: 'druid.middleManagerRuntimeProperties[0]' }],
    },
    {
      name: 'values: a bare size without its flag',
      values: 'druid:\n  overlordRuntimeProperties:\n    - jvm.config.xmx=4g\n',
      errors: [{ messageId: 'missingFlag', path: 'druid.overlordRuntimeProperties[0]' }],
    },
    {
      name: 'values: --set-string on a chart-default list',
      values: 'druid: {}\n',
      sets: [{ flag: '--set-string', expr: 'druid.historicalRuntimeProperties[0]=jvm.config.xmx=-Xms1g' }],
      errors: [{ messageId: 'flagUnderWrongKey', subject: 'druid.historicalRuntimeProperties[0]', line: 1, column: 1 }],
    },
    {
      name: 'values: agent extraEnv javaOpts',
      values: 'dataTier1:\n  extraEnv:\n    - name: druid_middlemanager_runtime_druid_indexer_runner_javaOpts\n      value: -server -Xms2g -Xmx1g\n',
      errors: [{ messageId: 'xmsAboveXmx', path: 'dataTier1.extraEnv[0]', line: 3, column: 7, subject: 'dataTier1.extraEnv.druid_middlemanager_runtime_druid_indexer_runner_javaOpts' }],
    },
    {
      name: 'manifest: agent env javaOpts',
      manifest: stream(...envDocs),
      errors: [{ messageId: 'xmsAboveXmx', object: 'StatefulSet/imply-data', line: docOffset(envDocs, 1) + envValueLine(0), column: ENV_VALUE_COLUMN, subject: 'dataTier1.extraEnv.druid_middlemanager_runtime_druid_indexer_runner_javaOpts' }],
    },
  ],
});
