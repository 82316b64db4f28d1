// Fix stage: the overlay as a YAML values file, with a header naming what it fixes and a comment on
// every key naming the rules that asked for it.
import { Document, isMap as isYamlMap, isScalar } from 'yaml';
import type { Pair } from 'yaml';
import { formatPath } from '../model/path.js';
import type { Path } from '../model/path.js';
import { FILL_ME } from '../rules/util.js';
import type { FixPlan } from './plan.js';
import { firstIndex, overlayOf } from './plan.js';

/** The key path that carries an edit's comment: the edit's own key, or the list it rewrites. */
function commentPath(path: Path): Path {
  const i = firstIndex(path);
  return i >= 0 ? path.slice(0, i) : path;
}

/** Scalar rendering as Helm (YAML 1.1) reads it back: `no`, `on`, `1:20` stay strings. */
export const YAML_OPTIONS = { version: '1.1', lineWidth: 0 } as const;

/** Renders the plan's overlay (base: the effective values, for lists the overlay rewrites whole). */
export function renderOverlay(plan: FixPlan, base: Record<string, unknown>, inputs: string[]): string {
  const overlay = overlayOf(plan.edits, base);
  const doc = new Document(overlay, YAML_OPTIONS);
  const byKey = new Map<string, { path: Path; rules: Set<string> }>();
  for (const e of plan.edits) {
    const p = commentPath(e.path);
    const k = formatPath(p);
    const entry = byKey.get(k) ?? { path: p, rules: new Set<string>() };
    for (const r of e.rules) entry.rules.add(r);
    byKey.set(k, entry);
  }
  for (const { path, rules } of byKey.values()) {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    if (!isYamlMap(parent)) continue;
    const pair = (parent.items as Pair[]).find((p) => (isScalar(p.key) ? p.key.value : p.key) === path[path.length - 1]);
    if (pair && isScalar(pair.key)) pair.key.commentBefore = ` fixes: ${[...rules].sort().join(', ')}`;
  }
  const fixedRules = [...new Set(plan.fixed.map((f) => f.ruleId))].sort();
  const notes = [...new Set(plan.edits.flatMap((e) => e.descriptions))].filter((d) => /\bcreate\b/i.test(d));
  const header = [
    `imply-lint fix: values overlay for ${inputs.join(' + ') || 'the given values'}.`,
    `Pass it after your own values: helm upgrade --install RELEASE CHART ${inputs.map((i) => `-f ${i}`).join(' ')} -f THIS_FILE`.trimEnd(),
    `Fixes ${plan.fixed.length} finding(s): ${fixedRules.join(', ') || 'none'}.`,
  ];
  // Rules whose fixes the first ones uncovered (TLS on brings enableLegacyTls: false, MinIO off brings the S3 endpoint).
  const followUps = [...new Set(plan.edits.flatMap((e) => e.rules))].filter((r) => !fixedRules.includes(r)).sort();
  if (followUps.length > 0) header.push(`Also sets what those fixes need, for: ${followUps.join(', ')}.`);
  if (plan.placeholders > 0) header.push(`Fill in every ${FILL_ME} (${plan.placeholders}) before installing; unresolved-placeholder reports those left.`);
  for (const n of notes) header.push(`Before installing: ${n}`);
  doc.commentBefore = header.map((l) => ` ${l}`).join('\n');
  return plan.edits.length === 0 ? `${header.map((l) => `# ${l}`).join('\n')}\n{}\n` : doc.toString(YAML_OPTIONS);
}
