// Rules stage: custom-user-files-persistent, custom Imply versions need /mnt/var/user on a persistent volume.
import { customVersionsEvidence, USER_FILES_DIR } from '../../model/druid.js';
import { defineRule } from '../types.js';

/** A version the manager can turn into the file name `imply-<version>.tar.gz` (seed). */
function versionProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return `${JSON.stringify(v)} is not a string (quote it: YAML reads 2023.10 as the number 2023.1)`;
  if (v.trim() === '') return 'it is empty';
  if (/\.(tar\.gz|tgz)$/i.test(v)) return 'it already ends in .tar.gz (give the version only)';
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(v)) return 'it contains characters a file name cannot hold (slashes, spaces, …)';
  return undefined;
}

export default defineRule({
  meta: {
    id: 'custom-user-files-persistent',
    title: 'Custom Imply versions live on a persistent volume',
    severity: 'warning',
    category: 'druid',
    inputs: ['values', 'manifest'],
    rationale:
      'The manager offers a custom Imply build listed in `manager.customVersions` only while `imply-<version>.tar.gz` sits in /mnt/var/user. The chart mounts /mnt/var from an emptyDir, so a file copied there with kubectl cp "will not be available in the container if the Pod is restarted" (Imply\'s guide). An entry that cannot name such a file is an error.',
    fix: 'Mount a PersistentVolumeClaim or NFS volume at /mnt/var/user with manager.extraVolumes and manager.extraVolumeMounts, and list versions exactly as in imply-<version>.tar.gz.',
    seed: 'To have custom user files available while running in Kubernetes, you need to get the files into the /mnt/var/user directory. … The file will not be available in the container if the Pod is restarted for any reason.',
    subject: 'manager.customVersions (no persistent /mnt/var/user), manager.customVersions[i] (bad entry); manifests: the manager env imply_defaults_customImplyVersions',
    messages: {
      notPersistent: `manager.customVersions is set but ${USER_FILES_DIR} on the manager is not on a persistent volume (the chart mounts /mnt/var as an emptyDir), so the imply-<version>.tar.gz files vanish on restart; mount a persistent volume at ${USER_FILES_DIR}.`,
      badVersion: '{{subject}} cannot name a file imply-<version>.tar.gz: {{problem}}.',
    },
    tags: ['manager', 'persistence'],
  },
  check(model, ctx) {
    for (const ev of customVersionsEvidence(model)) {
      if (ev.parseError !== undefined) continue;
      for (const item of ev.versions) {
        const problem = versionProblem(item.value);
        if (problem) ctx.report({ messageId: 'badVersion', data: { subject: item.subject, problem }, subject: item.subject, at: item.at, severity: 'error' });
      }
      if (!ev.userDir.persistent) ctx.report({ messageId: 'notPersistent', subject: 'manager.customVersions', at: ev.at });
    }
  },
});
