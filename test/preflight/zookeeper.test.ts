// Preflight against the real ZooKeeper (Debian package, test/setup/services.ts) and loopback stand-ins
// for what a real one cannot show here: a 3.4 member, srvr refused by the whitelist, a member without quorum.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSrvr, probeZkMember, probeZookeeper } from '../../src/preflight/probes/zookeeper.js';
import { closedPort, lintLive, requireServices, SERVICES, silentListener } from './helpers.js';

/** A loopback server that answers every connection with `text` and closes. */
async function fakeZk(text: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((s) => {
    s.once('data', (b) => {
      expect(b.toString()).toBe('srvr');
      s.end(text);
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise<void>((res) => server.close(() => res())) };
}

const SRVR_34 = 'Zookeeper version: 3.4.14-4c25d480e66aadd371de8bd2fd8da255ac140bcf, built on 03/06/2019 16:18 GMT\nLatency min/avg/max: 0/0/0\nReceived: 1\nSent: 0\nConnections: 1\nOutstanding: 0\nZxid: 0x0\nMode: follower\nNode count: 4\n';

describe('parseSrvr', () => {
  it('reads version and mode', () => {
    expect(parseSrvr(SRVR_34)).toMatchObject({ version: '3.4.14-4c25d480e66aadd371de8bd2fd8da255ac140bcf', mode: 'follower', refused: false });
  });
  it('recognises a refused four-letter word and a member without quorum', () => {
    expect(parseSrvr('srvr is not executed because it is not in the whitelist.\n').refused).toBe(true);
    expect(parseSrvr('This ZooKeeper instance is not currently serving requests\n').notServing).toBe(true);
  });
});

describe('the real ZooKeeper', () => {
  beforeAll(() => requireServices());
  it('answers srvr with its version (3.5+): no finding', async () => {
    const [zk] = await probeZookeeper([{ host: SERVICES.zookeeper.host, port: SERVICES.zookeeper.port }], 3000);
    expect(zk).toMatchObject({ reachable: true, mode: 'standalone', index: 0, configured: 1 });
    expect(zk.version).toMatch(/^3\.(5|6|7|8|9)\./);
    const { keys } = lintLive('druid:\n  zk:\n    connectString: "127.0.0.1:2181"\n', { zookeeper: [zk] });
    expect(keys).toEqual([]);
  });
  it('reports the configured members that do not answer, with their position', async () => {
    const dead = await closedPort();
    const zks = await probeZookeeper([{ host: '127.0.0.1', port: SERVICES.zookeeper.port }, { host: '127.0.0.1', port: dead }, { host: '127.0.0.1', port: SERVICES.zookeeper.port }], 3000);
    expect(zks.map((z) => z.reachable)).toEqual([true, false, true]);
    expect(zks[1]).toMatchObject({ errorKind: 'refused' });
    const { keys, findings } = lintLive(`druid:\n  zk:\n    connectString: "127.0.0.1:2181,127.0.0.1:${dead},127.0.0.1:2181"\n`, { zookeeper: zks });
    expect(keys).toEqual(['zookeeper-live-version/unreachable/druid.zk.connectString[1]']);
    expect(findings[0].message).toContain(`127.0.0.1:${dead} (member 2 of 3`);
    expect(findings[0].location).toMatchObject({ line: 3, column: 5 });
  });
});

describe('loopback stand-ins', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });
  it('a ZooKeeper 3.4 member is tooOld', async () => {
    const s = await fakeZk(SRVR_34);
    servers.push(s);
    const zk = await probeZkMember({ host: '127.0.0.1', port: s.port }, 0, 1, 3000);
    expect(zk).toMatchObject({ reachable: true, version: '3.4.14-4c25d480e66aadd371de8bd2fd8da255ac140bcf' });
    expect(lintLive('druid:\n  zk:\n    connectString: x\n', { zookeeper: [zk] }).keys).toEqual(['zookeeper-live-version/tooOld/druid.zk.connectString[0]']);
  });
  it('srvr refused by 4lw.commands.whitelist: version unknown (warning)', async () => {
    const s = await fakeZk('srvr is not executed because it is not in the whitelist.\n');
    servers.push(s);
    const zk = await probeZkMember({ host: '127.0.0.1', port: s.port }, 0, 1, 3000);
    expect(zk).toMatchObject({ reachable: true, refused: true });
    const { findings } = lintLive('druid:\n  zk:\n    connectString: x\n', { zookeeper: [zk] });
    expect(findings.map((f) => [f.messageId, f.severity])).toEqual([['versionUnknown', 'warning']]);
  });
  it('a member without quorum, and something that is not ZooKeeper, do not count as answering', async () => {
    const a = await fakeZk('This ZooKeeper instance is not currently serving requests\n');
    const b = await fakeZk('HTTP/1.1 400 Bad Request\r\n\r\n');
    servers.push(a, b);
    const [za, zb] = await probeZookeeper([{ host: '127.0.0.1', port: a.port }, { host: '127.0.0.1', port: b.port }], 3000);
    expect(za).toMatchObject({ reachable: false, errorKind: 'protocol' });
    expect(za.error).toMatch(/not serving/);
    expect(zb).toMatchObject({ reachable: false, errorKind: 'protocol' });
  });
  it('a member that accepts and never answers times out within the bound', async () => {
    const s = await silentListener();
    servers.push(s);
    const t0 = Date.now();
    const zk = await probeZkMember({ host: '127.0.0.1', port: s.port }, 0, 1, 300);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(zk).toMatchObject({ reachable: false, errorKind: 'timeout' });
  });
  it('an unresolved template is reported without connecting anywhere', async () => {
    const zk = await probeZkMember({ host: '{{ .Release.Name }}-zookeeper', port: 2181, problem: 'contains a template that was not resolved' }, 0, 1, 300);
    expect(zk).toMatchObject({ reachable: false, errorKind: 'config' });
  });
});
