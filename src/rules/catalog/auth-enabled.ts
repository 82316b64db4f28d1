// Rules stage: auth-enabled, services must authenticate each other with a strong shared token.
import { implyWorkloads } from '../../model/manifests.js';
import { authTokenEnv, decodeLiveSecret, decodeSecret, secretKeyPath, secretNamesFor, secretsNamed } from '../../model/security.js';
import type { DecodedSecret } from '../../model/security.js';
import { defineRule } from '../types.js';
import type { Anchor, RuleContext } from '../types.js';
import { goTruthy } from '../util.js';

const SUBJECT = 'security.auth.secretName';
const TOKEN_SUBJECT = `${SUBJECT}/auth-token`;
/** The chart hard-codes the key the manager and agents read. */
const TOKEN_KEY = 'auth-token';
/** The chart's own advice is `openssl rand -base64 32`: 32 random bytes. */
const MIN_TOKEN_BYTES = 32;
/** Example tokens from Imply's guide and common placeholders: public knowledge, never secrets. */
const EXAMPLE_TOKENS = new Set(['supersecret', 'changeme', 'password', 'secret', 'imply', 'implypassword']);

function checkTokenSecret(d: DecodedSecret, at: Anchor, ctx: RuleContext): void {
  const raw = d.values[TOKEN_KEY];
  const token = raw?.trim() ?? '';
  if (token === '') {
    ctx.report({ messageId: 'missingToken', subject: TOKEN_SUBJECT, at });
    return;
  }
  if (EXAMPLE_TOKENS.has(token.toLowerCase())) ctx.report({ messageId: 'weakToken', data: { reason: 'it is a documented example value' }, subject: TOKEN_SUBJECT, at });
  else if (Buffer.byteLength(token, 'utf8') < MIN_TOKEN_BYTES) ctx.report({ messageId: 'weakToken', data: { reason: `it is shorter than ${MIN_TOKEN_BYTES} bytes` }, subject: TOKEN_SUBJECT, at });
}

export default defineRule({
  meta: {
    id: 'auth-enabled',
    title: 'Authentication between Imply services is enabled',
    severity: 'error',
    category: 'security',
    inputs: ['values', 'manifest', 'live'],
    rationale:
      'Imply\'s guide secures the cluster with an authentication token kept in a Kubernetes Secret ("Uncomment the auth key in the security section ... secretName: imply-auth-token"); it also enables Druid user-based authentication. Without `security.auth.secretName` the chart renders no `IMPLY_MANAGER_AUTH_TOKEN` and anyone who reaches the pods can drive the manager and agents. The guide\'s own token `supersecret` "is meant as an example only"; the chart suggests `openssl rand -base64 32`, so a token under 32 bytes or a documented example is weak.',
    fix: 'Create the token Secret (kubectl create secret generic imply-auth-token --from-literal="auth-token=$(openssl rand -base64 32)") and set security.auth.secretName: imply-auth-token.',
    seed: 'Uncomment the auth key in the security section of the values.yaml to enable authentication. For example: secretName: imply-auth-token',
    subject: 'security.auth.secretName[/auth-token]',
    messages: {
      notEnabled:
        'Authentication between Imply services is off (security.auth.secretName is not set). Create an auth-token Secret and set security.auth.secretName to it.',
      missingToken: 'The auth-token Secret named by security.auth.secretName has no non-empty auth-token key, which the manager and agents read. Add auth-token to the Secret.',
      weakToken: 'The auth-token in the Secret named by security.auth.secretName is weak: {{reason}}. Replace it with a random token (openssl rand -base64 32).',
    },
    fixable: true,
    securitySeverity: 8.0,
    tags: ['security', 'authentication'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v && (goTruthy(v.get(['deployments', 'manager'])) || goTruthy(v.get(['deployments', 'agents'])))) {
      if (!goTruthy(v.get(['security', 'auth', 'secretName']))) ctx.report({ messageId: 'notEnabled', subject: SUBJECT, at: { values: ['security', 'auth', 'secretName'] } });
    }
    const m = model.manifests;
    if (m) {
      // The manager and every agent read the token; each one without it folds into one finding.
      for (const o of implyWorkloads(m)) {
        const a = authTokenEnv(o);
        if (!a.secretName) ctx.report({ messageId: 'notEnabled', subject: SUBJECT, at: { object: o, path: a.env?.path } });
      }
      for (const o of secretsNamed(m, secretNamesFor(model, 'auth', ctx.settings.secretNames.auth))) {
        checkTokenSecret(decodeSecret(o), { object: o, path: secretKeyPath(o, TOKEN_KEY) }, ctx);
      }
    }
    for (const s of model.live?.secrets ?? []) {
      // Preflight read the Secret from the cluster: anchor on the values key that names it, when there is one.
      if (s.purpose === 'auth' && s.exists && s.data) checkTokenSecret(decodeLiveSecret(s), model.values ? { values: ['security', 'auth', 'secretName'] } : { none: true }, ctx);
    }
  },
});
