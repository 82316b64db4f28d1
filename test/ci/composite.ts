// Test helper: runs a composite GitHub Action (action.yml) locally the way the runner does, for what our
// action uses: inputs with defaults, `${{ }}` substitution in env / with / working-directory / outputs, step
// `if:` conditions (status functions, && || !, == != compared case-insensitively as GitHub does, the
// implicit success() when no status function is named), `run:` steps executed with
// `bash --noprofile --norc -eo pipefail FILE` in the step's working directory with GITHUB_OUTPUT,
// GITHUB_ACTION_PATH and GITHUB_WORKSPACE set, and step outputs read back from GITHUB_OUTPUT. `uses:`
// steps are handed to callbacks (no network). Anything outside that subset throws, so a change to
// action.yml that this runner cannot follow fails the test instead of passing unnoticed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

export interface ActionStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}

export interface ActionMeta {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export interface StepResult {
  id?: string;
  name?: string;
  outcome: 'success' | 'failure' | 'skipped';
  code?: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  uses?: string;
  with?: Record<string, string>;
}

export interface ActionResult {
  conclusion: 'success' | 'failure';
  /** The exit code of the step that failed the action (0 when it succeeded). */
  exitCode: number;
  steps: StepResult[];
  outputs: Record<string, string>;
}

export type UsesHandler = (withs: Record<string, string>, env: { workspace: string }) => 'success' | 'failure';

export function loadAction(file: string): ActionMeta {
  return parse(fs.readFileSync(file, 'utf8')) as ActionMeta;
}

interface Ctx {
  inputs: Record<string, string>;
  github: Record<string, string>;
  steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }>;
  failed: boolean;
}

/** Resolves a context reference like inputs.fail-on or steps.lint.outputs.exit-code. */
function lookup(ref: string, ctx: Ctx): string {
  const parts = ref.split('.');
  if (parts[0] === 'inputs' && parts.length === 2) {
    if (!(parts[1] in ctx.inputs)) throw new Error(`\${{ ${ref} }}: input not declared`);
    return ctx.inputs[parts[1]];
  }
  if (parts[0] === 'github' && parts.length === 2) {
    if (!(parts[1] in ctx.github)) throw new Error(`\${{ ${ref} }}: github context property not provided by the runner helper`);
    return ctx.github[parts[1]];
  }
  if (parts[0] === 'steps' && parts.length >= 3) {
    const step = ctx.steps[parts[1]];
    if (!step) return ''; // a step that has not run yet: GitHub gives null, which renders as ''
    if (parts[2] === 'outputs' && parts.length === 4) return step.outputs[parts[3]] ?? '';
    if ((parts[2] === 'outcome' || parts[2] === 'conclusion') && parts.length === 3) return step[parts[2]];
  }
  throw new Error(`\${{ ${ref} }}: not supported by the runner helper`);
}

type Val = string | boolean;

/** Evaluates a GitHub expression (the subset described above). */
export function evaluate(expr: string, ctx: Ctx): Val {
  const tokens = expr.match(/\s*(always\(\)|success\(\)|failure\(\)|cancelled\(\)|&&|\|\||==|!=|!|\(|\)|'(?:[^']|'')*'|true|false|[A-Za-z_][A-Za-z0-9_.-]*)\s*/gy);
  if (!tokens || tokens.join('').length !== expr.length) throw new Error(`expression not supported: ${expr}`);
  const toks = tokens.map((t) => t.trim());
  let i = 0;
  const truthy = (v: Val) => (typeof v === 'boolean' ? v : v !== '');
  const primary = (): Val => {
    const t = toks[i++];
    if (t === '(') {
      const v = or();
      if (toks[i++] !== ')') throw new Error(`expression: ) expected in ${expr}`);
      return v;
    }
    if (t === '!') return !truthy(primary());
    if (t === 'always()') return true;
    if (t === 'cancelled()') return false;
    if (t === 'success()') return !ctx.failed;
    if (t === 'failure()') return ctx.failed;
    if (t === 'true' || t === 'false') return t === 'true';
    if (t?.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (t && /^[A-Za-z_]/.test(t)) return lookup(t, ctx);
    throw new Error(`expression: unexpected ${t} in ${expr}`);
  };
  const cmp = (): Val => {
    const a = primary();
    if (toks[i] === '==' || toks[i] === '!=') {
      const op = toks[i++];
      const b = primary();
      // GitHub compares strings ignoring case.
      const eq = typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;
      return op === '==' ? eq : !eq;
    }
    return a;
  };
  const and = (): Val => {
    let v = cmp();
    while (toks[i] === '&&') {
      i++;
      const r = cmp();
      v = truthy(v) ? r : v;
    }
    return v;
  };
  const or = (): Val => {
    let v = and();
    while (toks[i] === '||') {
      i++;
      const r = and();
      v = truthy(v) ? v : r;
    }
    return v;
  };
  const v = or();
  if (i !== toks.length) throw new Error(`expression: trailing tokens in ${expr}`);
  return v;
}

/** Whether a step runs: its `if:` with GitHub's implicit success() when no status function appears. */
function shouldRun(cond: string | undefined, ctx: Ctx): boolean {
  const c = (cond ?? 'success()').replace(/^\$\{\{([\s\S]*)\}\}$/, '$1').trim();
  const hasStatus = /\b(always|success|failure|cancelled)\(\)/.test(c);
  const v = evaluate(hasStatus ? c : `success() && (${c})`, ctx);
  return typeof v === 'boolean' ? v : v !== '';
}

/** Replaces every ${{ expr }} in a string. */
export function substitute(text: string, ctx: Ctx): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, e: string) => String(evaluate(e.trim(), ctx)));
}

/** Every context reference (inputs.x, steps.a.outputs.b, ...) inside the ${{ }} and if: of an action. */
export function expressionRefs(meta: ActionMeta): string[] {
  const out: string[] = [];
  const scan = (s: string) => {
    for (const m of s.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) out.push(...(m[1].match(/\b(?:inputs|steps|github)\.[A-Za-z0-9_.-]+/g) ?? []));
  };
  for (const step of meta.runs.steps) {
    if (step.if) out.push(...(step.if.match(/\b(?:inputs|steps|github)\.[A-Za-z0-9_.-]+/g) ?? []));
    for (const v of [step.run, step['working-directory'], ...Object.values(step.env ?? {}), ...Object.values(step.with ?? {})]) if (typeof v === 'string') scan(v);
  }
  for (const o of Object.values(meta.outputs ?? {})) scan(o.value);
  return out;
}

/** Reads GITHUB_OUTPUT: `name=value` lines and `name<<DELIM` ... `DELIM` blocks. */
export function readOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      while (++i < lines.length && lines[i] !== heredoc[2]) body.push(lines[i]);
      out[heredoc[1]] = body.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`GITHUB_OUTPUT: malformed line ${JSON.stringify(line)}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** Runs the action with these inputs (others take their defaults) in `workspace`. */
export function runComposite(meta: ActionMeta, opts: { actionPath: string; workspace: string; inputs: Record<string, string>; uses: Record<string, UsesHandler> }): ActionResult {
  for (const k of Object.keys(opts.inputs)) if (!(k in meta.inputs)) throw new Error(`Unexpected input '${k}'`);
  const inputs: Record<string, string> = {};
  for (const [k, spec] of Object.entries(meta.inputs)) {
    if (spec.required && opts.inputs[k] === undefined) throw new Error(`Input required and not supplied: ${k}`);
    inputs[k] = opts.inputs[k] ?? spec.default ?? '';
  }
  const ctx: Ctx = { inputs, github: { action_path: opts.actionPath, workspace: opts.workspace }, steps: {}, failed: false };
  const steps: StepResult[] = [];
  let exitCode = 0;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-action-'));
  try {
    meta.runs.steps.forEach((step, n) => {
      const rec: StepResult = { id: step.id, name: step.name, outcome: 'skipped', stdout: '', stderr: '', outputs: {} };
      steps.push(rec);
      if (shouldRun(step.if, ctx)) {
        if (step.uses) {
          const ref = step.uses.replace(/@.*$/, '');
          const handler = opts.uses[ref];
          if (!handler) throw new Error(`no handler for uses: ${step.uses}`);
          rec.uses = step.uses;
          rec.with = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, substitute(String(v), ctx)]));
          rec.outcome = handler(rec.with, { workspace: opts.workspace });
        } else {
          if (step.shell !== 'bash') throw new Error(`step ${step.name}: only shell: bash is supported`);
          const script = path.join(tmp, `step-${n}.sh`);
          fs.writeFileSync(script, substitute(step.run ?? '', ctx));
          const outFile = path.join(tmp, `output-${n}`);
          fs.writeFileSync(outFile, '');
          const env: Record<string, string> = {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? tmp,
            CI: 'true',
            GITHUB_ACTIONS: 'true',
            GITHUB_ACTION_PATH: opts.actionPath,
            GITHUB_WORKSPACE: opts.workspace,
            GITHUB_OUTPUT: outFile,
            RUNNER_TEMP: tmp,
          };
          for (const [k, v] of Object.entries(step.env ?? {})) env[k] = substitute(String(v), ctx);
          const cwd = path.resolve(opts.workspace, substitute(step['working-directory'] ?? '.', ctx));
          const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
          if (r.error) throw r.error;
          rec.code = r.status ?? -1;
          rec.stdout = r.stdout;
          rec.stderr = r.stderr;
          rec.outputs = readOutputs(fs.readFileSync(outFile, 'utf8'));
          rec.outcome = rec.code === 0 ? 'success' : 'failure';
          if (rec.code !== 0 && exitCode === 0) exitCode = rec.code;
        }
        if (rec.outcome === 'failure') ctx.failed = true;
      }
      if (step.id) ctx.steps[step.id] = { outputs: rec.outputs, outcome: rec.outcome, conclusion: rec.outcome };
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const outputs = Object.fromEntries(Object.entries(meta.outputs ?? {}).map(([k, o]) => [k, substitute(o.value, ctx)]));
  return { conclusion: ctx.failed ? 'failure' : 'success', exitCode: ctx.failed ? exitCode || 1 : 0, steps, outputs };
}
