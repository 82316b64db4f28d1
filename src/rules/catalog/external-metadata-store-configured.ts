// Rules stage: external-metadata-store-configured, with the bundled MySQL off, the manager and druid
// metadata stores must name a real external database (host, type, port, manager database).
import { componentWorkload, envVar, managerOf } from '../../model/manifests.js';
import type { Path } from '../../model/path.js';
import { isBundledServiceHost } from '../../model/quickstart.js';
import type { K8sObject } from '../../model/types.js';
import type { Anchor, RuleContext } from '../types.js';
import { defineRule } from '../types.js';
import { conditionEnabled, FILL_ME, intValue, resolveReleaseName, str } from '../util.js';

type Role = 'manager' | 'druid';
type Field = 'type' | 'host' | 'port' | 'database';

/** One metadata-store setting as an input shows it: its rendered text and where it is. */
interface Setting {
  text: string;
  at: Anchor;
}

type Store = Partial<Record<Field, Setting>>;

const DEFAULT_PORT: Record<string, number> = { mysql: 3306, postgresql: 5432 };

/** Manager env per role and field (EVIDENCE.md, verified in prod.r / qs.r). */
const ENV: Record<Role, Partial<Record<Field, string>>> = {
  manager: { type: 'IMPLY_MANAGER_STORE_TYPE', host: 'IMPLY_MANAGER_STORE_HOST', port: 'IMPLY_MANAGER_STORE_PORT', database: 'IMPLY_MANAGER_STORE_DATABASE' },
  druid: { type: 'imply_defaults_metadataStorageType', host: 'imply_defaults_metadataStorageHost', port: 'imply_defaults_metadataStoragePort' },
};

/** `druid.metadataStore` has no `database` key (seed: "For the manager section only"). */
const FIELDS: Record<Role, Field[]> = { manager: ['type', 'host', 'port', 'database'], druid: ['type', 'host', 'port'] };

function fromValues(get: (p: Path) => unknown, role: Role): Store {
  const out: Store = {};
  for (const f of FIELDS[role]) {
    const path = [role, 'metadataStore', f];
    const raw = get(path);
    // null/absent renders as an empty string; maps and lists are value-type's business.
    const text = raw === undefined || raw === null ? '' : str(raw);
    if (text !== undefined) out[f] = { text, at: { values: path } };
  }
  return out;
}

function fromManager(mgr: K8sObject, role: Role): Store {
  const out: Store = {};
  for (const f of FIELDS[role]) {
    const name = ENV[role][f];
    const e = name ? envVar(mgr, name) : undefined;
    // An env var the manager lacks (or takes from a Secret) is no evidence.
    if (e && e.value !== undefined) out[f] = { text: e.value, at: { object: mgr, path: [...e.path, 'value'] } };
  }
  return out;
}

function judge(ctx: RuleContext, role: Role, s: Store, release: string | undefined, releaseWide: boolean): void {
  const subject = (f: Field) => `${role}.metadataStore.${f}`;
  const data = { role };
  // The external database's host and name are the user's to supply: a placeholder, flagged until filled.
  const fill = (f: Field, at: Anchor) => ('values' in at ? { description: `Point ${subject(f)} at the external metadata database (fill in the placeholder).`, set: [{ path: at.values, value: FILL_ME }] } : undefined);
  if (s.host) {
    const host = s.host.text.trim();
    if (host === '') ctx.report({ messageId: 'hostMissing', data, subject: subject('host'), at: s.host.at, fix: fill('host', s.host.at) });
    else if (releaseWide && isBundledServiceHost(resolveReleaseName(host, release), 'mysql', release)) {
      ctx.report({ messageId: 'hostBundled', data, subject: subject('host'), at: s.host.at, fix: fill('host', s.host.at) });
    }
  }
  const type = s.type?.text.trim();
  if (s.type && type !== 'mysql' && type !== 'postgresql') {
    ctx.report({ messageId: 'typeInvalid', data: { role, type: type ?? '' }, subject: subject('type'), at: s.type.at });
  }
  if (s.port && type && type in DEFAULT_PORT) {
    // Only a swapped well-known port is a mistake; a custom port (PgBouncer 6432, a proxy) is legitimate.
    const port = intValue(s.port.text);
    const other = type === 'mysql' ? 'postgresql' : 'mysql';
    if (port === DEFAULT_PORT[other]) ctx.report({ messageId: 'portMismatch', data: { role, type, port }, subject: subject('port'), at: s.port.at, severity: 'warning' });
  }
  if (s.database) {
    const db = s.database.text;
    if (db.trim() === '') ctx.report({ messageId: 'databaseMissing', subject: subject('database'), at: s.database.at, fix: fill('database', s.database.at) });
    else if (/\s/.test(db)) ctx.report({ messageId: 'databaseSpaces', subject: subject('database'), at: s.database.at });
  }
}

export default defineRule({
  meta: {
    id: 'external-metadata-store-configured',
    title: 'External metadata store configured when the bundled MySQL is off',
    severity: 'error',
    category: 'quickstart',
    inputs: ['values', 'manifest'],
    rationale:
      'With deployments.mysql: false the Manager and the Druid clusters need an external database: Imply\'s guide says to "Configure the connection to the external database", ' +
      'update "the metadataStore section for both manager and druid" with type mysql or postgresql and the matching port (3306, 5432), and that "The database name cannot contain spaces". ' +
      'A host left empty or at the release\'s own `-mysql` Service (the 2021.x/0.4.x default) points at nothing. ' +
      'On manifests the host check is release-wide (a whole stream without the MySQL Deployment); the other checks also hold for the manager Deployment admitted alone.',
    fix: 'Set manager.metadataStore and druid.metadataStore to the external database: type mysql or postgresql, its host and port, and a manager database name without spaces.',
    seed: 'Configure the connection to the external database. The database must be reachable from the pods within the deployment. The database name cannot contain spaces.',
    subject: '{manager,druid}.metadataStore.{host,type,port}, manager.metadataStore.database',
    messages: {
      hostMissing: 'The bundled MySQL is disabled but {{role}}.metadataStore.host is empty. Set it to the external metadata database.',
      hostBundled:
        'The bundled MySQL is disabled but {{role}}.metadataStore.host still points at the release\'s own -mysql Service, which no longer exists. Set it to the external metadata database.',
      typeInvalid: '{{role}}.metadataStore.type is "{{type}}"; Imply supports mysql or postgresql. Set {{role}}.metadataStore.type to one of them.',
      portMismatch:
        '{{role}}.metadataStore.port is {{port}}, the other database\'s default port, while the type is {{type}}. Check {{role}}.metadataStore.port (mysql 3306, postgresql 5432).',
      databaseMissing: 'manager.metadataStore.database is empty: the Manager needs a database name. Set manager.metadataStore.database.',
      databaseSpaces: 'manager.metadataStore.database contains spaces, which the metadata database name cannot. Rename it (e.g. imply_manager).',
    },
    fixable: true,
    tags: ['quickstart', 'metadata-store'],
  },
  check(model, ctx) {
    const release = model.context.releaseName ?? model.manifests?.releaseName;
    const v = model.values;
    if (v && !conditionEnabled(v, ['deployments', 'mysql'])) {
      for (const role of ['manager', 'druid'] as const) judge(ctx, role, fromValues((p) => v.get(p), role), release, true);
    }
    const m = model.manifests;
    if (!m) return;
    // A whole stream with the MySQL Deployment has the bundled store on: nothing to check.
    if (m.wholeStream && componentWorkload(m, 'mysql')) return;
    const mgr = managerOf(m);
    if (!mgr) return;
    for (const role of ['manager', 'druid'] as const) judge(ctx, role, fromManager(mgr, role), release, m.wholeStream);
  },
});
