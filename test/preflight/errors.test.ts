// Preflight: error classification, password scrubbing and deadlines (pure, plus timers).
import { describe, expect, it } from 'vitest';
import { classifyError, PreflightTimeout, scrub, withDeadline } from '../../src/preflight/errors.js';
import { parseTimeout, checkDatabaseName, PreflightError } from '../../src/preflight/index.js';

describe('scrub', () => {
  it('removes a password as written, URL-encoded and base64', () => {
    const pw = 'p@ss w0rd/!';
    const text = `bad ${pw} in postgres://u:${encodeURIComponent(pw)}@h and ${Buffer.from(pw).toString('base64')}`;
    const out = scrub(text, [pw]);
    expect(out).not.toContain(pw);
    expect(out).not.toContain(encodeURIComponent(pw));
    expect(out).not.toContain(Buffer.from(pw).toString('base64'));
    expect(out).toContain('***');
  });
  it('replaces a very short password only as a whole word', () => {
    expect(scrub('password x rejected for user max', ['x'])).toBe('password *** rejected for user max');
  });
  it('ignores empty secrets', () => {
    expect(scrub('unchanged', [undefined, ''])).toBe('unchanged');
  });
});

describe('classifyError', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND db' }, 'dns'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' }, 'refused'],
    [{ code: 'EHOSTUNREACH', message: 'x' }, 'unreachable'],
    [{ code: 'ETIMEDOUT', message: 'connect ETIMEDOUT' }, 'timeout'],
    [{ code: 'ER_ACCESS_DENIED_ERROR', message: "Access denied for user 'u'@'h' (using password: YES)" }, 'auth'],
    [{ code: '28P01', message: 'password authentication failed for user "u"' }, 'auth'],
    [{ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, 'tls'],
    [{ message: 'The server does not support SSL connections' }, 'tls'],
    [{ code: '3D000', message: 'database "x" does not exist' }, 'database'],
    [{ code: '42501', message: 'permission denied' }, 'query'],
  ];
  for (const [err, kind] of cases) {
    it(`${String(err.code ?? err.message)} -> ${kind}`, () => {
      expect(classifyError(Object.assign(new Error(String(err.message)), err), []).kind).toBe(kind);
    });
  }
  it('scrubs the message', () => {
    expect(classifyError(new Error('login hunter2 failed'), ['hunter2']).message).toBe('login *** failed');
  });
  it('a deadline is a timeout', () => {
    expect(classifyError(new PreflightTimeout('x', 10), []).kind).toBe('timeout');
  });
});

describe('withDeadline', () => {
  it('rejects after the deadline and runs the clean-up', async () => {
    let cleaned = false;
    const t0 = Date.now();
    await expect(withDeadline(new Promise(() => undefined), 50, 'waiting', () => (cleaned = true))).rejects.toThrow(/did not finish within 50ms/);
    expect(cleaned).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
  it('passes a result through', async () => {
    await expect(withDeadline(Promise.resolve(7), 1000, 'x', () => undefined)).resolves.toBe(7);
  });
});

describe('flag helpers', () => {
  it('parseTimeout', () => {
    expect(parseTimeout('5s')).toBe(5000);
    expect(parseTimeout('1500ms')).toBe(1500);
    expect(parseTimeout('1m')).toBe(60000);
    expect(parseTimeout('2')).toBe(2000);
    expect(() => parseTimeout('soon')).toThrow(PreflightError);
    expect(() => parseTimeout('0s')).toThrow(PreflightError);
  });
  it('checkDatabaseName', () => {
    expect(checkDatabaseName(' druid_c1 ')).toBe('druid_c1');
    expect(() => checkDatabaseName('a/b')).toThrow(PreflightError);
    expect(() => checkDatabaseName('')).toThrow(PreflightError);
  });
});
