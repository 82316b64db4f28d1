// Preflight never hangs: every probe against a loopback listener that accepts and never answers (and
// against a closed port) ends within its bound and becomes a finding, not a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSource } from '../../src/model/source.js';
import { buildValuesModel } from '../../src/model/values.js';
import { runPreflight } from '../../src/preflight/index.js';
import { probeMysql } from '../../src/preflight/probes/mysql.js';
import { probePostgres } from '../../src/preflight/probes/postgres.js';
import type { DbTarget } from '../../src/preflight/targets.js';
import { closedPort, lintLive, silentListener } from './helpers.js';

let silent: Awaited<ReturnType<typeof silentListener>>;
let closed: number;
beforeAll(async () => {
  silent = await silentListener();
  closed = await closedPort();
});
afterAll(() => silent.close());

const target = (type: DbTarget['type'], port: number): DbTarget => ({ role: 'manager', subject: 'manager.metadataStore', type, host: '127.0.0.1', port, user: 'imply', password: 'Secret-Timeout-Pw', databases: ['imply_manager'], database: 'imply_manager', overridden: false });

describe('metadata stores', () => {
  for (const type of ['mysql', 'postgresql'] as const) {
    const probe = type === 'mysql' ? probeMysql : probePostgres;
    it(`${type}: a silent server times out within the bound`, async () => {
      const t0 = Date.now();
      const fact = await probe(target(type, silent.port), 400, false);
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(fact).toMatchObject({ reachable: false, errorKind: 'timeout' });
      expect(fact.error).not.toContain('Secret-Timeout-Pw');
    });
    it(`${type}: a closed port is refused at once`, async () => {
      const fact = await probe(target(type, closed), 2000, false);
      expect(fact).toMatchObject({ reachable: false, errorKind: 'refused' });
    });
  }
});

describe('runPreflight as a whole', () => {
  it('an unresolved template in a host is reported without connecting', async () => {
    const text = 'manager:\n  metadataStore: {type: mysql, host: "{{ .Release.Name }}-mysql", user: u, password: Secret-Timeout-Pw, database: m}\ndruid:\n  metadataStore: {host: ""}\n  zk: {connectString: ""}\n';
    const values = buildValuesModel({ files: [makeSource('values.yaml', text, 'values')] });
    const live = await runPreflight({ values, druidDatabases: [], timeoutMs: 400, helm: false, inCluster: false });
    expect(live.metadataDbs).toEqual([expect.objectContaining({ reachable: false, errorKind: 'config' })]);
    expect(lintLive(text, live).keys).toEqual(['metadata-db-reachable/unreachable/manager.metadataStore']);
  });

  it('everything silent: bounded, and each becomes a finding', async () => {
    const text = `deployments: {mysql: false, zookeeper: false}
manager:
  metadataStore: {type: mysql, host: 127.0.0.1, port: ${silent.port}, user: imply, password: Secret-Timeout-Pw, database: imply_manager}
druid:
  metadataStore: {type: postgresql, host: 127.0.0.1, port: ${silent.port}, user: imply, password: Secret-Timeout-Pw}
  zk: {connectString: "127.0.0.1:${silent.port},127.0.0.1:${closed}"}
`;
    const values = buildValuesModel({ files: [makeSource('values.yaml', text, 'values')] });
    const t0 = Date.now();
    const live = await runPreflight({ values, druidDatabases: ['druid_c1'], timeoutMs: 400, helm: false, inCluster: false, outsideCluster: true });
    expect(Date.now() - t0).toBeLessThan(4000);
    const { keys, findings } = lintLive(text, live);
    expect(keys).toEqual([
      'metadata-db-reachable/timeout/druid.metadataStore',
      'metadata-db-reachable/timeout/manager.metadataStore',
      'zookeeper-live-version/unreachable/druid.zk.connectString[0]',
      'zookeeper-live-version/unreachable/druid.zk.connectString[1]',
    ]);
    // --outside-cluster: the metadata stores are warnings, ZooKeeper stays an error.
    expect(findings.filter((f) => f.ruleId === 'metadata-db-reachable').map((f) => f.severity)).toEqual(['warning', 'warning']);
    expect(JSON.stringify({ live, findings })).not.toContain('Secret-Timeout-Pw');
  });
});
