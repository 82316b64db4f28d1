// CLI stage: `imply-lint fix`, the smallest values overlay that resolves the fixable findings (stdout or
// -o FILE), or with --write the same edits made in the user's own values files.
import fs from 'node:fs';
import path from 'node:path';
import { buildModel } from '../model/build.js';
import { makeSource } from '../model/source.js';
import type { SourceFile } from '../model/types.js';
import { lint } from '../rules/engine.js';
import { planFix } from '../fix/plan.js';
import type { FixPlan, PlannedEdit, Relint } from '../fix/plan.js';
import { renderOverlay, YAML_OPTIONS } from '../fix/render.js';
import { applyEditsToText, FixWriteError, writeFileAtomic } from '../fix/write.js';
import { stringify } from 'yaml';
import { LINT_OPTIONS, list, parseFlags, versionFlag } from './args.js';
import { UserError } from './errors.js';
import { FIX_HELP } from './help.js';
import { readSource } from './inputs.js';
import type { Io } from './inputs.js';
import { policyFromFlags, setFlags } from './lint.js';

const FIX_OPTIONS = { ...LINT_OPTIONS, write: { type: 'boolean' } } as const;

/** The label the overlay carries while it is re-linted (findings it brings point into it). */
const OVERLAY_LABEL = '<imply-lint fix overlay>';

function summary(plan: FixPlan, where: string): string {
  const ids = [...new Set(plan.fixed.map((f) => f.ruleId))].sort();
  const lines = [`imply-lint fix: ${plan.fixed.length} finding(s) fixed ${where}${ids.length ? ` (${ids.join(', ')})` : ''}; ${plan.placeholders} placeholder(s) to fill in.`];
  if (plan.alsoResolved.length) lines.push(`  also resolved: ${[...new Set(plan.alsoResolved.map((f) => f.ruleId))].sort().join(', ')}`);
  const left = plan.after.findings.filter((f) => !f.suppressed && !f.autofix);
  if (left.length) lines.push(`  left without a safe fix: ${[...new Set(left.map((f) => f.ruleId))].sort().join(', ')}`);
  if (plan.unresolved.length) lines.push(`  not resolved by the overlay (a --set wins over it?): ${[...new Set(plan.unresolved.map((f) => f.ruleId))].sort().join(', ')}`);
  for (const s of plan.skipped) lines.push(`  skipped ${s.path} (${s.ruleId}): ${s.reason}`);
  return `${lines.join('\n')}\n`;
}

/** The file an edit belongs in: the one that set the value (provenance), else the last values file. */
function targetOf(e: PlannedEdit, origin: (p: PlannedEdit['path']) => string | undefined, files: SourceFile[]): string {
  const o = origin(e.path);
  if (o && files.some((f) => f.path === o)) return o;
  return files[files.length - 1].path;
}

/** `imply-lint fix FILE... [-f ...] [--set ...] [-o overlay.yaml | --write]`. */
export async function fixCommand(argv: string[], io: Io): Promise<number> {
  const { flags, positionals } = parseFlags(argv, FIX_OPTIONS);
  if (flags.help) {
    io.stdout(FIX_HELP);
    return 0;
  }
  const inputs = [...positionals, ...list(flags.values)];
  if (inputs.length === 0) throw new UserError('fix: give the values files to fix (imply-lint fix values.yaml, or -f FILE)');
  if (flags.write && typeof flags.output === 'string') throw new UserError('fix: --write edits your values files, -o writes an overlay: choose one');
  if (flags.format !== undefined) throw new UserError('fix: --format does not apply (the overlay is YAML; lint it with imply-lint -f ... -f overlay.yaml)');
  if (inputs.filter((p) => p === '-').length > 1) throw new UserError('stdin (-) can be read only once');
  if (flags.write && inputs.includes('-')) throw new UserError('fix --write cannot edit stdin; use -o FILE for an overlay', '<stdin>');
  const files: SourceFile[] = [];
  const real = new Map<string, string>();
  for (const p of inputs) {
    const src = await readSource(p, io);
    if (src.role === 'manifest') throw new UserError('fix works on Helm values, not rendered manifests: give the values files the manifests were rendered from', src.path);
    src.role = 'values';
    files.push(src);
    if (p !== '-') real.set(src.path, path.resolve(io.cwd, p));
  }
  const { policy, rules } = policyFromFlags(flags, io);
  const sets = setFlags(argv);
  const settings = {
    chartVersion: flags['chart-version'] as string | undefined,
    kubeVersion: versionFlag(flags['kube-version'] as string | undefined, '--kube-version'),
    helmVersion: versionFlag(flags['helm-version'] as string | undefined, '--helm-version'),
    releaseName: flags['release-name'] as string | undefined,
  };
  const previous: SourceFile[] = [];
  for (const p of list(flags['previous-values'])) previous.push(await readSource(p, io, 'previous-values'));
  const now = new Date();
  const target = files.map((f) => f.path).join(' + ');
  const relint: Relint = (overlay) => {
    const extra = overlay ? [makeSource(OVERLAY_LABEL, stringify(overlay, YAML_OPTIONS), 'values')] : [];
    const model = buildModel({
      values: [...files, ...extra],
      sets,
      previousValues: previous,
      chartVersion: settings.chartVersion,
      context: { now, kubeVersion: settings.kubeVersion, helmVersion: settings.helmVersion, releaseName: settings.releaseName },
    });
    return { result: lint(model, policy, { target, rules }), values: model.values };
  };
  const plan = planFix(relint);
  for (const e of plan.before.ruleErrors) throw new UserError(`internal error in rule ${e.ruleId}: ${e.message}`, target);
  const base = relint(undefined).values!;

  if (!flags.write) {
    const text = renderOverlay(plan, base.merged, files.map((f) => f.path));
    if (typeof flags.output === 'string') {
      try {
        const out = path.resolve(io.cwd, flags.output);
        fs.mkdirSync(path.dirname(out), { recursive: true });
        writeFileAtomic(out, text);
      } catch (e) {
        throw new UserError(`cannot write overlay: ${(e as Error).message}`, flags.output);
      }
      io.stderr(summary(plan, `by the overlay ${flags.output}`));
    } else {
      io.stdout(text);
      io.stderr(summary(plan, 'by the overlay'));
    }
    return 0;
  }

  // --write: each edit goes to the file that set the value, else to the last values file.
  const origin = (p: PlannedEdit['path']) => {
    const o = base.origin(p);
    return o.kind === 'file' ? o.file : undefined;
  };
  const byFile = new Map<string, PlannedEdit[]>();
  for (const e of plan.edits) {
    const f = targetOf(e, origin, files);
    byFile.set(f, [...(byFile.get(f) ?? []), e]);
  }
  const writes: { file: string; text: string; reformatted: boolean }[] = [];
  for (const [shown, edits] of byFile) {
    const abs = real.get(shown);
    if (!abs) throw new UserError('fix --write cannot edit stdin; use -o FILE for an overlay', shown);
    const src = files.find((f) => f.path === shown)!;
    try {
      writes.push({ file: abs, ...applyEditsToText(src.text, edits, base.merged) });
    } catch (e) {
      if (e instanceof FixWriteError) throw new UserError(`cannot edit in place: ${e.message}; use -o FILE for an overlay`, shown);
      throw e;
    }
  }
  // Every file is checked before any is written, so a refusal leaves them all as they were.
  for (const w of writes) {
    try {
      writeFileAtomic(w.file, w.text);
    } catch (e) {
      throw new UserError(`cannot write: ${(e as Error).message}`, w.file);
    }
  }
  const shownFiles = [...byFile.keys()];
  io.stderr(summary(plan, `in ${shownFiles.join(', ') || 'no file'}`));
  for (const w of writes) if (w.reformatted) io.stderr(`  note: ${w.file} was rewritten through the YAML Document API (comments and key order kept; spacing may differ)\n`);
  return 0;
}
