// Rules stage: duplicate-key, the same key twice in one mapping (Helm silently keeps the last one).
import { pathKey } from '../../model/path.js';
import { defineRule } from '../types.js';
import { docSubject } from '../hygiene-util.js';

export default defineRule({
  meta: {
    id: 'duplicate-key',
    title: 'No key twice in one mapping',
    severity: 'warning',
    category: 'hygiene',
    inputs: ['values', 'manifest'],
    rationale:
      'Helm reads values files with Go\'s YAML, which keeps the last of two equal keys without a word, so the first setting is silently lost. That usually happens while merging one\'s changes into a newer values.yaml, which Imply\'s guide asks for before every upgrade ("merge your changes to the updated Imply chart before updating").',
    fix: 'Keep one of the two keys (the later one is what Helm uses) and delete the other.',
    seed: 'If you have customized your deployment chart, merge your changes to the updated Imply chart before updating.',
    subject: 'The path of the repeated key (values path in a values file, `Kind:path` in a rendered object).',
    messages: {
      duplicate: '{{subject}} is set twice in the same mapping; Helm silently keeps only the last value. Delete one of them.',
    },
    fixable: false,
    tags: ['yaml'],
  },
  check(model, ctx) {
    for (const source of model.sources) {
      for (const doc of source.docs) {
        if (doc.shadowed) continue; // Helm never reads it
        for (const d of doc.duplicates) {
          // A document recovered through a Go-compatible reader keeps only positions both readers agree on;
          // a "duplicate" elsewhere is an artefact of the stricter reader's wrong tree.
          if (doc.recovered && !doc.positions.has(pathKey(d.path))) continue;
          const subject = docSubject(source, doc, d.path);
          ctx.report({ messageId: 'duplicate', data: { subject }, subject, at: { source, range: d.second }, related: [{ source, range: d.first }] });
        }
      }
    }
  },
});
