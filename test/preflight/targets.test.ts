// Preflight: what the values ask preflight to probe (pure).
import { describe, expect, it } from 'vitest';
import { makeSource } from '../../src/model/source.js';
import { buildValuesModel } from '../../src/model/values.js';
import { dbTarget, parseConnectString, secretTargets, splitHostPort, zkMembers } from '../../src/preflight/targets.js';

const values = (text: string) => buildValuesModel({ files: [makeSource('values.yaml', text, 'values')] });
const ext = `deployments: {mysql: false, zookeeper: false}
manager:
  metadataStore: {type: mysql, host: "{{ .Release.Name }}-db.prod", port: "3307", user: imply, password: pw1, database: imply_manager, tlsCert: "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----"}
druid:
  metadataStore: {type: postgresql, host: pg.prod, user: druid, password: pw2}
  zk: {connectString: "zk-0:2181,zk-1,[::1]:2182/imply"}
security:
  tls: {secretName: imply-ca}
  auth: {secretName: "{{ .Release.Name }}-auth"}
`;

describe('dbTarget', () => {
  it('reads type, host, port, user, password, database and tlsCert, resolving the release name', () => {
    const t = dbTarget(values(ext), 'manager', { druidDatabases: [], releaseName: 'rel' });
    expect(t).toMatchObject({ role: 'manager', subject: 'manager.metadataStore', type: 'mysql', host: 'rel-db.prod', port: 3307, user: 'imply', password: 'pw1', databases: ['imply_manager'], database: 'imply_manager', overridden: false });
    expect(t?.tlsCert).toContain('BEGIN CERTIFICATE');
  });
  it('druid has no database in values: --druid-database names them; the port defaults by type', () => {
    const t = dbTarget(values(ext), 'druid', { druidDatabases: ['druid_c1', ' druid_c2 ', 'druid_c1'] });
    expect(t).toMatchObject({ type: 'postgresql', host: 'pg.prod', port: 5432, databases: ['druid_c1', 'druid_c2'], database: undefined });
  });
  it('--manager-host HOST:PORT and --port override values', () => {
    expect(dbTarget(values(ext), 'manager', { druidDatabases: [], managerHost: '127.0.0.1:13306' })).toMatchObject({ host: '127.0.0.1', port: 13306, overridden: true });
    expect(dbTarget(values(ext), 'druid', { druidDatabases: [], druidHost: 'localhost', port: 15432 })).toMatchObject({ host: 'localhost', port: 15432, overridden: true });
  });
  it('skips stores preflight cannot check (no host, another type)', () => {
    expect(dbTarget(values('manager:\n  metadataStore: {type: mysql, host: ""}\n'), 'manager', { druidDatabases: [] })).toBeUndefined();
    expect(dbTarget(values('manager:\n  metadataStore: {type: derby, host: x}\n'), 'manager', { druidDatabases: [] })).toBeUndefined();
  });
});

describe('ZooKeeper members', () => {
  it('parses host:port lists with a default port, IPv6 and a chroot', () => {
    expect(parseConnectString('zk-0:2181,zk-1,[::1]:2182/imply')).toEqual([
      { host: 'zk-0', port: 2181 },
      { host: 'zk-1', port: 2181 },
      { host: '::1', port: 2182 },
    ]);
  });
  it('flags members that cannot be probed as written', () => {
    expect(parseConnectString('{{ .Release.Name }}-zookeeper:2181')[0].problem).toMatch(/--release-name/);
    expect(parseConnectString('zk:abc')[0].problem).toMatch(/port/);
    expect(parseConnectString('zk:99999')[0].problem).toMatch(/1-65535/);
  });
  it('resolves the chart default with the release name; --zk-connect wins', () => {
    const v = values('deployments: {zookeeper: true}\n');
    expect(zkMembers(v, { druidDatabases: [], releaseName: 'imply' })).toEqual([{ host: 'imply-zookeeper', port: 2181 }]);
    expect(zkMembers(v, { druidDatabases: [], zkConnect: '127.0.0.1:2181' })).toEqual([{ host: '127.0.0.1', port: 2181 }]);
  });
  it('splitHostPort', () => {
    expect(splitHostPort('h')).toEqual({ host: 'h' });
    expect(splitHostPort('[fe80::1]:3306')).toEqual({ host: 'fe80::1', port: 3306 });
  });
});

describe('secretTargets', () => {
  it('names the CA, auth and licence Secrets with the keys the chart reads', () => {
    expect(secretTargets(values(ext), 'rel')).toEqual([
      { name: 'imply-ca', purpose: 'tls', subject: 'security.tls.secretName', requiredKeys: ['tls.crt', 'tls.key'] },
      { name: 'rel-auth', purpose: 'auth', subject: 'security.auth.secretName', requiredKeys: ['auth-token'] },
      { name: 'imply-secrets', purpose: 'license', subject: 'manager.secretName', requiredKeys: [] },
    ]);
  });
});

describe('unresolved templates', () => {
  it('a metadata store host with {{ .Release.Name }} and no release name is a problem, not a host to look up', () => {
    const t = dbTarget(values(ext), 'manager', { druidDatabases: [] });
    expect(t?.host).toBe('{{ .Release.Name }}-db.prod');
    expect(t?.problem).toMatch(/--release-name, or --manager-host/);
    expect(dbTarget(values(ext), 'manager', { druidDatabases: [], releaseName: 'rel' })?.problem).toBeUndefined();
  });
});
