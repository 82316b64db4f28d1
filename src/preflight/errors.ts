// Preflight stage: what a failed probe reports. Driver errors are classified (DNS, refused, timeout,
// TLS, credentials...) and scrubbed of every password before they reach the model, output or logs.
import type { LiveErrorKind } from '../model/types.js';

/** Thrown by `withDeadline` when a bounded step runs out of time. */
export class PreflightTimeout extends Error {
  readonly code = 'PREFLIGHT_TIMEOUT';
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${formatMs(ms)}`);
    this.name = 'PreflightTimeout';
  }
}

/** `5000` -> `5s`, `1500` -> `1.5s`, `200` -> `200ms`. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : `${ms}ms`;
}

/**
 * Runs `work` with a hard deadline. On timeout the promise rejects with `PreflightTimeout` and
 * `onTimeout` runs (it must destroy the socket or client, so nothing keeps the process alive).
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      try {
        onTimeout();
      } finally {
        reject(new PreflightTimeout(what, ms));
      }
    }, ms);
  });
  // A late rejection of `work` after the deadline must not become an unhandled rejection.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Replaces every occurrence of the given secrets in `text` (as written, URL-encoded and base64) with
 * `***`. Secrets shorter than 3 characters are replaced only as whole words, so that a one-letter
 * password does not garble the message while still never appearing in it as a token.
 */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    const forms = new Set([s, encodeURIComponent(s), Buffer.from(s, 'utf8').toString('base64')]);
    for (const f of forms) {
      if (f.length >= 3) out = out.split(f).join('***');
      else out = out.replace(new RegExp(`(^|[^\\w])${escapeRegExp(f)}(?=$|[^\\w])`, 'g'), '$1***');
    }
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A probe failure: what kind, and a one-line message free of secrets. */
export interface ProbeError {
  kind: LiveErrorKind;
  message: string;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HANDSHAKE_SSL_ERROR',
  'HANDSHAKE_NO_SSL_SUPPORT',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** Classifies a driver or socket error (mysql2, pg, node:net, node-fetch) and scrubs its message. */
export function classifyError(err: unknown, secrets: readonly (string | undefined)[]): ProbeError {
  const e = (err ?? {}) as { code?: unknown; errno?: unknown; message?: unknown; name?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const raw = typeof e.message === 'string' && e.message ? e.message : String(err);
  const message = scrub(oneLine(raw), secrets);
  const kind = kindOf(code, raw, e);
  return { kind, message };
}

function kindOf(code: string, msg: string, e: { errno?: unknown; name?: unknown }): LiveErrorKind {
  if (e instanceof PreflightTimeout || code === 'PREFLIGHT_TIMEOUT') return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'dns';
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE') return 'refused';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return 'unreachable';
  if (code === 'ETIMEDOUT' || code === 'PROTOCOL_SEQUENCE_TIMEOUT' || code === '57014' || /timeout|timed out/i.test(msg)) return 'timeout';
  if (TLS_CODES.has(code) || /\b(ssl|tls|certificate|self[- ]signed)\b/i.test(msg)) return 'tls';
  // MySQL: 1045 access denied, 1044 db access denied, 1251/1524 auth plugin; PostgreSQL: 28P01, 28000.
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR' || code === 'ER_NOT_SUPPORTED_AUTH_MODE' || code === 'ER_PLUGIN_IS_NOT_LOADED') return 'auth';
  if (code === '28P01' || code === '28000' || /password authentication failed|access denied/i.test(msg)) return 'auth';
  if (code === '3D000' || code === 'ER_BAD_DB_ERROR') return 'database';
  if (code.startsWith('PROTOCOL_') || code === 'ERR_INVALID_HTTP_RESPONSE' || e.name === 'FetchError') return 'protocol';
  if (/^[0-9A-Z]{5}$/.test(code) || code.startsWith('ER_')) return 'query';
  return 'other';
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 500);
}

/** A short human phrase for an error kind, used as the start of probe messages. */
export function kindPhrase(kind: LiveErrorKind): string {
  switch (kind) {
    case 'config':
      return 'not configured';
    case 'dns':
      return 'host name does not resolve';
    case 'refused':
      return 'connection refused';
    case 'unreachable':
      return 'host unreachable';
    case 'timeout':
      return 'timed out';
    case 'tls':
      return 'TLS failed';
    case 'auth':
      return 'login refused';
    case 'database':
      return 'database missing';
    case 'query':
      return 'query failed';
    case 'protocol':
      return 'unexpected answer';
    default:
      return 'failed';
  }
}
