// Rules stage: no-plaintext-secrets, passwords and keys belong in Secrets, not in values or literal env.
import { envVars, isTestHook, isWorkload } from '../../model/manifests.js';
import { formatPath, isMap } from '../../model/path.js';
import type { ValuesModel } from '../../model/types.js';
import { defineRule } from '../types.js';
import type { RuleContext, ValuesFix } from '../types.js';
import { licenseFix } from '../fix-util.js';
import { conditionEnabled, goTruthy } from '../util.js';

/** Values keys that hold secrets: every `*password`, secret keys, and the inline licence key. */
const SECRET_KEY = /(password|^secretKey|^secret_key)$/i;
const LICENSE_PATH = 'manager.licenseKey';

/** Env names the chart renders from those keys (EVIDENCE.md), and the quickstart subcharts' own. */
const SECRET_ENV: Record<string, string> = {
  IMPLY_MANAGER_STORE_PASSWORD: 'manager.metadataStore.password',
  imply_defaults_metadataStoragePassword: 'druid.metadataStore.password',
  imply_defaults_deepStoragePassword: 'druid.deepStorage.password',
  IMPLY_MANAGER_LICENSE_KEY: 'manager.licenseKey',
  MYSQL_ROOT_PASSWORD: 'mysql.mysqlRootPassword',
  MYSQL_PASSWORD: 'mysql.mysqlPassword',
  MINIO_SECRET_KEY: 'minio.secretKey',
  MINIO_ROOT_PASSWORD: 'minio.secretKey',
};

/** Subtrees Helm does not deploy: a disabled subchart's values, and the manager's when it is off. */
function skipped(v: ValuesModel, top: string): boolean {
  if (top === 'mysql' || top === 'minio' || top === 'zookeeper') return !conditionEnabled(v, ['deployments', top]);
  if (top === 'manager' || top === 'druid') return !goTruthy(v.get(['deployments', 'manager']));
  return top === 'deployments';
}

function nonEmpty(x: unknown): boolean {
  return (typeof x === 'string' && x.trim() !== '') || typeof x === 'number';
}

function walk(node: unknown, path: (string | number)[], ctx: RuleContext, v: ValuesModel): void {
  if (Array.isArray(node)) {
    node.forEach((x, i) => walk(x, [...path, i], ctx, v));
    return;
  }
  if (!isMap(node)) return;
  for (const [k, x] of Object.entries(node)) {
    const p = [...path, k];
    const formatted = formatPath(p);
    if ((SECRET_KEY.test(k) || formatted === LICENSE_PATH) && nonEmpty(x)) report(ctx, formatted, { values: p }, fixFor(v, p, formatted, ctx));
    else walk(x, p, ctx, v);
  }
}

function report(ctx: RuleContext, subject: string, at: Parameters<RuleContext['report']>[0]['at'], fix?: ValuesFix): void {
  ctx.report({ messageId: 'plaintext', data: { subject }, subject, at, fix });
}

/** Empties the value (never copies it); the secret then comes from a Kubernetes Secret. */
function fixFor(v: ValuesModel, path: (string | number)[], subject: string, ctx: RuleContext): ValuesFix {
  if (subject === LICENSE_PATH) return licenseFix(v, ctx.settings.secretNames.license);
  return { description: `Remove the plaintext secret (${subject}: ""); provide it from a Kubernetes Secret.`, set: [{ path, value: '' }] };
}

export default defineRule({
  meta: {
    id: 'no-plaintext-secrets',
    title: 'No plaintext secrets in values or env',
    severity: 'warning',
    category: 'security',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide keeps secrets in Kubernetes Secrets and warns that a secret passed on the command line "remains in your history". Passwords written in the values are stored in the Helm release, and the chart renders the metadata-store and deep-storage ones (and an inline licence key) into literal env values on the manager Deployment, readable by anyone who can read the pod spec. Empty values are fine: the manager also reads `IMPLY_MANAGER_*` files from the Secret mounted at /run/secrets/imply.io.',
    fix: 'Leave the password empty in the values and provide it from a Kubernetes Secret (for example the imply-secrets Secret, or the pods\' cloud identity for deep storage).',
    seed: 'If you pass the authentication token to the agent this way, the token remains in your history. This is meant as an example only. Consult the Kubernetes secrets documentation for secure ways to create the secret.',
    subject: 'the secret\'s values key (e.g. druid.deepStorage.password, manager.licenseKey); a literal env value maps to the key it renders from',
    messages: {
      plaintext: '{{subject}} holds a secret in plain text, readable in the Helm release and in literal pod env values. Leave it empty and provide the secret from a Kubernetes Secret.',
    },
    fixable: true,
    securitySeverity: 5.5,
    tags: ['security', 'secrets'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v) {
      for (const [top, x] of Object.entries(v.merged)) {
        if (skipped(v, top)) continue;
        if (SECRET_KEY.test(top) && nonEmpty(x)) report(ctx, top, { values: [top] }, fixFor(v, [top], top, ctx));
        else walk(x, [top], ctx, v);
      }
    }
    for (const o of model.manifests?.objects ?? []) {
      if (!isWorkload(o) || isTestHook(o)) continue;
      for (const e of envVars(o)) {
        const subject = SECRET_ENV[e.name];
        if (subject && !e.valueFrom && e.value !== undefined && e.value.trim() !== '') report(ctx, subject, { object: o, path: [...e.path, 'value'] });
      }
    }
  },
});
