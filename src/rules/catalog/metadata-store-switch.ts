// Rules stage: metadata-store-switch, an upgrade moves the Manager off the bundled MySQL.
import { envVar, managerOf } from '../../model/manifests.js';
import { isBundledServiceHost } from '../../model/quickstart.js';
import { defineRule } from '../types.js';
import { resolveReleaseName, str } from '../util.js';

const SUBJECT = 'manager.metadataStore.host';
const PATH = ['manager', 'metadataStore', 'host'];

/** Was `before` the release's own MySQL and `after` something else? Undecidable names stay silent. */
function movedOff(before: string | undefined, after: string | undefined, release: string | undefined): boolean {
  if (before === undefined) return false;
  if (!isBundledServiceHost(resolveReleaseName(before, release), 'mysql', release)) return false;
  const now = resolveReleaseName(after ?? '', release).trim();
  if (isBundledServiceHost(now, 'mysql', release)) return false;
  // Without the release name, a literal `<x>-mysql` may still be the bundled Service: no evidence.
  if (!release && /^[a-z0-9.-]*-mysql(-headless)?(\.|$)/i.test(now)) return false;
  return true;
}

export default defineRule({
  meta: {
    id: 'metadata-store-switch',
    title: 'Metadata store switch comes with a data migration',
    severity: 'warning',
    category: 'druid',
    inputs: ['values', 'manifest'],
    rationale:
      'Moving the Manager from the bundled MySQL to an external database starts it on an empty store. Imply\'s guide: "If your cluster is already running, there is no automatic data migration from the default MySQL deployment to your external database. Migrate the data manually if required." ' +
      'Needs the state before the update: --previous-values, or the admission oldObject of the manager Deployment.',
    fix: 'Migrate the Manager and cluster metadata from the bundled MySQL to the new database before (or while) applying this update.',
    seed: 'If your cluster is already running, there is no automatic data migration from the default MySQL deployment to your external database. Migrate the data manually if required.',
    subject: SUBJECT,
    messages: {
      switched:
        'This update moves manager.metadataStore.host away from the release\'s bundled MySQL; there is no automatic data migration. Migrate the metadata to the new database manually.',
    },
    tags: ['metadata-store', 'upgrade'],
  },
  check(model, ctx) {
    const prev = model.previous;
    const v = model.values;
    const release = model.context.releaseName ?? model.manifests?.releaseName ?? prev?.manifests?.releaseName;
    if (v && prev?.values && movedOff(str(prev.values.get(PATH)), str(v.get(PATH)) ?? '', release)) {
      ctx.report({ messageId: 'switched', subject: SUBJECT, at: { values: PATH } });
    }
    const mgr = model.manifests && managerOf(model.manifests);
    const old = prev?.manifests && managerOf(prev.manifests);
    if (!mgr || !old) return;
    const before = envVar(old, 'IMPLY_MANAGER_STORE_HOST');
    const after = envVar(mgr, 'IMPLY_MANAGER_STORE_HOST');
    if (before?.value === undefined || (after && after.value === undefined)) return;
    if (movedOff(before.value, after?.value, release)) {
      ctx.report({ messageId: 'switched', subject: SUBJECT, at: after ? { object: mgr, path: [...after.path, 'value'] } : { object: mgr } });
    }
  },
});
