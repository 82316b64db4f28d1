// Rules stage: runtime-property-format, every Druid runtime-property entry is `key=value` or a `#` comment.
import { runtimePropertyLists } from '../../model/druid.js';
import { defineRule } from '../types.js';

export default defineRule({
  meta: {
    id: 'runtime-property-format',
    title: 'Druid runtime properties are key=value lines',
    severity: 'error',
    category: 'druid',
    inputs: ['values', 'manifest'],
    rationale:
      'The manager writes each `druid.*RuntimeProperties` entry as one line of a Druid runtime.properties file. Imply\'s guide says Druid runtime properties are defined "as a list using the format propertykey=propertyvalue"; an entry that is neither `key=value` nor a `#` comment (a YAML map item such as `- druid.x: 1`, a key with spaces, a missing `=`) is not the setting the operator meant. An empty entry is harmless but usually a leftover (warning). Pivot properties are YAML and belong to pivot-config-yaml.',
    fix: 'Write each entry as a quoted `key=value` string (or a `# comment`) and remove empty entries.',
    seed: 'For Druid runtime properties, you define them as a list using the format propertykey=propertyvalue while Pivot configurations need to render as a valid YAML.',
    subject: 'the entry: druid.<service>RuntimeProperties[i] or additionalDataTiers[n].custom<Service>RuntimeProperties[i] (manifests: the same index of the manager env imply_defaults_<service>CustomDruidProperties split on the literal \\n, or of imply_defaults_additionalDataTier*RuntimeProperties)',
    messages: {
      malformed: 'Entry {{index}} of {{list}} ("{{text}}") is neither key=value nor a # comment; write it as a quoted "key=value" string.',
      empty: 'Entry {{index}} of {{list}} is empty; remove it.',
      unreadable: 'The rendered {{list}} runtime properties are not a JSON object of lists ({{error}}); render them from values with the chart.',
    },
    tags: ['druid', 'runtime-properties'],
  },
  check(model, ctx) {
    for (const list of runtimePropertyLists(model)) {
      if (list.parseError !== undefined) {
        ctx.report({ messageId: 'unreadable', data: { list: list.subject, error: list.parseError }, subject: list.subject, at: list.at });
        continue;
      }
      if (list.form !== 'list') continue; // agent env vars always render key=value
      for (const e of list.entries) {
        if (e.kind === 'malformed') {
          ctx.report({ messageId: 'malformed', data: { index: e.index, list: list.subject, text: e.text }, subject: e.subject, at: e.at });
        } else if (e.kind === 'empty') {
          ctx.report({ messageId: 'empty', data: { index: e.index, list: list.subject }, subject: e.subject, at: e.at, severity: 'warning' });
        }
      }
    }
  },
});
