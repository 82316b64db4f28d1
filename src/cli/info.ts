// CLI stage: `rules`, `explain`, `schema` and the docs generator (`docs-gen`, behind `npm run docs`).
import fs from 'node:fs';
import path from 'node:path';
import { chartSchema, lineForChartVersion } from '../model/chart.js';
import type { SchemaNode } from '../model/chart.js';
import { BUILTIN_RULES } from '../rules/registry.js';
import { fixMarkdown } from '../fix/docs.js';
import { suggest } from '../rules/policy.js';
import type { RuleMeta } from '../rules/types.js';
import { parseFlags } from './args.js';
import { UserError } from './errors.js';
import { CHART_HELP, FIX_HELP, MAIN_HELP, POST_RENDER_HELP } from './help.js';
import type { Io } from './inputs.js';
import { defaultDocsBaseUrl } from './lint.js';

const GEN_START = '<!-- generated:start -->';
const GEN_END = '<!-- generated:end -->';

function metas(): RuleMeta[] {
  return BUILTIN_RULES.map((r) => r.meta);
}

function rulesText(list: RuleMeta[]): string {
  const w = Math.max(...list.map((m) => m.id.length));
  const lines = list.map((m) => `${m.id.padEnd(w)}  ${m.severity.padEnd(7)}  ${m.category.padEnd(12)}  ${m.inputs.join(',').padEnd(22)}  ${m.fixable ? 'fixable  ' : '         '}${m.title}`);
  return `${'id'.padEnd(w)}  ${'default'.padEnd(7)}  ${'category'.padEnd(12)}  ${'inputs'.padEnd(22)}  ${'fix      '}title\n${lines.join('\n')}\n`;
}

/** docs/rules/index.md (also `imply-lint rules --format markdown`). */
export function rulesMarkdown(list: RuleMeta[]): string {
  const rows = list.map((m) => `| [${m.id}](${m.id}.md) | ${m.severity} | ${m.category} | ${m.inputs.join(', ')} | ${m.fixable ? 'yes' : ''} | ${m.title} |`);
  return `# Rules\n\nGenerated from rule metadata by \`npm run docs\`; do not edit by hand. Severity is the default of the\n\`production\` policy pack.\n\n| id | severity | category | inputs | fixable | title |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n`;
}

/** The generated header of docs/rules/<id>.md. */
export function ruleDocHeader(m: RuleMeta): string {
  const rows = [
    `| Severity (production pack) | ${m.severity} |`,
    `| Category | ${m.category} |`,
    `| Inputs | ${m.inputs.join(', ')} |`,
    `| Subject (fingerprint) | \`${m.subject}\` |`,
    `| Fixable | ${m.fixable ? 'yes' : 'no'} |`,
  ];
  if (m.securitySeverity !== undefined) rows.push(`| Security severity | ${m.securitySeverity} |`);
  let out = `${GEN_START}\n# ${m.id}\n\n${m.title}.\n\n| | |\n|---|---|\n${rows.join('\n')}\n\n## Why\n\n${m.rationale}\n`;
  if (m.seed) out += `\n> Imply's guide: "${m.seed}"\n`;
  out += `\n## Fix\n\n${m.fix}\n`;
  out += `\n## Messages\n\n${Object.entries(m.messages).map(([k, v]) => `- \`${k}\`: ${v}`).join('\n')}\n`;
  if (m.options) out += `\n## Options\n\n\`\`\`json\n${JSON.stringify({ schema: m.options, defaults: m.defaultOptions ?? {} }, null, 2)}\n\`\`\`\n`;
  return `${out}${GEN_END}`;
}

/** Rewrites the generated part of a rule doc, keeping the hand-written rest. */
export function renderRuleDoc(m: RuleMeta, existing: string | undefined): string {
  const header = ruleDocHeader(m);
  if (existing && existing.includes(GEN_START) && existing.includes(GEN_END)) {
    const before = existing.slice(0, existing.indexOf(GEN_START));
    const after = existing.slice(existing.indexOf(GEN_END) + GEN_END.length);
    return `${before}${header}${after}`;
  }
  return `${header}\n${existing ? `\n${existing}` : ''}`;
}

/** docs/cli.md: the --help texts. */
export function cliMarkdown(): string {
  return `# CLI reference\n\nGenerated from \`imply-lint --help\` by \`npm run docs\`; do not edit by hand.\n\n\`\`\`text\n${MAIN_HELP}\`\`\`\n\n## chart\n\n\`\`\`text\n${CHART_HELP}\`\`\`\n\n## fix\n\n\`\`\`text\n${FIX_HELP}\`\`\`\n\n## post-render\n\n\`\`\`text\n${POST_RENDER_HELP}\`\`\`\n`;
}

/** What `npm run docs` writes: path -> content. */
export function generatedDocs(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of metas()) {
    const p = path.join(root, 'docs/rules', `${m.id}.md`);
    const existing = fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined;
    out.set(p, renderRuleDoc(m, existing));
  }
  out.set(path.join(root, 'docs/rules/index.md'), rulesMarkdown(metas()));
  out.set(path.join(root, 'docs/cli.md'), cliMarkdown());
  out.set(path.join(root, 'docs/fix.md'), fixMarkdown(root, BUILTIN_RULES));
  return out;
}

function explain(id: string | undefined, io: Io): number {
  if (!id) throw new UserError('explain: give a rule id (imply-lint rules lists them)');
  const m = metas().find((x) => x.id === id);
  if (!m) throw new UserError(`unknown rule id "${id}"${suggest(id, metas().map((x) => x.id))}`);
  const lines = [
    `${m.id} (${m.severity}, ${m.category}): ${m.title}`,
    '',
    `Why: ${m.rationale}`,
    m.seed ? `Guide: "${m.seed}"` : '',
    `Fix: ${m.fix}`,
    `Inputs: ${m.inputs.join(', ')}   Subject: ${m.subject}   Fixable: ${m.fixable ? 'yes' : 'no'}`,
    m.options ? `Options: ${JSON.stringify(m.defaultOptions ?? {})} (schema: ${JSON.stringify(m.options)})` : '',
    `Docs: ${defaultDocsBaseUrl()}/${m.id}.md`,
  ].filter((l, i, a) => l !== '' || (i > 0 && a[i - 1] !== ''));
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

/** The chart line's schema as a values.schema.json (defaults kept; our x- annotations removed). */
export function valuesSchemaJson(line: ReturnType<typeof lineForChartVersion> & string): string {
  const strip = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(strip);
    if (n === null || typeof n !== 'object') return n;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n as SchemaNode)) {
      if (k.startsWith('x-')) continue;
      out[k] = k === 'default' ? v : strip(v);
    }
    return out;
  };
  return `${JSON.stringify(strip(chartSchema(line)), null, 2)}\n`;
}

/** `rules`, `explain`, `schema`, `docs-gen`. */
export async function infoCommand(cmd: string, argv: string[], io: Io): Promise<number> {
  const { flags, positionals } = parseFlags(argv, {
    format: { type: 'string' },
    'chart-version': { type: 'string' },
    check: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help) {
    io.stdout(MAIN_HELP);
    return 0;
  }
  if (cmd === 'rules') {
    const f = (flags.format as string | undefined) ?? 'text';
    if (f === 'json') io.stdout(`${JSON.stringify(metas().map((m) => ({ ...m, fixable: Boolean(m.fixable) })), null, 2)}\n`);
    else if (f === 'markdown') io.stdout(rulesMarkdown(metas()));
    else if (f === 'text') io.stdout(rulesText(metas()));
    else throw new UserError(`rules --format: expected text, json or markdown, got "${f}"`);
    return 0;
  }
  if (cmd === 'explain') return explain(positionals[0], io);
  if (cmd === 'schema') {
    const v = flags['chart-version'] as string | undefined;
    const line = v ? lineForChartVersion(v) : '2023';
    if (!line) throw new UserError(`--chart-version: unknown chart version "${v}" (known lines: 2023.x, 2021.x, 0.4.x)`);
    io.stdout(valuesSchemaJson(line));
    return 0;
  }
  // docs-gen: run from the repository root.
  const root = io.cwd;
  const stale: string[] = [];
  for (const [p, content] of generatedDocs(root)) {
    const cur = fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined;
    if (cur === content) continue;
    stale.push(path.relative(root, p));
    if (!flags.check) {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, content);
    }
  }
  if (flags.check && stale.length) {
    io.stderr(`docs out of date (run npm run docs): ${stale.join(', ')}\n`);
    return 1;
  }
  io.stdout(stale.length ? `wrote ${stale.length} file(s)\n` : 'docs up to date\n');
  return 0;
}
