// Rules stage: manager-cluster-version-skew, clusters should not run an Imply version newer than the Manager (seed).
import { imageTag, managerOf } from '../../model/manifests.js';
import { compareImplyVersions, mainContainer, managerCustomVersions, managerImplyVersion, parseImplyVersion } from '../../model/versions.js';
import type { Anchor, RuleContext } from '../types.js';
import { defineRule } from '../types.js';
import { conditionEnabled, str } from '../util.js';

const SUBJECT = 'druid.implyVersion';

function check(ctx: RuleContext, implyVersion: string, managerVersion: string, custom: readonly string[], at: Anchor, related: Anchor): void {
  // A custom build the Manager was given (manager.customVersions) is deployable whatever its number.
  if (custom.includes(implyVersion)) return;
  const a = parseImplyVersion(implyVersion);
  const b = parseImplyVersion(managerVersion);
  if (!a || !b || compareImplyVersions(a, b) <= 0) return;
  const severity = ctx.options.airGapped === true ? 'error' : undefined;
  ctx.report({ messageId: 'clusterNewer', data: { implyVersion, managerVersion }, subject: SUBJECT, at, related: [related], severity });
}

export default defineRule({
  meta: {
    id: 'manager-cluster-version-skew',
    title: 'Cluster version not newer than the Manager',
    severity: 'warning',
    category: 'versions',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide: "In air-gapped environments, if Imply Manager is unable to reach the Imply servers, you can only deploy clusters of the same version as Imply Manager. Updating to a new version, requires first updating Imply Manager." A druid.implyVersion newer than the Manager image (images.manager.tag) then cannot be deployed; with internet access the Manager downloads it, hence a warning, and an error with the option airGapped: true. Versions compare as YYYY.MM[.P], suffixes ignored; versions listed in manager.customVersions are skipped.',
    fix: 'Update the Imply Manager first (images.manager.tag at least druid.implyVersion), then the clusters.',
    seed: 'In air-gapped environments, if Imply Manager is unable to reach the Imply servers, you can only deploy clusters of the same version as Imply Manager. Updating to a new version, requires first updating Imply Manager.',
    subject: SUBJECT,
    messages: {
      clusterNewer: 'druid.implyVersion {{implyVersion}} is newer than the Imply Manager {{managerVersion}}; a Manager that cannot reach Imply\'s servers can only deploy its own version. Update the Manager (images.manager.tag) first.',
    },
    options: {
      type: 'object',
      properties: {
        airGapped: { type: 'boolean', description: 'The Manager cannot reach Imply\'s servers: a newer cluster version cannot be deployed (error instead of warning).' },
      },
      additionalProperties: false,
    },
    defaultOptions: { airGapped: false },
    tags: ['imply', 'manager', 'upgrade', 'air-gapped'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v && conditionEnabled(v, ['deployments', 'manager'])) {
      const implyVersion = str(v.get(['druid', 'implyVersion']))?.trim();
      const managerVersion = str(v.get(['images', 'manager', 'tag']))?.trim();
      const customList = v.get(['manager', 'customVersions']);
      const custom = Array.isArray(customList) ? customList.map((x) => str(x)?.trim() ?? '') : [];
      if (implyVersion && managerVersion) check(ctx, implyVersion, managerVersion, custom, { values: ['druid', 'implyVersion'] }, { values: ['images', 'manager', 'tag'] });
    }
    const m = model.manifests;
    const manager = m && managerOf(m);
    if (!manager) return;
    const iv = managerImplyVersion(manager);
    const c = mainContainer(manager);
    const tag = c?.image ? imageTag(c.image).tag : undefined;
    if (iv && c && tag) check(ctx, iv.value, tag, managerCustomVersions(manager), { object: manager, path: iv.path }, { object: manager, path: [...c.path, 'image'] });
  },
});
