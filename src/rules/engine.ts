// Rules stage: runs the enabled rules over a deployment model, resolves anchors to file positions,
// folds findings that share a fingerprint, applies suppressions and exemptions, and scores the result.
import { formatPath } from '../model/path.js';
import { sha256Hex } from '../model/sha256.js';
import { locateInObject } from '../model/manifests.js';
import type { DeploymentModel, K8sObject, Location, SourceFile } from '../model/types.js';
import type {
  Anchor,
  Finding,
  FindingLocation,
  InputKind,
  LintResult,
  PolicyExemption,
  Provenance,
  ReportDescriptor,
  Rule,
  RuleContext,
  Severity,
  SuppressionUsage,
} from './types.js';
import { SEVERITY_RANK } from './types.js';
import type { ResolvedPolicy } from './policy.js';

/**
 * Fingerprints already computed, by their hash input: the same (rule, subject) pairs come back in every
 * webhook review and every file of a batch, and SHA-256 in JavaScript was ~6% of a review. Bounded: emptied
 * when full (a pure function's cache: a miss only costs the hash again).
 */
const fingerprintCache = new Map<string, string>();
const FINGERPRINT_CACHE_MAX = 4096;

/** Fingerprint = hash of rule id and subject, nothing else (RULES.md "Identity of a finding"). */
export function fingerprint(ruleId: string, subject: string): string {
  const input = `${ruleId}\u0000${subject}`;
  let fp = fingerprintCache.get(input);
  if (fp === undefined) {
    fp = sha256Hex(input).slice(0, 32);
    if (fingerprintCache.size >= FINGERPRINT_CACHE_MAX) fingerprintCache.clear();
    fingerprintCache.set(input, fp);
  }
  return fp;
}

/** Fills `{{name}}` placeholders. */
export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => (k in data ? String(data[k]) : `{{${k}}}`));
}

export const EXEMPT_ANNOTATION = 'imply-lint.io/exempt';
export const EXEMPT_REASON_ANNOTATION = 'imply-lint.io/exempt-reason';

/** Severity weights of the readiness score (docs/scoring.md). */
export const SCORE_WEIGHTS: Record<Severity, number> = { error: 5, warning: 2, info: 1 };

interface Pending {
  rule: Rule;
  d: ReportDescriptor;
  severity: Severity;
}

interface Resolved {
  location?: FindingLocation;
  object?: K8sObject;
  path?: string;
  provenance?: Provenance;
  source?: SourceFile;
}

function toFindingLocation(l: Location): FindingLocation {
  return { file: l.file, line: l.range.line, column: l.range.column, endLine: l.range.endLine, endColumn: l.range.endColumn };
}

function resolveAnchor(model: DeploymentModel, a: Anchor): Resolved {
  if ('values' in a) {
    const v = model.values;
    if (!v) return {};
    const loc = v.locate(a.values);
    const o = v.origin(a.values);
    let provenance: Provenance | undefined;
    if (o.kind === 'file') provenance = { kind: 'file', file: o.file, line: o.range?.line, text: `${o.file}${o.range ? `:${o.range.line}` : ''}` };
    else if (o.kind === 'set') provenance = { kind: 'set', flag: o.flag, expr: o.expr, text: `${o.flag} ${o.expr}` };
    else if (o.kind === 'default')
      provenance = { kind: 'default', chartLine: o.chartLine, chartVersion: o.chartVersion, assumed: o.assumed, text: `chart default (${o.chartVersion}${o.assumed ? ', assumed' : ''})` };
    else provenance = { kind: 'default', chartLine: v.chartLine, chartVersion: v.chartVersion, text: 'not set (no chart default)' };
    return { location: loc ? toFindingLocation(loc) : undefined, path: formatPath(a.values), provenance };
  }
  if ('object' in a) {
    const loc = locateInObject(a.object, a.path ?? []);
    return {
      location: loc ? toFindingLocation(loc) : undefined,
      object: a.object,
      path: a.path && a.path.length ? formatPath(a.path) : undefined,
      provenance: { kind: 'manifest', file: loc?.file, line: loc?.range.line, text: `${a.object.ref}${loc ? ` (${loc.file}:${loc.range.line})` : ''}` },
    };
  }
  if ('source' in a) {
    return { location: toFindingLocation({ file: a.source.path, range: a.range }), source: a.source };
  }
  if ('policy' in a) {
    return { location: toFindingLocation(a.policy), provenance: { kind: 'policy', file: a.policy.file, line: a.policy.range.line, text: `${a.policy.file}:${a.policy.range.line}` } };
  }
  // Context-only evidence (a flag, the cluster): anchor at line 1 of the first input file.
  const first = model.sources[0];
  const line1 = { line: 1, column: 1, endLine: 1, endColumn: 1 };
  return { location: first ? toFindingLocation({ file: first.path, range: line1 }) : undefined, provenance: { kind: 'context', text: 'command-line or cluster context' } };
}

function inputsOf(model: DeploymentModel): InputKind[] {
  const out: InputKind[] = [];
  if (model.values) out.push('values');
  if (model.manifests) out.push('manifest');
  if (model.live) out.push('live');
  return out;
}

function exemptionApplies(e: PolicyExemption, f: Finding): boolean {
  if (e.fingerprint) return e.fingerprint === f.fingerprint;
  if (e.rule && e.rule !== f.ruleId) return false;
  if (e.subject !== undefined) return e.subject === f.subject;
  return Boolean(e.rule);
}

function annotationRules(o: K8sObject): { rules: string[]; reason?: string } | undefined {
  const v = o.annotations[EXEMPT_ANNOTATION];
  if (v === undefined) return undefined;
  const rules = v.split(/[\s,]+/).filter(Boolean);
  const reason = o.annotations[EXEMPT_REASON_ANNOTATION]?.trim();
  return { rules, reason: reason ? reason : undefined };
}

/** Expiry check: an exemption dated YYYY-MM-DD stops applying after that day (UTC). */
export function isExpired(expires: string | undefined, now: Date): boolean {
  if (!expires) return false;
  const t = Date.parse(/T/.test(expires) ? expires : `${expires}T23:59:59.999Z`);
  return Number.isFinite(t) && t < now.getTime();
}

export interface LintOptions {
  target: string;
  rules: readonly Rule[];
}

/** Lints one deployment model under a resolved policy. Pure: no I/O, the clock comes from the model. */
export function lint(model: DeploymentModel, policy: ResolvedPolicy, opts: LintOptions): LintResult {
  const inputs = inputsOf(model);
  const enabledRules = opts.rules.filter((r) => policy.rules[r.meta.id]?.severity !== 'off');
  const enabled = new Set(enabledRules.map((r) => r.meta.id));
  const applicable = enabledRules.filter((r) => r.meta.inputs.some((i) => inputs.includes(i)) || r.meta.category === 'hygiene');
  const pending: Pending[] = [];
  const ruleErrors: { ruleId: string; message: string }[] = [];

  const ctxFor = (rule: Rule, usage?: SuppressionUsage): RuleContext => ({
    report: (d) => {
      if (!(d.messageId in rule.meta.messages)) throw new Error(`rule ${rule.meta.id} reported unknown messageId ${d.messageId}`);
      // A severity the policy sets wins over the rule's variants; otherwise the variant, else the default.
      const override = policy.rules[rule.meta.id]?.severity;
      const severity: Severity = override && override !== 'off' ? override : (d.severity ?? rule.meta.severity);
      pending.push({ rule, d, severity });
    },
    options: { ...(rule.meta.defaultOptions ?? {}), ...(policy.rules[rule.meta.id]?.options ?? {}) },
    now: model.context.now,
    settings: policy.settings,
    enabled,
    exemptions: policy.exemptions,
    usage,
  });

  const runRule = (rule: Rule, usage?: SuppressionUsage) => {
    try {
      rule.check(model, ctxFor(rule, usage));
    } catch (e) {
      ruleErrors.push({ ruleId: rule.meta.id, message: e instanceof Error ? e.message : String(e) });
    }
  };
  for (const rule of applicable) if (rule.meta.phase !== 'post') runRule(rule);

  let findings = foldFindings(model, pending);

  // Suppressions: inline comments, object annotations, policy exemptions.
  const usage: SuppressionUsage = { inline: [], annotations: [], exemptions: [] };
  // Inline suppressions indexed by file and by the line they cover, so that many findings in a file
  // full of suppression comments stay linear (a finding checks only the comments that can apply to it).
  const inlineIndex = new Map<string, Map<number | 'file', InlineEntry[]>>();
  let order = 0;
  for (const s of model.sources) {
    for (const sup of s.suppressions) {
      const u = { source: s, line: sup.line, column: sup.column, rules: sup.rules, used: false, kind: sup.kind, hasReason: Boolean(sup.reason) };
      usage.inline.push(u);
      const key = sup.kind === 'file' ? 'file' : sup.target;
      if (key === undefined) continue; // a next-line comment with no line after it covers nothing
      let byLine = inlineIndex.get(s.path);
      if (!byLine) inlineIndex.set(s.path, (byLine = new Map()));
      const list = byLine.get(key) ?? [];
      list.push({ order: order++, source: s, sup, usage: u });
      byLine.set(key, list);
    }
  }
  const annotated = new Map<K8sObject, SuppressionUsage['annotations'][number]>();
  for (const o of model.manifests?.objects ?? []) {
    const a = annotationRules(o);
    if (a) {
      const u = { object: o, rules: a.rules, used: false, hasReason: Boolean(a.reason) };
      usage.annotations.push(u);
      annotated.set(o, u);
    }
  }
  for (const e of policy.exemptions) usage.exemptions.push({ exemption: e, used: false, expired: isExpired(e.expires, model.context.now) });

  for (const f of findings.list) {
    const meta = findings.meta.get(f)!;
    // suppression-missing-reason cannot itself be suppressed by the comment it is about.
    if (f.ruleId === 'suppression-missing-reason') continue;
    if (f.location) {
      const byLine = inlineIndex.get(f.location.file);
      // In source order, as written: the first comment with a reason gives the finding its reason.
      const candidates = byLine ? [...(byLine.get('file') ?? []), ...(byLine.get(f.location.line) ?? [])].sort((a, b) => a.order - b.order) : [];
      for (const { source: s, sup, usage: u } of candidates) {
        const matchesRule = sup.rules.length === 0 || sup.rules.includes(f.ruleId);
        if (!matchesRule) continue;
        u.used = true;
        if (!sup.reason) continue; // a suppression without a reason does not apply (and is a finding)
        if (!f.suppressed) f.suppressed = { kind: sup.kind === 'file' ? 'file' : 'inline', reason: sup.reason, location: { file: s.path, line: sup.line, column: sup.column, endLine: sup.line, endColumn: sup.column } };
      }
    }
    for (const o of meta.objects) {
      const u = annotated.get(o);
      if (!u) continue;
      if (!u.rules.includes(f.ruleId) && !u.rules.includes('*')) continue;
      u.used = true;
      const reason = o.annotations[EXEMPT_REASON_ANNOTATION]?.trim();
      if (!reason) continue;
      if (!f.suppressed) f.suppressed = { kind: 'annotation', reason, location: meta.objectLocation };
    }
    for (const u of usage.exemptions) {
      if (!exemptionApplies(u.exemption, f)) continue;
      u.used = true;
      if (u.expired || !u.exemption.reason) continue;
      if (!f.suppressed) {
        const src = u.exemption.source;
        f.suppressed = { kind: 'policy', reason: u.exemption.reason, expires: u.exemption.expires, location: src ? toFindingLocation(src) : undefined };
      }
    }
  }

  // Post-phase rules (suppression-unused) see how suppressions were used.
  const before = pending.length;
  for (const rule of applicable) if (rule.meta.phase === 'post') runRule(rule, usage);
  if (pending.length > before) {
    const extra = foldFindings(model, pending.slice(before));
    findings = { list: [...findings.list, ...extra.list], meta: new Map([...findings.meta, ...extra.meta]) };
  }

  const list = findings.list.sort(compareFindings);
  const failed = new Set(list.filter((f) => !f.suppressed).map((f) => f.ruleId));
  let applicableWeight = 0;
  let passedWeight = 0;
  for (const r of applicable) {
    if (r.meta.category === 'hygiene' && r.meta.id !== 'unknown-key' && r.meta.id !== 'value-type' && r.meta.id !== 'unresolved-placeholder') continue;
    const sev = policy.rules[r.meta.id]?.severity;
    const w = SCORE_WEIGHTS[sev && sev !== 'off' ? sev : r.meta.severity];
    applicableWeight += w;
    if (!failed.has(r.meta.id)) passedWeight += w;
  }
  const score = applicableWeight === 0 ? 100 : Math.round((1000 * passedWeight) / applicableWeight) / 10;
  return {
    target: opts.target,
    inputs,
    findings: list,
    applicable: applicable.map((r) => r.meta.id),
    score: { value: score, passedWeight, applicableWeight },
    chartLine: model.values?.chartVersion,
    chartLineReason: model.values?.chartLineReason,
    ruleErrors,
  };
}

interface FoldMeta {
  objects: K8sObject[];
  objectLocation?: FindingLocation;
  /** Objects and locations already recorded (sets, so that a subject shared by many objects stays linear). */
  objectSet: Set<K8sObject>;
  locKeys: Set<string>;
}

/** One inline suppression comment in the engine's index. */
interface InlineEntry {
  order: number;
  source: SourceFile;
  sup: SourceFile['suppressions'][number];
  usage: SuppressionUsage['inline'][number];
}

const locKey = (l: FindingLocation): string => `${l.file}\u0000${l.line}\u0000${l.column}`;

/** Turns descriptors into findings; descriptors sharing a fingerprint become one finding with related locations. */
function foldFindings(model: DeploymentModel, pending: Pending[]): { list: Finding[]; meta: Map<Finding, FoldMeta> } {
  const byFp = new Map<string, Finding>();
  const meta = new Map<Finding, FoldMeta>();
  for (const p of pending) {
    const fp = fingerprint(p.rule.meta.id, p.d.subject);
    const r = resolveAnchor(model, p.d.at);
    const existing = byFp.get(fp);
    if (existing) {
      const m = meta.get(existing)!;
      if (r.object && !m.objectSet.has(r.object)) {
        m.objectSet.add(r.object);
        m.objects.push(r.object);
      }
      if (SEVERITY_RANK[p.severity] > SEVERITY_RANK[existing.severity]) existing.severity = p.severity;
      if (r.location && !m.locKeys.has(locKey(r.location))) {
        m.locKeys.add(locKey(r.location));
        existing.related.push({ ...r.location, object: r.object?.ref, path: r.path });
      }
      for (const rel of p.d.related ?? []) addRelated(model, existing, rel, m);
      // Folded evidence (values and manifest forms of one mistake) keeps the first fix any of them carries.
      if (!existing.autofix && p.d.fix) existing.autofix = p.d.fix;
      continue;
    }
    const f: Finding = {
      ruleId: p.rule.meta.id,
      messageId: p.d.messageId,
      severity: p.severity,
      message: formatMessage(p.rule.meta.messages[p.d.messageId], p.d.data),
      fix: p.rule.meta.fix,
      subject: p.d.subject,
      fingerprint: fp,
      location: r.location,
      path: r.path,
      object: r.object?.ref,
      provenance: r.provenance,
      related: [],
    };
    if (p.d.fix) f.autofix = p.d.fix;
    const m: FoldMeta = { objects: r.object ? [r.object] : [], objectLocation: r.object ? r.location : undefined, objectSet: new Set(r.object ? [r.object] : []), locKeys: new Set(r.location ? [locKey(r.location)] : []) };
    for (const rel of p.d.related ?? []) addRelated(model, f, rel, m);
    byFp.set(fp, f);
    meta.set(f, m);
  }
  return { list: [...byFp.values()], meta };
}

function addRelated(model: DeploymentModel, f: Finding, a: Anchor, m: FoldMeta): void {
  const r = resolveAnchor(model, a);
  if (!r.location || m.locKeys.has(locKey(r.location))) return;
  m.locKeys.add(locKey(r.location));
  f.related.push({ ...r.location, object: r.object?.ref, path: r.path });
}

function compareFindings(a: Finding, b: Finding): number {
  const fa = a.location?.file ?? '';
  const fb = b.location?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  const la = a.location?.line ?? 0;
  const lb = b.location?.line ?? 0;
  if (la !== lb) return la - lb;
  const ca = a.location?.column ?? 0;
  const cb = b.location?.column ?? 0;
  if (ca !== cb) return ca - cb;
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}
