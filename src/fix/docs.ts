// Fix stage: docs/fix.md, generated (npm run docs) from rule metadata and from what each rule's fix sets on
// the `incorrect` values examples of its doc page, so the page shows real behaviour and cannot drift.
import fs from 'node:fs';
import path from 'node:path';
import { modelFromTexts } from '../model/build.js';
import { formatPath } from '../model/path.js';
import { lint } from '../rules/engine.js';
import { emptyPolicy } from '../rules/policy.js';
import type { Rule } from '../rules/types.js';

const FENCE = /```yaml incorrect((?: [a-z-]+=[^\s`]+)*)\n([\s\S]*?)```/g;

/** The values `incorrect` examples of a rule's doc page (manifest examples have no values fix). */
export function incorrectValuesExamples(root: string, id: string): string[] {
  const file = path.join(root, 'docs/rules', `${id}.md`);
  if (!fs.existsSync(file)) return [];
  return [...fs.readFileSync(file, 'utf8').matchAll(FENCE)].map((m) => m[2]);
}

/** `path: value` lines a rule's fix sets on its doc examples (deduplicated, in order). */
export function exampleEdits(root: string, rule: Rule): string[] {
  const out: string[] = [];
  for (const text of incorrectValuesExamples(root, rule.meta.id)) {
    const res = lint(modelFromTexts({ values: [{ path: 'example.yaml', text }] }), emptyPolicy(), { target: 'example', rules: [rule] });
    for (const f of res.findings) {
      for (const e of f.autofix?.set ?? []) {
        const line = `${formatPath(e.path)}: ${JSON.stringify(e.value)}`;
        if (!out.includes(line)) out.push(line);
      }
    }
  }
  return out;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/fix.md. */
export function fixMarkdown(root: string, rules: readonly Rule[]): string {
  const fixable = rules.filter((r) => r.meta.fixable);
  const rows = fixable.map((r) => {
    const edits = exampleEdits(root, r);
    return `| [${r.meta.id}](rules/${r.meta.id}.md) | ${cell(r.meta.fix)} | ${edits.length ? edits.map((e) => `\`${cell(e)}\``).join('<br>') : ''} |`;
  });
  const none = rules.filter((r) => !r.meta.fixable && r.meta.inputs.includes('values')).map((r) => `[${r.meta.id}](rules/${r.meta.id}.md)`);
  return `# imply-lint fix

Generated from rule metadata and the rules' own fixes by \`npm run docs\`; do not edit by hand.

\`imply-lint fix FILE... [-f values.yaml]... [--set k=v]... [-o overlay.yaml | --write]\` lints the values and,
for every finding whose rule has a safe fix, writes the smallest values overlay that resolves it. Pass the
overlay to helm after your own files (\`-f yours.yaml -f overlay.yaml\`), or use \`--write\` to make the same
edits in your files (each value in the file that set it, else the last values file; comments, key order,
quoting and flow style are kept, and the file is replaced atomically). Manifests and stdin with \`--write\`
are refused (exit 2): fixes are values edits.

- Rules own their fixes: a rule's check returns, with the finding, the values it would set. \`fix\` merges
  them (most severe finding first; the first edit of a key wins a conflict), lints again with the overlay
  and adds the fixes of what that uncovers (disabling MinIO leaves the default S3 endpoint pointing at it),
  then drops every edit whose removal brings no finding back (a disabled subchart's password).
- Never a secret: passwords and inline licence keys become \`""\` (provide them from a Kubernetes Secret).
  A list the overlay would have to copy whole because it holds a secret is left to \`--write\`.
- What only you can supply becomes \`<fill-me>\` (external database host, ZooKeeper ensemble, the Imply
  version to pin); \`unresolved-placeholder\` reports every one left, so the fixed values do not pass
  until they are filled in.
- Secret names come from the policy's \`settings.secretNames\` (\`imply-ca\`, \`imply-auth-token\`,
  \`imply-secrets\` by default): create those Secrets before installing.
- \`imply-lint rules\` (text and json) and each rule's page say whether a rule is fixable; SARIF results
  carry a \`fixes\` entry (a text replacement in the values file) when the fix is an edit of that file.

## Fixable rules

The last column is what the fix sets on the rule's \`incorrect\` examples.

| rule | fix | sets (on the doc examples) |
|---|---|---|
${rows.join('\n')}

## No safe values fix

${none.join(', ')}.
`;
}
