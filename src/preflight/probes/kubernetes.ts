// Preflight stage: the Kubernetes probe (optional: `--kubeconfig`, or in-cluster). Reads the Secrets the
// values reference (CA, auth token, licence) and the API server version, each request bounded by an
// abort signal and a deadline. Secret data goes into the model as the API returns it (base64), so
// required-secrets-present, tls-secret-valid and license-configured can judge it.
import type { LiveFacts, LiveSecret } from '../../model/types.js';
import { classifyError, withDeadline } from '../errors.js';
import type { SecretTarget } from '../targets.js';

export interface KubeProbeOptions {
  /** Path of a kubeconfig file; without it the in-cluster service account is used. */
  kubeconfig?: string;
  /** Namespace of the release (default: the kubeconfig context's, else the pod's, else `default`). */
  namespace?: string;
  timeoutMs: number;
}

export interface KubeProbeResult {
  kubernetes: NonNullable<LiveFacts['kubernetes']>;
  secrets: LiveSecret[];
  kubeVersion?: string;
}

type K8s = typeof import('@kubernetes/client-node');

/** ConfigurationOptions that abort the request after `ms` (the client's own fetch has no timeout). */
function timeoutOptions(k8s: K8s, ms: number) {
  const mw = {
    pre: (ctx: import('@kubernetes/client-node').RequestContext) => {
      ctx.setSignal(AbortSignal.timeout(ms));
      return new k8s.Observable(Promise.resolve(ctx));
    },
    post: (rc: import('@kubernetes/client-node').ResponseContext) => new k8s.Observable(Promise.resolve(rc)),
  };
  return { middleware: [mw], middlewareMergeStrategy: 'append' as const };
}

function statusOf(e: unknown): number | undefined {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'number' ? c : undefined;
}

/** Reads the referenced Secrets and the server version. Never throws. */
export async function probeKubernetes(targets: readonly SecretTarget[], o: KubeProbeOptions): Promise<KubeProbeResult> {
  const result: KubeProbeResult = { kubernetes: { namespace: o.namespace ?? 'default', reachable: false }, secrets: [] };
  let secrets: (string | undefined)[] = [];
  const fail = (e: unknown) => {
    const pe = classifyError(e, secrets);
    return pe.kind === 'timeout' ? `timed out (${pe.message})` : pe.message;
  };
  let k8s: K8s;
  let kc: import('@kubernetes/client-node').KubeConfig;
  try {
    k8s = await import('@kubernetes/client-node');
    kc = new k8s.KubeConfig();
    if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
    else kc.loadFromCluster();
    const user = kc.getCurrentUser();
    secrets = [user?.token, user?.password, user?.keyData];
    const ctx = kc.getContextObject(kc.getCurrentContext());
    result.kubernetes.namespace = o.namespace ?? (ctx?.namespace?.trim() || 'default');
    result.kubernetes.server = kc.getCurrentCluster()?.server;
  } catch (e) {
    result.kubernetes.error = `cannot load the Kubernetes configuration: ${fail(e)}`;
    return result;
  }
  const ns = result.kubernetes.namespace;
  const opts = timeoutOptions(k8s, o.timeoutMs);
  const bounded = <T>(p: Promise<T>, what: string) => withDeadline(p, o.timeoutMs + 500, what, () => undefined);

  try {
    const v = await bounded(kc.makeApiClient(k8s.VersionApi).getCode(undefined, opts), 'GET /version');
    result.kubeVersion = v.gitVersion;
    result.kubernetes.reachable = true;
  } catch (e) {
    // An API server that refuses /version (RBAC) still answered: go on with the Secrets.
    if (statusOf(e) !== undefined) result.kubernetes.reachable = true;
    else {
      result.kubernetes.error = `the Kubernetes API at ${result.kubernetes.server ?? '(in-cluster)'} did not answer: ${fail(e)}`;
    }
  }

  const core = kc.makeApiClient(k8s.CoreV1Api);
  for (const t of targets) {
    const s: LiveSecret = { name: t.name, purpose: t.purpose, subject: t.subject, namespace: ns, exists: false, requiredKeys: t.requiredKeys };
    result.secrets.push(s);
    if (!result.kubernetes.reachable) {
      s.error = result.kubernetes.error ?? 'the Kubernetes API is not reachable';
      continue;
    }
    try {
      const obj = await bounded(core.readNamespacedSecret({ name: t.name, namespace: ns }, opts), `GET Secret ${ns}/${t.name}`);
      s.exists = true;
      s.type = obj.type;
      s.data = { ...(obj.data ?? {}) };
    } catch (e) {
      const code = statusOf(e);
      if (code === 404) continue; // missing: exists stays false, no error
      s.error = code === 403 ? `not allowed to read Secret ${ns}/${t.name} (HTTP 403): grant get on secrets` : code !== undefined ? `reading Secret ${ns}/${t.name} failed with HTTP ${code}` : fail(e);
    }
  }
  return result;
}
