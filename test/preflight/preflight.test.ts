// runPreflight end to end: values layered like the CLI does (-f + --set), the real MariaDB, PostgreSQL
// and ZooKeeper, a stand-in helm on PATH, and the real lint engine over every live rule.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSource } from '../../src/model/source.js';
import { buildValuesModel } from '../../src/model/values.js';
import { preflightCommandHelp, runPreflight } from '../../src/preflight/index.js';
import { parseHelmVersion, probeHelm } from '../../src/preflight/probes/helm.js';
import { lint } from '../../src/rules/engine.js';
import { emptyPolicy } from '../../src/rules/policy.js';
import helmVersion from '../../src/rules/catalog/helm-version.js';
import { modelFromTexts } from '../../src/model/build.js';
import { LIVE_RULES, requireServices, SERVICES, suffix } from './helpers.js';

const S = suffix();
const MGR_DB = `il_${S}_mgr`;
const USER = { name: `il_${S}_e2e`, password: `E2e-${S}-pw#1` };
let dir: string;
let admin: mysql.Connection;

function fakeHelm(output: string, exitCode = 0, sleep = 0): string {
  const file = path.join(dir, `helm-${Math.random().toString(16).slice(2)}`);
  fs.writeFileSync(file, `#!/bin/sh\n[ "$1" = version ] || exit 64\n${sleep ? `sleep ${sleep}\n` : ''}printf '%s\\n' '${output}'\nexit ${exitCode}\n`, { mode: 0o755 });
  return file;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-preflight-'));
  requireServices();
  admin = await mysql.createConnection(SERVICES.mariadb);
  await admin.query(`CREATE DATABASE \`${MGR_DB}\` CHARACTER SET latin1`);
  await admin.query(`CREATE USER '${USER.name}'@'%' IDENTIFIED BY '${USER.password}'`);
  await admin.query(`GRANT ALL PRIVILEGES ON \`${MGR_DB}\`.* TO '${USER.name}'@'%'`);
});

afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  if (!admin) return;
  await admin.query(`DROP USER IF EXISTS '${USER.name}'@'%'`).catch(() => undefined);
  await admin.query(`DROP DATABASE IF EXISTS \`${MGR_DB}\``).catch(() => undefined);
  await admin.end();
});

describe('helm probe', () => {
  it('parses helm 3 and helm 2 outputs', () => {
    expect(parseHelmVersion('v3.14.2+gc309b6f')).toBe('v3.14.2+gc309b6f');
    expect(parseHelmVersion('Client: v2.16.1+gbbdfe5e\nError: could not find tiller')).toBe('v2.16.1+gbbdfe5e');
    expect(parseHelmVersion('nothing')).toBeUndefined();
  });
  it('is silent when helm is missing, and bounded when it hangs', async () => {
    expect(await probeHelm(1000, path.join(dir, 'no-such-helm'))).toBeUndefined();
    const t0 = Date.now();
    expect(await probeHelm(300, fakeHelm('v3.1.0', 0, 5))).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

describe('runPreflight end to end', () => {
  it('layers -f and --set, probes everything, and every live rule judges the facts', async () => {
    const base = `deployments: {mysql: false, zookeeper: false}
manager:
  metadataStore:
    type: mysql
    host: "{{ .Release.Name }}-mysql.prod.svc"
    port: 3306
    user: ${USER.name}
    password: "${USER.password}"
    database: ${MGR_DB}
druid:
  metadataStore:
    type: postgresql
    host: pg.prod.svc
    port: 5432
    user: ${SERVICES.postgres.user}
    password: "${SERVICES.postgres.password}"
  zk:
    connectString: "{{ .Release.Name }}-zk-0:2181,{{ .Release.Name }}-zk-1:2181"
`;
    const files = [makeSource('values.yaml', base, 'values')];
    const sets = [{ flag: '--set' as const, expr: 'druid.metadataStore.port=5432' }];
    const values = buildValuesModel({ files, sets });
    const live = await runPreflight({
      values,
      releaseName: 'prod',
      // Hosts reachable from where preflight runs (as a port-forward would give).
      managerHost: `127.0.0.1:${SERVICES.mariadb.port}`,
      druidHost: SERVICES.postgres.host,
      zkConnect: `127.0.0.1:${SERVICES.zookeeper.port}`,
      druidDatabases: ['postgres'],
      timeoutMs: 5000,
      inCluster: false,
      helm: fakeHelm('v3.1.3+g0a9a9a8'),
    });
    expect(live.helmVersion).toBe('v3.1.3+g0a9a9a8');
    expect(live.metadataDbs!.map((d) => [d.subject, d.host, d.port, d.reachable, d.overridden])).toEqual([
      ['manager.metadataStore', '127.0.0.1', SERVICES.mariadb.port, true, true],
      ['druid.metadataStore', '127.0.0.1', 5432, true, true],
    ]);
    expect(live.zookeeper!.map((z) => z.reachable)).toEqual([true]);

    const model = modelFromTexts({ values: [{ path: 'values.yaml', text: base }], sets, live, context: { releaseName: 'prod' } });
    const rules = [...LIVE_RULES, helmVersion];
    const res = lint(model, emptyPolicy(), { target: 'preflight', rules });
    expect(res.ruleErrors).toEqual([]);
    expect(res.findings.map((f) => `${f.ruleId}/${f.messageId}/${f.subject}/${f.severity}`).sort()).toEqual([
      'helm-version/tooOld/context.helmVersion/error',
      'metadata-db-utf8mb4/notUtf8mb4/manager.metadataStore.database/error',
      'metadata-db-version/mariadb/manager.metadataStore/warning',
    ]);
    const text = JSON.stringify({ live, findings: res.findings });
    expect(text).not.toContain(USER.password);
    expect(text).not.toContain(SERVICES.postgres.password);
  });

  it('without a metadata store, ZooKeeper or Kubernetes in the values, there is nothing to probe', async () => {
    // Hosts emptied explicitly: the chart defaults name cluster hosts, which tests must not look up.
    const text = 'druid:\n  zk:\n    connectString: ""\n  metadataStore: {host: ""}\nmanager:\n  metadataStore: {host: ""}\n';
    const values = buildValuesModel({ files: [makeSource('values.yaml', text, 'values')] });
    const live = await runPreflight({ values, druidDatabases: [], timeoutMs: 1000, inCluster: false, helm: false });
    expect(live).toEqual({ outsideCluster: false });
  });
});

describe('preflightCommandHelp', () => {
  it('lists every preflight flag', () => {
    for (const flag of ['--druid-database', '--manager-host', '--druid-host', '--zk-connect', '--kubeconfig', '--namespace', '--release-name', '--timeout', '--outside-cluster']) {
      expect(preflightCommandHelp).toContain(flag);
    }
  });
});
