import rule from '../../src/rules/catalog/metadata-store-tls.js';
import { managerYaml } from '../helpers/imply-objects.js';
import { makeCert, pemBlockScalar } from '../helpers/pki.js';
import { ruleTester } from '../helpers/rule-tester.js';

const now = new Date('2026-01-15T00:00:00Z');
const context = { now };
const cert = makeCert({ cn: 'acme-metadata-ca' }).certPem;
const expired = makeCert({ notBefore: new Date('2023-01-01T00:00:00Z'), notAfter: new Date('2025-06-30T00:00:00Z') }).certPem;

const stores = (managerExtra = '', druidExtra = '') =>
  `manager:\n  metadataStore:\n    type: mysql\n    host: db.example.internal\n${managerExtra}druid:\n  metadataStore:\n    type: mysql\n    host: db.example.internal\n${druidExtra}`;

ruleTester.run('metadata-store-tls', rule, {
  valid: [
    { name: 'both tlsCerts set', values: stores(pemBlockScalar('tlsCert', cert, 6), pemBlockScalar('tlsCert', cert, 6)), context },
    { name: 'the bundled MySQL (2021.05-1 defaults) is not external', values: 'druid:\n  update: rolling\n', chartVersion: '2021.05-1' },
    { name: 'a resolved <release>-mysql host is the bundled one', values: stores().replace(/db\.example\.internal/g, 'rel-mysql'), context: { now, releaseName: 'rel' } },
    { name: 'manager not deployed', values: `deployments:\n  manager: false\n${stores()}` },
    { name: 'empty hosts are external-metadata-store-configured\'s concern', values: stores().replace(/db\.example\.internal/g, '""') },
    { name: 'manifest: both env certificates rendered', manifest: managerYaml({ store: { caCert: cert }, druidStore: { tlsCert: cert } }), context },
    { name: 'manifest: the release\'s own MySQL', manifest: managerYaml({ store: { host: 'rel-mysql' }, druidStore: { host: 'rel-mysql' } }) },
  ],
  invalid: [
    {
      name: 'external stores without tlsCert (the public values file)',
      values: stores(),
      errors: [
        { messageId: 'missing', severity: 'warning', path: 'manager.metadataStore.tlsCert', line: 2, column: 3, subject: 'manager.metadataStore.tlsCert' },
        { messageId: 'missing', severity: 'warning', path: 'druid.metadataStore.tlsCert', line: 6, column: 3, subject: 'druid.metadataStore.tlsCert' },
      ],
    },
    {
      name: 'chart defaults (2023 copy: an in-cluster PostgreSQL that is not the bundled MySQL)',
      values: 'images: {}\n',
      errors: [
        { messageId: 'missing', path: 'manager.metadataStore.tlsCert', line: 1, column: 1 },
        { messageId: 'missing', path: 'druid.metadataStore.tlsCert', line: 1, column: 1 },
      ],
    },
    {
      name: 'a tlsCert that is not PEM is an error',
      values: stores('    tlsCert: "not a certificate"\n', pemBlockScalar('tlsCert', cert, 6)),
      context,
      errors: [{ messageId: 'invalid', severity: 'error', path: 'manager.metadataStore.tlsCert', line: 5, column: 5, subject: 'manager.metadataStore.tlsCert' }],
    },
    {
      name: 'an expired tlsCert is an error',
      values: stores(pemBlockScalar('tlsCert', cert, 6), pemBlockScalar('tlsCert', expired, 6)),
      context,
      errors: [{ messageId: 'expired', severity: 'error', path: 'druid.metadataStore.tlsCert', subject: 'druid.metadataStore.tlsCert' }],
    },
    {
      name: 'a later file deletes the tlsCert with null',
      values: [stores(pemBlockScalar('tlsCert', cert, 6), pemBlockScalar('tlsCert', cert, 6)), 'druid:\n  metadataStore:\n    tlsCert: null\n'],
      context,
      errors: [{ messageId: 'missing', file: 'values-2.yaml', line: 3, column: 5, subject: 'druid.metadataStore.tlsCert' }],
    },
    {
      name: 'a templated {{ .Release.Name }}-mysql host is the bundled MySQL; the other store is still external',
      values: `deployments:\n  mysql: false\n${stores().replace('host: db.example.internal\ndruid', 'host: "{{ .Release.Name }}-mysql"\ndruid')}`,
      errors: [{ messageId: 'missing', path: 'druid.metadataStore.tlsCert' }],
    },
    {
      name: 'manifest: manager env without the store certificates (production render)',
      manifest: managerYaml(),
      errors: [
        { messageId: 'missing', object: 'Deployment/rel-manager', line: 1, column: 1, subject: 'manager.metadataStore.tlsCert' },
        { messageId: 'missing', object: 'Deployment/rel-manager', subject: 'druid.metadataStore.tlsCert' },
      ],
    },
    {
      name: 'manifest: an expired certificate in IMPLY_MANAGER_STORE_CA_CERT',
      manifest: managerYaml({ store: { caCert: expired }, druidStore: { tlsCert: cert } }),
      context,
      errors: [{ messageId: 'expired', severity: 'error', object: 'Deployment/rel-manager', path: 'spec.template.spec.containers[0].env[6].value', subject: 'manager.metadataStore.tlsCert' }],
    },
    {
      name: 'manifest: garbage in imply_defaults_metadataStorageTlsCert',
      manifest: managerYaml({ store: { caCert: cert }, druidStore: { tlsCert: '-----BEGIN CERTIFICATE-----\nxyz\n' } }),
      context,
      errors: [{ messageId: 'invalid', severity: 'error', subject: 'druid.metadataStore.tlsCert' }],
    },
  ],
});
