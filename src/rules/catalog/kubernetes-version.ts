// Rules stage: kubernetes-version, the target cluster must run Kubernetes 1.19 or later (seed).
import { defineRule } from '../types.js';
import { compareVersions, parseVersion } from '../util.js';

const SUBJECT = 'context.kubeVersion';
const MINIMUM = [1, 19, 0];

export default defineRule({
  meta: {
    id: 'kubernetes-version',
    title: 'Kubernetes 1.19 or later',
    severity: 'error',
    category: 'versions',
    // Values and manifests carry no Kubernetes version: the evidence is the context (--kube-version, the
    // API server at admission, /version in preflight). The rule runs with any input and stays silent
    // when no version is known.
    inputs: ['values', 'manifest', 'live'],
    rationale:
      'Imply\'s guide supports "any Kubernetes version that these providers support as long as it version 1.19 or later". The chart and the Imply Manager are not validated on older API servers.',
    fix: 'Upgrade the target cluster to Kubernetes 1.19 or later (or pass the real version with --kube-version).',
    seed: 'You can use any Kubernetes version that these providers support as long as it version 1.19 or later.',
    subject: SUBJECT,
    messages: {
      tooOld: 'The target cluster runs Kubernetes {{version}}, older than 1.19, the oldest version Imply supports. Upgrade the cluster to Kubernetes 1.19 or later.',
    },
    tags: ['kubernetes', 'compatibility'],
  },
  check(model, ctx) {
    const version = model.context.kubeVersion ?? model.live?.kubeVersion;
    if (!version) return;
    // Tolerate `helm version` / `kubectl version` prefixes (`Client: v2.16.1+g…`): take the first x.y[.z].
    const found = /v?\d+\.\d+(?:\.\d+)?/.exec(version);
    const parsed = found ? parseVersion(found[0]) : undefined;
    if (!parsed) return;
    if (compareVersions(parsed, MINIMUM) < 0) ctx.report({ messageId: 'tooOld', data: { version }, subject: SUBJECT, at: { none: true } });
  },
});
