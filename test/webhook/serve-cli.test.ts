// `imply-lint serve` as a command: flags and their IMPLY_LINT_* variables, one-line errors with exit 2, SIGTERM
// ending in exit 0, and self-managed mode end to end (two replicas against a fake Kubernetes API).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePki } from '../../src/webhook/certs.js';
import type { Pki } from '../../src/webhook/certs.js';
import { cli } from '../helpers/cli.js';
import { FakeKube } from './helpers/fake-kube.js';
import { call, reviewBody } from './helpers/https.js';
import { startServe } from './helpers/serve-process.js';

const SVC = 'imply-lint-webhook';
const NS = 'imply-lint';
const HOST = `${SVC}.${NS}.svc`;

let dir: string;
let pki: Pki;
let cert: string;
let key: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-serve-'));
  pki = await generatePki({ service: SVC, namespace: NS, now: new Date() });
  cert = path.join(dir, 'tls.crt');
  key = path.join(dir, 'tls.key');
  fs.writeFileSync(cert, pki.serving.certPem);
  fs.writeFileSync(key, pki.serving.keyPem);
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('serve: flags, variables and errors', () => {
  it('prints its help', async () => {
    const r = await cli(['serve', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: imply-lint serve --cert FILE --key FILE/);
    for (const flag of ['--host', '--port', '--policy', '--mode', '--on-error', '--drain-delay', '--max-body', '--self-managed']) expect(r.stdout).toContain(flag);
  });

  it.each([
    [['serve'], {}, 'imply-lint: serve: --cert and --key are required (or --self-managed)'],
    [['serve', '--cert', 'c', '--key', 'k', '--mode', 'block'], {}, 'imply-lint: --mode: expected enforce, warn or audit, got "block"'],
    [['serve', '--cert', 'c', '--key', 'k'], { IMPLY_LINT_MODE: 'block' }, 'imply-lint: --mode: expected enforce, warn or audit, got "block"'],
    [['serve', '--cert', 'c', '--key', 'k', '--on-error', 'maybe'], {}, 'imply-lint: --on-error: expected allow or deny, got "maybe"'],
    [['serve', '--cert', 'c', '--key', 'k', '--drain-delay', 'soon'], {}, 'imply-lint: --drain-delay: invalid duration "soon" (use e.g. 5s, 250ms, 2m)'],
    [['serve', '--cert', 'c', '--key', 'k'], { IMPLY_LINT_MAX_BODY: 'lots' }, 'imply-lint: --max-body: invalid size "lots" (use e.g. 6MiB)'],
    [['serve', '--cert', 'c', '--key', 'k', '--max-body', '100'], {}, 'imply-lint: --max-body: must be at least 1KiB'],
    [['serve', '--cert', 'c', '--key', 'k', '--port', '99999'], {}, 'imply-lint: --port: expected a whole number from 0 to 65535, got "99999"'],
    [['serve', '--cert', 'c', '--key', 'k', '--cert-poll', '5s'], {}, 'imply-lint: --cert-poll: must be more than 0 and at most 2s'],
    [['serve', '--self-managed', '--cert', 'c'], {}, 'imply-lint: serve: --self-managed and --cert/--key exclude each other'],
    [['serve'], { IMPLY_LINT_SELF_MANAGED: 'true' }, 'imply-lint: serve --self-managed: --service, --namespace and --webhook-config are required'],
    [['serve'], { IMPLY_LINT_SELF_MANAGED: 'perhaps' }, 'imply-lint: IMPLY_LINT_SELF_MANAGED: expected true or false, got "perhaps"'],
    [['serve', '--bogus'], {}, "imply-lint: unknown flag '--bogus' (see imply-lint --help)"],
    [['serve', '--cert', 'c', '--key', 'k'], { IMPLY_LINT_SKIP_RULE: 'replicas-ha, no-such-rule' }, 'imply-lint: unknown rule id "no-such-rule" (imply-lint rules lists them)'],
    [['serve', '--cert', 'c', '--key', 'k', '--policy', 'lenient'], {}, /^imply-lint: \S*lenient:1:1: policy not found: lenient \(packs: production, staging, quickstart\)$/m],
  ])('%j %j -> exit 2', async (argv, envVars, line) => {
    const r = await cli(argv, { cwd: dir, env: envVars as Record<string, string> });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')).toHaveLength(2);
    if (typeof line === 'string') expect(r.stderr.startsWith(line), r.stderr).toBe(true);
    else expect(r.stderr).toMatch(line);
  });

  it('a missing or mismatched certificate is one line and exit 2', async () => {
    const missing = await cli(['serve', '--cert', 'nope.crt', '--key', key], { cwd: dir });
    expect([missing.code, missing.stderr]).toEqual([2, `imply-lint: ${path.join(dir, 'nope.crt')}: cannot read certificate: no such file\n`]);
    const other = await generatePki({ service: SVC, namespace: NS, now: new Date() });
    fs.writeFileSync(path.join(dir, 'other.key'), other.serving.keyPem);
    const mismatch = await cli(['serve', '--cert', cert, '--key', path.join(dir, 'other.key')], { cwd: dir });
    expect([mismatch.code, mismatch.stderr]).toEqual([2, `imply-lint: ${cert}: private key does not match the certificate\n`]);
  });

  it('a policy whose custom rule cannot compile stops the start (exit 2, file:line)', async () => {
    const p = path.join(dir, 'bad-policy.yaml');
    fs.writeFileSync(p, 'extends: production\ncustomRules:\n  - id: my-rule\n    title: t\n    severity: error\n    target: manifest\n    schema: { pattern: "(a+)+$" }\n    message: m\n');
    const r = await cli(['serve', '--cert', cert, '--key', key, '--policy', p], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^imply-lint: \S*bad-policy\.yaml:3:\d+: custom rule my-rule: pattern "\(a\+\)\+\$" refused/);
  });
});

describe('serve as a process', () => {
  it('takes its settings from IMPLY_LINT_* variables, and exits 0 after the drain on SIGTERM', async () => {
    const s = await startServe([], { env: { IMPLY_LINT_CERT: cert, IMPLY_LINT_KEY: key, IMPLY_LINT_MODE: 'warn', IMPLY_LINT_DRAIN_DELAY: '1s', IMPLY_LINT_WORKERS: '1' } });
    try {
      await s.waitReady(pki.ca.certPem, HOST);
      const minio = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'imply-minio', labels: { release: 'imply', app: 'minio' } }, spec: { template: { spec: { containers: [{ name: 'minio', image: 'minio/minio:RELEASE.2020-03-06T22-23-56Z' }] } } } };
      const res = await call({ port: s.port, ca: pki.ca.certPem, servername: HOST, method: 'POST', path: '/validate', body: reviewBody(minio) });
      expect(res.json.response.allowed).toBe(true);
      expect(res.json.response.warnings[0]).toMatch(/^\[no-quickstart-minio\]/);
      expect(s.logs.find((l) => l.event === 'listening')).toMatchObject({ mode: 'warn', onError: 'allow', policy: 'production', certs: 'files' });
    } finally {
      const t0 = Date.now();
      s.kill('SIGTERM');
      const e = await s.exited;
      expect(e.code).toBe(0);
      expect(e.at - t0).toBeGreaterThanOrEqual(900);
      expect(e.at - t0).toBeLessThan(25_000);
      expect(s.logs.map((l) => l.event)).toEqual(expect.arrayContaining(['draining', 'stopped']));
    }
  }, 90_000);
});

describe('self-managed mode end to end', () => {
  it('two replicas share one Secret, the Lease holder patches the caBundle, and both serve what the bundle trusts', async () => {
    const kube = new FakeKube();
    await kube.start();
    kube.seed('webhookConfig', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'wh-imply-lint-webhook' },
      webhooks: [{ name: 'instance.imply-lint.io', admissionReviewVersions: ['v1'], sideEffects: 'None', clientConfig: { service: { name: SVC, namespace: NS, path: '/validate', port: 443 } } }],
    });
    const kubeconfig = kube.kubeconfig(dir);
    const common = { IMPLY_LINT_SELF_MANAGED: 'true', IMPLY_LINT_SERVICE: SVC, IMPLY_LINT_NAMESPACE: NS, IMPLY_LINT_WEBHOOK_CONFIG: 'wh-imply-lint-webhook', IMPLY_LINT_KUBECONFIG: kubeconfig, IMPLY_LINT_SYNC_INTERVAL: '500ms', IMPLY_LINT_DRAIN_DELAY: '200ms', IMPLY_LINT_WORKERS: '1' };
    const a = await startServe([], { env: { ...common, POD_NAME: 'webhook-a' } });
    const b = await startServe([], { env: { ...common, POD_NAME: 'webhook-b' } });
    try {
      // Ready only once the Secret's pair is served and the caBundle is in place.
      const bundle = async (): Promise<string> => {
        for (let i = 0; i < 150; i++) {
          const cb = kube.webhookConfigs.get('wh-imply-lint-webhook')!.webhooks[0].clientConfig.caBundle as string | undefined;
          if (cb) return Buffer.from(cb, 'base64').toString('utf8');
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error('caBundle never patched');
      };
      const ca = await bundle();
      await a.waitReady(ca, HOST);
      await b.waitReady(ca, HOST);
      const fa = (await call({ port: a.port, ca, servername: HOST, path: '/healthz' })).peer!.fingerprint256;
      const fb = (await call({ port: b.port, ca, servername: HOST, path: '/healthz' })).peer!.fingerprint256;
      expect(fa).toBe(fb);
      expect(kube.secrets.size).toBe(1);
      expect(kube.leases.size).toBe(1);
      expect(['webhook-a', 'webhook-b']).toContain(kube.leases.get(`${NS}/imply-lint-webhook-certs`)!.spec.holderIdentity);
      expect(kube.violations).toEqual([]);
    } finally {
      a.kill('SIGTERM');
      b.kill('SIGTERM');
      expect((await a.exited).code).toBe(0);
      expect((await b.exited).code).toBe(0);
      // The holder released the Lease on the way out.
      expect(kube.leases.get(`${NS}/imply-lint-webhook-certs`)!.spec.holderIdentity).toBe('');
      await kube.stop();
    }
  }, 120_000);
});
