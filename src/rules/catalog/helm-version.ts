// Rules stage: helm-version, the Imply chart requires Helm 3.2.0 or later (seed).
import { defineRule } from '../types.js';
import { compareVersions, parseVersion } from '../util.js';

const SUBJECT = 'context.helmVersion';
const MINIMUM = [3, 2, 0];

export default defineRule({
  meta: {
    id: 'helm-version',
    title: 'Helm 3.2.0 or later',
    severity: 'error',
    category: 'versions',
    // Values and manifests carry no evidence of the Helm client: it comes from --helm-version or from
    // `helm version --short` (the `chart` command, preflight). Silent when no version is known.
    inputs: ['values', 'manifest', 'live'],
    rationale:
      'Imply\'s guide lists "Helm 3.2.0 or later" as a requirement of the Imply Helm chart; Helm 2 and early Helm 3 releases do not install it the same way.',
    fix: 'Install Helm 3.2.0 or later on the machine that runs helm install/upgrade.',
    seed: 'The Imply Helm chart requires: Helm 3.2.0 or later',
    subject: SUBJECT,
    messages: {
      tooOld: 'Helm {{version}} is older than 3.2.0, which the Imply chart requires. Use Helm 3.2.0 or later.',
    },
    tags: ['helm', 'compatibility'],
  },
  check(model, ctx) {
    const version = model.context.helmVersion ?? model.live?.helmVersion;
    if (!version) return;
    // Tolerate `helm version` / `kubectl version` prefixes (`Client: v2.16.1+g…`): take the first x.y[.z].
    const found = /v?\d+\.\d+(?:\.\d+)?/.exec(version);
    const parsed = found ? parseVersion(found[0]) : undefined;
    if (!parsed) return;
    if (compareVersions(parsed, MINIMUM) < 0) ctx.report({ messageId: 'tooOld', data: { version }, subject: SUBJECT, at: { none: true } });
  },
});
