// Load: the webhook under the heap the chart gives it. The chart sets NODE_OPTIONS (webhook.nodeOptions) with a
// capped young and old generation, and on one CPU the rules run on the event loop (--workers 0). The largest
// request the server accepts must still be answered under those flags, not end in V8's out-of-memory abort: an
// UPDATE near the 6 MiB body limit whose object and oldObject carry 400,000 annotation entries between them (every
// entry a property JSON.parse, the model's annotation copy and the rules all touch), and one whose two sides are
// 3 MiB strings. The server's high-water RSS stays under the chart's memory limit.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../webhook/helpers/https.js';
import { ROOT, servingPki, startServe, stopServe } from '../webhook/helpers/serve-process.js';
import type { ServeProcess, ServingPki } from '../webhook/helpers/serve-process.js';

const SVC = 'imply-lint-webhook';
const NS = 'imply-lint';
const HOST = `${SVC}.${NS}.svc`;
const chartValues = parse(fs.readFileSync(path.join(ROOT, 'deploy/webhook/values.yaml'), 'utf8')) as { webhook: { nodeOptions: string }; resources: { limits: { memory: string } } };
const LIMIT_MIB = Number(/^(\d+)Mi$/.exec(chartValues.resources.limits.memory)?.[1]);

function update(uid: string, annotations: (side: string) => Record<string, string>): string {
  const obj = (side: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'imply-query', namespace: 'imply', labels: { 'app.kubernetes.io/instance': 'imply', 'app.kubernetes.io/name': 'imply' }, annotations: annotations(side) },
    spec: { replicas: 3, template: { spec: { containers: [{ name: 'query', image: 'imply/agent:v15' }] } } },
  });
  const kind = { group: 'apps', version: 'v1', kind: 'Deployment' };
  return JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid, kind, resource: { group: 'apps', version: 'v1', resource: 'deployments' }, name: 'imply-query', namespace: 'imply', operation: 'UPDATE', object: obj('a'), oldObject: obj('b') } });
}

describe('the chart heap flags with the rules on the event loop', () => {
  let certs: ServingPki;
  let s: ServeProcess;

  beforeAll(async () => {
    expect(chartValues.webhook.nodeOptions).toMatch(/--max-old-space-size=\d+/);
    expect(LIMIT_MIB).toBeGreaterThan(0);
    certs = await servingPki('imply-lint-heap-', SVC, NS);
    s = await startServe([...certs.certArgs, '--workers', '0', '--drain-delay', '0s'], { env: { NODE_OPTIONS: chartValues.webhook.nodeOptions } });
    await s.waitReady(certs.pki.ca.certPem, HOST);
  });

  afterAll(() => stopServe(s, certs));

  it('answers the largest UPDATEs it accepts, and stays under the chart memory limit', async () => {
    const many = update('heap-many', (side) => Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`${side}${i}`, 'v'])));
    const blobs = update('heap-blob', (side) => ({ 'example.com/blob': side.repeat(3 * 1024 * 1024 - 40 * 1024) }));
    for (const [body, uid] of [[many, 'heap-many'], [blobs, 'heap-blob']] as const) {
      expect(Buffer.byteLength(body)).toBeLessThan(6 * 1024 * 1024);
      const r = await call({ port: s.port, ca: certs.pki.ca.certPem, servername: HOST, method: 'POST', path: '/validate?timeout=30s', body, timeoutMs: 60_000 });
      expect(r.status).toBe(200);
      expect(r.json?.response).toMatchObject({ uid, allowed: true });
    }
    // Both were linted (objects of the release), not skipped.
    for (const uid of ['heap-many', 'heap-blob']) expect(s.logs.find((l) => l.event === 'review' && l.uid === uid)?.decision).toBe('allowed');
    // Still serving, nothing on stderr (V8 prints its fatal out-of-memory report there), under the memory limit.
    const h = await call({ port: s.port, ca: certs.pki.ca.certPem, servername: HOST, path: '/healthz' });
    expect(h.status).toBe(200);
    expect(s.proc.exitCode).toBeNull();
    expect(s.stderr()).toBe('');
    const hwmKiB = Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${s.proc.pid}/status`, 'utf8'))?.[1]);
    expect(hwmKiB / 1024).toBeLessThan(LIMIT_MIB);
  });
});
