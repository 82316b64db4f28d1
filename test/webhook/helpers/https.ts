// Test helper: HTTPS requests to a webhook on 127.0.0.1, verifying its certificate against a CA for a Service
// DNS name (as the API server does), with control over the TLS versions and ciphers offered.
import https from 'node:https';
import type { PeerCertificate, SecureVersion } from 'node:tls';

export interface CallOptions {
  port: number;
  ca: string | Buffer;
  servername: string;
  method?: string;
  path?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  ciphers?: string;
  timeoutMs?: number;
  /** Skip certificate verification (only to reach a server whose certificate is not known yet). */
  insecure?: boolean;
}

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json?: any;
  peer?: PeerCertificate;
  protocol?: string | null;
  cipher?: string;
}

export function call(o: CallOptions): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const body = o.body === undefined ? undefined : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body);
    const req = https.request(
      {
        host: '127.0.0.1',
        port: o.port,
        servername: o.servername,
        ca: o.ca,
        method: o.method ?? 'GET',
        path: o.path ?? '/',
        headers: { ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } : {}), ...o.headers },
        minVersion: o.minVersion,
        maxVersion: o.maxVersion,
        ciphers: o.ciphers,
        agent: false,
        rejectUnauthorized: !o.insecure,
        timeout: o.timeoutMs ?? 15_000,
      },
      (res) => {
        const sock = res.socket as import('node:tls').TLSSocket;
        const peer = sock.getPeerCertificate?.();
        const protocol = sock.getProtocol?.();
        const cipher = sock.getCipher?.()?.name;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, peer, protocol, cipher });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** A minimal AdmissionReview v1 request for an object. */
export function reviewBody(object: Record<string, unknown> | null, o: { uid?: string; operation?: string; oldObject?: Record<string, unknown>; dryRun?: boolean; namespace?: string } = {}): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: o.uid ?? 'uid-1',
      kind: object ? { group: '', version: 'v1', kind: String(object.kind) } : undefined,
      operation: o.operation ?? 'CREATE',
      namespace: o.namespace ?? 'imply',
      name: object ? (object.metadata as { name?: string })?.name : undefined,
      object,
      oldObject: o.oldObject ?? null,
      dryRun: o.dryRun ?? false,
    },
  });
}
