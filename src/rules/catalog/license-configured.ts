// Rules stage: license-configured, a long-term Imply licence is wired in (not only the 30-day trial).
import { envVars, isManager, isTestHook } from '../../model/manifests.js';
import { decodeLiveSecret, decodeSecret, licenseVolume, secretKeyPath, secretNamesFor, secretsNamed } from '../../model/security.js';
import type { DecodedSecret } from '../../model/security.js';
import { defineRule } from '../types.js';
import type { Anchor, RuleContext } from '../types.js';
import { goTruthy, str } from '../util.js';

const SUBJECT = 'manager.secretName';
const KEY = 'IMPLY_MANAGER_LICENSE_KEY';
const SECRET_SUBJECT = `${SUBJECT}/${KEY}`;

function checkLicenseSecret(d: DecodedSecret, at: Anchor, ctx: RuleContext): void {
  const key = d.values[KEY];
  if (key === undefined || key.trim() === '') ctx.report({ messageId: 'secretMissingKey', subject: SECRET_SUBJECT, at, severity: 'error' });
}

export default defineRule({
  meta: {
    id: 'license-configured',
    title: 'A long-term licence is configured',
    severity: 'warning',
    category: 'security',
    inputs: ['values', 'manifest', 'live'],
    rationale:
      'Imply\'s guide: "By default, a new Imply trial installation includes a 30-day license". A longer-term licence is applied through the `imply-secrets` Secret holding a file IMPLY_MANAGER_LICENSE_KEY, which the manager mounts from `manager.secretName` (or, discouraged, inline as `manager.licenseKey`). With both empty, the cluster stops being licensed after 30 days. The chart mounts the Secret as optional, so a Secret without the key fails silently; at admission and in preflight that is an error.',
    fix: 'Create the licence Secret (kubectl create secret generic imply-secrets --from-file=IMPLY_MANAGER_LICENSE_KEY) and set manager.secretName: imply-secrets.',
    seed: 'By default, a new Imply trial installation includes a 30-day license. If you have a longer-term license that you want to apply, follow these steps: Create a file named IMPLY_MANAGER_LICENSE_KEY ... kubectl create secret generic imply-secrets --from-file=IMPLY_MANAGER_LICENSE_KEY',
    subject: 'manager.secretName[/IMPLY_MANAGER_LICENSE_KEY]',
    messages: {
      notConfigured:
        'No long-term licence is configured (manager.secretName and manager.licenseKey are both empty): only the 30-day trial licence applies. Create the imply-secrets Secret with IMPLY_MANAGER_LICENSE_KEY and set manager.secretName.',
      secretMissingKey:
        'The licence Secret named by manager.secretName has no non-empty IMPLY_MANAGER_LICENSE_KEY; the manager mounts it as optional and falls back to the 30-day trial. Add the key to the Secret.',
    },
    fixable: false,
    securitySeverity: 2.0,
    tags: ['license'],
  },
  check(model, ctx) {
    const v = model.values;
    const inlineKey = v ? (str(v.get(['manager', 'licenseKey'])) ?? '').trim() : '';
    if (v && goTruthy(v.get(['deployments', 'manager']))) {
      const secretName = (str(v.get(['manager', 'secretName'])) ?? '').trim();
      if (inlineKey === '' && secretName === '') ctx.report({ messageId: 'notConfigured', subject: SUBJECT, at: { values: ['manager', 'secretName'] } });
    }
    const m = model.manifests;
    if (m) {
      for (const o of m.objects) {
        if (isTestHook(o) || !isManager(o)) continue;
        const env = envVars(o).find((e) => e.name === KEY);
        const inline = env !== undefined && (env.valueFrom !== undefined || (env.value ?? '').trim() !== '');
        if (!inline && !licenseVolume(o)?.secretName) ctx.report({ messageId: 'notConfigured', subject: SUBJECT, at: { object: o } });
      }
      for (const o of secretsNamed(m, secretNamesFor(model, 'license', ctx.settings.secretNames.license))) {
        checkLicenseSecret(decodeSecret(o), { object: o, path: secretKeyPath(o, KEY) }, ctx);
      }
    }
    // Preflight: the Secret is mounted optional, so a missing one belongs here (not to required-secrets-present),
    // unless the licence is inline in the values.
    for (const s of model.live?.secrets ?? []) {
      if (s.purpose !== 'license' || inlineKey !== '') continue;
      checkLicenseSecret(s.exists && s.data ? decodeLiveSecret(s) : { values: {}, bytes: {}, errors: [] }, v ? { values: ['manager', 'secretName'] } : { none: true }, ctx);
    }
  },
});
