// CLI stage: `imply-lint preflight`. Values and --set as for lint; the probes run live (src/preflight/),
// then the same engine, reporters and exit codes judge the facts.
import { buildModel } from '../model/build.js';
import type { SourceFile } from '../model/types.js';
import { buildValuesModel } from '../model/values.js';
import { lint } from '../rules/engine.js';
import { applyRuleFlags } from '../rules/policy.js';
import { LINT_OPTIONS, list, parseFlags, versionFlag } from './args.js';
import { UserError } from './errors.js';
import { readSource } from './inputs.js';
import type { Io } from './inputs.js';
import { policyFromFlags, report, setFlags } from './lint.js';

const PREFLIGHT_OPTIONS = {
  ...LINT_OPTIONS,
  'druid-database': { type: 'string', multiple: true },
  'manager-host': { type: 'string' },
  'druid-host': { type: 'string' },
  'zk-connect': { type: 'string' },
  kubeconfig: { type: 'string' },
  namespace: { type: 'string' },
  timeout: { type: 'string' },
  'outside-cluster': { type: 'boolean' },
} as const;

/** `imply-lint preflight [-f values.yaml]... [--set ...] [preflight options]`. */
export async function preflightCommand(argv: string[], io: Io): Promise<number> {
  const { flags, positionals } = parseFlags(argv, PREFLIGHT_OPTIONS);
  const pf = await import('../preflight/index.js');
  if (flags.help) {
    io.stdout(pf.preflightCommandHelp);
    return 0;
  }
  // Positional files are values layers too (preflight reads one release).
  const paths = [...list(flags.values), ...positionals];
  if (paths.length === 0 && setFlags(argv).length === 0) throw new UserError('preflight: give the release values (-f values.yaml)');
  const files: SourceFile[] = [];
  for (const p of paths) {
    const src = await readSource(p, io, 'values');
    files.push(src);
  }
  const sets = setFlags(argv);
  const chartVersion = flags['chart-version'] as string | undefined;
  const values = buildValuesModel({ files, sets, chartVersion });
  const { policy: base, rules } = policyFromFlags(flags, io);
  // Preflight reports what only a live connection can answer; `lint` covers the static rules.
  const policy = list(flags.rule).length > 0 ? base : applyRuleFlags(base, rules.map((r) => r.meta.id), rules.filter((r) => r.meta.inputs.includes('live')).map((r) => r.meta.id), []);
  const timeoutMs = flags.timeout ? pf.parseTimeout(String(flags.timeout)) : pf.DEFAULT_TIMEOUT_MS;
  const live = await pf.runPreflight({
    values,
    druidDatabases: list(flags['druid-database']),
    managerHost: flags['manager-host'] as string | undefined,
    druidHost: flags['druid-host'] as string | undefined,
    zkConnect: flags['zk-connect'] as string | undefined,
    kubeconfig: flags.kubeconfig as string | undefined,
    namespace: flags.namespace as string | undefined,
    releaseName: flags['release-name'] as string | undefined,
    outsideCluster: Boolean(flags['outside-cluster']),
    timeoutMs,
    helm: io.env.HELM_BIN ?? 'helm',
  });
  const model = buildModel({
    values: files,
    sets,
    chartVersion,
    live,
    context: {
      now: new Date(),
      kubeVersion: versionFlag(flags['kube-version'] as string | undefined, '--kube-version') ?? live.kubeVersion,
      helmVersion: versionFlag(flags['helm-version'] as string | undefined, '--helm-version') ?? live.helmVersion,
      releaseName: flags['release-name'] as string | undefined,
    },
  });
  const result = lint(model, policy, { target: files.map((f) => f.path).join(' + ') || 'preflight', rules });
  return report([result], files, flags, io, policy, rules);
}
