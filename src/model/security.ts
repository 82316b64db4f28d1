// Model stage: security evidence of an Imply release. Decodes Secret payloads (`data` is base64,
// `stringData` plain), finds the Secrets the chart references (CA, auth token, licence) and classifies
// the Services and Ingresses that expose the manager and query tiers (EVIDENCE.md, features.rendered.yaml).
import { isMap } from './path.js';
import type { Path } from './path.js';
import { envVars, implyWorkloads, isManager, isTestHook, podSpec } from './manifests.js';
import type { EnvVar } from './manifests.js';
import type { DeploymentModel, K8sObject, LiveSecret, ManifestModel } from './types.js';

/** A Secret's payload, decoded. */
export interface DecodedSecret {
  type?: string;
  /** Decoded values (UTF-8) by key; `stringData` wins over `data`, as the API server merges them. */
  values: Record<string, string>;
  /** Byte length of each decoded value. */
  bytes: Record<string, number>;
  /** Keys whose `data` value is not valid base64 (the API server would reject the object). */
  errors: { key: string; message: string }[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes `data` (base64, as the Kubernetes API carries it) and `stringData` (plain). */
export function decodeSecretData(data: unknown, stringData: unknown, type?: string): DecodedSecret {
  const out: DecodedSecret = { type, values: {}, bytes: {}, errors: [] };
  if (isMap(data)) {
    for (const [k, v] of Object.entries(data)) {
      if (v === null || v === undefined) continue;
      // Go's base64 decoder skips line breaks; anything else outside the alphabet is an error.
      const s = String(v).replace(/[\r\n]/g, '');
      if (s.length % 4 !== 0 || !BASE64.test(s)) {
        out.errors.push({ key: k, message: `data.${k} is not valid base64` });
        continue;
      }
      const buf = Buffer.from(s, 'base64');
      out.values[k] = buf.toString('utf8');
      out.bytes[k] = buf.length;
    }
  }
  if (isMap(stringData)) {
    for (const [k, v] of Object.entries(stringData)) {
      if (v === null || v === undefined) continue;
      const s = typeof v === 'string' ? v : String(v);
      out.values[k] = s;
      out.bytes[k] = Buffer.byteLength(s, 'utf8');
      out.errors = out.errors.filter((e) => e.key !== k);
    }
  }
  return out;
}

const decoded = new WeakMap<object, DecodedSecret>();

/** True for a core/v1 Secret object. */
export function isSecret(o: K8sObject): boolean {
  return o.kind === 'Secret' && (o.apiVersion === 'v1' || o.apiVersion === '');
}

/** The decoded payload of a Secret object (cached per object). */
export function decodeSecret(o: K8sObject): DecodedSecret {
  let d = decoded.get(o.raw);
  if (!d) {
    // The API server defaults an absent type to Opaque.
    d = decodeSecretData(o.raw.data, o.raw.stringData, typeof o.raw.type === 'string' && o.raw.type !== '' ? o.raw.type : 'Opaque');
    decoded.set(o.raw, d);
  }
  return d;
}

/** The payload of a Secret read by preflight: `data` as the Kubernetes API returns it (base64). */
export function decodeLiveSecret(s: LiveSecret): DecodedSecret {
  return decodeSecretData(s.data, undefined, s.type);
}

/** Kubernetes object names (Secrets included) are DNS-1123 subdomains. */
export function isValidSecretName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}

/** A pod volume of a workload, with its path inside the object. */
export interface VolumeRef {
  volume: Record<string, unknown>;
  name: string;
  /** `secret.secretName` for Secret volumes (may be ""). */
  secretName?: string;
  path: Path;
}

/** The pod volumes of a workload. */
export function podVolumes(o: K8sObject): VolumeRef[] {
  const ps = podSpec(o);
  if (!ps || !Array.isArray(ps.spec.volumes)) return [];
  const out: VolumeRef[] = [];
  ps.spec.volumes.forEach((v, i) => {
    if (!isMap(v)) return;
    const secret = isMap(v.secret) ? v.secret : undefined;
    const sn = secret?.secretName;
    out.push({
      volume: v,
      name: typeof v.name === 'string' ? v.name : '',
      secretName: secret ? (sn === undefined || sn === null ? '' : String(sn)) : undefined,
      path: [...ps.path, 'volumes', i],
    });
  });
  return out;
}

/** The volume the chart mounts the CA Secret through on the manager and on every agent. */
export const CA_VOLUME = 'ca-secrets';

/** TLS evidence on a manager or agent workload (EVIDENCE.md tls-enabled). */
export interface TlsEvidence {
  caCertEnv?: EnvVar;
  caVolume?: VolumeRef;
}

export function tlsEvidence(o: K8sObject): TlsEvidence {
  return {
    caCertEnv: envVars(o).find((e) => e.name === 'IMPLY_MANAGER_CA_CERT_PATH'),
    caVolume: podVolumes(o).find((v) => v.name === CA_VOLUME),
  };
}

/** A reference from a workload to a Secret, with where it is written. */
export interface SecretRef {
  object: K8sObject;
  name: string;
  path: Path;
}

/** CA Secrets the manager and agents mount (`ca-secrets` volume). */
export function caSecretRefs(m: ManifestModel): SecretRef[] {
  const out: SecretRef[] = [];
  for (const o of implyWorkloads(m)) {
    const v = tlsEvidence(o).caVolume;
    if (v && v.secretName !== undefined) out.push({ object: o, name: v.secretName, path: [...v.path, 'secret', 'secretName'] });
  }
  return out;
}

/** The `IMPLY_MANAGER_AUTH_TOKEN` env of a workload and the Secret it reads, if any. */
export function authTokenEnv(o: K8sObject): { env?: EnvVar; secretName?: string; key?: string } {
  const env = envVars(o).find((e) => e.name === 'IMPLY_MANAGER_AUTH_TOKEN');
  const ref = env?.valueFrom && isMap(env.valueFrom.secretKeyRef) ? env.valueFrom.secretKeyRef : undefined;
  return {
    env,
    secretName: ref && typeof ref.name === 'string' ? ref.name : undefined,
    key: ref && typeof ref.key === 'string' ? ref.key : undefined,
  };
}

/** Auth-token Secrets the manager and agents read. */
export function authSecretRefs(m: ManifestModel): SecretRef[] {
  const out: SecretRef[] = [];
  for (const o of implyWorkloads(m)) {
    const a = authTokenEnv(o);
    if (a.env && a.secretName !== undefined) out.push({ object: o, name: a.secretName, path: [...a.env.path, 'valueFrom', 'secretKeyRef', 'name'] });
  }
  return out;
}

/** Where the manager reads files-as-variables (the licence Secret mount), from its own env. */
const DEFAULT_VAR_FILES_PATH = '/run/secrets/imply.io';

/** The Secret volume mounted where the manager reads `IMPLY_MANAGER_*` files (the `manager.secretName` Secret). */
export function licenseVolume(o: K8sObject): VolumeRef | undefined {
  if (!isManager(o)) return undefined;
  const varPath = envVars(o).find((e) => e.name === 'IMPLY_MANAGER_VAR_FILES_PATH')?.value ?? DEFAULT_VAR_FILES_PATH;
  const ps = podSpec(o);
  const mounted = new Set<string>();
  for (const c of Array.isArray(ps?.spec.containers) ? ps.spec.containers : []) {
    if (!isMap(c) || !Array.isArray(c.volumeMounts)) continue;
    for (const vm of c.volumeMounts) if (isMap(vm) && vm.mountPath === varPath && typeof vm.name === 'string') mounted.add(vm.name);
  }
  return podVolumes(o).find((v) => v.secretName !== undefined && mounted.has(v.name));
}

/** Licence Secrets the manager mounts. */
export function licenseSecretRefs(m: ManifestModel): SecretRef[] {
  const out: SecretRef[] = [];
  for (const o of m.objects) {
    if (isTestHook(o)) continue;
    const v = licenseVolume(o);
    if (v && v.secretName) out.push({ object: o, name: v.secretName, path: [...v.path, 'secret', 'secretName'] });
  }
  return out;
}

/** Which Imply front end a Service or Ingress exposes (the values key that configures it). */
export type ExposedRole = 'manager.service' | 'query.service' | 'manager.ingress' | 'query.ingress.pivot' | 'query.ingress.router';

interface PortSpec {
  name?: string;
  port?: number;
  targetPort?: string | number;
}

function servicePorts(o: K8sObject): PortSpec[] {
  const spec = isMap(o.raw.spec) ? o.raw.spec : {};
  if (!Array.isArray(spec.ports)) return [];
  return spec.ports.filter(isMap).map((p) => ({
    name: typeof p.name === 'string' ? p.name : undefined,
    port: typeof p.port === 'number' ? p.port : typeof p.port === 'string' && /^\d+$/.test(p.port) ? Number(p.port) : undefined,
    targetPort: typeof p.targetPort === 'string' || typeof p.targetPort === 'number' ? p.targetPort : undefined,
  }));
}

/** The Service `spec.type` (ClusterIP when absent, as the API server defaults it). */
export function serviceType(o: K8sObject): string {
  const spec = isMap(o.raw.spec) ? o.raw.spec : {};
  return typeof spec.type === 'string' ? spec.type : 'ClusterIP';
}

/**
 * The role of an Imply Service by its ports (names survive nameOverride): the manager's front end
 * (`manager-fe`, without the internal-only `manager-be`) or the query tier's router/pivot Service (not
 * the headless one).
 */
export function serviceRole(o: K8sObject): 'manager.service' | 'query.service' | undefined {
  if (o.kind !== 'Service' || isTestHook(o)) return undefined;
  const spec = isMap(o.raw.spec) ? o.raw.spec : {};
  if (spec.clusterIP === 'None') return undefined;
  const ports = servicePorts(o);
  const names = new Set(ports.flatMap((p) => [p.name, typeof p.targetPort === 'string' ? p.targetPort : undefined]));
  if (names.has('manager-fe') && !names.has('manager-be')) return 'manager.service';
  if ((names.has('router') || names.has('router-tls') || names.has('pivot')) && !names.has('broker')) return 'query.service';
  return undefined;
}

/** TLS state a lone Service shows by itself: the chart targets `router-tls` and port 443 only with TLS on. */
export function serviceTlsHint(o: K8sObject): boolean | undefined {
  const role = serviceRole(o);
  const ports = servicePorts(o);
  if (role === 'query.service') {
    const router = ports.find((p) => p.name === 'router');
    if (router?.targetPort === 'router-tls') return true;
    if (router?.targetPort === 'router') return false;
    return undefined;
  }
  if (role === 'manager.service') {
    const fe = ports.find((p) => p.name === 'manager-fe' || p.targetPort === 'manager-fe');
    if (fe?.port === 443) return true;
    if (fe?.port === 80) return false;
  }
  return undefined;
}

/** Backends of an Ingress (networking.k8s.io/v1 and the older `serviceName`/`servicePort` form). */
export function ingressBackends(o: K8sObject): { service?: string; port?: string | number }[] {
  const spec = isMap(o.raw.spec) ? o.raw.spec : {};
  const out: { service?: string; port?: string | number }[] = [];
  const add = (b: unknown) => {
    if (!isMap(b)) return;
    if (isMap(b.service)) {
      const p = isMap(b.service.port) ? b.service.port : {};
      out.push({ service: typeof b.service.name === 'string' ? b.service.name : undefined, port: typeof p.name === 'string' ? p.name : typeof p.number === 'number' ? p.number : undefined });
    } else if (b.serviceName !== undefined) {
      out.push({ service: String(b.serviceName), port: typeof b.servicePort === 'string' || typeof b.servicePort === 'number' ? b.servicePort : undefined });
    }
  };
  add(spec.defaultBackend);
  add(spec.backend);
  for (const r of Array.isArray(spec.rules) ? spec.rules : []) {
    if (!isMap(r) || !isMap(r.http) || !Array.isArray(r.http.paths)) continue;
    for (const p of r.http.paths) if (isMap(p)) add(p.backend);
  }
  return out;
}

/** The role of an Imply Ingress by the port it routes to (`manager-fe`, `pivot`, `router`). */
export function ingressRole(o: K8sObject): 'manager.ingress' | 'query.ingress.pivot' | 'query.ingress.router' | undefined {
  if (o.kind !== 'Ingress' || isTestHook(o)) return undefined;
  for (const b of ingressBackends(o)) {
    if (b.port === 'manager-fe' || b.port === 9097) return 'manager.ingress';
    if (b.port === 'pivot' || b.port === 9095) return 'query.ingress.pivot';
    if (b.port === 'router' || b.port === 'router-tls' || b.port === 8888) return 'query.ingress.router';
  }
  return undefined;
}

/** True when an Ingress terminates TLS for at least one host (a non-empty `spec.tls` list). */
export function ingressHasTls(o: K8sObject): boolean {
  const spec = isMap(o.raw.spec) ? o.raw.spec : {};
  return Array.isArray(spec.tls) && spec.tls.length > 0;
}

/** Annotations that put a TLS certificate on a cloud load balancer (the external leg is encrypted). */
export const LB_TLS_CERT_ANNOTATIONS = [
  'service.beta.kubernetes.io/aws-load-balancer-ssl-cert',
  'service.beta.kubernetes.io/do-loadbalancer-certificate-id',
  'service.beta.kubernetes.io/oci-load-balancer-tls-secret',
  'service.beta.kubernetes.io/linode-loadbalancer-default-tls-secret',
];

/** Annotations (and values) that make a cloud load balancer internal to the VPC/VNet. */
export const LB_INTERNAL_ANNOTATIONS: Record<string, RegExp> = {
  'service.beta.kubernetes.io/aws-load-balancer-internal': /^(true|[0-9./,\s]+)$/i,
  'service.beta.kubernetes.io/aws-load-balancer-scheme': /^internal$/i,
  'service.beta.kubernetes.io/azure-load-balancer-internal': /^true$/i,
  'networking.gke.io/load-balancer-type': /^internal$/i,
  'cloud.google.com/load-balancer-type': /^internal$/i,
  'service.beta.kubernetes.io/oci-load-balancer-internal': /^true$/i,
  'service.beta.kubernetes.io/openstack-internal-load-balancer': /^true$/i,
};

/** How a load balancer's annotations change the exposure: internal, TLS at the edge, or neither. */
export function loadBalancerKind(annotations: Record<string, unknown>): 'internal' | 'tls' | 'plain' {
  for (const [k, re] of Object.entries(LB_INTERNAL_ANNOTATIONS)) {
    const v = annotations[k];
    if (v !== undefined && v !== null && re.test(String(v))) return 'internal';
  }
  for (const k of LB_TLS_CERT_ANNOTATIONS) {
    const v = annotations[k];
    if (typeof v === 'string' && v.trim() !== '') return 'tls';
  }
  return 'plain';
}

/** The values key naming each kind of Secret the chart reads. */
export const SECRET_NAME_PATHS = {
  ca: ['security', 'tls', 'secretName'],
  auth: ['security', 'auth', 'secretName'],
  license: ['manager', 'secretName'],
} as const;

/**
 * Names under which a Secret of this purpose is recognised: the policy's setting (what admission knows),
 * the values key, and what the release's workloads reference in the stream.
 */
export function secretNamesFor(model: DeploymentModel, purpose: keyof typeof SECRET_NAME_PATHS, settingName: string | undefined): Set<string> {
  const names = new Set<string>();
  if (settingName) names.add(settingName);
  const v = model.values?.get(SECRET_NAME_PATHS[purpose]);
  if (typeof v === 'string' && v !== '') names.add(v);
  const m = model.manifests;
  if (m) {
    const refs = purpose === 'ca' ? caSecretRefs(m) : purpose === 'auth' ? authSecretRefs(m) : licenseSecretRefs(m);
    for (const r of refs) if (r.name) names.add(r.name);
  }
  return names;
}

/** Secret objects (not test hooks) of the input with one of these names. */
export function secretsNamed(m: ManifestModel | undefined, names: ReadonlySet<string>): K8sObject[] {
  if (!m) return [];
  return m.objects.filter((o) => isSecret(o) && !isTestHook(o) && names.has(o.name));
}

/** Where a Secret carries a key (`data.x` or `stringData.x`, whichever carries it). */
export function secretKeyPath(o: K8sObject, key: string): Path {
  if (isMap(o.raw.stringData) && key in o.raw.stringData) return ['stringData', key];
  if (isMap(o.raw.data) && key in o.raw.data) return ['data', key];
  return isMap(o.raw.data) ? ['data'] : [];
}
