// Test setup: the real MariaDB, PostgreSQL and ZooKeeper that the preflight integration tests talk to
// (127.0.0.1 only). Checks that they answer and, when they do not and we run as root, runs
// scripts/ci-services.sh to install (Debian packages) and start them. Never throws: the integration
// tests read the status with inject('services') and fail with its reason, so other tests are unaffected.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

/** Accounts and addresses; must match scripts/ci-services.sh. */
export const SERVICES = {
  mariadb: { host: '127.0.0.1', port: 3306, user: 'implylint_admin', password: 'implylint-admin-pw' },
  postgres: { host: '127.0.0.1', port: 5432, user: 'implylint_admin', password: 'implylint-admin-pw' },
  zookeeper: { host: '127.0.0.1', port: 2181 },
  /** The CA that signed the MariaDB and PostgreSQL server certificates (SAN IP:127.0.0.1). */
  caFile: '/var/lib/imply-lint-ci/tls/ca.pem',
} as const;

export interface ServicesStatus {
  ok: boolean;
  /** Why not, for the integration tests' failure message. */
  reason?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: ServicesStatus;
  }
}

function tcpAnswers(port: number, send?: string, expect?: RegExp): Promise<boolean> {
  return new Promise((resolve) => {
    let buf = '';
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 2000);
    s.on('connect', () => {
      if (send) s.write(send);
      else done(true);
    });
    s.on('data', (b: Buffer) => {
      buf += b.toString('utf8');
      if (expect?.test(buf)) done(true);
    });
    s.on('error', () => done(false));
    s.on('close', () => done(expect ? expect.test(buf) : false));
  });
}

async function check(): Promise<string[]> {
  const down: string[] = [];
  if (!(await tcpAnswers(SERVICES.mariadb.port))) down.push(`MariaDB (127.0.0.1:${SERVICES.mariadb.port})`);
  if (!(await tcpAnswers(SERVICES.postgres.port))) down.push(`PostgreSQL (127.0.0.1:${SERVICES.postgres.port})`);
  if (!(await tcpAnswers(SERVICES.zookeeper.port, 'srvr', /Zookeeper version:/))) down.push(`ZooKeeper (127.0.0.1:${SERVICES.zookeeper.port})`);
  return down;
}

export default async function setup(project: TestProject): Promise<void> {
  let down = await check();
  let reason: string | undefined;
  if (down.length) {
    const script = path.resolve(import.meta.dirname, '../../scripts/ci-services.sh');
    if (process.getuid?.() !== 0) {
      reason = `${down.join(', ')} not answering; run "sudo bash scripts/ci-services.sh" first`;
    } else {
      const r = spawnSync('bash', [script], { encoding: 'utf8', timeout: 15 * 60_000 });
      down = await check();
      if (down.length) reason = `${down.join(', ')} not answering after scripts/ci-services.sh (exit ${r.status}): ${(r.stderr || r.stdout || '').trim().split('\n').slice(-5).join(' | ')}`;
    }
  }
  project.provide('services', { ok: down.length === 0, reason });
}
