// Reference test (area: versions): the versions rules alone on the real chart 2023.03.1 files, with and
// without a target Kubernetes/Helm version, asserting exactly which rule fires where. Also lints the
// rule docs' examples with the context their `kube-version=` / `helm-version=` attributes name.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelFromTexts } from '../../src/model/build.js';
import type { ModelContext } from '../../src/model/types.js';
import agentJavaCompat from '../../src/rules/catalog/agent-java-compat.js';
import helmVersion from '../../src/rules/catalog/helm-version.js';
import imageTagPinned from '../../src/rules/catalog/image-tag-pinned.js';
import implyVersionPinned from '../../src/rules/catalog/imply-version-pinned.js';
import kubernetesVersion from '../../src/rules/catalog/kubernetes-version.js';
import managerClusterVersionSkew from '../../src/rules/catalog/manager-cluster-version-skew.js';
import managerLinuxNode from '../../src/rules/catalog/manager-linux-node.js';
import mysqlVersion from '../../src/rules/catalog/mysql-version.js';
import removedApiVersion from '../../src/rules/catalog/removed-api-version.js';
import zookeeperVersion from '../../src/rules/catalog/zookeeper-version.js';
import { lint } from '../../src/rules/engine.js';
import { emptyPolicy } from '../../src/rules/policy.js';
import type { Finding, Rule } from '../../src/rules/types.js';

const RULES: Rule[] = [
  kubernetesVersion,
  removedApiVersion,
  helmVersion,
  mysqlVersion,
  zookeeperVersion,
  agentJavaCompat,
  implyVersionPinned,
  managerClusterVersionSkew,
  managerLinuxNode,
  imageTagPinned,
];
const REF = path.resolve(import.meta.dirname, '../../../shared/reference/chart-2023.03.1');
const read = (name: string) => ({ path: name, text: fs.readFileSync(path.join(REF, name), 'utf8') });

interface Input {
  values?: { path: string; text: string }[];
  manifests?: { path: string; text: string }[];
  context?: Partial<ModelContext>;
}

function run(input: Input, rules: Rule[] = RULES): Finding[] {
  const res = lint(modelFromTexts(input), emptyPolicy(), { target: 'reference', rules });
  expect(res.ruleErrors).toEqual([]);
  return res.findings;
}

/** A finding reduced to what the assertions pin down. */
const where = (f: Finding) => ({
  rule: f.ruleId,
  severity: f.severity,
  subject: f.subject,
  at: f.object ?? f.path,
  line: f.location?.line,
  related: f.related.map((r) => `${r.object ?? r.path}@${r.line}`),
});

const userCopy = read('values.public-user-copy.yaml');
const prodValues = read('production-overrides.yaml');
const featValues = read('features-overrides.yaml');
const qsR = read('quickstart.rendered.yaml');
const prodR = read('production.rendered.yaml');
const featR = read('features.rendered.yaml');
const k130 = { kubeVersion: '1.30.0', helmVersion: 'v4.1.4' };

describe('versions rules on values.public-user-copy.yaml', () => {
  it('only imply-version-pinned fires: druid.implyVersion is "" (line 150)', () => {
    for (const context of [{}, k130]) {
      expect(run({ values: [userCopy], context }).map(where)).toEqual([
        { rule: 'imply-version-pinned', severity: 'warning', subject: 'druid.implyVersion', at: 'druid.implyVersion', line: 150, related: [] },
      ]);
    }
  });
  it('MySQL is off (deployments.mysql: false), so its 5.7.39 tag is not examined; the chart line is 2023', () => {
    const m = modelFromTexts({ values: [userCopy] });
    expect(m.values?.chartLine).toBe('2023');
    expect(m.values?.get(['deployments', 'mysql'])).toBe(false);
  });
});

describe('versions rules on production-overrides.yaml', () => {
  it('no finding at all (and so no error)', () => {
    expect(run({ values: [prodValues], context: k130 })).toEqual([]);
  });
  it('layered with features-overrides.yaml (bundled MySQL 5.7.39, linux nodeSelector, customVersions): still clean', () => {
    expect(run({ values: [prodValues, featValues], context: k130 })).toEqual([]);
  });
  it('an old cluster or Helm client is reported once, at line 1 of the first file', () => {
    expect(run({ values: [prodValues], context: { kubeVersion: '1.18.20', helmVersion: 'v3.1.3' } }).map(where)).toEqual([
      { rule: 'helm-version', severity: 'error', subject: 'context.helmVersion', at: undefined, line: 1, related: [] },
      { rule: 'kubernetes-version', severity: 'error', subject: 'context.kubeVersion', at: undefined, line: 1, related: [] },
    ]);
  });
});

describe('versions rules on quickstart.rendered.yaml', () => {
  const pinned = { rule: 'imply-version-pinned', severity: 'warning', subject: 'druid.implyVersion', at: 'Deployment/imply-manager', line: 1325, related: [] };
  it('without a target version: only imply-version-pinned (no imply_defaults_implyVersion on the manager)', () => {
    expect(run({ manifests: [qsR] }).map(where)).toEqual([pinned]);
  });
  it('--kube-version 1.30: its policy/v1beta1 PodDisruptionBudgets are one removed-api-version error', () => {
    expect(run({ manifests: [qsR], context: k130 }).map(where)).toEqual([
      {
        rule: 'removed-api-version',
        severity: 'error',
        subject: 'apiVersion:policy/v1beta1/PodDisruptionBudget',
        at: 'PodDisruptionBudget/imply-zookeeper',
        line: 3,
        related: ['PodDisruptionBudget/imply-data@22', 'PodDisruptionBudget/imply-master@40', 'PodDisruptionBudget/imply-query@58'],
      },
      pinned,
    ]);
  });
  it('--kube-version 1.22 (still served, deprecated since 1.21): a warning; 1.20: nothing', () => {
    const [f] = run({ manifests: [qsR], context: { kubeVersion: '1.22' } }, [removedApiVersion]);
    expect([f.messageId, f.severity, f.location?.line, f.location?.column]).toEqual(['deprecated', 'warning', 3, 13]);
    expect(run({ manifests: [qsR], context: { kubeVersion: '1.20' } }, [removedApiVersion])).toEqual([]);
  });
  it('its images are all pinned, ZooKeeper 3.7.1 passes, and a 3.4 image would not', () => {
    expect(run({ manifests: [qsR] }, [imageTagPinned, zookeeperVersion])).toEqual([]);
    const zk34 = { path: qsR.path, text: qsR.text.replace('image: "zookeeper:3.7.1"', 'image: "zookeeper:3.4.14"') };
    expect(run({ manifests: [zk34] }, [zookeeperVersion]).map(where)).toEqual([
      { rule: 'zookeeper-version', severity: 'error', subject: 'zookeeper.image.tag', at: 'StatefulSet/imply-zookeeper', line: 1770, related: [] },
    ]);
  });
});

describe('versions rules on production.rendered.yaml', () => {
  it('no finding at all with --kube-version 1.30 (policy/v1, pinned images, implyVersion equal to the Manager)', () => {
    expect(run({ manifests: [prodR], context: k130 })).toEqual([]);
  });
});

describe('versions rules on features.rendered.yaml (manifest forms)', () => {
  const edit = (from: string, to: string) => {
    expect(featR.text.includes(from)).toBe(true);
    return { path: featR.path, text: featR.text.split(from).join(to) };
  };
  it('clean as rendered: bundled mysql:5.7.39, linux nodeSelector, implyVersion = Manager 2023.03.1, policy/v1', () => {
    expect(run({ manifests: [featR], context: k130 })).toEqual([]);
  });
  it('mysql-version reads the bundled MySQL Deployment (app: imply-mysql), not its test-hook Pod', () => {
    expect(run({ manifests: [edit('"mysql:5.7.39"', '"mysql:5.7.14"')] }, [mysqlVersion]).map(where)).toEqual([
      { rule: 'mysql-version', severity: 'error', subject: 'mysql.imageTag', at: 'Deployment/imply-mysql', line: 1052, related: [] },
    ]);
  });
  it('manager-linux-node reads the manager nodeSelector (line 1291)', () => {
    expect(run({ manifests: [edit('kubernetes.io/os: linux', 'kubernetes.io/os: windows')] }, [managerLinuxNode]).map(where)).toEqual([
      { rule: 'manager-linux-node', severity: 'error', subject: 'manager.nodeSelector', at: 'Deployment/imply-manager', line: 1291, related: [] },
    ]);
  });
  it('manager-cluster-version-skew compares imply_defaults_implyVersion with the manager image and skips customImplyVersions', () => {
    const implyEnv = 'name: imply_defaults_implyVersion\n            value: "2023.03.1"';
    expect(run({ manifests: [edit(implyEnv, implyEnv.replace('2023.03.1', '2023.09'))] }, [managerClusterVersionSkew]).map(where)).toEqual([
      { rule: 'manager-cluster-version-skew', severity: 'warning', subject: 'druid.implyVersion', at: 'Deployment/imply-manager', line: 1204, related: ['Deployment/imply-manager@1139'] },
    ]);
    expect(run({ manifests: [edit(implyEnv, implyEnv.replace('2023.03.1', '2023.03.1-hdp-2.7.3'))] }, [managerClusterVersionSkew])).toEqual([]);
  });
  it('agent-java-compat reads every agent image, the configure-sysctl init container included', () => {
    const f = run({ manifests: [edit('"imply/agent:v15"', '"imply/agent:v15-java17"')] }, [agentJavaCompat]);
    expect(f.map(where)).toEqual([
      {
        rule: 'agent-java-compat',
        severity: 'error',
        subject: 'images.agent.tag',
        at: 'Deployment/imply-master',
        line: 1322,
        related: ['Deployment/imply-query@1478', 'StatefulSet/imply-data@1642', 'StatefulSet/imply-data@1653'],
      },
    ]);
    expect(f[0].message).toContain('Imply 2023.03.1');
  });
});

// Doc examples: ```yaml incorrect|correct [manifest] [kube-version=X] [helm-version=Y]. test/docs.test.ts
// lints the attribute-free blocks; context-only rules need the attributes, linted here.
const FENCE = /```yaml (incorrect|correct)( manifest)?((?: [a-z-]+=\S+)*)\n([\s\S]*?)```/g;

describe('versions rule doc examples, with their context attributes', () => {
  for (const rule of RULES) {
    const file = path.resolve(import.meta.dirname, '../../docs/rules', `${rule.meta.id}.md`);
    const doc = fs.readFileSync(file, 'utf8');
    const examples = [...doc.matchAll(FENCE)];
    it(`${rule.meta.id}: the doc has its generated markers and incorrect and correct examples`, () => {
      expect(doc).toMatch(/^<!-- generated:start -->$/m);
      expect(doc).toMatch(/^<!-- generated:end -->$/m);
      expect(doc).toMatch(/^## Examples$/m);
      expect(examples.some((e) => e[1] === 'incorrect')).toBe(true);
      expect(examples.some((e) => e[1] === 'correct')).toBe(true);
      if (rule.meta.inputs.includes('manifest') && rule.meta.inputs.length === 1) expect(examples.every((e) => e[2] === ' manifest')).toBe(true);
    });
    examples.forEach(([, kind, manifest, attrs, text], i) => {
      it(`${rule.meta.id} example ${i + 1} (${kind}${manifest ?? ''}${attrs})`, () => {
        const a = Object.fromEntries(attrs.trim().split(/\s+/).filter(Boolean).map((kv) => kv.split('=') as [string, string]));
        const context = { kubeVersion: a['kube-version'], helmVersion: a['helm-version'] };
        const input = manifest ? { manifests: [{ path: 'example.yaml', text }] } : { values: [{ path: 'example.yaml', text }] };
        const mine = run({ ...input, context }, [rule]).filter((f) => f.ruleId === rule.meta.id);
        if (kind === 'incorrect') expect(mine.length).toBeGreaterThan(0);
        else expect(mine.map((f) => f.message)).toEqual([]);
      });
    });
  }
});
