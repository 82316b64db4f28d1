// Rules stage: pivot-config-yaml, the Pivot property list joins into valid YAML.
import { isMap } from '../../model/path.js';
import { pivotConfigs } from '../../model/druid.js';
import { defineRule } from '../types.js';

export default defineRule({
  meta: {
    id: 'pivot-config-yaml',
    title: 'Pivot properties render valid YAML',
    severity: 'error',
    category: 'druid',
    inputs: ['values', 'manifest'],
    rationale:
      'Unlike the Druid lists, `druid.pivotRuntimeProperties` entries are joined line by line into Pivot\'s config.yaml. Imply\'s guide warns that "Pivot configurations need to render as a valid YAML" and that indents must be quoted; a list that does not join into a YAML mapping breaks Pivot\'s configuration.',
    fix: 'Quote every entry and keep its indentation so the joined lines form a YAML mapping (e.g. `- \'oidcOptions:\'`, `- \'  issuer: https://…\'`).',
    seed: 'Pivot configuration needs to render as valid YAML, so you need to quote indents.',
    subject: 'druid.pivotRuntimeProperties (manifests: the manager env imply_defaults_pivotCustomDruidProperties)',
    messages: {
      invalidYaml: 'druid.pivotRuntimeProperties do not join into valid YAML: {{error}}. Quote each entry and keep its indentation.',
      notMapping: 'druid.pivotRuntimeProperties join into a YAML {{type}}, not the mapping of settings Pivot\'s config.yaml needs; write "key: value" lines.',
    },
    tags: ['pivot', 'yaml'],
  },
  check(model, ctx) {
    for (const p of pivotConfigs(model)) {
      const first = p.errors[0];
      if (first) {
        ctx.report({ messageId: 'invalidYaml', data: { error: first.message }, subject: p.subject, at: first.at, related: p.errors.slice(1).map((e) => e.at) });
        continue;
      }
      if (p.value !== null && p.value !== undefined && !isMap(p.value)) {
        ctx.report({ messageId: 'notMapping', data: { type: Array.isArray(p.value) ? 'sequence' : 'scalar' }, subject: p.subject, at: p.at });
      }
    }
  },
});
