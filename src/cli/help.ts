// CLI stage: the help text (docs/cli.md is generated from it and drift-tested).

export const MAIN_HELP = `imply-lint: is this Imply (Apache Druid) deployment on Kubernetes production-ready?

Usage:
  imply-lint [lint] [FILE|DIR|-]... [-f values.yaml]... [--set k=v]... [options]
  imply-lint chart DIR [-f values.yaml]... [--set k=v]... [options]
  imply-lint fix [FILE]... [-f values.yaml]... [--set k=v]... [-o overlay.yaml | --write]
  helm template ... | imply-lint post-render [-f values.yaml]... [options] | ...
  imply-lint preflight [-f values.yaml]... [--set k=v]... [preflight options]
  imply-lint serve --cert FILE --key FILE [serve options]
  imply-lint certs --service S --namespace N --out DIR
  imply-lint rules [--format text|json|markdown]
  imply-lint explain RULE
  imply-lint schema [--chart-version X]
  imply-lint --version | --help

Inputs (lint):
  FILE...                   Helm values or rendered manifests (multi-document, kind: List), detected
                            from content; each positional file is linted on its own. DIR walks *.yaml/*.yml;
                            - reads stdin.
  -f, --values FILE         Layer values files as helm does (later wins, maps merge, lists replace,
                            null deletes a chart default). Repeatable. Linted as one target.
  --set K=V                 Helm --set syntax (strvals), applied after the -f files. Repeatable.
  --set-string K=V          Like --set, every value a string (applied after all --set, as helm does).
  --previous-values FILE    The values before this update (druid-change-not-applied, metadata-store-switch).
  --chart-version X         Chart line for defaults and known keys (2023.03.1, 2021.05-1, 0.4.11);
                            default: from images.manager.tag, else the keys present, else the newest.
  --kube-version X          Target Kubernetes version (kubernetes-version, removed-api-version).
  --helm-version X          Helm client version (helm-version).
  --release-name NAME       Release name, to resolve {{ .Release.Name }} in values.

Policy:
  --policy NAME|FILE        Policy pack (production, staging, quickstart) or file. Default:
                            .imply-lint.yaml found from the working directory up, else production.
  --no-config               Ignore .imply-lint.yaml.
  --rule ID                 Run only these rules. Repeatable.
  --skip-rule ID            Do not run these rules. Repeatable.

Output:
  --format FMT              text (default), json, sarif, github, junit, html, codeclimate (GitLab),
                            policyreport (wgpolicyk8s.io PolicyReport), openreports (openreports.io Report).
  -o, --output FILE         Write the report to FILE instead of stdout.
  -q, --quiet               Report errors only.
  --fail-on LEVEL           error (default), warning, info, none: findings at or above LEVEL exit 1.
  --max-warnings N          Exit 1 when more than N warnings are reported.
  --color, --no-color       Force colours on or off (default: on when stdout is a TTY).
  --docs-base-url URL       Base URL of the rule docs in reports (default: from package.json).
  --baseline FILE           Leave out findings FILE knows (a --write-baseline file, or a json or sarif
                            report of an earlier run), matched by fingerprint (rule + subject, not lines).
  --write-baseline FILE     Also write this run's unsuppressed findings to FILE as a baseline.

Exit codes:
  0  no finding at or above --fail-on (and warnings within --max-warnings)
  1  findings at or above --fail-on, or more warnings than --max-warnings
  2  nothing could be linted: bad flag, missing/unreadable/binary file, invalid policy, a limit exceeded

Suppressions:
  # imply-lint-disable-next-line RULE[,RULE] -- reason     (the next YAML line)
  # imply-lint-disable-file RULE[,RULE] -- reason          (the whole file)
  metadata.annotations: imply-lint.io/exempt: "rule-a,rule-b" + imply-lint.io/exempt-reason: "..."
  A suppression without a reason does not apply and is itself a finding (suppression-missing-reason).
`;

export const CHART_HELP = `Usage: imply-lint chart DIR [-f values.yaml]... [--set k=v]... [options]

Renders the chart with \`helm template\` (helm on PATH, or HELM_BIN) and lints the values and the rendered
manifests together; a finding seen in both is reported once, with the other place as a related location.
Takes the lint options; also --helm-version (default: \`helm version\` of the helm used) and
--api-versions GROUP/VERSION[/KIND] (repeatable, passed to helm). With --kube-version X and no
--api-versions, the resource APIs a cluster of that version serves (policy/v1/PodDisruptionBudget from
1.21, networking.k8s.io/v1/Ingress from 1.19, ...) are passed, as \`helm install\` would see them.
`;

export const POST_RENDER_HELP = `Usage: helm template|install|upgrade ... --post-renderer imply-lint [--post-renderer-args ARG]...
       helm template ... | imply-lint post-render [-f values.yaml]... [--set k=v]... [options] | ...

A Helm post-renderer: reads the rendered manifests on stdin and lints them (with the -f/--set values, when
given, as one target). When no finding reaches --fail-on, writes the manifests to stdout unchanged, byte
for byte, and exits 0; otherwise writes nothing to stdout and exits 1 (2 when the input cannot be linted),
so helm aborts. The report goes to stderr (text by default), or to -o FILE in any --format.
Helm 4 takes post-renderers as plugins: helm plugin install deploy/helm-plugin (plugin name imply-lint).
Helm 3 takes an executable: --post-renderer deploy/helm-plugin/imply-lint-post-render.
`;

export const FIX_HELP = `Usage: imply-lint fix [FILE]... [-f values.yaml]... [--set k=v]... [-o overlay.yaml | --write]

Lints the values (FILEs, then -f files, layered as helm does) and, for every finding whose rule has a safe
fix (\`imply-lint rules\` marks them fixable), writes the smallest values overlay that resolves it: pass it
to helm after your own files (-f yours.yaml -f overlay.yaml). Fixes uncovered by other fixes are included
(disabling MinIO leaves its S3 endpoint to point elsewhere); edits made unnecessary by another are dropped.
Never writes a secret: passwords become "", and what only you can supply (an external host, the Imply
version) becomes <fill-me>, which unresolved-placeholder reports until filled in. Secret names (security.tls,
security.auth, manager.secretName) come from the policy's settings; create those Secrets before installing.
Takes the lint input and policy options (--set flags still win over the overlay, as in helm).
  -o, --output FILE         Write the overlay to FILE (default: stdout).
  --write                   Edit the values files in place instead: each value in the file that set it,
                            else in the last values file; comments, key order and formatting are kept.
A summary (findings fixed, placeholders to fill in, findings left without a safe fix) goes to stderr.
Exit codes: 0 a fix was produced or nothing needed one; 2 bad usage, manifests or stdin with --write.
`;
