// Rules stage: no-dangling-quickstart-references, settings still naming a quickstart subchart that is off.
import { bundledServiceReferences, deepStorageSettings, runtimePropertyLists } from '../../model/druid.js';
import type { BundledService, EvidenceInput } from '../../model/druid.js';
import { componentWorkload } from '../../model/manifests.js';
import type { DeploymentModel } from '../../model/types.js';
import { defineRule } from '../types.js';
import { conditionEnabled, FILL_ME } from '../util.js';
import type { ValuesFix } from '../types.js';

/** Subcharts Helm will not deploy, as each input can tell; undefined: the input cannot tell (admission). */
function disabledIn(model: DeploymentModel, input: EvidenceInput): Set<BundledService> | undefined {
  const out = new Set<BundledService>();
  const all: BundledService[] = ['minio', 'mysql', 'zookeeper'];
  if (input === 'values') {
    const v = model.values!;
    for (const c of all) if (!conditionEnabled(v, ['deployments', c])) out.add(c);
    return out;
  }
  const m = model.manifests!;
  if (!m.wholeStream) return undefined;
  for (const c of all) if (!componentWorkload(m, c)) out.add(c);
  return out;
}

export default defineRule({
  meta: {
    id: 'no-dangling-quickstart-references',
    title: 'No settings pointing at a disabled quickstart subchart',
    severity: 'error',
    category: 'quickstart',
    inputs: ['values', 'manifest'],
    rationale:
      'The chart\'s default `druid.commonRuntimeProperties` point Druid at the bundled MinIO (`druid.s3.endpoint.url=http://{{ .Release.Name }}-minio:9000`). Imply\'s guide says to disable the quickstart MinIO and use external deep storage; when `deployments.minio` (or mysql, zookeeper) is false but a runtime property or deep-storage setting still names `<release>-minio`, `-mysql` or `-zookeeper`, Druid talks to a Service that no longer exists. Helm replaces lists on merge, so a user list that drops the MinIO lines is clean.',
    fix: 'Remove the quickstart lines from the runtime-property lists (or replace the list) and point the setting at the external service.',
    seed: 'To use an external deep storage provider, disable the default MinIO deployment in the deployments section of the values.yaml.',
    subject: 'the entry: druid.commonRuntimeProperties[i] (any runtime-property list), <tier>.extraEnv.<ENV_NAME>, or druid.deepStorage.<key> (manifests: the manager env imply_defaults_*CustomDruidProperties / imply_defaults_deepStorage*, agent druid_*_runtime_* env; whole streams only)',
    messages: {
      danglingReference: '{{setting}} still points at the quickstart {{component}} service, but deployments.{{component}} is disabled; point it at the external service or remove it.',
    },
    fixable: true,
    tags: ['quickstart', 'deep-storage', 'runtime-properties'],
  },
  check(model, ctx) {
    const disabled = {
      values: model.values ? disabledIn(model, 'values') : undefined,
      manifest: model.manifests ? disabledIn(model, 'manifest') : undefined,
    };
    const release = { values: model.context.releaseName, manifest: model.manifests?.releaseName ?? model.context.releaseName };
    const report = (input: EvidenceInput, text: string, setting: string, subject: string, at: Parameters<typeof ctx.report>[0]['at'], fix?: ValuesFix) => {
      const off = disabled[input];
      if (!off || off.size === 0) return;
      for (const c of bundledServiceReferences(text, release[input])) {
        if (off.has(c)) ctx.report({ messageId: 'danglingReference', data: { setting, component: c }, subject, at, fix });
      }
    };
    // The external service is the user's to name: the value becomes a placeholder (the key stays, so the
    // setting is not silently dropped), flagged by unresolved-placeholder until filled.
    const fill = (at: Parameters<typeof ctx.report>[0]['at'], value: string, what: string): ValuesFix | undefined =>
      'values' in at ? { description: `Point ${what} at the external service instead of the disabled quickstart one (fill in the placeholder).`, set: [{ path: at.values, value }] } : undefined;
    for (const list of runtimePropertyLists(model)) {
      for (const e of list.entries) {
        if (e.kind !== 'property' || e.value === undefined) continue;
        // A list item is the whole `key=value` string; an extraEnv entry's value is the property value alone.
        const item = 'values' in e.at && typeof e.at.values[e.at.values.length - 1] === 'number';
        report(list.input, e.value, `${e.key} (${list.subject})`, e.subject, e.at, fill(e.at, item ? `${e.key}=${FILL_ME}` : FILL_ME, `${e.key} (${list.subject})`));
      }
    }
    for (const s of deepStorageSettings(model)) report(s.input, s.value, s.subject, s.subject, s.at, fill(s.at, FILL_ME, s.subject));
  },
});
