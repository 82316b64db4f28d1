// The webhook's Helm chart (deploy/webhook): real `helm lint` and `helm template`, every rendered object
// validated against the Kubernetes OpenAPI models, and the properties the deployment must have (replicas,
// anti-affinity, PDB, probes, resources, non-root read-only security context, least-privilege RBAC, the
// webhook configuration's selectors and settings).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYamlStream } from '../../src/model/yaml.js';
import { resolvePolicy } from '../../src/rules/policy.js';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import { CHART, ROOT, find, helmLint, helmTemplate, helmTemplateError } from './helpers/chart.js';
import { validateK8sObject } from './helpers/k8s-schema.js';

type Obj = Record<string, any>;

const MODES = [
  ['selfManaged', []],
  ['certManager', ['--set', 'certs.mode=certManager']],
  ['certManager with an issuer', ['--set', 'certs.mode=certManager', '--set', 'certs.certManager.issuerRef.name=corp-ca', '--set', 'certs.certManager.issuerRef.kind=ClusterIssuer']],
  ['secret', ['--set', 'certs.mode=secret', '--set', 'webhook.caBundle=LS0tLS1CRUdJTg==']],
] as const;

describe('helm lint', () => {
  it.each(MODES)('passes --strict in %s mode', async (_name, args) => {
    const r = await helmLint([...args]);
    expect(r.out).toContain('0 chart(s) failed');
    expect(r.code).toBe(0);
  });

  it('rejects values the schema forbids', async () => {
    for (const bad of [['webhook.mode=block'], ['webhook.failurePolicy=Maybe'], ['webhook.timeoutSeconds=31'], ['certs.mode=manual'], ['policy.pack=lenient']]) {
      const r = await helmLint(['--set', bad[0]]);
      expect(r.code, bad[0]).not.toBe(0);
      expect(r.out).toMatch(/values don't meet the specifications of the schema|schema/i);
    }
  });
});

describe('helm template: objects valid against the Kubernetes schemas', () => {
  it.each(MODES)('%s mode', async (_name, args) => {
    const objs = await helmTemplate([...args]);
    expect(objs.length).toBeGreaterThan(4);
    for (const o of objs as Obj[]) {
      if (String(o.apiVersion).startsWith('cert-manager.io/')) continue; // checked below (a CRD: no schema here)
      expect(validateK8sObject(o), `${o.kind}/${o.metadata?.name}`).toEqual([]);
    }
  });

  it('the schema check catches what the API server would refuse', () => {
    const bad = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: [{ port: '443', tagetPort: 8443 }] } };
    const errs = validateK8sObject(bad);
    expect(errs).toContain('Service.spec.ports[0].port: expected number, got "443"');
    expect(errs).toContain('Service.spec.ports[0].tagetPort: unknown field (V1ServicePort)');
    expect(validateK8sObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template: {} } })).toContain('Deployment.spec.selector: required (V1DeploymentSpec)');
  });
});

describe('the Deployment', () => {
  it('runs 3 replicas, spread by preferred anti-affinity, with a PDB', async () => {
    const objs = await helmTemplate();
    const d = find(objs, 'Deployment') as Obj;
    expect(d.spec.replicas).toBe(3);
    const pref = d.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
    expect(pref[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    expect(pref[0].podAffinityTerm.labelSelector.matchLabels).toEqual(d.spec.selector.matchLabels);
    expect(d.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    const pdb = find(objs, 'PodDisruptionBudget') as Obj;
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
    expect(d.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
  });

  it('has HTTPS probes on /readyz and /healthz, resources, and a non-root read-only security context', async () => {
    const d = find(await helmTemplate(), 'Deployment') as Obj;
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
    expect(c.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
    expect(c.resources.limits.memory).toBe('512Mi');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    // The server exits within 25 s of SIGTERM; the kubelet waits longer than that.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(25);
    // Drain delay longer than the readiness probe needs to notice.
    const env = Object.fromEntries(c.env.filter((e: Obj) => 'value' in e).map((e: Obj) => [e.name, e.value]));
    expect(env.IMPLY_LINT_DRAIN_DELAY).toBe('5s');
    expect(c.readinessProbe.periodSeconds * c.readinessProbe.failureThreshold).toBeLessThan(5);
    expect(env.IMPLY_LINT_MAX_BODY).toBe('6MiB');
  });

  it('configures the server through IMPLY_LINT_* variables that `serve` knows', async () => {
    const { SERVE_HELP } = await import('../../src/cli/serve.js');
    for (const [, args] of MODES) {
      const d = find(await helmTemplate([...args]), 'Deployment') as Obj;
      const c = d.spec.template.spec.containers[0];
      expect(c.args).toEqual(['serve']);
      for (const e of c.env as Obj[]) {
        if (!e.name.startsWith('IMPLY_LINT_')) continue;
        const flag = `--${e.name.slice('IMPLY_LINT_'.length).toLowerCase().replace(/_/g, '-')}`;
        expect(SERVE_HELP, `${e.name} -> ${flag}`).toContain(flag);
      }
    }
  });

  it('leaves the worker count to the CPU limit unless webhook.workers is set (0 included)', async () => {
    const env = async (args: string[]) => Object.fromEntries(((find(await helmTemplate(args), 'Deployment') as Obj).spec.template.spec.containers[0].env as Obj[]).map((e) => [e.name, e.value]));
    expect((await env([])).IMPLY_LINT_WORKERS).toBeUndefined();
    expect((await env(['--set', 'webhook.workers=0'])).IMPLY_LINT_WORKERS).toBe('0');
    expect((await env(['--set', 'webhook.workers=2'])).IMPLY_LINT_WORKERS).toBe('2');
    expect((await env(['--set-string', 'webhook.workers=3'])).IMPLY_LINT_WORKERS).toBe('3');
    expect(await helmTemplateError(['--set', 'webhook.workers=65'])).toMatch(/workers/);
  });

  it('mounts the TLS Secret except in self-managed mode, which gets its pod name for the Lease', async () => {
    const self = find(await helmTemplate(), 'Deployment') as Obj;
    expect(self.spec.template.spec.volumes.map((v: Obj) => v.name)).not.toContain('tls');
    expect(self.spec.template.spec.containers[0].env.find((e: Obj) => e.name === 'POD_NAME').valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    expect(self.spec.template.spec.automountServiceAccountToken).toBe(true);
    const cm = find(await helmTemplate(['--set', 'certs.mode=certManager']), 'Deployment') as Obj;
    expect(cm.spec.template.spec.volumes.find((v: Obj) => v.name === 'tls').secret.secretName).toBe('wh-imply-lint-webhook-tls');
    expect(cm.spec.template.spec.automountServiceAccountToken).toBe(false);
  });
});

describe('RBAC', () => {
  it('self-managed mode: only its Secret, Lease and webhook configuration, by name', async () => {
    const objs = await helmTemplate();
    const role = find(objs, 'Role') as Obj;
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['wh-imply-lint-webhook-certs'], verbs: ['get', 'update'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['wh-imply-lint-webhook-certs'], verbs: ['get', 'update'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    ]);
    const cr = find(objs, 'ClusterRole') as Obj;
    expect(cr.rules).toEqual([{ apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], resourceNames: ['wh-imply-lint-webhook'], verbs: ['get', 'patch'] }]);
    for (const o of objs.filter((x) => /Role/.test(String(x.kind)))) for (const r of (o as Obj).rules ?? []) expect(r.verbs).not.toContain('*');
    const rb = find(objs, 'RoleBinding') as Obj;
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'wh-imply-lint-webhook', namespace: 'imply-lint' }]);
  });

  it('other modes never call the API server: no roles, no token', async () => {
    for (const args of [['--set', 'certs.mode=certManager'], ['--set', 'certs.mode=secret', '--set', 'webhook.caBundle=QUJD']]) {
      const objs = await helmTemplate(args);
      expect(objs.filter((o) => /Role/.test(String(o.kind)))).toEqual([]);
      expect((find(objs, 'ServiceAccount') as Obj).automountServiceAccountToken).toBe(false);
    }
  });
});

describe('the ValidatingWebhookConfiguration', () => {
  it('has separate entries for main-chart objects, subchart objects and Secrets by name', async () => {
    const vwc = find(await helmTemplate(['--set', 'certs.mode=secret', '--set', 'webhook.caBundle=QUJD']), 'ValidatingWebhookConfiguration') as Obj;
    expect(vwc.webhooks.map((w: Obj) => w.name)).toEqual(['instance.imply-lint.io', 'subchart.imply-lint.io', 'secrets.imply-lint.io']);
    for (const w of vwc.webhooks as Obj[]) {
      expect(w.admissionReviewVersions).toEqual(['v1']);
      expect(w.sideEffects).toBe('None');
      expect(w.failurePolicy).toBe('Fail');
      expect(w.timeoutSeconds).toBeLessThanOrEqual(10);
      expect(w.clientConfig).toEqual({ service: { name: 'wh-imply-lint-webhook', namespace: 'imply-lint', path: '/validate', port: 443 }, caBundle: 'QUJD' });
      expect(w.namespaceSelector).toEqual({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'imply-lint'] }] });
      // Deletes are never sent (always allowed; and a webhook outage must not block cleanup).
      for (const r of w.rules) expect(r.operations).toEqual(['CREATE', 'UPDATE']);
    }
    const [main, sub, secrets] = vwc.webhooks as Obj[];
    expect(main.objectSelector).toEqual({ matchExpressions: [{ key: 'app.kubernetes.io/instance', operator: 'Exists' }] });
    expect(sub.objectSelector).toEqual({ matchExpressions: [{ key: 'release', operator: 'Exists' }, { key: 'app.kubernetes.io/instance', operator: 'DoesNotExist' }] });
    expect(secrets.objectSelector.matchExpressions.map((e: Obj) => `${e.key} ${e.operator}`)).toEqual(['app.kubernetes.io/instance DoesNotExist', 'release DoesNotExist']);
    expect(secrets.matchConditions).toEqual([{ name: 'imply-secret-names', expression: "object.metadata.name in ['imply-ca', 'imply-auth-token', 'imply-secrets']" }]);
    expect(secrets.rules).toEqual([{ apiGroups: [''], apiVersions: ['v1'], resources: ['secrets'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' }]);
  });

  it('limits to named releases, more namespaces, failurePolicy Ignore and other Secret names when asked', async () => {
    const objs = await helmTemplate([
      '--set', 'certs.mode=secret', '--set', 'webhook.caBundle=QUJD',
      '--set', 'webhook.releases={imply,imply-eu}', '--set', 'webhook.excludeNamespaces={monitoring}',
      '--set', 'webhook.failurePolicy=Ignore', '--set', 'policy.secretNames.ca=corp-ca', '--set', 'webhook.timeoutSeconds=3',
    ]);
    const vwc = find(objs, 'ValidatingWebhookConfiguration') as Obj;
    const [main, sub, secrets] = vwc.webhooks as Obj[];
    expect(main.objectSelector.matchExpressions[0]).toEqual({ key: 'app.kubernetes.io/instance', operator: 'In', values: ['imply', 'imply-eu'] });
    expect(sub.objectSelector.matchExpressions[0]).toEqual({ key: 'release', operator: 'In', values: ['imply', 'imply-eu'] });
    expect(main.namespaceSelector.matchExpressions[0].values).toEqual(['kube-system', 'imply-lint', 'monitoring']);
    expect(vwc.webhooks.every((w: Obj) => w.failurePolicy === 'Ignore' && w.timeoutSeconds === 3)).toBe(true);
    expect(secrets.matchConditions[0].expression).toBe("object.metadata.name in ['corp-ca', 'imply-auth-token', 'imply-secrets']");
    // The server's policy knows the same names.
    const cm = find(objs, 'ConfigMap', 'wh-imply-lint-webhook-policy') as Obj;
    expect(cm.data['policy.yaml']).toContain('ca: "corp-ca"');
    const noSecrets = find(await helmTemplate(['--set', 'webhook.secretsByName=false']), 'ValidatingWebhookConfiguration') as Obj;
    expect(noSecrets.webhooks.map((w: Obj) => w.name)).toEqual(['instance.imply-lint.io', 'subchart.imply-lint.io']);
  });

  it('self-managed mode renders no caBundle (the leader patches it); cert-manager mode asks the cainjector', async () => {
    const self = find(await helmTemplate(), 'ValidatingWebhookConfiguration') as Obj;
    for (const w of self.webhooks) expect(w.clientConfig.caBundle).toBeUndefined();
    const cm = find(await helmTemplate(['--set', 'certs.mode=certManager']), 'ValidatingWebhookConfiguration') as Obj;
    expect(cm.metadata.annotations['cert-manager.io/inject-ca-from']).toBe('imply-lint/wh-imply-lint-webhook');
  });

  it('secret mode refuses to render without a caBundle', async () => {
    expect(await helmTemplateError(['--set', 'certs.mode=secret'])).toContain('certs.mode=secret needs webhook.caBundle');
  });

  it('the webhook never reviews its own objects (no release labels, own namespace excluded)', async () => {
    for (const o of await helmTemplate()) {
      const labels = (o as Obj).metadata.labels ?? {};
      expect(labels['app.kubernetes.io/instance']).toBeUndefined();
      expect(labels.release).toBeUndefined();
    }
  });
});

describe('cert-manager objects', () => {
  it('bootstraps a CA issuer and issues the serving certificate for the Service names', async () => {
    const objs = await helmTemplate(['--set', 'certs.mode=certManager']);
    const certs = objs.filter((o) => o.kind === 'Certificate') as Obj[];
    expect(certs.map((c) => c.metadata.name)).toEqual(['wh-imply-lint-webhook-ca', 'wh-imply-lint-webhook']);
    const serving = certs[1];
    expect(serving.apiVersion).toBe('cert-manager.io/v1');
    expect(serving.spec).toMatchObject({
      secretName: 'wh-imply-lint-webhook-tls',
      dnsNames: ['wh-imply-lint-webhook.imply-lint.svc', 'wh-imply-lint-webhook.imply-lint.svc.cluster.local'],
      usages: ['server auth', 'digital signature', 'key encipherment'],
      issuerRef: { name: 'wh-imply-lint-webhook-ca', kind: 'Issuer', group: 'cert-manager.io' },
    });
    expect(certs[0].spec.isCA).toBe(true);
    const issuers = objs.filter((o) => o.kind === 'Issuer') as Obj[];
    expect(issuers.map((i) => Object.keys(i.spec)[0])).toEqual(['selfSigned', 'ca']);
    // With an issuer given, only the serving Certificate.
    const given = await helmTemplate(['--set', 'certs.mode=certManager', '--set', 'certs.certManager.issuerRef.name=corp-ca', '--set', 'certs.certManager.issuerRef.kind=ClusterIssuer']);
    expect(given.filter((o) => o.kind === 'Issuer')).toEqual([]);
    expect((find(given, 'Certificate') as Obj).spec.issuerRef).toEqual({ name: 'corp-ca', kind: 'ClusterIssuer' });
  });
});

describe('the policy ConfigMap', () => {
  it('is a policy the server loads (pack, Secret names, mode, user rules)', async () => {
    const objs = await helmTemplate(['--set', 'policy.pack=staging', '--set', 'webhook.mode=warn', '--set', 'policy.rules.replicas-ha=off']);
    const text = (find(objs, 'ConfigMap', 'wh-imply-lint-webhook-policy') as Obj).data['policy.yaml'] as string;
    const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules/.cache/imply-lint-policy-'));
    try {
      const file = path.join(dir, 'policy.yaml');
      fs.writeFileSync(file, text);
      const p = resolvePolicy(file, { cwd: dir, knownRuleIds: new Set(BUILTIN_RULES.map((r) => r.meta.id)) });
      expect(p.settings.mode).toBe('warn');
      expect(p.settings.secretNames).toEqual({ ca: 'imply-ca', auth: 'imply-auth-token', license: 'imply-secrets' });
      expect(p.rules['replicas-ha']?.severity).toBe('off');
      expect(p.rules['no-quickstart-minio']?.severity).toBe('warning'); // from staging
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // A policy change rolls the pods.
    const a = (find(objs, 'Deployment') as Obj).spec.template.metadata.annotations['checksum/policy'];
    const b = (find(await helmTemplate(), 'Deployment') as Obj).spec.template.metadata.annotations['checksum/policy'];
    expect(a).not.toBe(b);
  });
});

describe('Dockerfile', () => {
  const text = fs.readFileSync(path.join(CHART, 'Dockerfile'), 'utf8');

  it('runs the bundle as the non-root user the chart expects', async () => {
    const d = find(await helmTemplate(), 'Deployment') as Obj;
    const uid = d.spec.template.spec.securityContext.runAsUser;
    expect(text).toMatch(new RegExp(`^USER ${uid}:${uid}$`, 'm'));
    expect(text).toMatch(/^ENTRYPOINT \["\/nodejs\/bin\/node", "\/app\/bin\/imply-lint\.js"\]$/m);
    expect(text).toMatch(/^CMD \["serve"\]$/m);
    expect(text).toMatch(/^EXPOSE 8443$/m);
  });

  it('copies only paths that exist and builds with the repository bundler', () => {
    for (const m of text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const src of m[1].split(/\s+/)) expect(fs.existsSync(path.join(ROOT, src)), src).toBe(true);
    }
    expect(text).toContain('node scripts/bundle.mjs');
    expect(text).toContain('npm prune --omit=dev');
  });
});

describe('chart files', () => {
  it('Chart.yaml is apiVersion v2 with a kubeVersion range', () => {
    const chart = parseYamlStream(fs.readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8'))[0].value as Obj;
    expect(chart.apiVersion).toBe('v2');
    expect(chart.name).toBe('imply-lint-webhook');
    expect(chart.kubeVersion).toMatch(/^>=/);
  });
});

describe('docs/webhook.md', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/webhook.md'), 'utf8');
  const values = parseYamlStream(fs.readFileSync(path.join(CHART, 'values.yaml'), 'utf8'))[0].value as Obj;

  it('every --set in the doc names a key of values.yaml', () => {
    const keys = [...doc.matchAll(/--set ([A-Za-z.]+)=/g)].map((m) => m[1]);
    expect(keys.length).toBeGreaterThan(4);
    for (const k of keys) {
      let cur: unknown = values;
      for (const seg of k.split('.')) {
        // A free-form map in values.yaml (issuerRef: {}) takes any key.
        if (cur && typeof cur === 'object' && Object.keys(cur).length === 0) break;
        cur = (cur as Obj | undefined)?.[seg];
      }
      expect(cur, k).not.toBeUndefined();
    }
  });

  it('documents every serve flag and every webhook metric', async () => {
    const { SERVE_HELP } = await import('../../src/cli/serve.js');
    for (const flag of new Set([...SERVE_HELP.matchAll(/(--[a-z][a-z-]+)/g)].map((m) => m[1]))) expect(doc, flag).toContain(flag);
    const metricsSrc = fs.readFileSync(path.join(ROOT, 'src/webhook/metrics.ts'), 'utf8');
    for (const m of metricsSrc.matchAll(/name: '(imply_lint_webhook_[a-z_]+)'/g)) expect(doc, m[1]).toContain(m[1]);
  });
});
