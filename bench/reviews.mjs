// Benchmarks: the AdmissionReview bodies both webhook benchmarks send (bench:webhook over HTTPS, review-cpu.mjs
// in process), built from the real chart's rendered objects in ../shared/reference.
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REF23 } from './lib.mjs';

/** The objects of a rendered stream of the 2023.03.1 reference. */
export function objectsOf(file) {
  return parseAllDocuments(fs.readFileSync(path.join(REF23, file), 'utf8'))
    .map((d) => d.toJS())
    .filter((o) => o && typeof o === 'object' && o.kind);
}

/** One object by kind and name (throws when the reference does not have it). */
export function find(objs, kind, name) {
  const o = objs.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`${kind}/${name} not found in the reference renders`);
  return o;
}

const RESOURCES = { Deployment: ['apps', 'v1', 'deployments'], Secret: ['', 'v1', 'secrets'] };

/** Placeholder for the per-request id in a body: replace it with a uid before sending. */
export const ID = '[<id>]';

/** The three objects the issue names: the manager Deployment, the quickstart MinIO Deployment and its Secret. */
export function benchObjects() {
  const production = objectsOf('production.rendered.yaml');
  const quickstart = objectsOf('quickstart.rendered.yaml');
  return [
    { name: 'manager Deployment (production)', obj: find(production, 'Deployment', 'imply-manager') },
    { name: 'MinIO Deployment (quickstart)', obj: find(quickstart, 'Deployment', 'imply-minio') },
    { name: 'MinIO Secret (quickstart)', obj: find(quickstart, 'Secret', 'imply-minio') },
  ];
}

/**
 * An AdmissionReview CREATE request for `obj`, as JSON, with ID where the uid goes. `seq` is the value of the
 * object's `bench.imply-lint.io/seq` annotation: ID makes the object unique per request (serve's decision cache
 * always misses); a constant keeps it the same every time (cache hits).
 */
export function admissionReview(obj, seq) {
  const [group, version, resource] = RESOURCES[obj.kind];
  const kind = { group, version, kind: obj.kind };
  const res = { group, version, resource };
  const annotations = { ...(obj.metadata.annotations ?? {}), 'bench.imply-lint.io/seq': seq };
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: ID,
      kind,
      resource: res,
      requestKind: kind,
      requestResource: res,
      name: obj.metadata.name,
      namespace: 'imply',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:ci:deployer', groups: ['system:serviceaccounts'] },
      object: { ...obj, metadata: { ...obj.metadata, namespace: 'imply', annotations } },
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  });
}
