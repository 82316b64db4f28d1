import rule from '../../src/rules/catalog/runtime-property-format.js';
import { ENV_VALUE_COLUMN, envValueLine, managerDoc } from '../helpers/druid-fixtures.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run('runtime-property-format', rule, {
  valid: [
    { name: 'chart defaults: a # comment and key=value lines', values: 'druid:\n  update: disabled\n' },
    { name: 'values with = inside the value', values: 'druid:\n  brokerRuntimeProperties:\n    - "druid.sql.planner.sqlTimeZone=UTC"\n    - druid.query.groupBy.defaultStrategy=v2\n    - "druid.x=a=b"\n' },
    { name: 'pivotRuntimeProperties are YAML, not properties', values: 'druid:\n  pivotRuntimeProperties:\n    - "stateStore:"\n    - "  type: mysql"\n' },
    { name: 'null deletes the chart default list', values: 'druid:\n  commonRuntimeProperties: null\n' },
    { name: 'a later -f file replaces a bad list (lists replace on merge)', values: ['druid:\n  historicalRuntimeProperties:\n    - bad entry\n', 'druid:\n  historicalRuntimeProperties:\n    - druid.a=1\n'] },
    { name: '--set with = in the value', values: 'druid: {}\n', sets: [{ flag: '--set', expr: 'druid.brokerRuntimeProperties[0]=druid.x=1' }] },
    { name: 'null items are dropped by the chart (sprig join)', values: 'druid:\n  brokerRuntimeProperties:\n    - ~\n    - druid.a=1\n' },
    {
      name: 'manifest: production render (common list and empty additional-tier objects)',
      manifest: managerDoc([
        ['imply_defaults_commonCustomDruidProperties', 'druid.s3.enablePathStyleAccess=false'],
        ['imply_defaults_additionalDataTierMiddleManagerRuntimeProperties', '{}'],
        ['imply_defaults_additionalDataTierHistoricalRuntimeProperties', '{}'],
      ]),
    },
    { name: 'manifest: pivot env is YAML and excluded', manifest: managerDoc([['imply_defaults_pivotCustomDruidProperties', 'stateStore:\\n  type: mysql']]) },
    { name: 'manifest: quickstart common list with a comment', manifest: managerDoc([['imply_defaults_commonCustomDruidProperties', '# MinIO configurations\\ndruid.s3.endpoint.url=http://imply-minio:9000\\ndruid.s3.enablePathStyleAccess=true']]) },
  ],
  invalid: [
    {
      name: 'values: an entry without =',
      values: 'druid:\n  historicalRuntimeProperties:\n    - druid.processing.numThreads=7\n    - druid.server.maxSize 1000\n',
      errors: [{ messageId: 'malformed', severity: 'error', path: 'druid.historicalRuntimeProperties[1]', line: 4, column: 7, subject: 'druid.historicalRuntimeProperties[1]' }],
    },
    {
      name: 'manifest: the same mistake in the rendered env shares id and subject',
      manifest: managerDoc([['imply_defaults_historicalCustomDruidProperties', 'druid.processing.numThreads=7\\ndruid.server.maxSize 1000']]),
      errors: [{ messageId: 'malformed', object: 'Deployment/imply-manager', line: envValueLine(0), column: ENV_VALUE_COLUMN, subject: 'druid.historicalRuntimeProperties[1]' }],
    },
    {
      name: 'values: a YAML map item renders as Go map[...] text',
      values: 'druid:\n  brokerRuntimeProperties:\n    - druid.server.http.numThreads: 40\n',
      errors: [{ messageId: 'malformed', path: 'druid.brokerRuntimeProperties[0]', line: 3, column: 7 }],
    },
    {
      name: 'values: a key with spaces',
      values: 'druid:\n  routerRuntimeProperties:\n    - "druid router.x=1"\n',
      errors: [{ messageId: 'malformed', path: 'druid.routerRuntimeProperties[0]' }],
    },
    {
      name: 'values: an empty entry is a warning',
      values: 'druid:\n  coordinatorRuntimeProperties:\n    - druid.a=1\n    - ""\n',
      errors: [{ messageId: 'empty', severity: 'warning', path: 'druid.coordinatorRuntimeProperties[1]', line: 4, column: 7 }],
    },
    {
      name: 'manifest: an empty entry between literal \\n separators is a warning',
      manifest: managerDoc([['imply_defaults_commonCustomDruidProperties', 'druid.a=1\\n\\ndruid.b=2']]),
      errors: [{ messageId: 'empty', severity: 'warning', subject: 'druid.commonRuntimeProperties[1]', line: envValueLine(0) }],
    },
    {
      name: 'values: additional data tier list',
      values: 'additionalDataTiers:\n  - replicaCount: 1\n    customHistoricalRuntimeProperties:\n      - druid.a=1\n      - oops\n',
      errors: [{ messageId: 'malformed', path: 'additionalDataTiers[0].customHistoricalRuntimeProperties[1]', line: 5, column: 9, subject: 'additionalDataTiers[0].customHistoricalRuntimeProperties[1]' }],
    },
    {
      name: 'manifest: additional-tier env is a JSON object of lists keyed by tier number',
      manifest: managerDoc([['imply_defaults_additionalDataTierHistoricalRuntimeProperties', '{"4":["druid.a=1","oops"]}']]),
      errors: [{ messageId: 'malformed', subject: 'additionalDataTiers[0].customHistoricalRuntimeProperties[1]', line: envValueLine(0), column: ENV_VALUE_COLUMN }],
    },
    {
      name: 'manifest: additional-tier env that is not JSON',
      manifest: managerDoc([['imply_defaults_additionalDataTierMiddleManagerRuntimeProperties', '{"4": [']]),
      errors: [{ messageId: 'unreadable', subject: 'additionalDataTiers', line: envValueLine(0) }],
    },
    {
      name: 'values: a later -f file wins',
      values: ['druid:\n  brokerRuntimeProperties:\n    - druid.a=1\n', 'druid:\n  brokerRuntimeProperties:\n    - nonsense\n'],
      errors: [{ messageId: 'malformed', file: 'values-2.yaml', line: 3, column: 7 }],
    },
    {
      name: 'values: --set item',
      values: 'druid: {}\n',
      sets: [{ flag: '--set', expr: 'druid.brokerRuntimeProperties[0]=nokey' }],
      errors: [{ messageId: 'malformed', path: 'druid.brokerRuntimeProperties[0]', line: 1, column: 1 }],
    },
    {
      name: 'values: per-tier list on the 2021 chart line',
      chartVersion: '2021.05-1',
      values: 'druid:\n  historicalTier2RuntimeProperties:\n    - "druid.a: 1"\n',
      errors: [{ messageId: 'malformed', path: 'druid.historicalTier2RuntimeProperties[0]' }],
    },
  ],
});
