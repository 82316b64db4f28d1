// Rules stage: metadata-db-reachable, preflight could reach and log into each metadata store (live).
import { hostPort, liveDbHostPath } from '../../model/live.js';
import { defineRule } from '../types.js';

export default defineRule({
  meta: {
    id: 'metadata-db-reachable',
    title: 'Metadata stores reachable with the configured credentials',
    severity: 'error',
    category: 'live',
    inputs: ['live'],
    rationale:
      'Imply\'s guide: "The database must be reachable from the pods within the deployment." The Manager and every Druid cluster keep their state in the metadata stores; a wrong host, port, user, password or CA certificate only shows when the pods start. Preflight logs in with the values\' settings (TLS verified against tlsCert when set) within a bounded time. From outside the cluster network a failure is a warning: the pods may still reach the store.',
    fix: 'Correct manager/druid.metadataStore host, port, user, password and tlsCert, and let the pods reach the database (firewall, security groups).',
    seed: 'Configure the connection to the external database. The database must be reachable from the pods within the deployment.',
    subject: 'manager.metadataStore, druid.metadataStore',
    messages: {
      unreachable: 'The {{role}} metadata store ({{subject}}) at {{address}} cannot be reached: {{error}}. Check {{subject}}.host and port, and that the pods can reach the database.',
      timeout: 'The {{role}} metadata store ({{subject}}) at {{address}} did not answer in time: {{error}}. Check {{subject}}.host and port, and firewalls between the pods and the database.',
      loginRefused: 'The {{role}} metadata store ({{subject}}) at {{address}} refused the login of user "{{user}}": {{error}}. Check {{subject}}.user and password.',
      tlsFailed: 'TLS to the {{role}} metadata store ({{subject}}) at {{address}} failed: {{error}}. Check {{subject}}.tlsCert (the CA that signed the server certificate) and that the server offers TLS.',
      queryFailed: 'Preflight logged into the {{role}} metadata store ({{subject}}) at {{address}} but could not finish its checks: {{error}}.',
    },
    tags: ['metadata-store', 'live'],
  },
  check(model, ctx) {
    for (const db of model.live?.metadataDbs ?? []) {
      if (db.reachable && !db.error) continue;
      const messageId = db.reachable
        ? 'queryFailed'
        : db.errorKind === 'auth'
          ? 'loginRefused'
          : db.errorKind === 'tls'
            ? 'tlsFailed'
            : db.errorKind === 'timeout'
              ? 'timeout'
              : 'unreachable';
      ctx.report({
        messageId,
        data: { role: db.role, subject: db.subject, address: hostPort(db.host, db.port), user: db.user ?? '', error: db.error ?? 'unknown error' },
        subject: db.subject,
        at: model.values ? { values: liveDbHostPath(db) } : { none: true },
        // RULES.md: a warning when preflight runs outside the cluster network.
        severity: db.outsideCluster || model.live?.outsideCluster ? 'warning' : undefined,
      });
    }
  },
});
