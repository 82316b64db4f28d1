import { describe, expect, it } from 'vitest';
import { defaultsEnvPath, updateMode } from '../../src/model/imply-env.js';
import { buildManifestModel, componentWorkload, subchartComponent } from '../../src/model/manifests.js';
import { distinctServers, isBundledServiceHost, parseConnectString } from '../../src/model/quickstart.js';
import { makeSource } from '../../src/model/source.js';
import { mysqlDocs, stream, zookeeperDoc } from '../fixtures/quickstart-availability.js';

describe('parseConnectString', () => {
  it.each([
    ['zk-0:2181,zk-1:2181,zk-2:2181/imply', ['zk-0', 'zk-1', 'zk-2'], '/imply'],
    [' a , ,b:2182 ', ['a', 'b'], undefined],
    ['[fd00::1]:2181,[fd00::2]:2181', ['fd00::1', 'fd00::2'], undefined],
    ['', [], undefined],
  ])('%j', (s, hosts, chroot) => {
    const r = parseConnectString(s);
    expect(r.servers.map((x) => x.host)).toEqual(hosts);
    expect(r.chroot).toBe(chroot);
  });
  it('distinctServers drops a repeated host:port only', () => {
    expect(distinctServers(parseConnectString('a:1,A:1,a:2').servers).map((s) => s.text)).toEqual(['a:1', 'a:2']);
  });
});

describe('isBundledServiceHost', () => {
  it.each([
    ['{{ .Release.Name }}-mysql', undefined, true],
    ['{{- .Release.Name -}}-mysql.default.svc', undefined, true],
    ['imply-mysql', 'imply', true],
    ['imply-mysql-headless.ns.svc.cluster.local', 'imply', true],
    ['imply-mysql', undefined, false],
    ['imply-mysqlx', 'imply', false],
    ['other-mysql', 'imply', false],
  ])('%s (release %s) -> %s', (host, rel, want) => {
    expect(isBundledServiceHost(host, 'mysql', rel)).toBe(want);
  });
});

describe('quickstart subchart objects', () => {
  const m = buildManifestModel([makeSource('m.yaml', stream(mysqlDocs('imply'), zookeeperDoc(3, 'imply')), 'manifest')]);
  it('recognizes the real MySQL labels (app: <release>-mysql) and skips its test hook', () => {
    expect(m.objects.map((o) => `${o.ref}=${subchartComponent(o) ?? '-'}`)).toEqual([
      'Secret/imply-mysql=mysql',
      'Service/imply-mysql=mysql',
      'Deployment/imply-mysql=mysql',
      'Pod/imply-mysql-test=-',
      'StatefulSet/imply-zookeeper=zookeeper',
    ]);
    expect(componentWorkload(m, 'mysql')?.ref).toBe('Deployment/imply-mysql');
    expect(componentWorkload(m, 'minio')).toBeUndefined();
  });
});

describe('manager env', () => {
  it.each([
    ['imply_defaults_zkHosts', 'druid.zk.connectString'],
    ['imply_defaults_brokerCustomDruidProperties', 'druid.brokerRuntimeProperties'],
    ['imply_defaults_additionalDataTierHistoricalRuntimeProperties', 'additionalDataTiers'],
    ['imply_defaults_somethingNew', 'druid'],
    ['imply_defaults_zkType', undefined],
    ['imply_defaults_customImplyVersions', undefined],
    ['IMPLY_MANAGER_STORE_HOST', undefined],
  ])('%s -> %s', (name, want) => {
    expect(defaultsEnvPath(name)?.join('.')).toBe(want);
  });
  it.each([
    [undefined, 'disabled'],
    ['', 'disabled'],
    ['disabled', 'disabled'],
    [' rolling ', 'rolling'],
    ['hard', 'hard'],
    ['Hard', 'other'],
    [true, 'other'],
  ])('updateMode(%j) = %s', (v, want) => {
    expect(updateMode(v)).toBe(want);
  });
});
