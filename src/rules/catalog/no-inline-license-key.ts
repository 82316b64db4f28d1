// Rules stage: no-inline-license-key, the Imply licence belongs in the imply-secrets Secret.
import { envVars, isManager, isTestHook } from '../../model/manifests.js';
import { defineRule } from '../types.js';
import { goTruthy, str } from '../util.js';
import { licenseFix } from '../fix-util.js';

const SUBJECT = 'manager.licenseKey';

export default defineRule({
  meta: {
    id: 'no-inline-license-key',
    title: 'Licence key kept in a Secret, not inline',
    severity: 'warning',
    category: 'security',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide applies a licence by creating the Kubernetes Secret `imply-secrets` from a file named IMPLY_MANAGER_LICENSE_KEY, which the manager mounts (`manager.secretName`). A key pasted into `manager.licenseKey` instead lands in the Helm release and renders as a literal `IMPLY_MANAGER_LICENSE_KEY` env value on the manager Deployment, visible to anyone who can read either.',
    fix: 'Move the key into the Secret (kubectl create secret generic imply-secrets --from-file=IMPLY_MANAGER_LICENSE_KEY) and set manager.licenseKey: "".',
    seed: 'Create a file named IMPLY_MANAGER_LICENSE_KEY and paste your license key as the content of the file. Create a Kubernetes secret named imply-secrets by running the following command: kubectl create secret generic imply-secrets --from-file=IMPLY_MANAGER_LICENSE_KEY',
    subject: SUBJECT,
    messages: {
      inline:
        'The Imply licence key is written inline (manager.licenseKey) and ends up in plain text in the release and the manager\'s env. Put it in the imply-secrets Secret (manager.secretName) and leave manager.licenseKey empty.',
    },
    fixable: true,
    securitySeverity: 4.0,
    tags: ['security', 'license', 'secrets'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v && goTruthy(v.get(['deployments', 'manager']))) {
      const key = str(v.get(['manager', 'licenseKey']));
      if (key !== undefined && key.trim() !== '') ctx.report({ messageId: 'inline', subject: SUBJECT, at: { values: ['manager', 'licenseKey'] }, fix: licenseFix(v, ctx.settings.secretNames.license) });
    }
    for (const o of model.manifests?.objects ?? []) {
      if (isTestHook(o) || !isManager(o)) continue;
      const e = envVars(o).find((x) => x.name === 'IMPLY_MANAGER_LICENSE_KEY');
      if (e && !e.valueFrom && e.value !== undefined && e.value.trim() !== '') ctx.report({ messageId: 'inline', subject: SUBJECT, at: { object: o, path: [...e.path, 'value'] } });
    }
  },
});
