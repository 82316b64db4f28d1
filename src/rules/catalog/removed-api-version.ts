// Rules stage: removed-api-version, manifests must not use API versions the target cluster no longer serves.
import { apiDeprecation } from '../../model/k8s-apis.js';
import { isTestHook } from '../../model/manifests.js';
import { defineRule } from '../types.js';
import { compareVersions, parseVersion } from '../util.js';

/** `1.30`, `v1.30.2`, `v1.30.2-eks-…`, `Server Version: v1.30.2` -> [1, 30, 2]. */
function kubeVersionOf(v: string | undefined): number[] | undefined {
  const found = v ? /v?\d+\.\d+(?:\.\d+)?/.exec(v) : null;
  return found ? parseVersion(found[0]) : undefined;
}

export default defineRule({
  meta: {
    id: 'removed-api-version',
    title: 'No API versions the target cluster no longer serves',
    severity: 'error',
    category: 'versions',
    inputs: ['manifest'],
    rationale:
      'Kubernetes stops serving beta API versions some releases after their replacement appears (Kubernetes Deprecated API Migration Guide). `helm template` without `--kube-version`/`--api-versions` renders the chart\'s fallbacks: the Imply chart 2023.03.1 then renders its PodDisruptionBudgets as policy/v1beta1, which Kubernetes 1.25 and later reject, so the install fails. Imply supports Kubernetes 1.19 and newer (seed), so the target version decides which API versions are usable. A deprecated but still served version is a warning.',
    fix: 'Render for the target cluster (helm template --kube-version <v> --api-versions <group/version/Kind>, or let helm install read the cluster) or use a chart version that emits the replacement API version.',
    seed: 'You can use any Kubernetes version that these providers support as long as it version 1.19 or later.',
    subject: 'apiVersion:<group/version>/<Kind>',
    messages: {
      removed: '{{apiVersion}} {{kind}} is no longer served from Kubernetes {{removedIn}} (target: {{kubeVersion}}); the API server rejects these objects. Render them as {{replacement}}.',
      deprecated: '{{apiVersion}} {{kind}} is deprecated since Kubernetes {{deprecatedIn}} and no longer served from {{removedIn}} (target: {{kubeVersion}}). Render them as {{replacement}} before upgrading the cluster.',
    },
    tags: ['kubernetes', 'compatibility', 'api'],
  },
  check(model, ctx) {
    const m = model.manifests;
    if (!m) return;
    const kubeVersion = model.context.kubeVersion ?? model.live?.kubeVersion;
    const target = kubeVersionOf(kubeVersion);
    if (!kubeVersion || !target) return; // no target version, no evidence
    for (const o of m.objects) {
      // Helm test hooks are created only by `helm test`, not deployed with the release (RULES.md).
      if (isTestHook(o)) continue;
      const d = apiDeprecation(o.apiVersion, o.kind);
      if (!d) continue;
      const data = { apiVersion: d.apiVersion, kind: d.kind, removedIn: d.removedIn, deprecatedIn: d.deprecatedIn, replacement: d.replacement, kubeVersion };
      const subject = `apiVersion:${d.apiVersion}/${d.kind}`;
      const at = { object: o, path: ['apiVersion'] };
      if (compareVersions(target, parseVersion(d.removedIn)!) >= 0) ctx.report({ messageId: 'removed', data, subject, at });
      else if (compareVersions(target, parseVersion(d.deprecatedIn)!) >= 0) ctx.report({ messageId: 'deprecated', data, subject, at, severity: 'warning' });
    }
  },
});
