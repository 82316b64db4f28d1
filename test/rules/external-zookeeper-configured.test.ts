import rule from '../../src/rules/catalog/external-zookeeper-configured.js';
import { managerDoc, productionManagerEnv, stream, zookeeperDoc } from '../fixtures/quickstart-availability.js';
import { ruleTester } from '../helpers/rule-tester.js';

const off = 'deployments:\n  zookeeper: false\n';

ruleTester.run('external-zookeeper-configured', rule, {
  valid: [
    { name: 'bundled ZooKeeper on: the default connect string is right', values: 'druid:\n  update: rolling\n' },
    { name: 'external ensemble configured', values: `${off}druid:\n  zk:\n    connectString: "zk-0.zk:2181,zk-1.zk:2181,zk-2.zk:2181/imply"\n` },
    { name: 'a quoted "false" leaves the bundled ZooKeeper on', values: 'deployments:\n  zookeeper: "false"\n' },
    {
      name: 'a Service of another release named *-zookeeper is external',
      values: `${off}druid:\n  zk:\n    connectString: "kafka-zookeeper.kafka:2181"\n`,
      context: { releaseName: 'imply' },
    },
    { name: 'whole stream: external hosts and no ZooKeeper StatefulSet', manifest: managerDoc(productionManagerEnv()) },
    {
      name: 'whole stream with the bundled StatefulSet: its Service is right',
      manifest: stream(zookeeperDoc(3), managerDoc(productionManagerEnv({ imply_defaults_zkHosts: 'rel-zookeeper:2181' }))),
    },
    {
      name: 'admission of the manager alone cannot tell whether the bundled ZooKeeper is off',
      manifest: managerDoc(productionManagerEnv({ imply_defaults_zkHosts: 'rel-zookeeper:2181' })),
      wholeStream: false,
    },
  ],
  invalid: [
    {
      name: 'bundled off, connect string left at the chart default template',
      values: off,
      errors: [{ messageId: 'bundledService', path: 'druid.zk.connectString', line: 1, column: 1, subject: 'druid.zk.connectString' }],
    },
    {
      name: 'bundled off with YAML 1.1 "off", empty connect string',
      values: 'deployments:\n  zookeeper: off\ndruid:\n  zk:\n    connectString: ""\n',
      errors: [{ messageId: 'empty', path: 'druid.zk.connectString', line: 5, column: 5, subject: 'druid.zk.connectString' }],
    },
    {
      name: 'null deletes the default: renders empty',
      values: `${off}druid:\n  zk:\n    connectString: null\n`,
      errors: [{ messageId: 'empty', path: 'druid.zk.connectString', line: 5, column: 5 }],
    },
    {
      name: 'a literal release Service, resolved with --release-name',
      values: `${off}druid:\n  zk:\n    connectString: "imply-zookeeper-headless.default.svc.cluster.local:2181"\n`,
      context: { releaseName: 'imply' },
      errors: [{ messageId: 'bundledService', path: 'druid.zk.connectString', line: 5, column: 5 }],
    },
    {
      name: 'disabled by --set, template left in a later -f file',
      values: ['druid:\n  zk:\n    connectString: "zk:2181"\n', 'druid:\n  zk:\n    connectString: "{{ .Release.Name }}-zookeeper:2181"\n'],
      sets: [{ flag: '--set', expr: 'deployments.zookeeper=false' }],
      errors: [{ messageId: 'bundledService', file: 'values-2.yaml', line: 3, column: 5 }],
    },
    {
      name: '2021 line default connect string with the bundled ZooKeeper off',
      values: off,
      chartVersion: '2021.05-1',
      errors: [{ messageId: 'bundledService', path: 'druid.zk.connectString' }],
    },
    {
      name: 'whole stream without the StatefulSet, manager still on the release Service',
      manifest: managerDoc(productionManagerEnv({ imply_defaults_zkHosts: 'rel-zookeeper:2181' })),
      errors: [
        {
          messageId: 'bundledService',
          object: 'Deployment/rel-manager',
          path: 'spec.template.spec.containers[0].env[7].value',
          line: 30,
          column: 22,
          subject: 'druid.zk.connectString',
        },
      ],
    },
    {
      name: 'whole stream with an empty zkHosts',
      manifest: managerDoc(productionManagerEnv({ imply_defaults_zkHosts: '' })),
      errors: [{ messageId: 'empty', object: 'Deployment/rel-manager', subject: 'druid.zk.connectString' }],
    },
  ],
});
