// Rules stage: fixes shared by several rules (`imply-lint fix`). Pure: they read the values model only.
import type { ValuesModel } from '../model/types.js';
import type { ValuesFix } from './types.js';
import { str } from './util.js';

/**
 * Empties an inline licence key and, when no licence Secret is named yet, names the policy's one
 * (imply-secrets by default). The key itself is never copied anywhere: the user puts it in the Secret.
 */
export function licenseFix(v: ValuesModel, secretName: string): ValuesFix {
  const named = (str(v.get(['manager', 'secretName'])) ?? '').trim() !== '';
  return {
    description: named
      ? 'Remove the inline licence key (manager.licenseKey: ""); keep it in the Secret named by manager.secretName.'
      : `Remove the inline licence key (manager.licenseKey: "") and read it from the Secret ${secretName} (manager.secretName); create that Secret with IMPLY_MANAGER_LICENSE_KEY before installing.`,
    set: [{ path: ['manager', 'licenseKey'], value: '' }, ...(named ? [] : [{ path: ['manager', 'secretName'], value: secretName }])],
  };
}
