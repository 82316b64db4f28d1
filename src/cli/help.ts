// CLI stage: the help text (docs/cli.md is generated from it and drift-tested).

export const MAIN_HELP = `imply-lint: is this Imply (Apache Druid) deployment on Kubernetes production-ready?

Usage:
  imply-lint [lint] [FILE|DIR|-]... [-f values.yaml]... [--set k=v]... [options]
  imply-lint chart DIR [-f values.yaml]... [--set k=v]... [options]
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
  --format FMT              text (default), json, sarif, github, junit.
  -o, --output FILE         Write the report to FILE instead of stdout.
  -q, --quiet               Report errors only.
  --fail-on LEVEL           error (default), warning, info, none: findings at or above LEVEL exit 1.
  --max-warnings N          Exit 1 when more than N warnings are reported.
  --color, --no-color       Force colours on or off (default: on when stdout is a TTY).
  --docs-base-url URL       Base URL of the rule docs in reports (default: from package.json).

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
