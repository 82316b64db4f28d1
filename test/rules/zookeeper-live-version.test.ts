import type { LiveZk } from '../../src/model/types.js';
import rule from '../../src/rules/catalog/zookeeper-live-version.js';
import { ruleTester } from '../helpers/rule-tester.js';

const values = `deployments:
  zookeeper: false
druid:
  zk:
    connectString: "zk-0.zk:2181,zk-1.zk:2181,zk-2.zk:2181"
`;

const member = (i: number, over: Partial<LiveZk> = {}): LiveZk => ({ host: `zk-${i}.zk`, port: 2181, reachable: true, version: '3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c', mode: 'follower', index: i, configured: 3, ...over });

ruleTester.run('zookeeper-live-version', rule, {
  valid: [
    { name: 'three 3.8 members', values, live: { zookeeper: [member(0), member(1), member(2)] } },
    { name: '3.5.0 exactly', values, live: { zookeeper: [member(0, { version: '3.5.0' })] } },
    { name: "Debian's unexpanded build suffix", values, live: { zookeeper: [member(0, { version: '3.8.0-${mvngit.commit.id}' })] } },
    { name: 'no live facts', values },
  ],
  invalid: [
    {
      name: 'one member does not answer',
      values,
      live: { zookeeper: [member(0), member(1, { reachable: false, version: undefined, errorKind: 'refused', error: 'connect ECONNREFUSED' }), member(2)] },
      errors: [{ messageId: 'unreachable', severity: 'error', path: 'druid.zk.connectString', line: 5, column: 5, subject: 'druid.zk.connectString[1]' }],
    },
    {
      name: 'ZooKeeper 3.4 everywhere: one finding per member',
      values,
      live: { zookeeper: [member(0, { version: '3.4.14-4c25d480e66aadd371de8bd2fd8da255ac140bcf' }), member(1, { version: '3.4.14' }), member(2, { version: '3.4.14' })] },
      errors: [
        { messageId: 'tooOld', subject: 'druid.zk.connectString[0]' },
        { messageId: 'tooOld', subject: 'druid.zk.connectString[1]' },
        { messageId: 'tooOld', subject: 'druid.zk.connectString[2]' },
      ],
    },
    {
      name: 'srvr not whitelisted: version unknown',
      values,
      live: { zookeeper: [member(0, { version: undefined, refused: true })] },
      errors: [{ messageId: 'versionUnknown', severity: 'warning' }],
    },
    {
      name: 'unresolved template in the connect string',
      values,
      live: { zookeeper: [{ host: '{{ .Release.Name }}-zookeeper', port: 2181, reachable: false, index: 0, configured: 1, errorKind: 'config', error: 'contains a template that was not resolved' }] },
      errors: [{ messageId: 'unreachable', subject: 'druid.zk.connectString[0]' }],
    },
  ],
});
