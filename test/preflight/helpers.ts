// Test helper for the preflight tests: the services from test/setup/services.ts, admin connections to
// create fixtures, and the real lint engine over a model with live facts.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { inject } from 'vitest';
import { modelFromTexts } from '../../src/model/build.js';
import type { LiveFacts } from '../../src/model/types.js';
import { lint } from '../../src/rules/engine.js';
import { emptyPolicy } from '../../src/rules/policy.js';
import metadataDbPrivileges from '../../src/rules/catalog/metadata-db-privileges.js';
import metadataDbReachable from '../../src/rules/catalog/metadata-db-reachable.js';
import metadataDbUtf8mb4 from '../../src/rules/catalog/metadata-db-utf8mb4.js';
import metadataDbVersion from '../../src/rules/catalog/metadata-db-version.js';
import requiredSecretsPresent from '../../src/rules/catalog/required-secrets-present.js';
import zookeeperLiveVersion from '../../src/rules/catalog/zookeeper-live-version.js';
import type { Finding } from '../../src/rules/types.js';
import { SERVICES } from '../setup/services.js';

export { SERVICES };

/** Fails the calling suite with the reason when the services are not there (never skips). */
export function requireServices(): void {
  const s = inject('services');
  if (!s?.ok) throw new Error(`preflight integration tests need MariaDB, PostgreSQL and ZooKeeper: ${s?.reason ?? 'test/setup/services.ts did not run'}`);
}

/** A short random suffix for names this test run creates. */
export function suffix(): string {
  return randomBytes(3).toString('hex');
}

/** The live rules (RULES.md "Live checks"), run by the real engine. */
export const LIVE_RULES = [metadataDbReachable, metadataDbUtf8mb4, metadataDbPrivileges, metadataDbVersion, zookeeperLiveVersion, requiredSecretsPresent];

/** Lints values + live facts with the live rules and returns `ruleId/messageId/subject` triples and the findings. */
export function lintLive(values: string, live: LiveFacts): { keys: string[]; findings: Finding[] } {
  const model = modelFromTexts({ values: [{ path: 'values.yaml', text: values }], live });
  const res = lint(model, emptyPolicy(), { target: 'preflight', rules: LIVE_RULES });
  if (res.ruleErrors.length) throw new Error(res.ruleErrors.map((e) => `${e.ruleId}: ${e.message}`).join('; '));
  return { keys: res.findings.map((f) => `${f.ruleId}/${f.messageId}/${f.subject}`).sort(), findings: res.findings };
}

/** A loopback listener that accepts connections and never answers (for timeout tests). */
export async function silentListener(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
      }),
  };
}

/** A loopback port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((res) => server.close(() => res()));
  return port;
}
