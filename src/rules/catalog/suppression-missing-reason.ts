// Rules stage: suppression-missing-reason, an inline suppression or exemption annotation without a reason.
import { EXEMPT_ANNOTATION, EXEMPT_REASON_ANNOTATION } from '../engine.js';
import { defineRule } from '../types.js';
import { annotationSubject, commentRange, inlineSubject, rulesText } from '../hygiene-util.js';

export default defineRule({
  meta: {
    id: 'suppression-missing-reason',
    title: 'Suppressions say why',
    severity: 'error',
    category: 'hygiene',
    inputs: ['values', 'manifest'],
    rationale:
      'A production-readiness check that can be silenced without a word stops meaning anything: reviewers and auditors need to know why a finding is accepted. A suppression without a reason does not apply (the finding stays), and this rule says why. Inline comments take the reason after `--` (`# imply-lint-disable-next-line tls-enabled -- TLS terminates at the mesh`); the `imply-lint.io/exempt` annotation needs `imply-lint.io/exempt-reason` next to it. Policy exemptions cannot be written without a reason (the policy schema requires one).',
    fix: 'Add the reason after `--` in the comment, or an `imply-lint.io/exempt-reason` annotation next to `imply-lint.io/exempt`.',
    subject:
      'What the suppression names and where it sits, never the file: `imply-lint-disable-next-line <rules> @ <values path or Kind:path>`, `imply-lint-disable-file <rules>`, `imply-lint.io/exempt <rules> @ <Kind>`.',
    messages: {
      inline: 'The suppression comment for {{rules}} has no reason, so it does not apply. Add the reason after "--".',
      annotation: 'The imply-lint.io/exempt annotation for {{rules}} has no imply-lint.io/exempt-reason, so it does not apply. Add the reason annotation.',
    },
    tags: ['suppression', 'audit'],
  },
  check(model, ctx) {
    for (const source of model.sources) {
      for (const s of source.suppressions) {
        if (s.reason) continue;
        const subject = inlineSubject(source, s);
        ctx.report({ messageId: 'inline', data: { rules: rulesText(s.rules) }, subject, at: { source, range: commentRange(source, s.line, s.column) } });
      }
    }
    for (const o of model.manifests?.objects ?? []) {
      const v = o.annotations[EXEMPT_ANNOTATION];
      if (v === undefined || o.annotations[EXEMPT_REASON_ANNOTATION]?.trim()) continue;
      const rules = v.split(/[\s,]+/).filter(Boolean);
      ctx.report({
        messageId: 'annotation',
        data: { rules: rulesText(rules) },
        subject: annotationSubject(o, rules),
        at: { object: o, path: ['metadata', 'annotations', EXEMPT_ANNOTATION] },
      });
    }
  },
});
