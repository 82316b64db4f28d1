// Real-helm tests of the mini Imply chart (test/fixtures/imply-mini-chart): it lints, renders, and renders
// what the real Imply chart 2023.03.1 renders for the parts imply-lint's rules read (compared with the
// reference renders in ../shared/reference/chart-2023.03.1, same values files, same helm flags).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { HelmError, helmVersion, renderChart } from '../../src/model/helm.js';
import type { HelmSetFlag, RenderChartOptions } from '../../src/model/helm.js';
import { agentNodeType, buildManifestModel, envVar, implyWorkloads, managerOf, splitRenderedList, subchartComponent } from '../../src/model/manifests.js';
import { makeSource } from '../../src/model/source.js';
import type { K8sObject, ManifestModel } from '../../src/model/types.js';
import { helmBin } from '../helpers/helm.js';

const CHART = path.resolve(import.meta.dirname, '../fixtures/imply-mini-chart');
const REF = path.resolve(import.meta.dirname, '../../../shared/reference/chart-2023.03.1');
const run = promisify(execFile);

async function render(sets: HelmSetFlag[] = [], extra: Partial<RenderChartOptions> = {}): Promise<{ text: string; model: ManifestModel }> {
  const text = await renderChart({ helm: helmBin(), chartDir: CHART, releaseName: 'imply', valuesFiles: [], sets, ...extra });
  const source = makeSource('mini-chart (rendered)', text, 'manifest');
  for (const d of source.docs) expect(d.errors, `document ${d.index} parses`).toStrictEqual([]);
  return { text, model: buildManifestModel([source], undefined, true) };
}

const set = (expr: string): HelmSetFlag => ({ flag: '--set', expr });
const refs = (m: ManifestModel): string[] => m.objects.map((o) => o.ref).sort();
const workload = (m: ManifestModel, ref: string): K8sObject => {
  const o = m.objects.find((x) => x.ref === ref);
  if (!o) throw new Error(`${ref} not rendered; have ${refs(m).join(', ')}`);
  return o;
};
const podVolumes = (o: K8sObject): Record<string, unknown>[] => {
  const spec = o.raw.spec as { template?: { spec?: { volumes?: Record<string, unknown>[] } } };
  return spec.template?.spec?.volumes ?? [];
};

describe('imply-mini-chart with real helm', () => {
  let defaults: { text: string; model: ManifestModel };
  beforeAll(async () => {
    defaults = await render();
  });

  it('passes helm lint (its warnings are the real chart\'s own: a non-SemVer version and policy/v1beta1 PDBs by default)', async () => {
    const { stdout } = await run(helmBin(), ['lint', CHART]);
    expect(stdout).toContain('0 chart(s) failed');
    expect(stdout).not.toContain('[ERROR]');
    const warnings = stdout.split('\n').filter((l) => l.startsWith('[WARNING]'));
    for (const w of warnings) expect(w).toMatch(/version '2023\.03\.1' is not a valid SemVerV2|policy\/v1beta1 PodDisruptionBudget is deprecated/);
  });

  it('reports the helm version it runs', async () => {
    expect(await helmVersion(helmBin())).toMatch(/^4\.\d+\.\d+/);
  });

  it('renders the manager, the three agent tiers, the query Service and the quickstart subcharts', () => {
    const m = defaults.model;
    expect(m.releaseName).toBe('imply');
    expect(managerOf(m)?.ref).toBe('Deployment/imply-manager');
    expect(implyWorkloads(m).map((o) => `${o.ref}=${agentNodeType(o) ?? 'manager'}`).sort()).toStrictEqual([
      'Deployment/imply-manager=manager',
      'Deployment/imply-master=master',
      'Deployment/imply-query=query',
      'StatefulSet/imply-data=dataTier1',
    ]);
    expect(workload(m, 'Service/imply-query').raw.spec).toMatchObject({ type: 'ClusterIP', ports: [{ name: 'router', port: 8888, targetPort: 'router' }, { name: 'pivot', port: 9095 }] });
    const byComponent = (c: string): string[] => m.objects.filter((o) => subchartComponent(o) === c).map((o) => o.ref).sort();
    expect(byComponent('minio')).toStrictEqual(['Deployment/imply-minio', 'PersistentVolumeClaim/imply-minio', 'Secret/imply-minio', 'Service/imply-minio']);
    expect(byComponent('zookeeper')).toContain('StatefulSet/imply-zookeeper');
    expect(byComponent('mysql')).toStrictEqual([]);
  });

  it('renders the manager env the rules read (store, ZooKeeper, runtime properties joined with a literal \\n)', () => {
    const mgr = managerOf(defaults.model)!;
    expect(envVar(mgr, 'IMPLY_MANAGER_STORE_TYPE')?.value).toBe('postgresql');
    expect(envVar(mgr, 'IMPLY_MANAGER_STORE_HOST')?.value).toBe('postgres.default.svc.cluster.local');
    expect(envVar(mgr, 'imply_defaults_zkHosts')?.value).toBe('imply-zookeeper:2181');
    const common = envVar(mgr, 'imply_defaults_commonCustomDruidProperties')?.value ?? '';
    expect(common).not.toContain('\n');
    expect(splitRenderedList(common)).toStrictEqual(['# MinIO configurations', 'druid.s3.endpoint.url=http://imply-minio:9000', 'druid.s3.enablePathStyleAccess=true']);
    expect(envVar(mgr, 'IMPLY_MANAGER_CA_CERT_PATH')).toBeUndefined();
    expect(envVar(mgr, 'IMPLY_MANAGER_AUTH_TOKEN')).toBeUndefined();
  });

  it('keeps the MinIO container whole although its command continues at the key\'s indentation', () => {
    const minio = workload(defaults.model, 'Deployment/imply-minio');
    expect(defaults.text).toContain('command: [ "/bin/sh",\n          "-ce",');
    expect(envVar(minio, 'MINIO_ACCESS_KEY')?.valueFrom).toStrictEqual({ secretKeyRef: { name: 'imply-minio', key: 'accesskey' } });
  });

  it('deployments.minio=false removes every MinIO object (also the unlabelled ServiceAccount and the bucket Job)', async () => {
    const off = await render([set('deployments.minio=false')]);
    const minioRefs = refs(defaults.model).filter((r) => r.includes('minio'));
    expect(minioRefs).toStrictEqual(['Deployment/imply-minio', 'Job/imply-minio-make-bucket-job', 'PersistentVolumeClaim/imply-minio', 'Secret/imply-minio', 'Service/imply-minio', 'ServiceAccount/imply-minio']);
    expect(refs(off.model).filter((r) => r.includes('minio'))).toStrictEqual([]);
    expect(refs(off.model)).toStrictEqual(refs(defaults.model).filter((r) => !minioRefs.includes(r)));
  });

  it('a -f file turning MinIO off does the same as --set', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mini-chart-'));
    try {
      const f = path.join(dir, 'off.yaml');
      fs.writeFileSync(f, 'deployments:\n  minio: false\n');
      const off = await render([], { valuesFiles: [f] });
      expect(refs(off.model).some((r) => r.includes('minio'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a non-boolean condition leaves the subchart on (helm treats "false" as enabled)', async () => {
    const str = await render([{ flag: '--set-string', expr: 'deployments.minio=false' }]);
    expect(refs(str.model)).toContain('Deployment/imply-minio');
  });

  it('deployments.mysql=true adds the bundled MySQL, labelled app: <release>-mysql, with the parent\'s tag', async () => {
    const on = await render([set('deployments.mysql=true')]);
    const mysql = on.model.objects.filter((o) => subchartComponent(o) === 'mysql').map((o) => o.ref).sort();
    expect(mysql).toStrictEqual(['Deployment/imply-mysql', 'PersistentVolumeClaim/imply-mysql', 'Secret/imply-mysql', 'Service/imply-mysql']);
    const dep = workload(on.model, 'Deployment/imply-mysql');
    expect(dep.labels).toMatchObject({ app: 'imply-mysql', release: 'imply' });
    const images = (dep.raw.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers.map((c) => c.image);
    expect(images).toStrictEqual(['mysql:5.7.39']);
    // The test Pod is a helm test hook, not a deployed component.
    expect(on.model.objects.find((o) => o.ref === 'Pod/imply-mysql-test')?.annotations['helm.sh/hook']).toBe('test-success');
  });

  it('without the parent\'s mysql values the subchart default tag (5.7.14) applies', async () => {
    const on = await render([set('deployments.mysql=true'), set('mysql=null')]);
    expect(JSON.stringify(workload(on.model, 'Deployment/imply-mysql').raw)).toContain('"image":"mysql:5.7.14"');
  });

  it('deployments.zookeeper=false removes ZooKeeper; the manager still points at the default connect string', async () => {
    const off = await render([set('deployments.zookeeper=false')]);
    expect(off.model.objects.some((o) => subchartComponent(o) === 'zookeeper')).toBe(false);
    expect(envVar(managerOf(off.model)!, 'imply_defaults_zkHosts')?.value).toBe('imply-zookeeper:2181');
  });

  it('security.tls adds IMPLY_MANAGER_CA_CERT_PATH and the ca-secrets volume to the manager and every agent', async () => {
    const tls = await render([set('security.tls.secretName=imply-ca')]);
    for (const o of implyWorkloads(tls.model)) {
      expect(envVar(o, 'IMPLY_MANAGER_CA_CERT_PATH')?.value, o.ref).toBe('/etc/imply/ca/tls.crt');
      expect(podVolumes(o).find((v) => v.name === 'ca-secrets'), o.ref).toMatchObject({ secret: { secretName: 'imply-ca' } });
    }
    expect(envVar(managerOf(tls.model)!, 'IMPLY_MANAGER_CA_KEY_PATH')?.value).toBe('/etc/imply/ca/tls.key');
    expect(workload(tls.model, 'Service/imply-query').raw.spec).toMatchObject({ ports: [{ name: 'router', targetPort: 'router-tls' }, { name: 'pivot' }] });
  });

  it('security.auth adds IMPLY_MANAGER_AUTH_TOKEN from the Secret to the manager and every agent', async () => {
    const auth = await render([set('security.auth.secretName=imply-auth-token')]);
    const ws = implyWorkloads(auth.model);
    expect(ws).toHaveLength(4);
    for (const o of ws) expect(envVar(o, 'IMPLY_MANAGER_AUTH_TOKEN')?.valueFrom, o.ref).toStrictEqual({ secretKeyRef: { name: 'imply-auth-token', key: 'auth-token' } });
  });

  it('PodDisruptionBudgets are policy/v1beta1 unless the cluster serves policy/v1 (as the real chart)', async () => {
    const pdbs = (m: ManifestModel): string[] => m.objects.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => o.apiVersion);
    expect(new Set(pdbs(defaults.model))).toStrictEqual(new Set(['policy/v1beta1']));
    const v1 = await render([], { kubeVersion: '1.30.0', apiVersions: ['policy/v1/PodDisruptionBudget'] });
    expect(new Set(pdbs(v1.model))).toStrictEqual(new Set(['policy/v1']));
  });

  it('a template failure is a HelmError carrying helm\'s error line', async () => {
    // security.tls must be a map; a boolean makes `.Values.security.tls.secretName` fail to evaluate.
    const err = await renderChart({ helm: helmBin(), chartDir: CHART, valuesFiles: [], sets: [set('security.tls=true')] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmError);
    expect((err as HelmError).message).toMatch(/^Error: .*secretName/);
    expect((err as HelmError).exitCode).toBe(1);
  });

  it('a missing values file is a HelmError too', async () => {
    const err = await renderChart({ helm: helmBin(), chartDir: CHART, valuesFiles: [path.join(CHART, 'no-such-values.yaml')], sets: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmError);
    expect((err as HelmError).message).toContain('no-such-values.yaml');
  });
});

// The same values files and flags as the reference renders; every object both render must agree on what
// rules read: labels, replicas, images, env, volumes and mounts (the chart's `scripts` ConfigMap and its
// mounts are left out of the mini chart), Service specs and PDB versions.
const SCENARIOS: { name: string; files: string[]; rendered: string; absent: string[]; extra?: Partial<RenderChartOptions> }[] = [
  {
    name: 'quickstart',
    files: ['values.public-user-copy.yaml'],
    rendered: 'quickstart.rendered.yaml',
    absent: ['ConfigMap/imply-minio', 'ConfigMap/imply-scripts', 'ConfigMap/imply-zookeeper'],
  },
  {
    name: 'production',
    files: ['values.public-user-copy.yaml', 'production-overrides.yaml'],
    rendered: 'production.rendered.yaml',
    absent: ['ConfigMap/imply-scripts'],
    extra: { kubeVersion: '1.30.0', apiVersions: ['policy/v1/PodDisruptionBudget'] },
  },
  {
    name: 'features',
    files: ['values.public-user-copy.yaml', 'production-overrides.yaml', 'features-overrides.yaml'],
    rendered: 'features.rendered.yaml',
    absent: ['ConfigMap/imply-mysql-test', 'ConfigMap/imply-scripts'],
    extra: { kubeVersion: '1.30.0', apiVersions: ['policy/v1/PodDisruptionBudget'] },
  },
];

type Json = Record<string, unknown>;
const noScripts = (list: unknown): unknown[] => (Array.isArray(list) ? list.filter((v) => (v as Json).name !== 'scripts' && (v as Json).name !== 'config' && (v as Json).name !== 'minio-configuration') : []);

/** What rules read from one object, normalised for comparison. */
function ruleView(o: K8sObject): unknown {
  const spec = (o.raw.spec ?? {}) as Json;
  const pod = ((spec.template as Json | undefined)?.spec ?? {}) as Json;
  const cs = [...((pod.initContainers as Json[] | undefined) ?? []), ...((pod.containers as Json[] | undefined) ?? [])];
  return {
    apiVersion: o.apiVersion,
    labels: o.labels,
    replicas: spec.replicas,
    service: o.kind === 'Service' ? spec : undefined,
    tls: o.kind === 'Ingress' ? spec.tls : undefined,
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds,
    nodeSelector: pod.nodeSelector,
    volumes: noScripts(pod.volumes),
    volumeClaimTemplates: (spec.volumeClaimTemplates as Json[] | undefined)?.map((v) => (v.metadata as Json).name),
    containers: cs.map((c) => ({ name: c.name, image: c.image, env: c.env, mounts: noScripts(c.volumeMounts) })),
  };
}

describe('imply-mini-chart renders like the real chart 2023.03.1', () => {
  for (const s of SCENARIOS) {
    it(`${s.name}: same objects (but the scripts ConfigMaps) and the same rule-relevant content`, async () => {
      const text = await renderChart({ helm: helmBin(), chartDir: CHART, releaseName: 'imply', valuesFiles: s.files.map((f) => path.join(REF, f)), sets: [], ...s.extra });
      const mine = buildManifestModel([makeSource('mini', text, 'manifest')]);
      const real = buildManifestModel([makeSource(s.rendered, fs.readFileSync(path.join(REF, s.rendered), 'utf8'), 'manifest')]);
      const mineRefs = new Set(refs(mine));
      expect(refs(real).filter((r) => !mineRefs.has(r))).toStrictEqual(s.absent);
      expect(refs(mine).filter((r) => !refs(real).includes(r))).toStrictEqual([]);
      const differing: string[] = [];
      for (const o of mine.objects) {
        const r = real.objects.find((x) => x.ref === o.ref)!;
        // The real minio bucket Job's scripts come from its ConfigMap, which the mini chart leaves out.
        if (o.ref === 'Job/imply-minio-make-bucket-job') continue;
        if (!isDeepStrictEqual(ruleView(o), ruleView(r))) differing.push(o.ref);
      }
      for (const ref of differing) {
        const o = mine.objects.find((x) => x.ref === ref)!;
        const r = real.objects.find((x) => x.ref === ref)!;
        expect(ruleView(o), ref).toStrictEqual(ruleView(r));
      }
      expect(differing).toStrictEqual([]);
    });
  }
});
