import rule from '../../src/rules/catalog/druid-direct-memory.js';
import { ENV_VALUE_COLUMN, envValueLine, managerDoc } from '../helpers/druid-fixtures.js';
import { ruleTester } from '../helpers/rule-tester.js';

const mm = (...items: string[]) => `druid:\n  middleManagerRuntimeProperties:\n${items.map((i) => `    - "${i}"\n`).join('')}`;

ruleTester.run('druid-direct-memory', rule, {
  valid: [
    { name: 'chart defaults', values: 'druid:\n  update: disabled\n' },
    {
      name: 'the seed\'s middleManager example: 3g holds 50000000 x (1 + 2 + 1)',
      values: mm('druid.worker.capacity=1', 'druid.indexer.runner.javaOpts=-server -Xmx2g -XX:MaxDirectMemorySize=3g -XX:+ExitOnOutOfMemoryError', 'druid.processing.buffer.sizeBytes=50000000', 'druid.processing.numThreads=1'),
    },
    { name: 'numThreads not explicit: silent', values: mm('druid.indexer.runner.javaOpts=-XX:MaxDirectMemorySize=64m', 'druid.processing.buffer.sizeBytes=500MiB') },
    { name: 'buffer size not a byte count: silent', values: mm('druid.indexer.runner.javaOpts=-XX:MaxDirectMemorySize=64m', 'druid.processing.buffer.sizeBytes=auto', 'druid.processing.numThreads=4') },
    { name: 'explicit numMergeBuffers lowers the need', values: mm('druid.indexer.runner.javaOpts=-XX:MaxDirectMemorySize=300m', 'druid.processing.buffer.sizeBytes=100MiB', 'druid.processing.numThreads=1', 'druid.processing.numMergeBuffers=0') },
    { name: 'features-overrides: buffer without MaxDirectMemorySize in the broker list', values: 'druid:\n  brokerRuntimeProperties:\n    - druid.processing.buffer.sizeBytes=500MiB\n' },
    { name: 'settings split over two lists are not combined', values: 'druid:\n  middleManagerRuntimeProperties:\n    - "druid.indexer.runner.javaOpts=-XX:MaxDirectMemorySize=64m"\n  middleManagerTier1RuntimeProperties:\n    - druid.processing.buffer.sizeBytes=500MiB\n    - druid.processing.numThreads=4\n' },
    { name: 'manifest: features render', manifest: managerDoc([['imply_defaults_middleManagerCustomDruidProperties', 'druid.indexer.runner.javaOpts=-server -Xms1g -Xmx1g -XX:MaxDirectMemorySize=2g']]) },
  ],
  invalid: [
    {
      name: 'values: peon direct memory below the buffers (Druid 2g = 2e9 bytes)',
      values: mm('druid.indexer.runner.javaOpts=-Xmx1g -XX:MaxDirectMemorySize=256m', 'druid.processing.buffer.sizeBytes=100MiB', 'druid.processing.numThreads=2'),
      errors: [{ messageId: 'tooSmall', severity: 'warning', path: 'druid.middleManagerRuntimeProperties[0]', line: 3, column: 7, subject: 'druid.middleManagerRuntimeProperties[0]', related: 2 }],
    },
    {
      name: 'manifest: the same list rendered',
      manifest: managerDoc([['imply_defaults_middleManagerCustomDruidProperties', 'druid.indexer.runner.javaOpts=-Xmx1g -XX:MaxDirectMemorySize=256m\\ndruid.processing.buffer.sizeBytes=100MiB\\ndruid.processing.numThreads=2']]),
      errors: [{ messageId: 'tooSmall', object: 'Deployment/imply-manager', line: envValueLine(0), column: ENV_VALUE_COLUMN, subject: 'druid.middleManagerRuntimeProperties[0]' }],
    },
    {
      name: 'values: peon fork properties win over the middleManager\'s own',
      values: mm('druid.indexer.runner.javaOpts=-XX:MaxDirectMemorySize=1g', 'druid.processing.buffer.sizeBytes=10MiB', 'druid.processing.numThreads=1', 'druid.indexer.fork.property.druid.processing.buffer.sizeBytes=1GiB'),
      errors: [{ messageId: 'tooSmall', path: 'druid.middleManagerRuntimeProperties[0]' }],
    },
    {
      name: 'values: default merge buffers max(2, numThreads/4) with many threads',
      values: mm('druid.indexer.runner.javaOpts=-XX:MaxDirectMemorySize=4g', 'druid.processing.buffer.sizeBytes=500000000', 'druid.processing.numThreads=15'),
      errors: [{ messageId: 'tooSmall', path: 'druid.middleManagerRuntimeProperties[0]' }],
    },
    {
      name: 'values: a later -f list wins',
      values: [mm('druid.indexer.runner.javaOpts=-XX:MaxDirectMemorySize=8g', 'druid.processing.buffer.sizeBytes=100MiB', 'druid.processing.numThreads=2'), mm('druid.indexer.runner.javaOpts=-XX:MaxDirectMemorySize=128m', 'druid.processing.buffer.sizeBytes=100MiB', 'druid.processing.numThreads=2')],
      errors: [{ messageId: 'tooSmall', file: 'values-2.yaml', line: 3 }],
    },
  ],
});
