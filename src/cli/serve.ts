// CLI stage: `imply-lint serve` (the validating admission webhook) and `imply-lint certs` (a CA and serving
// certificate for it). Flags, with IMPLY_LINT_* environment equivalents, become typed options; the server itself
// lives in src/webhook/. serve resolves after its drain; only src/cli/main.ts sets the exit code.
import fs from 'node:fs';
import path from 'node:path';
import type { Mode } from '../webhook/review.js';
import { parseDuration, parseFlags, parseSize, versionFlag } from './args.js';
import type { Flags } from './args.js';
import { UserError } from './errors.js';
import type { Io } from './inputs.js';
import { policyFromFlags } from './lint.js';
import { BUILTIN_PACKS, findConfig } from '../rules/policy.js';
import type { ResolvedPolicy } from '../rules/policy.js';

const SERVE_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  policy: { type: 'string' },
  'no-config': { type: 'boolean' },
  rule: { type: 'string', multiple: true },
  'skip-rule': { type: 'string', multiple: true },
  mode: { type: 'string' },
  'on-error': { type: 'string' },
  'drain-delay': { type: 'string' },
  'max-body': { type: 'string' },
  'rule-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
  'keep-alive-timeout': { type: 'string' },
  'cert-poll': { type: 'string' },
  workers: { type: 'string' },
  'decision-cache': { type: 'string' },
  'kube-version': { type: 'string' },
  'log-level': { type: 'string' },
  'log-reviews': { type: 'string' },
  'policy-reports': { type: 'string' },
  'policy-report-api': { type: 'string' },
  'policy-poll': { type: 'string' },
  'self-managed': { type: 'boolean' },
  service: { type: 'string' },
  namespace: { type: 'string' },
  'webhook-config': { type: 'string' },
  'cert-secret': { type: 'string' },
  lease: { type: 'string' },
  kubeconfig: { type: 'string' },
  'sync-interval': { type: 'string' },
  'rotation-grace': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const CERTS_OPTIONS = {
  service: { type: 'string' },
  namespace: { type: 'string' },
  out: { type: 'string' },
  days: { type: 'string' },
  'ca-days': { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const SERVE_HELP = `Usage: imply-lint serve --cert FILE --key FILE [serve options]
       imply-lint serve --self-managed --service S --namespace N --webhook-config NAME [serve options]

Runs the validating admission webhook: POST /validate (AdmissionReview admission.k8s.io/v1), GET /healthz,
GET /readyz, GET /metrics, over HTTPS (TLS 1.2+). Same rules, policies and exemptions as imply-lint lint.
Every flag can also be set by an environment variable: IMPLY_LINT_ + the flag in upper case with '_'
(e.g. IMPLY_LINT_MODE=warn; IMPLY_LINT_RULE and IMPLY_LINT_SKIP_RULE take comma-separated ids); a flag wins
over its variable.

Server:
  --host H                  Address to listen on (default 0.0.0.0).
  --port N                  Port (default 8443).
  --cert FILE, --key FILE   Serving certificate and key (PEM), reloaded when they change (watch + poll
                            <= 2 s; a Kubernetes Secret volume's ..data swap included). A new pair is used
                            only when both parse and match.
  --max-body SIZE           Largest request body (default 6MiB; larger: HTTP 413).
  --drain-delay DUR         On SIGTERM, stay up (not ready) this long before closing (default 5s).
  --request-timeout DUR     Longest a request may take (default 30s).
  --keep-alive-timeout DUR  Idle keep-alive connections are closed after this (default 120s).
  --cert-poll DUR           How often the certificate files are polled (default 1s, at most 2s).
  --workers N               Rule worker threads (default: CPUs - 1, 1 to 4, counting the cgroup CPU limit;
                            on one CPU 0, or 1 for a policy with custom rules). 0: rules run on the event
                            loop, without the --rule-timeout cut.
  --decision-cache N        Decisions each rule worker remembers, for requests whose object, oldObject,
                            operation, namespace and dryRun repeat (default 1000; 0: off). Emptied when the
                            policy reloads; an entry lives 30 s at most (rules read the clock).
  --log-level LEVEL         fatal, error, warn, info (default), debug, trace. Logs are JSON lines on stdout.
  --log-reviews all|findings   all (default): one "review" line per AdmissionReview answered (uid,
                            decision, ms); findings: only denials, findings and errors (the rest at debug).

Decisions:
  --policy NAME|FILE        Policy pack or file (as for lint); its settings.mode is the default mode.
                            A file is reloaded when it changes and has stayed unchanged for one poll; a
                            policy that does not load is refused and the current one kept.
  --policy-poll DUR         How often the policy file is polled (default 2s, 100ms to 60s).
  --no-config, --rule ID, --skip-rule ID   As for lint.
  --mode MODE               enforce (deny objects with error-level findings), warn (allow, findings as
                            warnings), audit (allow, log only). Default: the policy's mode, else enforce.
  --on-error allow|deny     Answer when the rules fail or time out (default: deny in enforce mode, else allow).
  --rule-timeout DUR        Deadline for the rules of one request (default 2s; also capped by the API
                            server's ?timeout=).
  --kube-version X          The cluster's Kubernetes version, for kubernetes-version and removed-api-version.

Self-managed certificates (instead of --cert/--key):
  --self-managed            Keep the CA and serving certificate in a Secret, shared by all replicas; the
                            holder of a Lease renews them and patches the webhook configuration's caBundle.
  --service S, --namespace N   The webhook's Service and namespace (certificate names <S>.<N>.svc).
  --webhook-config NAME     The ValidatingWebhookConfiguration to patch.
  --cert-secret NAME        Secret name (default imply-lint-webhook-certs).
  --lease NAME              Lease name (default imply-lint-webhook-certs).
  --kubeconfig FILE         Talk to the API server with this kubeconfig (default: in-cluster).
  --sync-interval DUR       How often each replica re-reads the Secret (default 10s).
  --rotation-grace DUR      Time between the steps of a CA rotation (default 2m).

PolicyReports (audit mode):
  --policy-reports auto|true|false   Also write each reviewed object's findings as a PolicyReport in its
                            namespace (ClusterPolicyReport when cluster-scoped), in the background (bounded
                            queue; a report that cannot be written is dropped and counted, never a review).
                            auto (default): on in audit mode when running in a pod (service account) or
                            with --kubeconfig; off in the other modes.
  --policy-report-api API   wgpolicyk8s.io/v1alpha2 (default; PolicyReport) or openreports.io/v1alpha1
                            (Report). --kubeconfig applies here too.

Exit codes: 0 after a clean drain (SIGTERM/SIGINT); 2 when it cannot start (bad flag, certificate or policy).
`;

export const CERTS_HELP = `Usage: imply-lint certs --service S --namespace N --out DIR [--days N] [--ca-days N] [--force]

Writes a new CA and a serving certificate for the webhook Service to DIR: ca.crt (the caBundle of the
ValidatingWebhookConfiguration, base64-encoded), tls.crt and tls.key (mode 0600). The certificate names
S.N.svc and S.N.svc.cluster.local, is for serverAuth, and is back-dated one hour for clock skew.
  --days N      Serving certificate lifetime (default 365).
  --ca-days N   CA lifetime (default 3650).
  --force       Overwrite existing files.
`;

/** A flag, else its IMPLY_LINT_* environment variable. */
function opt(flags: Flags, env: Io['env'], name: string): string | undefined {
  const v = flags[name];
  if (typeof v === 'string') return v;
  const e = env[`IMPLY_LINT_${name.toUpperCase().replace(/-/g, '_')}`];
  return e !== undefined && e !== '' ? e : undefined;
}

function boolOpt(flags: Flags, env: Io['env'], name: string): boolean {
  if (flags[name] === true) return true;
  const e = env[`IMPLY_LINT_${name.toUpperCase().replace(/-/g, '_')}`];
  if (e === undefined || e === '') return false;
  if (/^(1|true|yes|on)$/i.test(e)) return true;
  if (/^(0|false|no|off)$/i.test(e)) return false;
  throw new UserError(`IMPLY_LINT_${name.toUpperCase().replace(/-/g, '_')}: expected true or false, got "${e}"`);
}

function intOpt(v: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UserError(`${flag}: expected a whole number from ${min} to ${max}, got "${v}"`);
  return Number(v);
}

function durOpt(v: string | undefined, flag: string): number | undefined {
  return v === undefined ? undefined : parseDuration(v, flag);
}

/** Runs `serve` or `certs`; returns the exit code. */
export async function serveCommand(cmd: 'serve' | 'certs', argv: string[], io: Io): Promise<number> {
  return cmd === 'certs' ? certsCommand(argv, io) : serveServer(argv, io);
}

async function certsCommand(argv: string[], io: Io): Promise<number> {
  const { flags, positionals } = parseFlags(argv, CERTS_OPTIONS);
  if (flags.help) {
    io.stdout(CERTS_HELP);
    return 0;
  }
  if (positionals.length) throw new UserError(`certs: unexpected argument "${positionals[0]}"`);
  const service = flags.service as string | undefined;
  const namespace = flags.namespace as string | undefined;
  const out = flags.out as string | undefined;
  if (!service || !namespace || !out) throw new UserError('certs: --service, --namespace and --out are required');
  const days = intOpt(flags.days as string | undefined, '--days', 1, 36500);
  const caDays = intOpt(flags['ca-days'] as string | undefined, '--ca-days', 1, 36500);
  const { generatePki } = await import('../webhook/certs.js');
  const dir = path.resolve(io.cwd, out);
  const files = { 'ca.crt': '', 'tls.crt': '', 'tls.key': '' };
  if (!flags.force) {
    for (const f of Object.keys(files)) if (fs.existsSync(path.join(dir, f))) throw new UserError('already exists (use --force to overwrite)', path.join(out, f));
  }
  const pki = await generatePki({ service, namespace, now: new Date(), days, caDays });
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'ca.crt'), pki.ca.certPem, { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'tls.crt'), pki.serving.certPem, { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'tls.key'), pki.serving.keyPem, { mode: 0o600 });
    fs.chmodSync(path.join(dir, 'tls.key'), 0o600);
  } catch (e) {
    throw new UserError(`cannot write certificates: ${(e as Error).message}`, out);
  }
  io.stdout(`wrote ${path.join(out, 'ca.crt')}, ${path.join(out, 'tls.crt')}, ${path.join(out, 'tls.key')} for ${service}.${namespace}.svc\n`);
  io.stdout(`caBundle: base64 of ca.crt (e.g. --set webhook.caBundle=$(base64 -w0 ${path.join(out, 'ca.crt')}))\n`);
  return 0;
}

async function serveServer(argv: string[], io: Io): Promise<number> {
  const { flags, positionals } = parseFlags(argv, SERVE_OPTIONS);
  if (flags.help) {
    io.stdout(SERVE_HELP);
    return 0;
  }
  if (positionals.length) throw new UserError(`serve: unexpected argument "${positionals[0]}"`);
  const env = io.env;
  // Environment variables fill in flags that were not given (policy ones too).
  const merged: Flags = { ...flags };
  if (merged.policy === undefined) merged.policy = opt(flags, env, 'policy');
  if (boolOpt(flags, env, 'no-config')) merged['no-config'] = true;
  // Repeatable flags: their variables hold comma-separated lists.
  for (const k of ['rule', 'skip-rule']) {
    const e = env[`IMPLY_LINT_${k.toUpperCase().replace(/-/g, '_')}`];
    if (merged[k] === undefined && e) merged[k] = e.split(',').map((x) => x.trim()).filter(Boolean);
  }
  const { policy } = policyFromFlags(merged, io);

  const modeV = opt(flags, env, 'mode') ?? policy.settings.mode ?? 'enforce';
  if (!['enforce', 'warn', 'audit'].includes(modeV)) throw new UserError(`--mode: expected enforce, warn or audit, got "${modeV}"`);
  const mode = modeV as Mode;
  const onErrorV = opt(flags, env, 'on-error') ?? (mode === 'enforce' ? 'deny' : 'allow');
  if (onErrorV !== 'allow' && onErrorV !== 'deny') throw new UserError(`--on-error: expected allow or deny, got "${onErrorV}"`);
  const logLevel = opt(flags, env, 'log-level') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new UserError(`--log-level: expected fatal, error, warn, info, debug or trace, got "${logLevel}"`);

  const logReviews = opt(flags, env, 'log-reviews') ?? 'all';
  if (logReviews !== 'all' && logReviews !== 'findings') throw new UserError(`--log-reviews: expected all or findings, got "${logReviews}"`);
  const policyPoll = durOpt(opt(flags, env, 'policy-poll'), '--policy-poll') ?? 2000;
  if (policyPoll < 100 || policyPoll > 60_000) throw new UserError('--policy-poll: must be from 100ms to 60s');

  const policyReports = await policyReportsOf(flags, env, io, mode);

  const server = await import('../webhook/server.js');
  const D = server.SERVE_DEFAULTS;
  const port = intOpt(opt(flags, env, 'port'), '--port', 0, 65535) ?? D.port;
  const certPoll = durOpt(opt(flags, env, 'cert-poll'), '--cert-poll') ?? D.certPollMs;
  if (certPoll <= 0 || certPoll > 2000) throw new UserError('--cert-poll: must be more than 0 and at most 2s');
  const maxBody = opt(flags, env, 'max-body');
  const maxBodyBytes = maxBody === undefined ? D.maxBodyBytes : parseSize(maxBody, '--max-body');
  if (maxBodyBytes < 1024) throw new UserError('--max-body: must be at least 1KiB');

  const selfManaged = boolOpt(flags, env, 'self-managed');
  const cert = opt(flags, env, 'cert');
  const key = opt(flags, env, 'key');
  let certs: import('../webhook/server.js').CertSourceOptions;
  if (selfManaged) {
    if (cert || key) throw new UserError('serve: --self-managed and --cert/--key exclude each other');
    const service = opt(flags, env, 'service');
    const namespace = opt(flags, env, 'namespace');
    const webhookConfig = opt(flags, env, 'webhook-config');
    if (!service || !namespace || !webhookConfig) throw new UserError('serve --self-managed: --service, --namespace and --webhook-config are required');
    const sm = await import('../webhook/selfmanaged.js');
    const { checkDnsLabel } = await import('../webhook/certs.js');
    checkDnsLabel(service, '--service');
    checkDnsLabel(namespace, '--namespace');
    const kubeconfig = opt(flags, env, 'kubeconfig');
    certs = {
      kind: 'self-managed',
      options: {
        service,
        namespace,
        webhookConfig,
        secretName: opt(flags, env, 'cert-secret') ?? sm.SELF_MANAGED_DEFAULTS.secretName,
        leaseName: opt(flags, env, 'lease') ?? sm.SELF_MANAGED_DEFAULTS.leaseName,
        identity: sm.podIdentity(env),
        kubeconfig: kubeconfig ? path.resolve(io.cwd, kubeconfig) : undefined,
        syncIntervalMs: durOpt(opt(flags, env, 'sync-interval'), '--sync-interval'),
        rotationGraceMs: durOpt(opt(flags, env, 'rotation-grace'), '--rotation-grace'),
      },
    };
  } else {
    if (!cert || !key) throw new UserError('serve: --cert and --key are required (or --self-managed)');
    certs = { kind: 'files', certFile: path.resolve(io.cwd, cert), keyFile: path.resolve(io.cwd, key), pollMs: certPoll };
  }

  const ac = new AbortController();
  // The first signal starts the drain; later ones (a second SIGTERM, Ctrl-C twice) must not kill the process
  // mid-drain, which would drop in-flight reviews and their log lines: the listener stays until serve returns.
  const onSignal = (sig: NodeJS.Signals) => {
    if (!ac.signal.aborted) ac.abort(sig);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await server.serve(
      {
        host: opt(flags, env, 'host') ?? D.host,
        port,
        certs,
        policy,
        mode,
        onError: onErrorV,
        drainDelayMs: durOpt(opt(flags, env, 'drain-delay'), '--drain-delay') ?? D.drainDelayMs,
        maxBodyBytes,
        ruleTimeoutMs: durOpt(opt(flags, env, 'rule-timeout'), '--rule-timeout') ?? D.ruleTimeoutMs,
        requestTimeoutMs: durOpt(opt(flags, env, 'request-timeout'), '--request-timeout'),
        keepAliveTimeoutMs: durOpt(opt(flags, env, 'keep-alive-timeout'), '--keep-alive-timeout'),
        workers: intOpt(opt(flags, env, 'workers'), '--workers', 0, 64),
        decisionCache: intOpt(opt(flags, env, 'decision-cache'), '--decision-cache', 0, 1_000_000),
        kubeVersion: versionFlag(opt(flags, env, 'kube-version'), '--kube-version'),
        logLevel,
        logLine: (line) => io.stdout(line),
        // stdout to a pipe is asynchronous: an empty write's callback runs once every earlier line reached the OS.
        flushLog: () => new Promise<void>((resolve) => process.stdout.write('', () => resolve())),
        logReviews,
        policyReload: policyWatch(merged, io, policyPoll),
        policyReports,
      },
      ac.signal,
    );
  } finally {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  }
  return 0;
}

/**
 * The policy file `serve` watches (a ConfigMap mount changes in place): `--policy FILE`, or the
 * `.imply-lint.yaml` found from the working directory. Built-in packs ship with the binary: nothing to watch.
 */
function policyWatch(merged: Flags, io: Io, pollMs: number): { files: string[]; load: () => ResolvedPolicy; pollMs: number } | undefined {
  const ref = typeof merged.policy === 'string' ? merged.policy : merged['no-config'] ? undefined : findConfig(io.cwd);
  if (!ref || (BUILTIN_PACKS as readonly string[]).includes(ref)) return undefined;
  return { files: [path.resolve(io.cwd, ref)], load: () => policyFromFlags(merged, io).policy, pollMs };
}

/**
 * `--policy-reports` / `--policy-report-api`: the report writer's options in audit mode, when on. `auto` turns it
 * on where the API server is reachable: in a pod with a service account token, or with --kubeconfig.
 */
async function policyReportsOf(flags: Flags, env: Io['env'], io: Io, mode: Mode): Promise<import('../webhook/policyreports.js').PolicyReportsOptions | undefined> {
  const v = (opt(flags, env, 'policy-reports') ?? 'auto').toLowerCase();
  const on = /^(1|true|yes|on)$/.test(v) ? true : /^(0|false|no|off)$/.test(v) ? false : v === 'auto' ? 'auto' : undefined;
  if (on === undefined) throw new UserError(`--policy-reports: expected auto, true or false, got "${v}"`);
  const apiV = opt(flags, env, 'policy-report-api') ?? 'wgpolicyk8s.io/v1alpha2';
  const { isReportApi, REPORT_APIS } = await import('../report/policyreport.js');
  if (!isReportApi(apiV)) throw new UserError(`--policy-report-api: expected ${Object.keys(REPORT_APIS).join(' or ')}, got "${apiV}"`);
  if (mode !== 'audit') {
    if (on === true) throw new UserError(`--policy-reports: PolicyReports are written in audit mode only (--mode is ${mode})`);
    return undefined;
  }
  if (on === false) return undefined;
  const kubeconfig = opt(flags, env, 'kubeconfig');
  const { inCluster } = await import('../webhook/policyreports.js');
  const reachable = kubeconfig !== undefined || inCluster(env, (p) => fs.existsSync(p));
  if (!reachable) {
    if (on === true) throw new UserError('--policy-reports: needs --kubeconfig, or a pod with a service account token');
    return undefined;
  }
  return { api: apiV, ...(kubeconfig ? { kubeconfig: path.resolve(io.cwd, kubeconfig) } : {}) };
}
