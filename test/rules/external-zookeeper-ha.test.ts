import rule from '../../src/rules/catalog/external-zookeeper-ha.js';
import { managerDoc, productionManagerEnv, stream, zookeeperDoc } from '../fixtures/quickstart-availability.js';
import { ruleTester } from '../helpers/rule-tester.js';

const off = 'deployments:\n  zookeeper: false\n';
const zk = (s: string) => `${off}druid:\n  zk:\n    connectString: ${JSON.stringify(s)}\n`;

ruleTester.run('external-zookeeper-ha', rule, {
  valid: [
    { name: 'three servers and a chroot', values: zk('zk-0:2181,zk-1:2181,zk-2:2181/imply') },
    { name: 'five servers', values: zk('a:2181,b:2181,c:2181,d:2181,e:2181') },
    { name: 'bundled ZooKeeper on: zookeeper-ha judges it', values: 'druid:\n  zk:\n    connectString: "zk:2181"\n' },
    { name: 'a quoted "false" leaves the bundled ZooKeeper on', values: 'deployments:\n  zookeeper: "false"\ndruid:\n  zk:\n    connectString: "zk:2181"\n' },
    { name: 'empty connect string: external-zookeeper-configured reports it', values: zk('') },
    { name: 'still the bundled Service: external-zookeeper-configured reports it', values: off },
    { name: 'a <fill-me> left by imply-lint fix: no ensemble to judge yet (unresolved-placeholder reports it)', values: zk('<fill-me>') },
    { name: 'a ${ZK_HOSTS} placeholder', values: zk('${ZK_HOSTS}') },
    { name: 'IPv6 literals count as three servers', values: zk('[fd00::1]:2181,[fd00::2]:2181,[fd00::3]:2181') },
    { name: 'whole stream, three external servers', manifest: managerDoc(productionManagerEnv()) },
    {
      name: 'whole stream with the bundled StatefulSet',
      manifest: stream(zookeeperDoc(3), managerDoc(productionManagerEnv({ imply_defaults_zkHosts: 'zk:2181' }))),
    },
    { name: 'admission of the manager alone cannot tell the bundled one is off', manifest: managerDoc(productionManagerEnv({ imply_defaults_zkHosts: 'zk:2181' })), wholeStream: false },
  ],
  invalid: [
    {
      name: 'one load-balanced name',
      values: zk('zookeeper.infra.svc:2181'),
      errors: [{ messageId: 'fewHosts', severity: 'warning', path: 'druid.zk.connectString', line: 5, column: 5, subject: 'druid.zk.connectString' }],
    },
    { name: 'a server listed twice counts once', values: zk('zk-0:2181,zk-1:2181,zk-0:2181'), errors: [{ messageId: 'fewHosts', path: 'druid.zk.connectString' }] },
    { name: 'four servers: even', values: zk('a:2181,b:2181,c:2181,d:2181'), errors: [{ messageId: 'evenHosts', severity: 'warning', path: 'druid.zk.connectString' }] },
    {
      name: 'bundled off by --set, two servers from a later -f file',
      values: ['druid:\n  zk:\n    connectString: "a:2181,b:2181,c:2181"\n', 'druid:\n  zk:\n    connectString: "a:2181,b:2181"\n'],
      sets: [{ flag: '--set', expr: 'deployments.zookeeper=false' }],
      errors: [{ messageId: 'fewHosts', file: 'values-2.yaml', line: 3, column: 5 }],
    },
    {
      name: 'whole stream without the StatefulSet, one server',
      manifest: managerDoc(productionManagerEnv({ imply_defaults_zkHosts: 'zookeeper.infra.svc:2181' })),
      errors: [
        {
          messageId: 'fewHosts',
          object: 'Deployment/rel-manager',
          path: 'spec.template.spec.containers[0].env[7].value',
          line: 30,
          column: 22,
          subject: 'druid.zk.connectString',
        },
      ],
    },
  ],
});
