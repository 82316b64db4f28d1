// CLI stage: the `lint` and `chart` commands. Builds lint targets from the flags, resolves the policy,
// runs the engine, hands the run to a reporter and computes the exit code (the only place that decides it).
import fs from 'node:fs';
import path from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { buildModel } from '../model/build.js';
import { makeSource } from '../model/source.js';
import type { SourceFile } from '../model/types.js';
import type { SetFlag } from '../model/values.js';
import { lint } from '../rules/engine.js';
import { applyRuleFlags, resolvePolicy } from '../rules/policy.js';
import type { ResolvedPolicy } from '../rules/policy.js';
import { BUILTIN_RULES } from '../rules/registry.js';
import { compileCustomRules } from '../rules/custom.js';
import type { Finding, LintResult, Rule, Severity } from '../rules/types.js';
import { SEVERITY_RANK } from '../rules/types.js';
import { maskSecrets } from '../report/mask.js';
import type { LintRun, ReporterContext } from '../report/types.js';
import { LINT_OPTIONS, list, parseFlags, versionFlag } from './args.js';
import type { Flags } from './args.js';
import { baselineStep } from './baseline.js';
import { UserError } from './errors.js';
import { CHART_HELP, MAIN_HELP } from './help.js';
import { expandPaths, readSource } from './inputs.js';
import type { Io } from './inputs.js';

import { FORMATS, isFormat } from '../report/formats.js';
import type { Format } from '../report/formats.js';

/** Default docs base URL, from package.json's repository/homepage. */
export function defaultDocsBaseUrl(): string {
  const repo = typeof pkg.repository === 'object' ? pkg.repository.url : String(pkg.repository ?? '');
  const m = /github\.com[/:]([^/]+\/[^/.]+)/.exec(repo) ?? /github\.com\/([^/]+\/[^/#]+)/.exec(pkg.homepage ?? '');
  if (m) return `https://github.com/${m[1]}/blob/main/docs/rules`;
  return 'https://imply-lint.io/docs/rules';
}

/** Everything one lint needs, after flag parsing. */
export interface LintSettings {
  sets: SetFlag[];
  chartVersion?: string;
  kubeVersion?: string;
  helmVersion?: string;
  releaseName?: string;
  previous: SourceFile[];
  policy: ResolvedPolicy;
  rules: Rule[];
  now: Date;
}

/** Reads --set/--set-string in command-line order. */
export function setFlags(argv: string[]): SetFlag[] {
  const out: SetFlag[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    for (const flag of ['--set', '--set-string'] as const) {
      if (a === flag && i + 1 < argv.length) out.push({ flag, expr: argv[++i] });
      else if (a.startsWith(`${flag}=`)) out.push({ flag, expr: a.slice(flag.length + 1) });
    }
  }
  return out;
}

/** Policy + rules from flags (flags win over files). */
export function policyFromFlags(flags: Flags, io: Io): { policy: ResolvedPolicy; rules: Rule[] } {
  const known = new Set(BUILTIN_RULES.map((r) => r.meta.id));
  let policy = resolvePolicy(typeof flags.policy === 'string' ? flags.policy : undefined, { cwd: io.cwd, knownRuleIds: known, noConfig: Boolean(flags['no-config']) });
  // No custom rules (the usual case): skip compileCustomRules, which would construct an ajv instance for nothing.
  const custom = policy.customRules.length > 0 ? compileCustomRules(policy) : [];
  const rules = [...BUILTIN_RULES, ...custom];
  const ids = rules.map((r) => r.meta.id);
  for (const id of [...list(flags.rule), ...list(flags['skip-rule'])]) {
    if (!ids.includes(id)) throw new UserError(`unknown rule id "${id}" (imply-lint rules lists them)`);
  }
  policy = applyRuleFlags(policy, ids, list(flags.rule), list(flags['skip-rule']));
  return { policy, rules };
}

function failOnOf(flags: Flags, policy: ResolvedPolicy): Severity | 'none' {
  const v = (flags['fail-on'] as string | undefined) ?? policy.settings.failOn ?? 'error';
  if (!['error', 'warning', 'info', 'none'].includes(v)) throw new UserError(`--fail-on: expected error, warning, info or none, got "${v}"`);
  return v as Severity | 'none';
}

function maxWarningsOf(flags: Flags, policy: ResolvedPolicy): number | undefined {
  const v = flags['max-warnings'];
  if (v === undefined) return policy.settings.maxWarnings;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new UserError(`--max-warnings: expected a whole number, got "${String(v)}"`);
  return Number(v);
}

function formatOf(flags: Flags): Format {
  const f = (flags.format as string | undefined) ?? 'text';
  if (!isFormat(f)) throw new UserError(`--format: expected one of ${FORMATS.join(', ')}, got "${f}"`);
  return f;
}

/** Exit code from the (already filtered) findings: 1 at or above fail-on, or too many warnings. */
export function exitCodeFor(results: LintResult[], failOn: Severity | 'none', maxWarnings?: number): number {
  const live = results.flatMap((r) => r.findings).filter((f) => !f.suppressed);
  if (failOn !== 'none' && live.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn])) return 1;
  if (maxWarnings !== undefined && live.filter((f) => f.severity === 'warning').length > maxWarnings) return 1;
  return 0;
}

/** Runs the lint over targets and writes the report; returns the exit code. */
export async function report(results: LintResult[], sources: SourceFile[], flags: Flags, io: Io, policy: ResolvedPolicy, rules: Rule[]): Promise<number> {
  for (const r of results) {
    for (const e of r.ruleErrors) throw new UserError(`internal error in rule ${e.ruleId}: ${e.message}`, r.target);
  }
  const failOn = failOnOf(flags, policy);
  const format = formatOf(flags);
  // --baseline drops known findings (before --quiet); --write-baseline records this run's (src/cli/baseline.ts).
  const based = baselineStep(results, flags, io.cwd, { name: 'imply-lint', version: pkg.version });
  const quiet = Boolean(flags.quiet);
  const shown: LintResult[] = quiet ? based.results.map((r) => ({ ...r, findings: r.findings.filter((f: Finding) => f.severity === 'error') })) : based.results;
  const run: LintRun = {
    results: shown,
    rules: rules.map((r) => r.meta),
    policy: { name: policy.name, files: policy.files },
    // Reports quote source lines (code frames, SARIF snippets): never with the secrets in them.
    sources: Object.fromEntries(sources.map((s) => [s.path, maskSecrets(s.text)])),
    ...(based.baselined !== undefined ? { baselined: based.baselined } : {}),
  };
  const color = flags['no-color'] ? false : flags.color ? true : io.isTTY && !flags.output && !io.env.NO_COLOR;
  const ctx: ReporterContext = {
    cwd: io.cwd,
    toolName: 'imply-lint',
    version: pkg.version,
    docsBaseUrl: (flags['docs-base-url'] as string | undefined) ?? defaultDocsBaseUrl(),
    color,
    failOn,
    // Reports that carry a time get it here (reporters never read the clock).
    ...(format === 'policyreport' || format === 'openreports' ? { timestamp: new Date().toISOString() } : {}),
  };
  // SARIF carries fixes as text replacements, computed here before the reporter (src/fix/text-fix.ts).
  if (format === 'sarif') (await import('../fix/text-fix.js')).attachTextFixes(shown, sources);
  const { reporters } = await import('../report/index.js');
  const out = reporters[format](run, ctx);
  if (typeof flags.output === 'string') {
    const file = path.resolve(io.cwd, flags.output);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, out);
    } catch (e) {
      throw new UserError(`cannot write report: ${(e as Error).message}`, flags.output);
    }
  } else io.stdout(out);
  return exitCodeFor(shown, failOn, maxWarningsOf(flags, policy));
}

/** The settings shared by lint, chart and post-render (policy, rules, --set, versions, previous values). */
export async function commonSettings(argv: string[], flags: Flags, io: Io): Promise<LintSettings> {
  const { policy, rules } = policyFromFlags(flags, io);
  const previous: SourceFile[] = [];
  for (const p of list(flags['previous-values'])) previous.push(await readSource(p, io, 'previous-values'));
  return {
    sets: setFlags(argv),
    chartVersion: flags['chart-version'] as string | undefined,
    kubeVersion: versionFlag(flags['kube-version'] as string | undefined, '--kube-version'),
    helmVersion: versionFlag(flags['helm-version'] as string | undefined, '--helm-version'),
    releaseName: flags['release-name'] as string | undefined,
    previous,
    policy,
    rules,
    now: new Date(),
  };
}

/** Lints one target (values layers and/or manifest streams). */
export function lintTarget(name: string, values: SourceFile[], manifests: SourceFile[], s: LintSettings, applySets: boolean, chartDefaults?: { values: Record<string, unknown>; label: string; file?: SourceFile }): LintResult {
  const model = buildModel({
    chartDefaults,
    values,
    sets: applySets ? s.sets : [],
    manifests,
    previousValues: s.previous,
    chartVersion: s.chartVersion,
    context: { now: s.now, kubeVersion: s.kubeVersion, helmVersion: s.helmVersion, releaseName: s.releaseName },
  });
  return lint(model, s.policy, { target: name, rules: s.rules });
}

/**
 * What the report keeps of a source: its path and text (reporters quote lines from them). Dropping the parsed
 * documents and their position maps lets them be collected once the target is linted: in the batch benchmark
 * they were ~200 KB per values file held until the end (docs/performance.md).
 */
function forReport(src: SourceFile): SourceFile {
  return { ...src, docs: [], suppressions: [] };
}

/** `imply-lint [lint] FILE... [-f ...]`. */
export async function lintCommand(argv: string[], io: Io): Promise<number> {
  const { flags, positionals } = parseFlags(argv, LINT_OPTIONS);
  if (flags.help) {
    io.stdout(MAIN_HELP);
    return 0;
  }
  const layered = list(flags.values);
  if (positionals.length === 0 && layered.length === 0 && setFlags(argv).length === 0) {
    throw new UserError('no input: give values or manifest files, -f FILE, or - for stdin (imply-lint --help)');
  }
  if (positionals.filter((p) => p === '-').length + layered.filter((p) => p === '-').length > 1) throw new UserError('stdin (-) can be read only once');
  const s = await commonSettings(argv, flags, io);
  const results: LintResult[] = [];
  const sources: SourceFile[] = [...s.previous];
  if (layered.length > 0 || (positionals.length === 0 && s.sets.length > 0)) {
    const files: SourceFile[] = [];
    for (const p of layered) files.push(await readSource(p, io, 'values'));
    sources.push(...files.map(forReport));
    results.push(lintTarget(files.map((f) => f.path).join(' + ') || '--set', files, [], s, true));
  }
  for (const p of expandPaths(positionals, io.cwd)) {
    const src = await readSource(p, io);
    sources.push(forReport(src));
    if (src.role === 'manifest') results.push(lintTarget(src.path, [], [src], s, false));
    else results.push(lintTarget(src.path, [src], [], s, true));
  }
  return report(results, sources, flags, io, s.policy, s.rules);
}

/** A chart directory's values.yaml as defaults (undefined when it has none or it is not a map). */
function chartValues(dir: string, shownDir: string): { values: Record<string, unknown>; label: string; file: SourceFile } | undefined {
  const p = path.join(dir, 'values.yaml');
  if (!fs.existsSync(p)) return undefined;
  const label = `${shownDir.replace(/\/+$/, '')}/values.yaml`;
  const file = makeSource(label, fs.readFileSync(p, 'utf8'), 'values');
  const v = file.docs.find((d) => d.value !== undefined)?.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  return { values: v as Record<string, unknown>, label, file };
}

const CHART_OPTIONS = { ...LINT_OPTIONS, 'api-versions': { type: 'string', multiple: true } } as const;

/**
 * The resource API versions a cluster of `kube` serves that Imply-style charts test with
 * `.Capabilities.APIVersions.Has "group/version/Kind"`. `helm install` learns them from the cluster;
 * `helm template` knows only what --api-versions says, so `chart --kube-version X` supplies them.
 */
export function apiVersionsFor(kube: string | undefined): string[] {
  if (!kube) return [];
  const [maj, min] = kube.split('.').map(Number);
  const v = maj * 100 + (min || 0);
  const out: string[] = [];
  if (v >= 119) out.push('networking.k8s.io/v1/Ingress');
  if (v >= 121) out.push('policy/v1/PodDisruptionBudget', 'batch/v1/CronJob');
  if (v >= 123) out.push('autoscaling/v2/HorizontalPodAutoscaler');
  return out;
}

/** `imply-lint chart DIR`: helm template + values, linted together. */
export async function chartCommand(argv: string[], io: Io): Promise<number> {
  const { flags, positionals } = parseFlags(argv, CHART_OPTIONS);
  if (flags.help) {
    io.stdout(CHART_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UserError('chart: give exactly one chart directory');
  const dir = path.resolve(io.cwd, positionals[0]);
  if (!fs.existsSync(path.join(dir, 'Chart.yaml'))) throw new UserError('not a chart directory (no Chart.yaml)', positionals[0]);
  const helmMod = await import('../model/helm.js');
  const helm = helmMod.findHelm(io.env);
  if (!helm) throw new UserError('helm not found: put helm on PATH or set HELM_BIN');
  const s = await commonSettings(argv, flags, io);
  if (!s.helmVersion) s.helmVersion = await helmMod.helmVersion(helm);
  const valuesFiles = list(flags.values);
  const files: SourceFile[] = [];
  for (const p of valuesFiles) files.push(await readSource(p, io, 'values'));
  const rendered = await helmMod.renderChart({
    helm,
    chartDir: dir,
    releaseName: s.releaseName ?? 'imply',
    valuesFiles: valuesFiles.map((p) => path.resolve(io.cwd, p)),
    sets: s.sets,
    kubeVersion: s.kubeVersion,
    apiVersions: list(flags['api-versions']).length > 0 ? list(flags['api-versions']) : apiVersionsFor(s.kubeVersion),
  });
  const shown = `${positionals[0].replace(/\/+$/, '')}/(rendered)`;
  const manifest = makeSource(shown, rendered, 'manifest');
  if (!s.releaseName) s.releaseName = 'imply';
  // The chart's own values.yaml is the truth for defaults when we have it.
  const defaults = chartValues(dir, positionals[0]);
  const result = lintTarget(positionals[0], files, [manifest], s, true, defaults);
  return report([result], [...s.previous, ...(defaults ? [defaults.file] : []), ...files, manifest], flags, io, s.policy, s.rules);
}
