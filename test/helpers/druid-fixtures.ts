// Test helper: small rendered manifests shaped like the real chart's (features.rendered.yaml): a manager
// Deployment with `imply_defaults_*` env and agent workloads with IMPLY_MANAGER_AGENT_NODE_TYPE. Env values
// are single-quoted as the chart renders them, so a literal `\n` stays two characters.

function quote(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

/** Line of the k-th extra env var's `value:` in managerDoc/agentDoc output (0-based k); column is 22. */
export function envValueLine(k: number): number {
  return 17 + 2 * k;
}

export const ENV_VALUE_COLUMN = 22;

export interface PodExtras {
  /** Raw YAML lines appended under the container (indented by the caller as container keys, 10 spaces). */
  container?: string;
  /** Raw YAML lines appended under the pod spec (6 spaces). */
  pod?: string;
}

/** The manager Deployment `imply-manager` of release `imply`, with `env` after IMPLY_MANAGER_STORE_TYPE. */
export function managerDoc(env: [string, string][], extras: PodExtras = {}): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: imply-manager',
    '  labels:',
    '    app.kubernetes.io/instance: imply',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: imply',
    '          image: "imply/manager:2023.03.1"',
    '          env:',
    '            - name: IMPLY_MANAGER_STORE_TYPE',
    '              value: "mysql"',
    ...env.flatMap(([n, v]) => [`            - name: ${n}`, `              value: ${quote(v)}`]),
    ...(extras.container ? [extras.container.replace(/\n$/, '')] : []),
    ...(extras.pod ? [extras.pod.replace(/\n$/, '')] : []),
    '',
  ].join('\n');
}

/** An agent workload of node type `nodeType` (`imply-master`, `imply-query`, `imply-data` by type). */
export function agentDoc(nodeType: string, env: [string, string][] = [], extras: PodExtras = {}): string {
  const name = nodeType === 'master' ? 'imply-master' : nodeType === 'query' ? 'imply-query' : nodeType === 'dataTier1' ? 'imply-data' : `imply-${nodeType.toLowerCase()}`;
  const kind = nodeType.startsWith('data') ? 'StatefulSet' : 'Deployment';
  return [
    'apiVersion: apps/v1',
    `kind: ${kind}`,
    'metadata:',
    `  name: ${name}`,
    '  labels:',
    '    app.kubernetes.io/instance: imply',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: imply',
    '          image: "imply/agent:v15"',
    '          env:',
    '            - name: IMPLY_MANAGER_AGENT_NODE_TYPE',
    `              value: ${nodeType}`,
    ...env.flatMap(([n, v]) => [`            - name: ${n}`, `              value: ${quote(v)}`]),
    '            - name: druid_common_runtime_druid_host',
    '              valueFrom:',
    '                fieldRef:',
    '                  fieldPath: status.podIP',
    ...(extras.container ? [extras.container.replace(/\n$/, '')] : []),
    ...(extras.pod ? [extras.pod.replace(/\n$/, '')] : []),
    '',
  ].join('\n');
}

/** The bundled MinIO Deployment as the subchart labels it (quickstart.rendered.yaml). */
export const MINIO_DEPLOYMENT = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: imply-minio',
  '  labels: {app: minio, release: imply}',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: minio',
  '          image: minio/minio:RELEASE.2020-03-06T22-23-56Z',
  '',
].join('\n');

/** Joins documents into one stream. */
export function stream(...docs: string[]): string {
  return docs.join('---\n');
}

/** Line offset of document `i` of `stream(...docs)` (add it to a line inside that document). */
export function docOffset(docs: string[], i: number): number {
  let n = 0;
  for (let k = 0; k < i; k++) n += docs[k].split('\n').length - 1 + 1;
  return n;
}
