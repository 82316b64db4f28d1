// Rules stage: tls-enabled, traffic between the Imply manager and its agents must use TLS.
import { implyWorkloads } from '../../model/manifests.js';
import { tlsEvidence } from '../../model/security.js';
import { defineRule } from '../types.js';
import { goTruthy } from '../util.js';

const SUBJECT = 'security.tls';

export default defineRule({
  meta: {
    id: 'tls-enabled',
    title: 'TLS between Imply services is enabled',
    severity: 'error',
    category: 'security',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide secures the cluster "with Kubernetes TLS and authentication options": the manager uses the CA in the `security.tls.secretName` Secret to issue certificates for every service. The chart turns TLS on only when `security.tls` is non-empty (it tests `empty .Values.security.tls`), and the default values ship `security: {}`, so manager, agents and Druid talk in plain text. Rendered manager and agent pods carry the evidence: the `IMPLY_MANAGER_CA_CERT_PATH` env and the `ca-secrets` volume.',
    fix: 'Create the CA Secret (kubectl create secret tls imply-ca --key ca.key --cert ca.crt) and set security.tls.secretName: imply-ca.',
    seed: 'Uncomment the TLS key in the security section of the values.yaml to enable TLS: secretName: imply-ca',
    subject: SUBJECT,
    messages: {
      disabled:
        'TLS between the Imply manager, agents and Druid services is off (security.tls is empty). Create a CA Secret and set security.tls.secretName to it.',
    },
    fixable: true,
    securitySeverity: 7.5,
    tags: ['security', 'tls'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v && (goTruthy(v.get(['deployments', 'manager'])) || goTruthy(v.get(['deployments', 'agents'])))) {
      if (!goTruthy(v.get(['security', 'tls']))) {
        // The Secret name, not its content: the user creates the CA Secret (the policy's name, imply-ca by default).
        const name = ctx.settings.secretNames.ca;
        const fix = { description: `Enable TLS with the CA Secret ${name} (security.tls.secretName); create that Secret before installing.`, set: [{ path: ['security', 'tls', 'secretName'], value: name }] };
        ctx.report({ messageId: 'disabled', subject: SUBJECT, at: { values: ['security', 'tls'] }, fix });
      }
    }
    const m = model.manifests;
    if (!m) return;
    // Manager and every agent: admitting a lone master/query/data object must find its evidence too.
    // All fold into one finding (one subject) with the other workloads as related locations.
    for (const o of implyWorkloads(m)) {
      const ev = tlsEvidence(o);
      if (!ev.caCertEnv || !ev.caVolume) ctx.report({ messageId: 'disabled', subject: SUBJECT, at: { object: o } });
    }
  },
});
