// Rules stage: no-default-credentials, no deployed component may use a published default secret.
import { envVars, isManager, isTestHook, isWorkload, subchartComponent } from '../../model/manifests.js';
import type { EnvVar } from '../../model/manifests.js';
import type { Path } from '../../model/path.js';
import { decodeSecret, isSecret, secretKeyPath } from '../../model/security.js';
import type { K8sObject, ValuesModel } from '../../model/types.js';
import { defineRule } from '../types.js';
import type { RuleContext } from '../types.js';
import { conditionEnabled, goTruthy, str } from '../util.js';

/** Secrets published in Imply's guide and the chart's defaults: `implypassword` (MinIO/deep storage), `supersecret` (auth example). */
const KNOWN_SECRETS = new Set(['implypassword', 'supersecret']);

/** A password is a default credential when it is a published secret, or `imply` for the user root (seed, chart defaults). */
function isDefaultCredential(user: string | undefined, password: string | undefined): boolean {
  if (password === undefined || password === '') return false;
  if (KNOWN_SECRETS.has(password)) return true;
  return user === 'root' && password === 'imply';
}

interface ValuesCredential {
  password: Path;
  user?: Path;
  /** The user implied by the key (MySQL's root password). */
  impliedUser?: string;
  deployed(v: ValuesModel): boolean;
}

const managerDeployed = (v: ValuesModel): boolean => goTruthy(v.get(['deployments', 'manager']));

/** Credentials in values and the component that uses them (druid.* reach the clusters through the manager). */
const VALUES_CREDENTIALS: ValuesCredential[] = [
  { password: ['manager', 'metadataStore', 'password'], user: ['manager', 'metadataStore', 'user'], deployed: managerDeployed },
  { password: ['druid', 'metadataStore', 'password'], user: ['druid', 'metadataStore', 'user'], deployed: managerDeployed },
  { password: ['druid', 'deepStorage', 'password'], user: ['druid', 'deepStorage', 'user'], deployed: managerDeployed },
  { password: ['mysql', 'mysqlRootPassword'], impliedUser: 'root', deployed: (v) => conditionEnabled(v, ['deployments', 'mysql']) },
  { password: ['mysql', 'mysqlPassword'], user: ['mysql', 'mysqlUser'], deployed: (v) => conditionEnabled(v, ['deployments', 'mysql']) },
  { password: ['minio', 'secretKey'], user: ['minio', 'accessKey'], deployed: (v) => conditionEnabled(v, ['deployments', 'minio']) },
];

/** Manager env pairs (user env, password env) -> the values key they render from (EVIDENCE.md). */
const MANAGER_ENV: { user: string; password: string; subject: string }[] = [
  { user: 'IMPLY_MANAGER_STORE_USER', password: 'IMPLY_MANAGER_STORE_PASSWORD', subject: 'manager.metadataStore.password' },
  { user: 'imply_defaults_metadataStorageUser', password: 'imply_defaults_metadataStoragePassword', subject: 'druid.metadataStore.password' },
  { user: 'imply_defaults_deepStorageUser', password: 'imply_defaults_deepStoragePassword', subject: 'druid.deepStorage.password' },
];

/** Literal env of the quickstart subcharts' own containers (the chart reads them from Secrets; a hand edit may not). */
const SUBCHART_ENV: Record<string, { subject: string; user?: string }> = {
  MINIO_SECRET_KEY: { subject: 'minio.secretKey' },
  MINIO_ROOT_PASSWORD: { subject: 'minio.secretKey' },
  MYSQL_ROOT_PASSWORD: { subject: 'mysql.mysqlRootPassword', user: 'root' },
  MYSQL_PASSWORD: { subject: 'mysql.mysqlPassword' },
};

/** The bundled MySQL's objects carry `app: <release>-mysql` and `chart: mysql-<version>` (features.rendered.yaml). */
function isMysqlSecret(o: K8sObject): boolean {
  if (!isSecret(o) || isTestHook(o)) return false;
  const chart = o.labels.chart ?? o.labels['helm.sh/chart'] ?? '';
  const app = o.labels.app ?? '';
  return subchartComponent(o) === 'mysql' || /^mysql-/.test(chart) || /(^|-)mysql$/.test(app);
}

function report(ctx: RuleContext, subject: string, at: Parameters<RuleContext['report']>[0]['at']): void {
  ctx.report({ messageId: 'defaultCredential', data: { subject }, subject, at });
}

function literal(env: EnvVar[], name: string): EnvVar | undefined {
  return env.find((e) => e.name === name && e.value !== undefined && !e.valueFrom);
}

function checkSecrets(objects: K8sObject[], ctx: RuleContext): void {
  for (const o of objects) {
    if (!isSecret(o) || isTestHook(o)) continue;
    const d = decodeSecret(o).values;
    if (subchartComponent(o) === 'minio' && isDefaultCredential(d.accesskey, d.secretkey)) report(ctx, 'minio.secretKey', { object: o, path: secretKeyPath(o, 'secretkey') });
    if (isMysqlSecret(o)) {
      if (isDefaultCredential('root', d['mysql-root-password'])) report(ctx, 'mysql.mysqlRootPassword', { object: o, path: secretKeyPath(o, 'mysql-root-password') });
      if (isDefaultCredential(undefined, d['mysql-password'])) report(ctx, 'mysql.mysqlPassword', { object: o, path: secretKeyPath(o, 'mysql-password') });
    }
  }
}

export default defineRule({
  meta: {
    id: 'no-default-credentials',
    title: 'No default or documented credentials',
    severity: 'error',
    category: 'security',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide and chart publish credentials: the chart defaults deep storage and MinIO to `implypassword` and the bundled MySQL root password to `imply`, the guide\'s metadata-store example is root/`imply`, and its auth token `supersecret` "is meant as an example only". Anyone can read them, so a component that Helm deploys with one of them is open. Only credentials a deployed component uses count (a disabled subchart\'s defaults are not used), and only passwords and secret keys: a user name alone is no credential.',
    fix: 'Replace the published default with a strong secret, kept in a Kubernetes Secret rather than in the values.',
    seed: 'user: root password: imply (metadata-store example); kubectl create secret generic imply-auth-token --from-literal="auth-token=supersecret" ... This is meant as an example only.',
    subject: 'the password\'s values key (manager.metadataStore.password, druid.metadataStore.password, druid.deepStorage.password, mysql.mysqlRootPassword, mysql.mysqlPassword, minio.secretKey)',
    messages: {
      defaultCredential: '{{subject}} is a published default or documented example credential. Set a strong secret of your own, kept in a Kubernetes Secret.',
    },
    securitySeverity: 9.0,
    tags: ['security', 'credentials'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v) {
      for (const c of VALUES_CREDENTIALS) {
        if (!c.deployed(v)) continue;
        const user = c.impliedUser ?? (c.user ? str(v.get(c.user)) : undefined);
        if (isDefaultCredential(user, str(v.get(c.password)))) report(ctx, c.password.join('.'), { values: c.password });
      }
    }
    const m = model.manifests;
    if (!m) return;
    for (const o of m.objects) {
      if (!isWorkload(o) || isTestHook(o)) continue;
      const env = envVars(o);
      if (isManager(o)) {
        for (const p of MANAGER_ENV) {
          const pw = literal(env, p.password);
          if (pw && isDefaultCredential(literal(env, p.user)?.value, pw.value)) report(ctx, p.subject, { object: o, path: [...pw.path, 'value'] });
        }
      }
      for (const e of env) {
        const s = SUBCHART_ENV[e.name];
        if (s && e.value !== undefined && !e.valueFrom && isDefaultCredential(s.user, e.value)) report(ctx, s.subject, { object: o, path: [...e.path, 'value'] });
      }
    }
    checkSecrets(m.objects, ctx);
  },
});
