// Rules stage: exemption-expired, a policy exemption past its expiry date (it no longer applies).
import { isExpired } from '../engine.js';
import { defineRule } from '../types.js';
import { exemptionSubject } from '../hygiene-util.js';

export default defineRule({
  meta: {
    id: 'exemption-expired',
    title: 'No expired exemptions',
    severity: 'warning',
    category: 'hygiene',
    // The evidence is the policy, not a values file or a manifest: the rule runs on every input.
    inputs: [],
    rationale:
      'A policy exemption with `expires` is a promise to fix something by a date. After that day (UTC) the exemption stops applying, so its findings come back; this rule says which exemption lapsed so it can be renewed deliberately or removed, instead of the findings reappearing unexplained.',
    fix: 'Fix what the exemption covers and delete it, or renew it with a new expires date and a current reason.',
    subject: 'The exemption itself: `exemption <rule> @ <subject>` or `exemption fingerprint <fingerprint>`.',
    messages: {
      expired: 'The policy exemption for {{target}} expired on {{expires}} and no longer applies. Renew it with a new date or remove it.',
    },
    tags: ['suppression', 'audit', 'policy'],
  },
  check(_model, ctx) {
    for (const e of ctx.exemptions) {
      if (!e.expires || !isExpired(e.expires, ctx.now)) continue;
      const target = e.fingerprint ? `fingerprint ${e.fingerprint}` : `${e.rule ?? 'every rule'}${e.subject ? ` on ${e.subject}` : ''}`;
      ctx.report({ messageId: 'expired', data: { target, expires: e.expires }, subject: exemptionSubject(e), at: e.source ? { policy: e.source } : { none: true } });
    }
  },
});
