// Rules stage: metadata-store-tls, connections to an external metadata store should verify TLS.
import { envVars, isManager, isTestHook } from '../../model/manifests.js';
import type { EnvVar } from '../../model/manifests.js';
import { pemInfo } from '../../model/pem.js';
import { defineRule } from '../types.js';
import type { Anchor, RuleContext } from '../types.js';
import { conditionEnabled, goTruthy, resolveReleaseName, str } from '../util.js';

const ROLES = ['manager', 'druid'] as const;
type Role = (typeof ROLES)[number];

/** Manager env carrying each role's host and tlsCert (features.rendered.yaml). */
const ENV: Record<Role, { host: string; cert: string }> = {
  manager: { host: 'IMPLY_MANAGER_STORE_HOST', cert: 'IMPLY_MANAGER_STORE_CA_CERT' },
  druid: { host: 'imply_defaults_metadataStorageHost', cert: 'imply_defaults_metadataStorageTlsCert' },
};

/**
 * The bundled MySQL Service (`<release>-mysql`) is in-cluster quickstart storage, not an external store.
 * Without a known release name, a `-mysql` host counts as bundled only while the subchart is on.
 */
function isBundledHost(host: string, release: string | undefined, mysqlOn: boolean): boolean {
  if (/\{\{-?\s*\.Release\.Name\s*-?\}\}-mysql(\.|:|$)/.test(host)) return true;
  const h = resolveReleaseName(host, release);
  if (release) return h === `${release}-mysql` || h.startsWith(`${release}-mysql.`) || h.startsWith(`${release}-mysql:`);
  return mysqlOn && /-mysql(\.|:|$)/.test(h);
}

/** Checks a tlsCert that is set: it must hold a parsable, unexpired certificate. */
function checkCert(pem: string, subject: string, at: Anchor, ctx: RuleContext): void {
  const info = pemInfo(pem);
  const certErrors = info.errors.filter((e) => e.label === undefined || /CERTIFICATE/.test(e.label));
  if (info.certificates.length === 0 || certErrors.length > 0) {
    ctx.report({ messageId: 'invalid', data: { subject, reason: certErrors[0]?.message ?? 'no CERTIFICATE block' }, subject, at, severity: 'error' });
    return;
  }
  const expired = info.certificates.find((c) => c.notAfter.getTime() < ctx.now.getTime());
  if (expired) ctx.report({ messageId: 'expired', data: { subject, date: expired.notAfter.toISOString().slice(0, 10) }, subject, at, severity: 'error' });
}

function envLiteral(env: EnvVar[], name: string): EnvVar | undefined {
  return env.find((e) => e.name === name);
}

export default defineRule({
  meta: {
    id: 'metadata-store-tls',
    title: 'TLS to the external metadata store',
    severity: 'warning',
    category: 'security',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide enables TLS validation to an external metadata store by adding its certificate as `tlsCert` to the `metadataStore` section of both manager and druid. Without it, metadata-store credentials and cluster metadata cross the network unverified. A `tlsCert` that is not a parsable, unexpired PEM certificate breaks the connection, hence an error. The chart renders `tlsCert` as the manager env `IMPLY_MANAGER_STORE_CA_CERT` and `imply_defaults_metadataStorageTlsCert` (features.rendered.yaml).',
    fix: 'Add the metadata store\'s CA certificate (PEM) as manager.metadataStore.tlsCert and druid.metadataStore.tlsCert.',
    seed: 'To enable TLS validation, add the TLS certificate to the metadataStore section. For example: manager: # or druid: tlsCert: |',
    subject: 'manager.metadataStore.tlsCert or druid.metadataStore.tlsCert',
    messages: {
      missing: 'The external metadata store is reached without TLS validation ({{subject}} is not set). Add the store\'s CA certificate as {{subject}}.',
      invalid: '{{subject}} is not a readable PEM certificate ({{reason}}); the connection to the metadata store will fail. Paste the CA certificate in PEM form.',
      expired: 'The certificate in {{subject}} expired on {{date}}; TLS validation of the metadata store will fail. Replace it with the current CA certificate.',
    },
    securitySeverity: 5.0,
    tags: ['security', 'tls', 'metadata-store'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v && goTruthy(v.get(['deployments', 'manager']))) {
      const mysqlOn = conditionEnabled(v, ['deployments', 'mysql']);
      for (const role of ROLES) {
        const host = str(v.get([role, 'metadataStore', 'host']));
        // An empty host is external-metadata-store-configured's finding; the bundled MySQL is not external.
        if (!host || isBundledHost(host, model.context.releaseName, mysqlOn)) continue;
        const subject = `${role}.metadataStore.tlsCert`;
        const path = [role, 'metadataStore', 'tlsCert'];
        const cert = str(v.get(path));
        if (cert === undefined || cert.trim() === '') ctx.report({ messageId: 'missing', data: { subject }, subject, at: { values: path } });
        else checkCert(cert, subject, { values: path }, ctx);
      }
    }
    const m = model.manifests;
    if (!m) return;
    const mysqlInStream = m.objects.some((o) => o.kind === 'Deployment' && /(^|-)mysql$/.test(o.labels.app ?? '') && !isTestHook(o));
    for (const o of m.objects) {
      if (isTestHook(o) || !isManager(o)) continue;
      const env = envVars(o);
      for (const role of ROLES) {
        const host = envLiteral(env, ENV[role].host)?.value;
        if (!host || isBundledHost(host, m.releaseName ?? model.context.releaseName, mysqlInStream)) continue;
        const subject = `${role}.metadataStore.tlsCert`;
        const cert = envLiteral(env, ENV[role].cert);
        if (!cert || ((cert.value === undefined || cert.value.trim() === '') && !cert.valueFrom)) {
          ctx.report({ messageId: 'missing', data: { subject }, subject, at: { object: o, path: cert?.path } });
        } else if (cert.value !== undefined && cert.value.trim() !== '') {
          checkCert(cert.value, subject, { object: o, path: [...cert.path, 'value'] }, ctx);
        }
      }
    }
  },
});
