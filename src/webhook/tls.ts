// Webhook stage: the server's TLS settings and the hot reload of mounted certificate files. Kubernetes updates a
// mounted Secret by writing a new timestamped directory and renaming the `..data` symlink onto it, so we watch
// the directory (not the files) and also poll; a new pair is swapped in only when key and certificate parse and
// match, so a half-written update never costs a handshake.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import { CertError, checkPair } from './certs.js';
import type { CheckedPair } from './certs.js';

/**
 * TLS 1.2 and 1.3 only, forward-secret AEAD suites (Mozilla "intermediate" for TLS 1.2; every TLS 1.3 suite).
 * kube-apiserver (Go crypto/tls) negotiates ECDHE-RSA-AES128-GCM-SHA256 or TLS 1.3.
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** The secure-context options of the server for a key and certificate. */
export function tlsOptions(pair: { cert: string | Buffer; key: string | Buffer }): SecureContextOptions & { minVersion: 'TLSv1.2'; honorCipherOrder: boolean } {
  return { cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2', ciphers: TLS_CIPHERS, honorCipherOrder: true };
}

/** A loaded pair: the PEM text and what node:crypto made of it. */
export interface LoadedPair {
  cert: Buffer;
  key: Buffer;
  checked: CheckedPair;
  /** Hash of both files' bytes: unchanged content is not reloaded. */
  digest: string;
}

/** Reads both files (following symlinks) and checks them; throws CertError naming the file. */
export function loadPairFiles(certFile: string, keyFile: string): LoadedPair {
  const read = (f: string, what: string): Buffer => {
    try {
      return fs.readFileSync(f);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CertError(`cannot read ${what}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, f);
    }
  };
  const cert = read(certFile, 'certificate');
  const key = read(keyFile, 'private key');
  let checked: CheckedPair;
  try {
    checked = checkPair(cert, key);
  } catch (e) {
    const msg = (e as Error).message;
    throw new CertError(msg, /^private key does not parse/.test(msg) ? keyFile : certFile);
  }
  return { cert, key, checked, digest: digestOf(cert, key) };
}

export function digestOf(cert: Buffer | string, key: Buffer | string): string {
  return createHash('sha256').update(cert).update('\u0000').update(key).digest('hex');
}

export type ReloadEvent = { type: 'swapped'; pair: LoadedPair } | { type: 'refused'; message: string; digest: string };

export interface CertWatcherOptions {
  certFile: string;
  keyFile: string;
  /** Poll interval (the watch is the fast path; polling catches what fs.watch misses). At most 2 s. */
  pollMs?: number;
  onEvent: (e: ReloadEvent) => void;
}

/** Watches the directories of the mounted key and certificate and reports new valid pairs. */
export class CertWatcher {
  private current: string;
  private refused?: string;
  private watchers: fs.FSWatcher[] = [];
  private timer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly opts: CertWatcherOptions,
    initial: LoadedPair,
  ) {
    this.current = initial.digest;
  }

  start(): void {
    const dirs = new Set([path.dirname(path.resolve(this.opts.certFile)), path.dirname(path.resolve(this.opts.keyFile))]);
    for (const dir of dirs) {
      try {
        const w = fs.watch(dir, { persistent: false }, () => this.soon());
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch {
        // Some filesystems cannot be watched; the poll below still notices changes.
      }
    }
    this.timer = setInterval(() => this.check(), Math.min(this.opts.pollMs ?? 1000, 2000));
    this.timer.unref();
  }

  private soon(): void {
    if (this.stopped) return;
    clearTimeout(this.debounce);
    // A symlink swap raises several events; look once they have settled.
    this.debounce = setTimeout(() => this.check(), 50);
    this.debounce.unref();
  }

  /** Looks at the files now; swaps when they changed and are a valid, matching pair. */
  check(): void {
    if (this.stopped) return;
    let cert: Buffer;
    let key: Buffer;
    try {
      cert = fs.readFileSync(this.opts.certFile);
      key = fs.readFileSync(this.opts.keyFile);
    } catch (e) {
      // Mid-swap a path may briefly not resolve; the next look decides.
      const msg = `cannot read certificate files: ${(e as Error).message}`;
      if (this.refused !== msg) {
        this.refused = msg;
        this.opts.onEvent({ type: 'refused', message: msg, digest: '' });
      }
      return;
    }
    const digest = digestOf(cert, key);
    if (digest === this.current || digest === this.refused) return;
    try {
      const checked = checkPair(cert, key);
      this.current = digest;
      this.refused = undefined;
      this.opts.onEvent({ type: 'swapped', pair: { cert, key, checked, digest } });
    } catch (e) {
      this.refused = digest;
      this.opts.onEvent({ type: 'refused', message: (e as Error).message, digest });
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}
