// Rules stage: required-secrets-present, the CA and auth-token Secrets the values name exist with their keys (live).
import { decodeLiveSecret } from '../../model/security.js';
import { defineRule } from '../types.js';

export default defineRule({
  meta: {
    id: 'required-secrets-present',
    title: 'Referenced CA and auth-token Secrets exist',
    severity: 'error',
    category: 'live',
    inputs: ['live'],
    rationale:
      'The chart mounts the CA Secret (security.tls.secretName; keys tls.crt and tls.key, as `kubectl create secret tls` writes them) and reads the auth token from security.auth.secretName (key auth-token) without marking them optional: if a Secret or key is missing, the manager and agent pods do not start. Preflight reads both from the release namespace (--kubeconfig, or in-cluster). The licence Secret (manager.secretName) is mounted optional by the chart; license-configured judges it.',
    fix: 'Create the Secrets in the release namespace before installing: kubectl create secret tls <security.tls.secretName> --cert ca.crt --key ca.key, and kubectl create secret generic <security.auth.secretName> --from-literal=auth-token=$(openssl rand -base64 32).',
    seed: 'kubectl create secret tls imply-ca --key path/to/ca.key --cert path/to/ca.crt',
    subject: 'security.tls.secretName, security.auth.secretName',
    messages: {
      missing: 'Secret "{{name}}" ({{subject}}) does not exist in namespace {{namespace}}; the {{purpose}} pods cannot start without it. Create it before installing the release.',
      missingKeys: 'Secret "{{name}}" ({{subject}}) in namespace {{namespace}} lacks {{keys}}, which the chart reads. Recreate it with those keys.',
      unreadable: 'Preflight could not read Secret "{{name}}" ({{subject}}) in namespace {{namespace}}: {{error}}. Its presence is unverified.',
    },
    tags: ['security', 'live', 'secrets'],
  },
  check(model, ctx) {
    for (const s of model.live?.secrets ?? []) {
      if (s.purpose === 'license') continue;
      const keys = s.requiredKeys ?? (s.purpose === 'tls' ? ['tls.crt', 'tls.key'] : ['auth-token']);
      const data = { name: s.name, subject: s.subject, namespace: s.namespace ?? 'default', purpose: s.purpose === 'tls' ? 'manager and agent (CA)' : 'manager and agent (auth token)', error: s.error ?? '', keys: '' };
      const at = model.values ? { values: s.subject.split('.') } : { none: true as const };
      if (s.error) {
        ctx.report({ messageId: 'unreadable', data, subject: s.subject, at, severity: 'warning' });
      } else if (!s.exists) {
        ctx.report({ messageId: 'missing', data, subject: s.subject, at });
      } else {
        const decoded = decodeLiveSecret(s);
        const lacking = keys.filter((k) => !decoded.values[k] || decoded.values[k].trim() === '');
        if (lacking.length) ctx.report({ messageId: 'missingKeys', data: { ...data, keys: lacking.map((k) => `"${k}"`).join(' and ') }, subject: s.subject, at });
      }
    }
  },
});
