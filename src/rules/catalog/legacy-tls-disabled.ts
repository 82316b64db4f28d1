// Rules stage: legacy-tls-disabled, TLS 1.0/1.1 must be switched off once TLS is on.
import { defineRule } from '../types.js';
import { goTruthy } from '../util.js';

const SUBJECT = 'security.enableLegacyTls';
const NESTED = ['security', 'enableLegacyTls'] as const;
const TOP = ['enableLegacyTls'] as const;

export default defineRule({
  meta: {
    id: 'legacy-tls-disabled',
    title: 'Legacy TLS 1.0/1.1 is disabled',
    severity: 'error',
    category: 'security',
    inputs: ['values'],
    rationale:
      'Imply\'s guide notes that "legacy TLS versions (1.0 and 1.1) are supported by default" and tells you to set enableLegacyTls to false to turn them off. The guide names the key without its parent, so both `security.enableLegacyTls` and a top-level `enableLegacyTls` count. Chart lines up to 2023.03 render nothing for it, so rendered manifests carry no evidence and this rule reads values only.',
    fix: 'Set security.enableLegacyTls: false.',
    seed: 'Note that legacy TLS versions (1.0 and 1.1) are supported by default. To turn off support for these versions, set enableLegacyTls to false in the Helm chart: enableLegacyTls: false',
    subject: 'security.enableLegacyTls (a top-level enableLegacyTls is the same setting)',
    messages: {
      legacyAllowed:
        'TLS is on but TLS 1.0 and 1.1 are still accepted (security.enableLegacyTls is not false; legacy versions are supported by default). Set security.enableLegacyTls: false.',
    },
    fixable: true,
    securitySeverity: 5.3,
    tags: ['security', 'tls'],
  },
  check(model, ctx) {
    const v = model.values;
    if (!v || !goTruthy(v.get(['security', 'tls']))) return;
    // Only an explicit boolean false turns legacy TLS off (YAML 1.1 `no`/`off` already read as false).
    if (v.get(NESTED) === false || v.get(TOP) === false) return;
    // Point at the key that keeps legacy TLS on when the user wrote one, else at where it belongs.
    const at = v.userSet(NESTED) || !v.userSet(TOP) ? NESTED : TOP;
    // Both spellings false when the user wrote the top-level one, so no chart line reads a stale true.
    const set = [{ path: [...NESTED], value: false }, ...(v.userSet(TOP) ? [{ path: [...TOP], value: false }] : [])];
    ctx.report({ messageId: 'legacyAllowed', subject: SUBJECT, at: { values: at }, fix: { description: 'Turn off TLS 1.0 and 1.1 (security.enableLegacyTls: false).', set } });
  },
});
