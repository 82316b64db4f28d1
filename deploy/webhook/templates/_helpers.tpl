{{/* Chart name, truncated to 63 characters (a label value). */}}
{{- define "imply-lint-webhook.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name; also the Service name the certificate is issued for (a DNS label). */}}
{{- define "imply-lint-webhook.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "imply-lint-webhook.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "imply-lint-webhook.selectorLabels" -}}
app.kubernetes.io/name: {{ include "imply-lint-webhook.name" . }}
app.kubernetes.io/component: admission-webhook
imply-lint.io/webhook-release: {{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of the webhook's own objects. Deliberately no app.kubernetes.io/instance: that label is what the webhook
selects Imply releases by, and it must never review itself.
*/}}
{{- define "imply-lint-webhook.labels" -}}
helm.sh/chart: {{ include "imply-lint-webhook.chart" . }}
{{ include "imply-lint-webhook.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "imply-lint-webhook.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "imply-lint-webhook.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The kubernetes.io/tls Secret mounted in certManager and secret modes. */}}
{{- define "imply-lint-webhook.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "imply-lint-webhook.fullname" .)) .Values.certs.secret.name }}
{{- end }}

{{- define "imply-lint-webhook.selfManagedSecret" -}}
{{- default (printf "%s-certs" (include "imply-lint-webhook.fullname" .)) .Values.certs.selfManaged.secretName }}
{{- end }}

{{- define "imply-lint-webhook.selfManagedLease" -}}
{{- default (printf "%s-certs" (include "imply-lint-webhook.fullname" .)) .Values.certs.selfManaged.leaseName }}
{{- end }}

{{/* The image reference. */}}
{{- define "imply-lint-webhook.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Namespaces the API server never sends: kube-system, our own, and the configured ones. */}}
{{- define "imply-lint-webhook.namespaceSelector" -}}
matchExpressions:
  - key: kubernetes.io/metadata.name
    operator: NotIn
    values:
      {{- $ns := concat (list "kube-system" .Release.Namespace) .Values.webhook.excludeNamespaces | uniq }}
      {{- range $ns }}
      - {{ . | quote }}
      {{- end }}
{{- end }}

{{/* An objectSelector expression on one label: In the configured releases, or Exists. */}}
{{- define "imply-lint-webhook.releaseExpr" -}}
- key: {{ .key }}
  {{- if .releases }}
  operator: In
  values:
    {{- range .releases }}
    - {{ . | quote }}
    {{- end }}
  {{- else }}
  operator: Exists
  {{- end }}
{{- end }}

{{/* What the webhook reviews for release objects: workloads, Services, Ingresses, Secrets, ConfigMaps, PVCs. */}}
{{- define "imply-lint-webhook.releaseRules" -}}
- apiGroups: ["apps"]
  apiVersions: ["v1"]
  resources: ["deployments", "statefulsets", "daemonsets"]
  operations: ["CREATE", "UPDATE"]
  scope: Namespaced
- apiGroups: ["batch"]
  apiVersions: ["v1"]
  resources: ["jobs", "cronjobs"]
  operations: ["CREATE", "UPDATE"]
  scope: Namespaced
- apiGroups: [""]
  apiVersions: ["v1"]
  resources: ["services", "secrets", "configmaps", "persistentvolumeclaims"]
  operations: ["CREATE", "UPDATE"]
  scope: Namespaced
- apiGroups: ["networking.k8s.io"]
  apiVersions: ["v1"]
  resources: ["ingresses"]
  operations: ["CREATE", "UPDATE"]
  scope: Namespaced
{{- end }}

{{/* clientConfig of every webhook entry. */}}
{{- define "imply-lint-webhook.clientConfig" -}}
service:
  name: {{ include "imply-lint-webhook.fullname" . }}
  namespace: {{ .Release.Namespace }}
  path: /validate
  port: {{ .Values.service.port }}
{{- $bundle := "" }}
{{- if eq .Values.certs.mode "secret" }}
{{- $bundle = required "certs.mode=secret needs webhook.caBundle (base64 of the CA certificate)" .Values.webhook.caBundle }}
{{- else if eq .Values.certs.mode "selfManaged" }}
{{- /* Keep the caBundle the webhook patched in, so an upgrade does not blank it (lookup is empty in helm template). */}}
{{- $existing := lookup "admissionregistration.k8s.io/v1" "ValidatingWebhookConfiguration" "" (include "imply-lint-webhook.fullname" .) }}
{{- if $existing }}
{{- range $existing.webhooks }}
{{- if and (not $bundle) .clientConfig.caBundle }}
{{- $bundle = .clientConfig.caBundle }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- if $bundle }}
caBundle: {{ $bundle }}
{{- end }}
{{- end }}

{{/* Settings shared by the webhook entries. */}}
{{- define "imply-lint-webhook.common" -}}
admissionReviewVersions: ["v1"]
sideEffects: None
timeoutSeconds: {{ .Values.webhook.timeoutSeconds }}
failurePolicy: {{ .Values.webhook.failurePolicy }}
matchPolicy: Equivalent
namespaceSelector:
  {{- include "imply-lint-webhook.namespaceSelector" . | nindent 2 }}
clientConfig:
  {{- include "imply-lint-webhook.clientConfig" . | nindent 2 }}
{{- end }}

{{/* The policy file (.imply-lint.yaml format). */}}
{{- define "imply-lint-webhook.policy" -}}
name: {{ include "imply-lint-webhook.fullname" . }}
extends: {{ .Values.policy.pack }}
settings:
  mode: {{ .Values.webhook.mode }}
  secretNames:
    ca: {{ .Values.policy.secretNames.ca | quote }}
    auth: {{ .Values.policy.secretNames.auth | quote }}
    license: {{ .Values.policy.secretNames.license | quote }}
{{- with .Values.policy.rules }}
rules:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.policy.exemptions }}
exemptions:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
