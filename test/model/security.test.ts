import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelFromTexts } from '../../src/model/build.js';
import {
  authSecretRefs,
  caSecretRefs,
  decodeSecretData,
  ingressRole,
  isValidSecretName,
  licenseSecretRefs,
  loadBalancerKind,
  secretNamesFor,
  serviceRole,
  serviceTlsHint,
} from '../../src/model/security.js';

const ref = path.resolve(import.meta.dirname, '../../../shared/reference/chart-2023.03.1');
const read = (f: string) => fs.readFileSync(path.join(ref, f), 'utf8');

describe('decodeSecretData', () => {
  it('decodes base64 data and lets stringData win', () => {
    const d = decodeSecretData({ a: 'aW1wbHk=', b: 'eA==' }, { b: 'plain' }, 'Opaque');
    expect(d.values).toEqual({ a: 'imply', b: 'plain' });
    expect(d.bytes).toEqual({ a: 5, b: 5 });
    expect(d.errors).toEqual([]);
  });
  it('reports invalid base64 and tolerates line breaks', () => {
    expect(decodeSecretData({ a: 'not base64!' }, undefined).errors).toEqual([{ key: 'a', message: 'data.a is not valid base64' }]);
    expect(decodeSecretData({ a: 'aW1w\nbHk=' }, undefined).values.a).toBe('imply');
  });
});

describe('isValidSecretName', () => {
  it('follows DNS-1123 subdomains', () => {
    expect(['imply-ca', 'a.b-c', '0ca'].map(isValidSecretName)).toEqual([true, true, true]);
    expect(['', 'Imply', 'a_b', '-a', 'a-', 'a'.repeat(254)].map(isValidSecretName)).toEqual([false, false, false, false, false, false]);
  });
});

describe('references in the real renders', () => {
  const prod = modelFromTexts({ manifests: [{ path: 'p.yaml', text: read('production.rendered.yaml') }] });
  const qs = modelFromTexts({ manifests: [{ path: 'q.yaml', text: read('quickstart.rendered.yaml') }] });
  it('finds the CA, auth and licence Secrets production.rendered.yaml mounts', () => {
    const m = prod.manifests!;
    expect(caSecretRefs(m).map((r) => `${r.object.ref}:${r.name}`)).toEqual([
      'Deployment/imply-manager:imply-ca',
      'Deployment/imply-master:imply-ca',
      'Deployment/imply-query:imply-ca',
      'StatefulSet/imply-data:imply-ca',
    ]);
    expect(new Set(authSecretRefs(m).map((r) => r.name))).toEqual(new Set(['imply-auth-token']));
    expect(licenseSecretRefs(m).map((r) => `${r.object.ref}:${r.name}`)).toEqual(['Deployment/imply-manager:imply-secrets']);
  });
  it('quickstart.rendered.yaml mounts no CA and no token', () => {
    expect(caSecretRefs(qs.manifests!)).toEqual([]);
    expect(authSecretRefs(qs.manifests!)).toEqual([]);
  });
  it('secretNamesFor joins the policy setting, values and the stream', () => {
    const model = modelFromTexts({ values: [{ path: 'v.yaml', text: 'security:\n  tls:\n    secretName: from-values\n' }], manifests: [{ path: 'p.yaml', text: read('production.rendered.yaml') }] });
    expect([...secretNamesFor(model, 'ca', 'imply-ca-setting')].sort()).toEqual(['from-values', 'imply-ca', 'imply-ca-setting']);
  });
  it('classifies the features render\'s Services and Ingresses by port names', () => {
    const f = modelFromTexts({ manifests: [{ path: 'f.yaml', text: read('features.rendered.yaml') }] }).manifests!;
    const roles = f.objects.map((o) => [o.ref, serviceRole(o) ?? ingressRole(o)]).filter(([, r]) => r);
    expect(roles).toEqual([
      ['Service/imply-manager', 'manager.service'],
      ['Service/imply-query', 'query.service'],
      ['Ingress/imply-manager', 'manager.ingress'],
      ['Ingress/imply-pivot-ingress', 'query.ingress.pivot'],
    ]);
    const svc = (n: string) => f.objects.find((o) => o.ref === n)!;
    expect(serviceTlsHint(svc('Service/imply-query'))).toBe(true);
    expect(serviceTlsHint(svc('Service/imply-manager'))).toBe(true);
    expect(loadBalancerKind(svc('Service/imply-manager').annotations)).toBe('internal');
    expect(loadBalancerKind(svc('Service/imply-query').annotations)).toBe('tls');
    const qsQuery = qs.manifests!.objects.find((o) => o.ref === 'Service/imply-query')!;
    expect(serviceTlsHint(qsQuery)).toBe(false);
  });
});
