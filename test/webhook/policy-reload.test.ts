// Policy replaced while serving: swapped in atomically once every worker compiled it, with no request failed
// during the swap; a policy that does not load is refused and the old one kept (logged and counted).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/rules/policy.js';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import { generatePki } from '../../src/webhook/certs.js';
import type { Pki } from '../../src/webhook/certs.js';
import { startServer } from '../../src/webhook/server.js';
import type { WebhookServer } from '../../src/webhook/server.js';
import { KubeletSecretDir } from './helpers/certdir.js';
import { call, reviewBody } from './helpers/https.js';

const SVC = 'imply-lint-webhook';
const HOST = `${SVC}.imply-lint.svc`;
const known = new Set(BUILTIN_RULES.map((r) => r.meta.id));
const MINIO = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'imply-minio', labels: { app: 'minio', release: 'imply' } }, spec: {} };

describe('policy file replaced while serving', () => {
  let pki: Pki;
  let s: WebhookServer;
  let tmp: string;
  let policyFile: string;
  const logs: { event?: string }[] = [];

  const write = (text: string) => {
    // As a ConfigMap update or an editor would: a new file renamed over the old one.
    fs.writeFileSync(`${policyFile}.tmp`, text);
    fs.renameSync(`${policyFile}.tmp`, policyFile);
  };
  const load = () => resolvePolicy(policyFile, { cwd: tmp, knownRuleIds: known, noConfig: true });
  const ask = async (uid: string) => {
    const r = await call({ port: s.port, ca: pki.ca.certPem, servername: HOST, method: 'POST', path: '/validate', body: reviewBody(MINIO, { uid }) });
    return { status: r.status, allowed: (r.json as { response?: { allowed?: boolean; uid?: string } } | undefined)?.response?.allowed, uid: (r.json as { response?: { uid?: string } } | undefined)?.response?.uid };
  };
  const waitFor = async (pred: () => Promise<boolean>, ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (await pred()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-policy-reload-'));
    policyFile = path.join(tmp, 'policy.yaml');
    write('extends: production\n');
    pki = await generatePki({ service: SVC, namespace: 'imply-lint', now: new Date() });
    const dir = new KubeletSecretDir(fs.mkdtempSync(path.join(tmp, 'certs-')));
    dir.update({ 'tls.crt': pki.serving.certPem, 'tls.key': pki.serving.keyPem });
    s = await startServer({
      host: '127.0.0.1',
      port: 0,
      certs: { kind: 'files', certFile: dir.certFile, keyFile: dir.keyFile },
      policy: load(),
      mode: 'enforce',
      onError: 'deny',
      drainDelayMs: 50,
      maxBodyBytes: 6 * 1024 * 1024,
      ruleTimeoutMs: 5000,
      workers: 2,
      logLine: (l) => logs.push(JSON.parse(l) as { event?: string }),
      policyReload: { files: [policyFile], load, pollMs: 100 },
    });
  });

  afterAll(async () => {
    await s.shutdown('test');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('swaps in a new policy with zero failed requests during the swap', async () => {
    expect((await ask('before')).allowed).toBe(false); // production: quickstart MinIO denied
    let stop = false;
    const answers: { status: number; uid?: string }[] = [];
    const sent: string[] = [];
    const load = (async () => {
      for (let i = 0; i < 400 && !stop; i++) {
        const uid = `load-${i}`;
        sent.push(uid);
        answers.push(await ask(uid));
      }
    })();
    write('extends: quickstart\n'); // quickstart: MinIO allowed
    const swapped = await waitFor(async () => (await ask('probe')).allowed === true, 15_000);
    stop = true;
    await load;
    expect(swapped).toBe(true);
    expect(answers.length).toBe(sent.length);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.map((a) => a.uid)).toEqual(sent);
    expect(logs.some((l) => l.event === 'policy-reloaded')).toBe(true);
  });

  it('refuses a policy that does not load and keeps serving the old one', async () => {
    write('rules:\n  no-such-rule: error\n');
    const refused = await waitFor(async () => logs.some((l) => l.event === 'policy-refused'), 10_000);
    expect(refused).toBe(true);
    const a = await ask('after-bad');
    expect(a.status).toBe(200);
    expect(a.allowed).toBe(true); // still the quickstart policy
    const metrics = (await call({ port: s.port, ca: pki.ca.certPem, servername: HOST, path: '/metrics' })).text;
    expect(metrics).toMatch(/imply_lint_webhook_policy_reloads_total\{result="swapped"\} 1\b/);
    expect(metrics).toMatch(/imply_lint_webhook_policy_reloads_total\{result="refused"\} 1\b/);
    expect(s.isReady()).toBe(true);
  });
});
