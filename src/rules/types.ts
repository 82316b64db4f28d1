// Rules stage: what a rule is (metadata + a pure check), what it reports, and what the engine returns.
import type { Path } from '../model/path.js';
import type { DeploymentModel, K8sObject, SourceFile } from '../model/types.js';
import type { Range } from '../model/yaml.js';

/** The one severity scale: drives exit codes, SARIF levels and deny-vs-warn. */
export type Severity = 'error' | 'warning' | 'info';

export const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export type InputKind = 'values' | 'manifest' | 'live';

export type Category = 'quickstart' | 'security' | 'versions' | 'druid' | 'availability' | 'hygiene' | 'live';

/** Rule metadata: everything docs, SARIF, `imply-lint rules` and `explain` print comes from here. */
export interface RuleMeta {
  /** Kebab-case id, equal to the file name (RULES.md ids are a public contract). */
  id: string;
  title: string;
  /** Default severity (the production pack). */
  severity: Severity;
  category: Category;
  /** Inputs the rule can see evidence in. */
  inputs: InputKind[];
  /** Why the rule exists (one paragraph, citing the seed where it can). */
  rationale: string;
  /** One sentence: how to fix a finding. */
  fix: string;
  /** The passage of Imply's guide (seed) that grounds the rule, if any. */
  seed?: string;
  /** What the findings are about: the release-level values path(s) used as fingerprint subjects. */
  subject: string;
  /** messageId -> template with {{placeholders}}. */
  messages: Record<string, string>;
  /** JSON Schema of the rule's options (policy `rules.<id>.options`). */
  options?: Record<string, unknown>;
  defaultOptions?: Record<string, unknown>;
  /** A safe values overlay can fix it (`imply-lint fix`). */
  fixable?: boolean;
  /** SARIF `security-severity` (0-10) for security rules. */
  securitySeverity?: number;
  tags?: string[];
  /** `post` rules run after suppressions are applied (suppression-unused). */
  phase?: 'post';
}

/** Where a finding points. The engine turns anchors into file/line/column. */
export type Anchor =
  | { values: Path }
  | { object: K8sObject; path?: Path }
  | { source: SourceFile; range: Range }
  | { policy: { file: string; range: Range } }
  | { none: true };

/** What a check reports. The message must name the subject and the fix, not input-specific evidence. */
export interface ReportDescriptor {
  messageId: string;
  data?: Record<string, string | number>;
  /** Release-level values path this finding is about (RULES.md "Identity of a finding"). */
  subject: string;
  at: Anchor;
  /** A variant severity (e.g. zookeeper-ha's even-count warning); a policy severity overrides it. */
  severity?: Severity;
  related?: Anchor[];
  /** A safe values edit that resolves this finding (`imply-lint fix`); only for fixable rules, values-level meaning only. */
  fix?: ValuesFix;
}

/** One values edit: set `path` (release values, relative to the root) to `value`. */
export interface FixEdit {
  path: Path;
  /** What to write; `<fill-me>` (FILL_ME) for anything the user must supply. Never a secret. */
  value: unknown;
}

/** A rule's fix for one finding: the smallest values edits that resolve it. */
export interface ValuesFix {
  /** One sentence, shown in overlays and SARIF `fixes`. */
  description: string;
  set: FixEdit[];
}

/** A finding's fix as a text replacement in its values file (SARIF `fixes`), computed by src/fix before reporting. */
export interface TextFix {
  file: string;
  description: string;
  /** 1-based lines, code-point columns, end exclusive; `insertedContent` replaces the region. */
  replacements: { startLine: number; startColumn: number; endLine: number; endColumn: number; insertedContent: string }[];
}

/** How suppressions and exemptions were used, for post-phase rules. */
export interface SuppressionUsage {
  inline: { source: SourceFile; line: number; column: number; rules: string[]; used: boolean; kind: 'next-line' | 'file'; hasReason: boolean }[];
  annotations: { object: K8sObject; rules: string[]; used: boolean; hasReason: boolean }[];
  exemptions: { exemption: PolicyExemption; used: boolean; expired: boolean }[];
}

/** What a check may use besides the model. */
export interface RuleContext {
  report(d: ReportDescriptor): void;
  options: Record<string, unknown>;
  now: Date;
  /** The resolved policy's settings (Secret names, air-gapped, …). */
  settings: PolicySettings;
  /** Ids of the rules enabled in this run. */
  enabled: ReadonlySet<string>;
  /** Policy exemptions (for exemption-expired). */
  exemptions: readonly PolicyExemption[];
  /** Only for `phase: 'post'` rules. */
  usage?: SuppressionUsage;
}

/** A rule: metadata plus a pure, synchronous check (no fs, network, console or clock). */
export interface Rule {
  meta: RuleMeta;
  check(model: DeploymentModel, ctx: RuleContext): void;
}

/** Identity helper that type-checks a rule definition. */
export function defineRule(rule: Rule): Rule {
  return rule;
}

/** A located span in reports. */
export interface FindingLocation {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Where the effective value came from, for people and for SARIF `properties`. */
export interface Provenance {
  kind: 'file' | 'set' | 'default' | 'manifest' | 'context' | 'policy';
  file?: string;
  line?: number;
  flag?: string;
  expr?: string;
  chartLine?: string;
  chartVersion?: string;
  assumed?: boolean;
  /** Human text: `values.yaml:12`, `--set deployments.minio=true`, `chart default (2023.03.1, assumed)`. */
  text: string;
}

export interface Suppression {
  kind: 'inline' | 'file' | 'annotation' | 'policy';
  reason: string;
  expires?: string;
  location?: FindingLocation;
}

/** One finding, after anchors are resolved, duplicates folded and suppressions applied. */
export interface Finding {
  ruleId: string;
  /** The rule's messageId (stable, for tests and tooling). */
  messageId: string;
  severity: Severity;
  message: string;
  fix: string;
  subject: string;
  fingerprint: string;
  location?: FindingLocation;
  /** Values path, when the finding is about a values key. */
  path?: string;
  /** `Kind/name`, when it is about a manifest object. */
  object?: string;
  provenance?: Provenance;
  related: (FindingLocation & { object?: string; path?: string })[];
  suppressed?: Suppression;
  /** The rule's values fix for this finding, when it has one (`imply-lint fix`). */
  autofix?: ValuesFix;
  /** The fix as a text edit of the values file (set by src/fix for SARIF output only). */
  textFix?: TextFix;
}

/** A policy exemption (RULES.md: rule + subject or fingerprint + reason + optional expiry). */
export interface PolicyExemption {
  rule?: string;
  subject?: string;
  fingerprint?: string;
  reason?: string;
  expires?: string;
  /** Where it is written, for findings about it. */
  source?: { file: string; range: Range };
}

/** Settings a policy carries besides rules. */
export interface PolicySettings {
  secretNames: { ca: string; auth: string; license: string };
  failOn?: Severity | 'none';
  maxWarnings?: number;
  mode?: 'enforce' | 'warn' | 'audit';
}

/** The result of linting one target (one positional file, one chart, one admission object). */
export interface LintResult {
  target: string;
  inputs: InputKind[];
  findings: Finding[];
  /** Rules that were enabled and could see this input. */
  applicable: string[];
  score: { value: number; passedWeight: number; applicableWeight: number };
  chartLine?: string;
  chartLineReason?: string;
  /** Rules that threw (the engine keeps going; the CLI reports them and exits 2). */
  ruleErrors: { ruleId: string; message: string }[];
}
