// Rules stage: suppression-unused, a suppression or exemption that matched no finding (runs after the engine
// applied them, from ctx.usage).
import { EXEMPT_ANNOTATION } from '../engine.js';
import { defineRule } from '../types.js';
import { annotationSubject, commentRange, exemptionSubject, inlineSubject, rulesText } from '../hygiene-util.js';

export default defineRule({
  meta: {
    id: 'suppression-unused',
    title: 'No stale suppressions',
    severity: 'info',
    category: 'hygiene',
    inputs: ['values', 'manifest'],
    rationale:
      'A suppression that no longer matches a finding is noise at best, and at worst silently hides the next real problem on that line or object. A suppression is only reported when every rule it names ran in this lint (a narrowed `--rule` run or a policy that turns a rule off says nothing about it); one that names no rule names all of them. Expired exemptions are exemption-expired\'s.',
    fix: 'Delete the suppression comment, annotation or policy exemption.',
    subject: 'The suppression itself, as suppression-missing-reason and exemption-expired name it (never the file).',
    messages: {
      inline: 'The suppression comment for {{rules}} matched no finding. Delete it.',
      annotation: 'The imply-lint.io/exempt annotation for {{rules}} matched no finding. Delete it.',
      exemption: 'The policy exemption for {{target}} matched no finding. Delete it.',
    },
    tags: ['suppression', 'audit'],
    phase: 'post',
  },
  check(_model, ctx) {
    const usage = ctx.usage;
    if (!usage) return;
    const ran = (rules: readonly string[]) => rules.filter((r) => r !== '*').every((r) => ctx.enabled.has(r));
    for (const u of usage.inline) {
      if (u.used || !ran(u.rules)) continue;
      const subject = inlineSubject(u.source, { kind: u.kind, rules: u.rules, line: u.line, target: u.source.suppressions.find((s) => s.line === u.line)?.target });
      ctx.report({ messageId: 'inline', data: { rules: rulesText(u.rules) }, subject, at: { source: u.source, range: commentRange(u.source, u.line, u.column) } });
    }
    for (const u of usage.annotations) {
      if (u.used || !ran(u.rules)) continue;
      ctx.report({
        messageId: 'annotation',
        data: { rules: rulesText(u.rules) },
        subject: annotationSubject(u.object, u.rules),
        at: { object: u.object, path: ['metadata', 'annotations', EXEMPT_ANNOTATION] },
      });
    }
    for (const u of usage.exemptions) {
      const e = u.exemption;
      if (u.used || u.expired || (e.rule && !ctx.enabled.has(e.rule))) continue;
      const target = e.fingerprint ? `fingerprint ${e.fingerprint}` : `${e.rule ?? 'every rule'}${e.subject ? ` on ${e.subject}` : ''}`;
      ctx.report({ messageId: 'exemption', data: { target }, subject: exemptionSubject(e), at: e.source ? { policy: e.source } : { none: true } });
    }
  },
});
