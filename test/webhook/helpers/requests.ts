// Test helper: parsed admission requests for the worker pool and decision-cache tests.
import type { AdmissionRequest } from '../../../src/webhook/review.js';

export const MINIO_IMAGE = 'minio/minio:RELEASE.2020-03-06T22-23-56Z';

/** A CREATE of the quickstart MinIO Deployment (release `imply`), denied by no-quickstart-minio. */
export function minioRequest(uid: string, o: { extra?: Partial<AdmissionRequest>; image?: string; annotations?: Record<string, string> } = {}): AdmissionRequest {
  return {
    uid,
    operation: 'CREATE',
    namespace: 'imply',
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'imply-minio', labels: { release: 'imply', app: 'minio', chart: 'minio-5.0.16' }, ...(o.annotations ? { annotations: o.annotations } : {}) },
      spec: { template: { spec: { containers: [{ name: 'minio', image: o.image ?? MINIO_IMAGE }] } } },
    },
    ...o.extra,
  };
}
