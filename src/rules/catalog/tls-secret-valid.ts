// Rules stage: tls-secret-valid, the CA Secret named by security.tls.secretName must be usable.
import { daysUntil, keyMatchesCertificate, pemInfo } from '../../model/pem.js';
import { caSecretRefs, decodeLiveSecret, decodeSecret, isValidSecretName, secretKeyPath, secretNamesFor, secretsNamed } from '../../model/security.js';
import type { DecodedSecret } from '../../model/security.js';
import { isMap } from '../../model/path.js';
import type { Path } from '../../model/path.js';
import { defineRule } from '../types.js';
import type { Anchor, RuleContext } from '../types.js';
import { goTruthy } from '../util.js';

const NAME = 'security.tls.secretName';
const EXPIRY_WARNING_DAYS = 30;
const MIN_RSA_BITS = 2048;

/** Checks one CA Secret payload; `at(key)` anchors a finding on that key of the Secret. */
function checkCaSecret(d: DecodedSecret, at: (key?: string) => Anchor, ctx: RuleContext): void {
  if (d.type !== undefined && d.type !== 'kubernetes.io/tls') {
    ctx.report({ messageId: 'wrongType', data: { type: d.type }, subject: `${NAME}/type`, at: at() });
  }
  const crt = d.values['tls.crt'];
  const key = d.values['tls.key'];
  for (const [k, val] of [
    ['tls.crt', crt],
    ['tls.key', key],
  ] as const) {
    if (val === undefined || val.trim() === '') ctx.report({ messageId: 'missingKey', data: { key: k }, subject: `${NAME}/${k}`, at: at(k) });
  }
  if (crt !== undefined && crt.trim() !== '') {
    const info = pemInfo(crt);
    const certErrors = info.errors.filter((e) => e.label === undefined || /CERTIFICATE/.test(e.label));
    const ca = info.certificates[0];
    if (!ca || certErrors.length > 0) {
      const reason = certErrors[0]?.message ?? 'no CERTIFICATE block';
      ctx.report({ messageId: 'certificateInvalid', data: { reason }, subject: `${NAME}/tls.crt`, at: at('tls.crt') });
    }
    if (ca) {
      if (!ca.isCA) ctx.report({ messageId: 'notCa', data: { certSubject: ca.subject.replace(/\n/g, ', ') }, subject: `${NAME}/ca`, at: at('tls.crt') });
      const days = daysUntil(ca.notAfter, ctx.now);
      const date = ca.notAfter.toISOString().slice(0, 10);
      if (days < 0) ctx.report({ messageId: 'expired', data: { date }, subject: `${NAME}/validity`, at: at('tls.crt') });
      else if (days < EXPIRY_WARNING_DAYS) ctx.report({ messageId: 'expiring', data: { date, days: Math.floor(days) }, subject: `${NAME}/validity`, at: at('tls.crt'), severity: 'warning' });
      if ((ca.keyType === 'rsa' || ca.keyType === 'rsa-pss') && ca.keySize !== undefined && ca.keySize < MIN_RSA_BITS) {
        ctx.report({ messageId: 'weakKey', data: { bits: ca.keySize }, subject: `${NAME}/key-size`, at: at('tls.crt') });
      }
    }
  }
  if (key !== undefined && key.trim() !== '') {
    const info = pemInfo(key);
    const encrypted = info.keys.find((k) => k.encrypted);
    if (info.keys.length === 0 || info.errors.length > 0 || encrypted) {
      const reason = encrypted ? 'the key is encrypted; the manager has no passphrase' : (info.errors[0]?.message ?? 'no PRIVATE KEY block');
      ctx.report({ messageId: 'keyInvalid', data: { reason }, subject: `${NAME}/tls.key`, at: at('tls.key') });
    } else if (crt !== undefined && keyMatchesCertificate(crt, key) === false) {
      // An unsupported key type gives `undefined`: not "invalid", not a mismatch.
      ctx.report({ messageId: 'keyMismatch', subject: `${NAME}/key-match`, at: at('tls.key') });
    }
  }
}

export default defineRule({
  meta: {
    id: 'tls-secret-valid',
    title: 'The TLS CA Secret is valid',
    severity: 'error',
    category: 'security',
    inputs: ['values', 'manifest', 'live'],
    rationale:
      'With TLS on, the manager mounts the Secret named by `security.tls.secretName` (`tls.crt` and `tls.key` as subPaths) and uses it as the CA "that will be used to generate certificates" for every service (chart comment; the guide creates it with `kubectl create secret tls`). An empty or malformed name, a Secret without both keys, a certificate that is not a CA, a key that does not belong to it, an expired certificate or an RSA key under 2048 bits leaves the cluster without working TLS. Certificates are read with node:crypto, so EC and Ed25519 keys are understood; a key type the runtime cannot load is not reported as invalid.',
    fix: 'Point security.tls.secretName at a kubernetes.io/tls Secret holding a current CA certificate (basicConstraints CA:TRUE, RSA >= 2048 or EC) and its matching private key.',
    seed: 'kubectl create secret tls imply-ca --key path/to/ca.key --cert path/to/ca.crt',
    // Each problem of the Secret's content has its own fingerprint: security.tls.secretName/<check>.
    subject: 'security.tls.secretName[/type, /tls.crt, /tls.key, /ca, /validity, /key-size, /key-match]',
    messages: {
      missingSecretName: 'TLS is on but security.tls.secretName is empty: the CA Secret cannot be mounted. Set it to the name of the CA Secret.',
      invalidSecretName: 'security.tls.secretName "{{name}}" is not a valid Secret name (DNS-1123: lowercase letters, digits, "-" and "."). Use the CA Secret\'s name.',
      wrongType: 'The CA Secret named by security.tls.secretName has type {{type}}, not kubernetes.io/tls. Recreate it with kubectl create secret tls.',
      missingKey: 'The CA Secret named by security.tls.secretName has no {{key}}; the chart mounts tls.crt and tls.key. Recreate it with kubectl create secret tls.',
      certificateInvalid: 'The tls.crt of the CA Secret named by security.tls.secretName is not a readable PEM certificate ({{reason}}). Store the CA certificate in PEM form.',
      notCa: 'The certificate in the CA Secret named by security.tls.secretName ({{certSubject}}) is not a CA (basicConstraints CA:TRUE is missing): the manager signs service certificates with it. Use a CA certificate.',
      expired: 'The CA certificate in the Secret named by security.tls.secretName expired on {{date}}. Issue a new CA certificate and update the Secret.',
      expiring: 'The CA certificate in the Secret named by security.tls.secretName expires on {{date}} (in {{days}} days). Renew it and update the Secret before it expires.',
      weakKey: 'The CA certificate in the Secret named by security.tls.secretName has a {{bits}}-bit RSA key; use at least 2048 bits (or an EC key).',
      keyInvalid: 'The tls.key of the CA Secret named by security.tls.secretName is not a usable private key ({{reason}}). Store the unencrypted PEM key of the CA certificate.',
      keyMismatch: 'The tls.key of the CA Secret named by security.tls.secretName does not belong to its certificate. Store the CA certificate\'s own private key.',
    },
    securitySeverity: 7.0,
    tags: ['security', 'tls', 'certificates'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v) {
      const tls = v.get(['security', 'tls']);
      if (goTruthy(tls)) {
        const name = isMap(tls) ? tls.secretName : undefined;
        const path: Path = ['security', 'tls', 'secretName'];
        if (!goTruthy(name)) ctx.report({ messageId: 'missingSecretName', subject: NAME, at: { values: path } });
        else if (!isValidSecretName(String(name))) ctx.report({ messageId: 'invalidSecretName', data: { name: String(name) }, subject: NAME, at: { values: path } });
      }
    }
    const m = model.manifests;
    if (m) {
      for (const r of caSecretRefs(m)) {
        const at = { object: r.object, path: r.path };
        if (r.name === '') ctx.report({ messageId: 'missingSecretName', subject: NAME, at });
        else if (!isValidSecretName(r.name)) ctx.report({ messageId: 'invalidSecretName', data: { name: r.name }, subject: NAME, at });
      }
      // The Secret itself: at admission (named by the policy's settings) or in a stream that carries it.
      for (const o of secretsNamed(m, secretNamesFor(model, 'ca', ctx.settings.secretNames.ca))) {
        checkCaSecret(decodeSecret(o), (key) => ({ object: o, path: key ? secretKeyPath(o, key) : [] }), ctx);
      }
    }
    for (const s of model.live?.secrets ?? []) {
      if (s.purpose !== 'tls' || !s.exists || !s.data) continue;
      // Preflight read the Secret from the cluster: anchor on the values key that names it, when there is one.
      const at: Anchor = model.values ? { values: ['security', 'tls', 'secretName'] } : { none: true };
      checkCaSecret(decodeLiveSecret(s), () => at, ctx);
    }
  },
});
