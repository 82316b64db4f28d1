// Rules stage: yaml-syntax, a document that Helm (Go's YAML) cannot read.
import { HELM_REFUSES_CODES } from '../../model/yaml.js';
import { defineRule } from '../types.js';
import type { Anchor } from '../types.js';
import { docSubject, nearestPath } from '../hygiene-util.js';

export default defineRule({
  meta: {
    id: 'yaml-syntax',
    title: 'YAML that Helm can read',
    severity: 'error',
    category: 'hygiene',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide has operators fetch values.yaml with `helm show values`, edit it and apply it with `helm upgrade -f values.yaml`; a file Helm cannot parse stops the install or upgrade. Only what Go\'s YAML (helm, kubectl, the API server) refuses is reported: comment-only and empty documents are fine, and documents the `yaml` package is stricter about than Go are read as Go reads them. Helm also refuses `.inf`/`.nan`, which cannot become JSON.',
    fix: 'Correct the YAML at the reported line and column (indentation, an unclosed quote or bracket), or quote a value such as .inf that should be a string.',
    seed: 'After you modify the chart configuration, run the following command to update the deployed release: helm upgrade {releaseName} imply/imply -f values.yaml',
    subject:
      'The path of the key nearest to the error (values path in a values file, `Kind:path` in a rendered object, `(root)` before the first key). The file name is never part of it.',
    messages: {
      syntax: 'YAML that Helm cannot read near {{subject}}: {{message}}. Fix the syntax there.',
      refused: '{{subject}}: {{message}}. Quote the value if it is meant as a string, or correct it.',
    },
    tags: ['yaml', 'syntax'],
  },
  check(model, ctx) {
    for (const source of model.sources) {
      for (const doc of source.docs) {
        // Helm never reads a document shadowed by an earlier one in its chunk, so it cannot fail on it.
        if (doc.shadowed) continue;
        // The first syntax error of a document is the cause; the ones that cascade from it are related.
        const syntax = doc.errors.filter((e) => !HELM_REFUSES_CODES.has(e.code));
        const first = syntax[0];
        if (first) {
          const subject = docSubject(source, doc, nearestPath(doc, first.range.line, first.range.column) ?? []);
          const related: Anchor[] = syntax.slice(1).map((e) => ({ source, range: e.range }));
          ctx.report({ messageId: 'syntax', data: { subject, message: first.message.replace(/[.\s]+$/, '') }, subject, at: { source, range: first.range }, related });
        }
        // What parses but Helm refuses (`.inf`, a bad merge, tag or key, a bad `---` line) is one finding each.
        for (const e of doc.errors) {
          if (!HELM_REFUSES_CODES.has(e.code)) continue;
          const subject = docSubject(source, doc, nearestPath(doc, e.range.line, e.range.column) ?? []);
          ctx.report({ messageId: 'refused', data: { subject, message: e.message }, subject, at: { source, range: e.range } });
        }
      }
    }
  },
});
