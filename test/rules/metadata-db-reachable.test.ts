import type { LiveDb } from '../../src/model/types.js';
import rule from '../../src/rules/catalog/metadata-db-reachable.js';
import { ruleTester } from '../helpers/rule-tester.js';

const values = `manager:
  metadataStore:
    type: mysql
    host: db.example.internal
    port: 3306
    user: imply
    password: s3cret
    database: imply_manager
druid:
  metadataStore:
    type: mysql
    host: db.example.internal
`;

const base: LiveDb = { subject: 'manager.metadataStore', role: 'manager', type: 'mysql', host: 'db.example.internal', port: 3306, user: 'imply', reachable: true, version: '8.0.36', flavor: 'mysql' };
const druid: LiveDb = { ...base, subject: 'druid.metadataStore', role: 'druid' };

ruleTester.run('metadata-db-reachable', rule, {
  valid: [
    { name: 'both stores answered', values, live: { metadataDbs: [base, druid] } },
    { name: 'no live facts: no evidence', values },
    { name: 'no metadata store probed', values, live: { zookeeper: [] } },
  ],
  invalid: [
    {
      name: 'connection refused',
      values,
      live: { metadataDbs: [{ ...base, reachable: false, errorKind: 'refused', error: 'connect ECONNREFUSED 10.0.0.5:3306' }, druid] },
      errors: [{ messageId: 'unreachable', severity: 'error', path: 'manager.metadataStore.host', line: 4, column: 5, subject: 'manager.metadataStore' }],
    },
    {
      name: 'login refused names the user, not the password',
      values,
      live: { metadataDbs: [base, { ...druid, reachable: false, errorKind: 'auth', error: "Access denied for user 'imply'@'10.0.0.9' (using password: YES)" }] },
      errors: [{ messageId: 'loginRefused', path: 'druid.metadataStore.host', line: 12, column: 5, subject: 'druid.metadataStore' }],
    },
    {
      name: 'TLS verification failed',
      values,
      live: { metadataDbs: [{ ...base, reachable: false, errorKind: 'tls', error: 'self-signed certificate in certificate chain' }] },
      errors: [{ messageId: 'tlsFailed', subject: 'manager.metadataStore' }],
    },
    {
      name: 'timeout',
      values,
      live: { metadataDbs: [{ ...base, reachable: false, errorKind: 'timeout', error: 'connecting to db:3306 did not finish within 2s' }] },
      errors: [{ messageId: 'timeout', severity: 'error' }],
    },
    {
      name: 'outside the cluster network: a warning',
      values,
      live: { outsideCluster: true, metadataDbs: [{ ...base, reachable: false, errorKind: 'dns', error: 'getaddrinfo ENOTFOUND db.example.internal', outsideCluster: true }] },
      errors: [{ messageId: 'unreachable', severity: 'warning' }],
    },
    {
      name: 'logged in, then a query timed out',
      values,
      live: { metadataDbs: [{ ...base, error: 'a query did not finish within 2s', errorKind: 'timeout' }] },
      errors: [{ messageId: 'queryFailed', severity: 'error', path: 'manager.metadataStore.host' }],
    },
    {
      name: 'both stores down: one finding each',
      values,
      live: { metadataDbs: [{ ...base, reachable: false, errorKind: 'refused', error: 'refused' }, { ...druid, reachable: false, errorKind: 'refused', error: 'refused' }] },
      errors: [
        { messageId: 'unreachable', subject: 'manager.metadataStore', line: 4 },
        { messageId: 'unreachable', subject: 'druid.metadataStore', line: 12 },
      ],
    },
  ],
});
