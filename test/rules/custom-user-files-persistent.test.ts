import rule from '../../src/rules/catalog/custom-user-files-persistent.js';
import { ENV_VALUE_COLUMN, envValueLine, managerDoc } from '../helpers/druid-fixtures.js';
import { ruleTester } from '../helpers/rule-tester.js';

const CV = 'imply_defaults_customImplyVersions';
const chartMounts = (extra = '') => `          volumeMounts:\n            - mountPath: "/mnt/var"\n              name: var-volume\n${extra}`;
const chartVolumes = (extra = '') => `      volumes:\n        - name: var-volume\n          emptyDir: {}\n${extra}`;
const pvcExtras = {
  container: chartMounts('            - mountPath: /mnt/var/user\n              name: user-files\n'),
  pod: chartVolumes('        - name: user-files\n          persistentVolumeClaim:\n            claimName: imply-user-files\n'),
};

ruleTester.run('custom-user-files-persistent', rule, {
  valid: [
    { name: 'chart default: no custom versions', values: 'manager:\n  secretName: imply-secrets\n' },
    { name: 'null deletes the chart default list', values: 'manager:\n  customVersions: null\n' },
    {
      name: 'a PVC mounted at /mnt/var/user',
      values: 'manager:\n  customVersions:\n    - 2021.01-hdp-2.7.3.2.6.5.0-292\n  extraVolumes:\n    - name: user-files\n      persistentVolumeClaim:\n        claimName: imply-user-files\n  extraVolumeMounts:\n    - name: user-files\n      mountPath: /mnt/var/user\n',
    },
    {
      name: 'an NFS volume at /mnt/var/user/ (trailing slash)',
      values: 'manager:\n  customVersions: ["2023.03.1-hdp-2.7.3"]\n  extraVolumes:\n    - name: nfs\n      nfs: {server: nfs.example, path: /exports/imply}\n  extraVolumeMounts:\n    - name: nfs\n      mountPath: /mnt/var/user/\n',
    },
    { name: 'manifest: no customImplyVersions env (empty list renders none)', manifest: managerDoc([], { container: chartMounts(), pod: chartVolumes() }) },
    { name: 'manifest: a PVC over /mnt/var/user', manifest: managerDoc([[CV, '[{"version":"2023.03.1-hdp-2.7.3"}]']], pvcExtras) },
  ],
  invalid: [
    {
      name: 'values: features-overrides (custom version, chart emptyDir only)',
      values: 'manager:\n  customVersions:\n    - 2023.03.1-hdp-2.7.3\n',
      errors: [{ messageId: 'notPersistent', severity: 'warning', path: 'manager.customVersions', line: 2, column: 3, subject: 'manager.customVersions' }],
    },
    {
      name: 'manifest: features render (var-volume emptyDir at /mnt/var)',
      manifest: managerDoc([[CV, '[{"version":"2023.03.1-hdp-2.7.3"}]']], { container: chartMounts(), pod: chartVolumes() }),
      errors: [{ messageId: 'notPersistent', object: 'Deployment/imply-manager', line: envValueLine(0), column: ENV_VALUE_COLUMN, subject: 'manager.customVersions' }],
    },
    {
      name: 'values: an emptyDir of its own at /mnt/var/user is no better',
      values: 'manager:\n  customVersions: ["2023.03.1-x"]\n  extraVolumes:\n    - name: scratch\n      emptyDir: {}\n  extraVolumeMounts:\n    - name: scratch\n      mountPath: /mnt/var/user\n',
      errors: [{ messageId: 'notPersistent', path: 'manager.customVersions' }],
    },
    {
      name: 'values: a PVC below /mnt/var/user does not hold it',
      values: 'manager:\n  customVersions: ["2023.03.1-x"]\n  extraVolumes:\n    - name: pv\n      persistentVolumeClaim: {claimName: pv}\n  extraVolumeMounts:\n    - name: pv\n      mountPath: /mnt/var/user/sub\n',
      errors: [{ messageId: 'notPersistent', path: 'manager.customVersions' }],
    },
    {
      name: 'values: an entry that is already a file name is an error',
      values: 'manager:\n  customVersions:\n    - imply-2021.01.tar.gz\n  extraVolumes:\n    - name: pv\n      persistentVolumeClaim: {claimName: pv}\n  extraVolumeMounts:\n    - name: pv\n      mountPath: /mnt/var/user\n',
      errors: [{ messageId: 'badVersion', severity: 'error', path: 'manager.customVersions[0]', line: 3, column: 7, subject: 'manager.customVersions[0]' }],
    },
    {
      name: 'values: an unquoted number (2023.10 reads as 2023.1)',
      values: 'manager:\n  customVersions:\n    - 2023.10\n',
      errors: [
        { messageId: 'notPersistent', severity: 'warning', path: 'manager.customVersions', line: 2 },
        { messageId: 'badVersion', severity: 'error', path: 'manager.customVersions[0]', line: 3 },
      ],
    },
    {
      name: 'manifest: a version with a slash',
      manifest: managerDoc([[CV, '[{"version":"custom/2023.03"}]']], pvcExtras),
      errors: [{ messageId: 'badVersion', severity: 'error', subject: 'manager.customVersions[0]', line: envValueLine(0) }],
    },
    {
      name: 'values: --set adds a version over a file without volumes',
      values: 'manager:\n  secretName: imply-secrets\n',
      sets: [{ flag: '--set', expr: 'manager.customVersions={2023.03.1-hdp}' }],
      errors: [{ messageId: 'notPersistent', path: 'manager.customVersions', line: 1, column: 1 }],
    },
  ],
});
