// Rules stage: custom-files-valid, druid.customFiles entries and userExtensions URLs are well formed.
import { customFilesEvidence } from '../../model/druid.js';
import { formatPath, isMap } from '../../model/path.js';
import { defineRule } from '../types.js';

const FLAGS = ['executable', 'unpack', 'hadoopDependency', 'classpath'] as const;

function isHttpsUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' && u.hostname !== '';
  } catch {
    return false;
  }
}

export default defineRule({
  meta: {
    id: 'custom-files-valid',
    title: 'Custom files and user extensions are well formed',
    severity: 'error',
    category: 'druid',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide describes `druid.customFiles` entries as a `path` plus the boolean flags executable, unpack, hadoopDependency and classpath, where hadoopDependency and classpath "are mutually exclusive", and `druid.userExtensions` as extension names mapped to HTTPS URLs. A file without a path, both location flags on, a quoted "true" or a plain-HTTP extension URL fails when the services fetch them. These keys exist on the 2023.03 chart line only.',
    fix: 'Give each custom file a path and boolean flags with at most one of hadoopDependency and classpath true, and point each user extension at an https:// URL.',
    seed: 'Optionally, you can set one of the following two options for the location type to true. They are mutually exclusive, so if you set one to true, set the other to false or omit it.',
    subject: 'druid.customFiles[i] (druid.customFiles[i].<flag> for a flag), druid.userExtensions.<name> (manifests: the manager env imply_defaults_customFiles / imply_defaults_userExtensions, same indexes and names)',
    messages: {
      notObject: '{{subject}} is not a map with a path and flags; write it as {path: …, executable: …, unpack: …}.',
      noPath: '{{subject}} has no path; set path to the file\'s location (e.g. an https:// URL).',
      nonBoolean: '{{subject}} is {{value}}, not a boolean; write true or false unquoted.',
      exclusive: '{{subject}} sets both hadoopDependency and classpath to true; they are mutually exclusive, set at most one.',
      notHttps: '{{subject}} is not an HTTPS URL; point the user extension at an https:// URL.',
      unreadable: 'The rendered {{subject}} is not valid JSON of the right shape ({{error}}); render it from values with the chart.',
    },
    tags: ['druid', 'extensions'],
  },
  check(model, ctx) {
    for (const ev of customFilesEvidence(model)) {
      const cf = ev.customFiles;
      if (cf?.parseError !== undefined) ctx.report({ messageId: 'unreadable', data: { subject: 'druid.customFiles', error: cf.parseError }, subject: 'druid.customFiles', at: cf.at });
      for (const item of cf?.items ?? []) {
        const f = item.value;
        if (!isMap(f)) {
          ctx.report({ messageId: 'notObject', data: { subject: item.subject }, subject: item.subject, at: item.at });
          continue;
        }
        if (typeof f.path !== 'string' || f.path.trim() === '') ctx.report({ messageId: 'noPath', data: { subject: item.subject }, subject: item.subject, at: item.at });
        for (const flag of FLAGS) {
          const v = f[flag];
          if (v === undefined || v === null || typeof v === 'boolean') continue;
          const subject = formatPath(['druid', 'customFiles', item.key, flag]);
          const at = 'values' in item.at ? { values: [...item.at.values, flag] } : item.at;
          ctx.report({ messageId: 'nonBoolean', data: { subject, value: JSON.stringify(v) }, subject, at });
        }
        if (f.hadoopDependency === true && f.classpath === true) {
          const at = 'values' in item.at ? { values: [...item.at.values, 'classpath'] } : item.at;
          ctx.report({ messageId: 'exclusive', data: { subject: item.subject }, subject: item.subject, at });
        }
      }
      const ue = ev.userExtensions;
      if (ue?.parseError !== undefined) ctx.report({ messageId: 'unreadable', data: { subject: 'druid.userExtensions', error: ue.parseError }, subject: 'druid.userExtensions', at: ue.at });
      for (const item of ue?.items ?? []) {
        if (!isHttpsUrl(item.value)) ctx.report({ messageId: 'notHttps', data: { subject: item.subject }, subject: item.subject, at: item.at });
      }
    }
  },
});
