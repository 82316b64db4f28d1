// Reference test (security area): the security rules, alone, on the real chart 2023.03.1 files.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelFromTexts } from '../../src/model/build.js';
import { lint } from '../../src/rules/engine.js';
import { emptyPolicy } from '../../src/rules/policy.js';
import authEnabled from '../../src/rules/catalog/auth-enabled.js';
import exposedWithoutTls from '../../src/rules/catalog/exposed-without-tls.js';
import legacyTlsDisabled from '../../src/rules/catalog/legacy-tls-disabled.js';
import licenseConfigured from '../../src/rules/catalog/license-configured.js';
import metadataStoreTls from '../../src/rules/catalog/metadata-store-tls.js';
import noDefaultCredentials from '../../src/rules/catalog/no-default-credentials.js';
import noInlineLicenseKey from '../../src/rules/catalog/no-inline-license-key.js';
import noPlaintextSecrets from '../../src/rules/catalog/no-plaintext-secrets.js';
import tlsEnabled from '../../src/rules/catalog/tls-enabled.js';
import tlsSecretValid from '../../src/rules/catalog/tls-secret-valid.js';

const RULES = [
  tlsEnabled,
  tlsSecretValid,
  legacyTlsDisabled,
  authEnabled,
  noDefaultCredentials,
  noInlineLicenseKey,
  noPlaintextSecrets,
  metadataStoreTls,
  exposedWithoutTls,
  licenseConfigured,
];
const dir = path.resolve(import.meta.dirname, '../../../shared/reference/chart-2023.03.1');
// The features render's metadata-store certificate is valid 2026-01-01 .. 2036-01-01: a fixed clock inside it.
const now = new Date('2026-01-15T00:00:00Z');

function run(kind: 'values' | 'manifest', ...files: string[]): string[] {
  const texts = files.map((f) => ({ path: f, text: fs.readFileSync(path.join(dir, f), 'utf8') }));
  const model = modelFromTexts(kind === 'values' ? { values: texts, context: { now } } : { manifests: texts, context: { now } });
  const res = lint(model, emptyPolicy(), { target: files.join(','), rules: RULES });
  expect(res.ruleErrors).toEqual([]);
  return res.findings.map((f) => `${f.location?.file}:${f.location?.line} ${f.ruleId} ${f.severity} ${f.subject} @ ${f.object ?? f.path}${f.related.length ? ` +${f.related.length}` : ''}`);
}

const errors = (list: string[]) => list.filter((l) => l.split(' ')[2] === 'error');

describe('security rules on the real chart 2023.03.1 files', () => {
  it('values.public-user-copy.yaml: TLS and auth off, chart default credentials, plaintext passwords', () => {
    const f = 'values.public-user-copy.yaml';
    expect(run('values', f)).toEqual([
      // security: {} (line 21): TLS off, auth off. TLS off, so legacy-tls-disabled stays silent.
      `${f}:21 auth-enabled error security.auth.secretName @ security.auth.secretName`,
      `${f}:21 tls-enabled error security.tls @ security.tls`,
      // The in-cluster PostgreSQL is an external store (not the bundled MySQL), reached without tlsCert.
      `${f}:55 metadata-store-tls warning manager.metadataStore.tlsCert @ manager.metadataStore.tlsCert`,
      `${f}:60 no-plaintext-secrets warning manager.metadataStore.password @ manager.metadataStore.password`,
      `${f}:124 metadata-store-tls warning druid.metadataStore.tlsCert @ druid.metadataStore.tlsCert`,
      `${f}:129 no-plaintext-secrets warning druid.metadataStore.password @ druid.metadataStore.password`,
      // druid.deepStorage.password: implypassword, used by every cluster the manager creates.
      `${f}:141 no-default-credentials error druid.deepStorage.password @ druid.deepStorage.password`,
      `${f}:141 no-plaintext-secrets warning druid.deepStorage.password @ druid.deepStorage.password`,
      // mysql.mysqlRootPassword: imply (line 567) is not reported: deployments.mysql is false.
      `${f}:585 no-default-credentials error minio.secretKey @ minio.secretKey`,
      `${f}:585 no-plaintext-secrets warning minio.secretKey @ minio.secretKey`,
    ]);
  });

  it('production-overrides.yaml: no error; only the missing metadata-store tlsCert warnings', () => {
    const f = 'production-overrides.yaml';
    const found = run('values', f);
    expect(errors(found)).toEqual([]);
    expect(found).toEqual([
      `${f}:21 metadata-store-tls warning manager.metadataStore.tlsCert @ manager.metadataStore.tlsCert`,
      `${f}:34 metadata-store-tls warning druid.metadataStore.tlsCert @ druid.metadataStore.tlsCert`,
    ]);
  });

  it('features-overrides.yaml over production-overrides.yaml: TLS on, legacy TLS off, bundled MySQL\'s root password', () => {
    expect(run('values', 'production-overrides.yaml', 'features-overrides.yaml')).toEqual([
      // deployments.mysql: true brings the chart default mysqlRootPassword "imply" (root/imply) into use;
      // no file sets mysql.*, so the finding is anchored at line 1 of the first file.
      'production-overrides.yaml:1 no-default-credentials error mysql.mysqlRootPassword @ mysql.mysqlRootPassword',
      'production-overrides.yaml:1 no-plaintext-secrets warning mysql.mysqlRootPassword @ mysql.mysqlRootPassword',
    ]);
  });

  it('quickstart.rendered.yaml: TLS and auth off on every Imply workload, default and plaintext credentials', () => {
    const f = 'quickstart.rendered.yaml';
    expect(run('manifest', f)).toEqual([
      `${f}:95 no-default-credentials error minio.secretKey @ Secret/imply-minio`,
      // Manager + master, query and data agents fold into one finding each.
      `${f}:1325 auth-enabled error security.auth.secretName @ Deployment/imply-manager +3`,
      `${f}:1325 metadata-store-tls warning manager.metadataStore.tlsCert @ Deployment/imply-manager`,
      `${f}:1325 metadata-store-tls warning druid.metadataStore.tlsCert @ Deployment/imply-manager`,
      `${f}:1325 tls-enabled error security.tls @ Deployment/imply-manager +3`,
      `${f}:1367 no-plaintext-secrets warning manager.metadataStore.password @ Deployment/imply-manager`,
      `${f}:1389 no-plaintext-secrets warning druid.metadataStore.password @ Deployment/imply-manager`,
      `${f}:1398 no-default-credentials error druid.deepStorage.password @ Deployment/imply-manager`,
      `${f}:1398 no-plaintext-secrets warning druid.deepStorage.password @ Deployment/imply-manager`,
    ]);
  });

  it('production.rendered.yaml: no error; only the missing metadata-store certificate env warnings', () => {
    const f = 'production.rendered.yaml';
    const found = run('manifest', f);
    expect(errors(found)).toEqual([]);
    expect(found).toEqual([
      `${f}:910 metadata-store-tls warning manager.metadataStore.tlsCert @ Deployment/imply-manager`,
      `${f}:910 metadata-store-tls warning druid.metadataStore.tlsCert @ Deployment/imply-manager`,
    ]);
  });

  it('features.rendered.yaml: manifest forms with TLS on (exposures allowed, store certificates valid), MySQL root password', () => {
    const f = 'features.rendered.yaml';
    // TLS is on (manager and agents carry the CA env and volume), so the manager/query LoadBalancers and
    // the Ingresses are not exposed-without-tls findings; IMPLY_MANAGER_STORE_CA_CERT and
    // imply_defaults_metadataStorageTlsCert hold a parsable, unexpired certificate.
    expect(run('manifest', f)).toEqual([`${f}:70 no-default-credentials error mysql.mysqlRootPassword @ Secret/imply-mysql`]);
  });

  it('legacy-tls-disabled: silent on every manifest (no evidence), even with TLS on', () => {
    for (const f of ['production.rendered.yaml', 'features.rendered.yaml']) {
      expect(run('manifest', f).filter((l) => l.includes('legacy-tls-disabled'))).toEqual([]);
    }
  });
});
