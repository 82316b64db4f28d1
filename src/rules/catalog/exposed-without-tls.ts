// Rules stage: exposed-without-tls, the manager and query front ends must not leave the cluster in plain text.
import { agentNodeType, implyWorkloads, isTestHook, managerOf } from '../../model/manifests.js';
import { isMap } from '../../model/path.js';
import type { Path } from '../../model/path.js';
import { ingressHasTls, ingressRole, loadBalancerKind, serviceRole, serviceTlsHint, serviceType, tlsEvidence } from '../../model/security.js';
import type { ExposedRole } from '../../model/security.js';
import type { ManifestModel, ValuesModel } from '../../model/types.js';
import { defineRule } from '../types.js';
import type { Anchor, RuleContext, Severity } from '../types.js';
import { goTruthy, str } from '../util.js';

const EXTERNAL_TYPES = new Set(['LoadBalancer', 'NodePort']);

type Variant = { messageId: 'exposed' | 'exposedTlsAtEdge' | 'exposedInternal'; severity: Severity };

const WHAT: Record<ExposedRole, string> = {
  'manager.service': 'the Imply Manager UI (port 80/443)',
  'query.service': 'Pivot (9095) and the Druid router (8888)',
  'manager.ingress': 'the Imply Manager UI',
  'query.ingress.pivot': 'Pivot',
  'query.ingress.router': 'the Druid console (router)',
};

/** A LoadBalancer's annotations decide the variant: internal (info), TLS at the edge (warning), else error. */
function serviceVariant(type: string, annotations: unknown): Variant {
  if (type === 'LoadBalancer') {
    const kind = loadBalancerKind(isMap(annotations) ? annotations : {});
    if (kind === 'internal') return { messageId: 'exposedInternal', severity: 'info' };
    if (kind === 'tls') return { messageId: 'exposedTlsAtEdge', severity: 'warning' };
  }
  return { messageId: 'exposed', severity: 'error' };
}

function ingressVariant(hasTls: boolean): Variant {
  return hasTls ? { messageId: 'exposedTlsAtEdge', severity: 'warning' } : { messageId: 'exposed', severity: 'error' };
}

function report(ctx: RuleContext, role: ExposedRole, kind: string, variant: Variant, at: Anchor): void {
  ctx.report({ messageId: variant.messageId, data: { subject: role, what: WHAT[role], kind }, subject: role, at, severity: variant.severity });
}

function checkValues(v: ValuesModel, ctx: RuleContext): void {
  const manager = goTruthy(v.get(['deployments', 'manager']));
  const agents = goTruthy(v.get(['deployments', 'agents']));
  if (manager && goTruthy(v.get(['manager', 'service', 'enabled']))) {
    const type = str(v.get(['manager', 'service', 'type'])) ?? 'ClusterIP';
    if (EXTERNAL_TYPES.has(type)) report(ctx, 'manager.service', type, serviceVariant(type, v.get(['manager', 'service', 'annotations'])), { values: ['manager', 'service', 'type'] });
  }
  if (agents) {
    const type = str(v.get(['query', 'service', 'type'])) ?? 'ClusterIP';
    // "Leave blank to not expose": a Service with neither port exposes nothing.
    const ports = goTruthy(v.get(['query', 'service', 'routerPort'])) || goTruthy(v.get(['query', 'service', 'pivotPort']));
    if (EXTERNAL_TYPES.has(type) && ports) report(ctx, 'query.service', type, serviceVariant(type, v.get(['query', 'service', 'annotations'])), { values: ['query', 'service', 'type'] });
  }
  const ingresses: [ExposedRole, Path, boolean][] = [
    ['manager.ingress', ['manager', 'ingress'], manager],
    ['query.ingress.pivot', ['query', 'ingress', 'pivot'], agents],
    ['query.ingress.router', ['query', 'ingress', 'router'], agents],
  ];
  for (const [role, path, deployed] of ingresses) {
    if (!deployed || !goTruthy(v.get([...path, 'enabled']))) continue;
    const tls = v.get([...path, 'tls']);
    report(ctx, role, 'Ingress', ingressVariant(Array.isArray(tls) && tls.length > 0), { values: [...path, 'enabled'] });
  }
}

/** TLS state of a rendered release: the manager's (or, on a partial stream, an agent's) CA env; undefined if no workload. */
function streamTls(m: ManifestModel): boolean | undefined {
  const mgr = managerOf(m);
  if (mgr) return tlsEvidence(mgr).caCertEnv !== undefined;
  const agent = implyWorkloads(m).find((o) => agentNodeType(o) !== undefined);
  if (agent) return tlsEvidence(agent).caCertEnv !== undefined;
  return undefined;
}

function checkManifests(m: ManifestModel, ctx: RuleContext): void {
  const tls = streamTls(m);
  if (tls === true) return;
  for (const o of m.objects) {
    if (isTestHook(o)) continue;
    const sRole = serviceRole(o);
    if (sRole) {
      const type = serviceType(o);
      // With no workload in the input (admission of a lone Service), the Service's own ports tell TLS state.
      const off = tls === false || (tls === undefined && serviceTlsHint(o) === false);
      if (off && EXTERNAL_TYPES.has(type)) report(ctx, sRole, type, serviceVariant(type, o.annotations), { object: o, path: ['spec', 'type'] });
      continue;
    }
    const iRole = ingressRole(o);
    // A lone Ingress shows nothing about TLS between services: no evidence, no finding.
    if (iRole && tls === false) report(ctx, iRole, 'Ingress', ingressVariant(ingressHasTls(o)), { object: o, path: ['spec'] });
  }
}

export default defineRule({
  meta: {
    id: 'exposed-without-tls',
    title: 'Manager and query not exposed without TLS',
    severity: 'error',
    category: 'security',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide exposes the Manager UI (port 80, or 443 with TLS), Pivot (9095) and the Druid console (8888) through LoadBalancer Services or ingresses. With `security.tls` off, logins, tokens and query results then cross networks outside the cluster in plain text. An Ingress with `tls:` entries or a load balancer with a TLS certificate annotation encrypts the external leg (warning: traffic behind it is still plain); an internal load balancer stays inside the private network (info).',
    fix: 'Enable TLS (security.tls.secretName), or keep the Service ClusterIP / the ingress off and use kubectl port-forward.',
    seed: 'Imply Manager requires port 80 (or 443 if TLS is enabled); Pivot requires port 9095; Druid requires port 8888.',
    subject: 'the exposure\'s values key (manager.service, query.service, manager.ingress, query.ingress.pivot, query.ingress.router)',
    messages: {
      exposed: '{{subject}} exposes {{what}} outside the cluster ({{kind}}) while TLS is off (security.tls is empty). Enable TLS or keep it internal.',
      exposedTlsAtEdge:
        '{{subject}} exposes {{what}} outside the cluster ({{kind}}) with TLS only at the edge while TLS between services is off (security.tls is empty). Enable TLS so traffic behind the edge is encrypted too.',
      exposedInternal:
        '{{subject}} exposes {{what}} on an internal load balancer while TLS is off (security.tls is empty); traffic inside the private network is plain text. Enable TLS.',
    },
    securitySeverity: 7.5,
    tags: ['security', 'tls', 'network'],
  },
  check(model, ctx) {
    if (model.values && !goTruthy(model.values.get(['security', 'tls']))) checkValues(model.values, ctx);
    if (model.manifests) checkManifests(model.manifests, ctx);
  },
});
