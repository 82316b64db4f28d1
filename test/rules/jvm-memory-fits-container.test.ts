import rule from '../../src/rules/catalog/jvm-memory-fits-container.js';
import { agentDoc, docOffset, managerDoc, stream } from '../helpers/druid-fixtures.js';
import { ruleTester } from '../helpers/rule-tester.js';

const limit = (m: string) => ({ container: `          resources:\n            limits:\n              memory: ${m}\n` });
const mmOpts = (opts: string): [string, string] => ['imply_defaults_middleManagerCustomDruidProperties', `druid.indexer.runner.javaOpts=${opts}`];
const tightDocs = [managerDoc([mmOpts('-server -Xms1g -Xmx1g -XX:MaxDirectMemorySize=2g')]), agentDoc('dataTier1', [], limit('2G'))];
/** agentDoc: 15 lines + 4 of the chart's druid.host env, then `resources:`, `limits:`, `memory:`. */
const MEMORY_LINE = 22;

const peonValues = 'druid:\n  middleManagerRuntimeProperties:\n    - druid.indexer.runner.javaOpts=-server -Xms1g -Xmx1g -XX:MaxDirectMemorySize=2g\n';

ruleTester.run('jvm-memory-fits-container', rule, {
  valid: [
    { name: 'features-overrides: 8G holds a 1g heap + 2g direct peon', values: `${peonValues}dataTier1:\n  resources:\n    limits:\n      memory: 8G\n` },
    { name: 'no memory limit (chart default: requests only)', values: peonValues },
    { name: 'no explicit MaxDirectMemorySize: nothing to add up', values: 'druid:\n  historicalRuntimeProperties:\n    - jvm.config.xmx=-Xmx8g\ndataTier1:\n  resources:\n    limits:\n      memory: 4G\n' },
    { name: 'a data tier with replicaCount 0 is not deployed', values: `${peonValues}dataTier2:\n  replicaCount: 0\n  resources:\n    limits:\n      memory: 1G\n` },
    { name: 'the master pod runs no peons', values: `${peonValues}master:\n  resources:\n    limits:\n      memory: 1G\n` },
    { name: 'manifest: enough memory', manifest: stream(managerDoc([mmOpts('-Xmx1g -XX:MaxDirectMemorySize=2g')]), agentDoc('dataTier1', [], limit('8G'))) },
    { name: 'manifest: binary units that fit exactly', manifest: stream(managerDoc([mmOpts('-Xmx1g -XX:MaxDirectMemorySize=2g')]), agentDoc('dataTier1', [], limit('3Gi'))) },
  ],
  invalid: [
    {
      name: 'values: peon heap + direct memory above the data tier limit',
      values: `${peonValues}dataTier1:\n  resources:\n    limits:\n      memory: 2G\n`,
      errors: [{ messageId: 'exceedsLimit', severity: 'warning', path: 'dataTier1.resources.limits.memory', line: 7, column: 7, subject: 'dataTier1.resources.limits.memory', related: 1 }],
    },
    {
      name: 'manifest: the same limit on the rendered data StatefulSet',
      manifest: stream(...tightDocs),
      errors: [{ messageId: 'exceedsLimit', object: 'StatefulSet/imply-data', line: docOffset(tightDocs, 1) + MEMORY_LINE, subject: 'dataTier1.resources.limits.memory' }],
    },
    {
      name: 'values: the tier-specific list overrides the service list',
      values: 'druid:\n  middleManagerRuntimeProperties:\n    - druid.indexer.runner.javaOpts=-Xmx512m -XX:MaxDirectMemorySize=512m\n  middleManagerTier1RuntimeProperties:\n    - druid.indexer.runner.javaOpts=-Xmx2g -XX:MaxDirectMemorySize=2g\ndataTier1:\n  resources:\n    limits:\n      memory: 3Gi\n',
      errors: [{ messageId: 'exceedsLimit', path: 'dataTier1.resources.limits.memory' }],
    },
    {
      name: 'values: an additional data tier',
      values: 'additionalDataTiers:\n  - replicaCount: 1\n    resources:\n      limits:\n        memory: 1Gi\n    customMiddleManagerRuntimeProperties:\n      - druid.indexer.runner.javaOpts=-Xmx1g -XX:MaxDirectMemorySize=1g\n',
      errors: [{ messageId: 'exceedsLimit', path: 'additionalDataTiers[0].resources.limits.memory', line: 5, subject: 'additionalDataTiers[0].resources.limits.memory' }],
    },
    {
      name: 'values: a historical with heap and direct memory in its jvm.config keys',
      values: 'druid:\n  historicalRuntimeProperties:\n    - jvm.config.xms=-Xms4g\n    - jvm.config.xmx=-Xmx4g -XX:MaxDirectMemorySize=4g\ndataTier1:\n  resources:\n    limits:\n      memory: 6Gi\n',
      errors: [{ messageId: 'exceedsLimit', path: 'dataTier1.resources.limits.memory', line: 8, column: 7, related: 1 }],
    },
    {
      name: 'values: limit set by --set over the chart defaults',
      values: peonValues,
      sets: [{ flag: '--set', expr: 'dataTier1.resources.limits.memory=1500M' }],
      errors: [{ messageId: 'exceedsLimit', path: 'dataTier1.resources.limits.memory', line: 1, column: 1 }],
    },
  ],
});
