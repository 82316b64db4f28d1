// Test helper: small rendered Imply objects shaped like the real chart 2023.03.1 renders them
// (production.rendered.yaml / features.rendered.yaml): manager and agent workloads with their
// TLS, auth and licence evidence, and the manager/query Services and Ingresses.

export interface ManagerOptions {
  name?: string;
  release?: string;
  /** Adds IMPLY_MANAGER_CA_* env and the `ca-secrets` volume for this Secret name. */
  caSecret?: string;
  /** Adds IMPLY_MANAGER_AUTH_TOKEN from this Secret. */
  authSecret?: string;
  /** Mounts this licence Secret at /run/secrets/imply.io (optional: true, as the chart does). */
  licenseSecret?: string;
  licenseKey?: string;
  store?: { host?: string; user?: string; password?: string; caCert?: string };
  druidStore?: { host?: string; user?: string; password?: string; tlsCert?: string };
  deepStorage?: { user?: string; password?: string };
}

const q = (s: string): string => JSON.stringify(s);

/** The `<release>-manager` Deployment. */
export function managerYaml(o: ManagerOptions = {}): string {
  const rel = o.release ?? 'rel';
  const env: string[] = [`IMPLY_MANAGER_LICENSE_KEY=${o.licenseKey ?? ''}`, 'IMPLY_MANAGER_VAR_FILES_PATH=/run/secrets/imply.io', 'IMPLY_MANAGER_STORE_TYPE=mysql'];
  const s = o.store ?? {};
  env.push(`IMPLY_MANAGER_STORE_HOST=${s.host ?? 'db.example.internal'}`, `IMPLY_MANAGER_STORE_USER=${s.user ?? 'imply'}`, `IMPLY_MANAGER_STORE_PASSWORD=${s.password ?? ''}`);
  if (s.caCert !== undefined) env.push(`IMPLY_MANAGER_STORE_CA_CERT=${s.caCert}`);
  if (o.caSecret !== undefined) env.push('IMPLY_MANAGER_CA_KEY_PATH=/etc/imply/ca/tls.key', 'IMPLY_MANAGER_CA_CERT_PATH=/etc/imply/ca/tls.crt');
  const d = o.druidStore ?? {};
  env.push('IMPLY_MANAGER_DEFAULTS_UPDATE_TYPE=rolling', `imply_defaults_metadataStorageHost=${d.host ?? 'db.example.internal'}`, `imply_defaults_metadataStorageUser=${d.user ?? 'imply'}`, `imply_defaults_metadataStoragePassword=${d.password ?? ''}`);
  if (d.tlsCert !== undefined) env.push(`imply_defaults_metadataStorageTlsCert=${d.tlsCert}`);
  if (o.deepStorage?.user !== undefined) env.push(`imply_defaults_deepStorageUser=${o.deepStorage.user}`);
  if (o.deepStorage?.password !== undefined) env.push(`imply_defaults_deepStoragePassword=${o.deepStorage.password}`);
  const lines = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${rel}-manager`,
    '  labels:',
    `    app.kubernetes.io/instance: ${rel}`,
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: imply',
    '          image: imply/manager:2023.03.1',
    '          env:',
  ];
  for (const e of env) {
    const i = e.indexOf('=');
    lines.push(`          - name: ${e.slice(0, i)}`, `            value: ${q(e.slice(i + 1))}`);
  }
  if (o.authSecret !== undefined) {
    lines.push('          - name: IMPLY_MANAGER_AUTH_TOKEN', '            valueFrom:', '              secretKeyRef:', `                name: ${q(o.authSecret)}`, '                key: auth-token');
  }
  lines.push('          volumeMounts:', '            - mountPath: /mnt/var', '              name: var-volume');
  if (o.licenseSecret !== undefined) lines.push('            - mountPath: /run/secrets/imply.io', '              name: imply-manager-secrets', '              readOnly: true');
  lines.push('      volumes:', '        - name: var-volume', '          emptyDir: {}');
  if (o.caSecret !== undefined) lines.push('        - name: ca-secrets', '          secret:', `            secretName: ${q(o.caSecret)}`);
  if (o.licenseSecret !== undefined) lines.push('        - name: imply-manager-secrets', '          secret:', `            secretName: ${q(o.licenseSecret)}`, '            optional: true');
  return lines.join('\n') + '\n';
}

export interface AgentOptions {
  release?: string;
  nodeType?: string;
  kind?: 'Deployment' | 'StatefulSet';
  caSecret?: string;
  authSecret?: string;
}

/** An agent workload (`<release>-master`, `-query`, `-data`). */
export function agentYaml(o: AgentOptions = {}): string {
  const rel = o.release ?? 'rel';
  const nodeType = o.nodeType ?? 'master';
  const short = nodeType.startsWith('dataTier') ? 'data' : nodeType;
  const lines = [
    'apiVersion: apps/v1',
    `kind: ${o.kind ?? (short === 'data' ? 'StatefulSet' : 'Deployment')}`,
    'metadata:',
    `  name: ${rel}-${short}`,
    '  labels:',
    `    app.kubernetes.io/instance: ${rel}`,
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: imply',
    '          image: imply/agent:v15',
    '          env:',
    '            - name: IMPLY_MANAGER_HOST',
    `              value: ${rel}-manager-int`,
    '            - name: IMPLY_MANAGER_AGENT_NODE_TYPE',
    `              value: ${nodeType}`,
  ];
  if (o.caSecret !== undefined) lines.push('            - name: IMPLY_MANAGER_CA_CERT_PATH', '              value: /etc/imply/ca/tls.crt');
  if (o.authSecret !== undefined) {
    lines.push('            - name: IMPLY_MANAGER_AUTH_TOKEN', '              valueFrom:', '                secretKeyRef:', `                  name: ${q(o.authSecret)}`, '                  key: auth-token');
  }
  lines.push('      volumes:', '        - name: var-volume', '          emptyDir: {}');
  if (o.caSecret !== undefined) lines.push('        - name: ca-secrets', '          secret:', `            secretName: ${q(o.caSecret)}`, '            items:', '              - key: tls.crt', '                path: tls.crt');
  return lines.join('\n') + '\n';
}

/** Joins objects into a `helm template`-like stream. */
export function stream(...docs: string[]): string {
  return docs.map((d) => `---\n${d}`).join('');
}

/** The whole release: manager and the three agents with the same TLS/auth settings. */
export function releaseYaml(o: ManagerOptions = {}): string {
  const agent = { release: o.release, caSecret: o.caSecret, authSecret: o.authSecret };
  return stream(
    managerYaml(o),
    agentYaml({ ...agent, nodeType: 'master' }),
    agentYaml({ ...agent, nodeType: 'query' }),
    agentYaml({ ...agent, nodeType: 'dataTier1' }),
  );
}
