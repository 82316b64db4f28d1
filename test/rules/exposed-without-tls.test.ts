import rule from '../../src/rules/catalog/exposed-without-tls.js';
import { managerYaml, stream } from '../helpers/imply-objects.js';
import { ruleTester } from '../helpers/rule-tester.js';

// Objects as features.rendered.yaml has them (names, ports, annotations, tls lists), trimmed.
const managerLb = (annotations: string, port = 80) => `apiVersion: v1
kind: Service
metadata:
  name: imply-manager
  labels:
    app.kubernetes.io/instance: imply
  annotations:
${annotations}
spec:
  type: LoadBalancer
  ports:
    - name: manager-fe
      protocol: TCP
      port: ${port}
      targetPort: manager-fe
  selector:
    app.kubernetes.io/name: imply-manager
`;
const queryService = (type: string, annotations = '    {}', routerTarget = 'router') => `apiVersion: v1
kind: Service
metadata:
  name: imply-query
  labels:
    app.kubernetes.io/instance: imply
  annotations:
${annotations}
spec:
  type: ${type}
  ports:
    - name: router
      protocol: TCP
      port: 8888
      targetPort: ${routerTarget}
    - name: pivot
      protocol: TCP
      port: 9095
      targetPort: pivot
`;
const managerIngress = (tls: boolean) => `apiVersion: "networking.k8s.io/v1"
kind: Ingress
metadata:
  name: imply-manager
spec:
  rules:
    - http:
        paths:
          - path: /*
            pathType: Prefix
            backend:
              service:
                name: imply-manager
                port:
                  name: manager-fe
      host: imply.acme.example
${tls ? '  tls:\n    - hosts:\n      - imply.acme.example\n      secretName: imply-ingress-tls\n' : ''}`;
const pivotIngress = `apiVersion: "networking.k8s.io/v1"
kind: Ingress
metadata:
  name: imply-pivot-ingress
spec:
  rules:
    - http:
        paths:
          - path: /*
            pathType: Prefix
            backend:
              service:
                name: imply-query
                port:
                  name: pivot
      host: pivot.acme.example
`;
const internal = '    service.beta.kubernetes.io/aws-load-balancer-internal: "true"';
const sslCert = '    service.beta.kubernetes.io/aws-load-balancer-ssl-cert: arn:aws:acm:us-east-1:000000000000:certificate/example';
const tlsOn = 'security:\n  tls:\n    secretName: imply-ca\n';

ruleTester.run('exposed-without-tls', rule, {
  valid: [
    { name: 'defaults: manager Service disabled, query ClusterIP (public values file)', values: 'security: {}\n' },
    { name: 'TLS on: a plain LoadBalancer is fine', values: `${tlsOn}manager:\n  service:\n    enabled: true\n    type: LoadBalancer\n` },
    { name: 'manager Service disabled with YAML 1.1 "no"', values: 'manager:\n  service:\n    enabled: no\n    type: LoadBalancer\n' },
    { name: 'query LoadBalancer with both ports blank exposes nothing', values: 'query:\n  service:\n    type: LoadBalancer\n    routerPort:\n    pivotPort:\n' },
    { name: 'agents not deployed: the query Service is not rendered', values: 'deployments:\n  agents: false\nquery:\n  service:\n    type: NodePort\n' },
    { name: 'ingress disabled', values: 'manager:\n  ingress:\n    enabled: false\n' },
    {
      name: 'manifest: the features render (TLS on) with every exposure',
      manifest: stream(managerYaml({ caSecret: 'imply-ca' }), managerLb(internal, 443), queryService('LoadBalancer', sslCert, 'router-tls'), managerIngress(true), pivotIngress),
    },
    { name: 'manifest: a ClusterIP query Service with TLS off', manifest: stream(managerYaml(), queryService('ClusterIP')) },
    { name: 'admission: a lone query Service targeting router-tls (TLS on)', manifest: queryService('LoadBalancer', '    {}', 'router-tls'), wholeStream: false },
    { name: 'admission: a lone Ingress shows nothing about TLS', manifest: pivotIngress, wholeStream: false },
  ],
  invalid: [
    {
      name: 'manager LoadBalancer without TLS (the seed\'s example)',
      values: 'manager:\n  service:\n    enabled: true\n    type: LoadBalancer\n',
      errors: [{ messageId: 'exposed', severity: 'error', path: 'manager.service.type', line: 4, column: 5, subject: 'manager.service' }],
    },
    {
      name: 'query NodePort',
      values: 'query:\n  service:\n    type: NodePort\n',
      errors: [{ messageId: 'exposed', severity: 'error', path: 'query.service.type', line: 3, column: 5, subject: 'query.service' }],
    },
    {
      name: 'query LoadBalancer with an ACM certificate: TLS at the edge only',
      values: `query:\n  service:\n    type: LoadBalancer\n    annotations:\n${sslCert.replace('    ', '      ')}\n`,
      errors: [{ messageId: 'exposedTlsAtEdge', severity: 'warning', subject: 'query.service' }],
    },
    {
      name: 'internal manager load balancer',
      values: `manager:\n  service:\n    enabled: true\n    type: LoadBalancer\n    annotations:\n${internal.replace('    ', '      ')}\n`,
      errors: [{ messageId: 'exposedInternal', severity: 'info', subject: 'manager.service' }],
    },
    {
      name: 'manager ingress without a tls list (chart default tls: {})',
      values: 'manager:\n  ingress:\n    enabled: true\n',
      errors: [{ messageId: 'exposed', severity: 'error', path: 'manager.ingress.enabled', line: 3, column: 5, subject: 'manager.ingress' }],
    },
    {
      name: 'manager ingress with a tls list',
      values: 'manager:\n  ingress:\n    enabled: true\n    tls:\n      - hosts: [imply.acme.example]\n        secretName: imply-ingress-tls\n',
      errors: [{ messageId: 'exposedTlsAtEdge', severity: 'warning', subject: 'manager.ingress' }],
    },
    {
      name: 'pivot ingress enabled by --set',
      values: 'security: {}\n',
      sets: [{ flag: '--set', expr: 'query.ingress.pivot.enabled=true' }],
      errors: [{ messageId: 'exposed', path: 'query.ingress.pivot.enabled', subject: 'query.ingress.pivot' }],
    },
    {
      name: 'a string "false" is truthy in a template',
      values: 'query:\n  ingress:\n    router:\n      enabled: "false"\n',
      errors: [{ messageId: 'exposed', subject: 'query.ingress.router' }],
    },
    {
      name: 'a later file turns TLS off again',
      values: [`${tlsOn}query:\n  service:\n    type: LoadBalancer\n`, 'security:\n  tls: null\n'],
      errors: [{ messageId: 'exposed', file: 'values-1.yaml', line: 6, subject: 'query.service' }],
    },
    {
      name: 'manifest: the features exposures with TLS off',
      manifest: stream(managerYaml(), managerLb(internal), queryService('LoadBalancer', sslCert), managerIngress(true), pivotIngress),
      errors: [
        { messageId: 'exposedInternal', severity: 'info', object: 'Service/imply-manager', path: 'spec.type', line: 51, column: 9, subject: 'manager.service' },
        { messageId: 'exposedTlsAtEdge', severity: 'warning', object: 'Service/imply-query', subject: 'query.service' },
        { messageId: 'exposedTlsAtEdge', severity: 'warning', object: 'Ingress/imply-manager', subject: 'manager.ingress' },
        { messageId: 'exposed', severity: 'error', object: 'Ingress/imply-pivot-ingress', subject: 'query.ingress.pivot' },
      ],
    },
    {
      name: 'admission: a lone NodePort query Service targeting the plain router',
      manifest: queryService('NodePort'),
      wholeStream: false,
      errors: [{ messageId: 'exposed', severity: 'error', object: 'Service/imply-query', path: 'spec.type', line: 10, column: 9, subject: 'query.service' }],
    },
    {
      name: 'admission: a lone manager LoadBalancer on port 80',
      manifest: managerLb('    {}'),
      wholeStream: false,
      errors: [{ messageId: 'exposed', object: 'Service/imply-manager', subject: 'manager.service' }],
    },
  ],
});
