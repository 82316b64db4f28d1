// Rules stage: manager-update-delay-format, imply_manager_updateDelay is an ISO-8601 duration.
import { isIsoDuration, managerEnvSettings } from '../../model/druid.js';
import { defineRule } from '../types.js';

const ENV = 'imply_manager_updateDelay';
const SUBJECT = `manager.extraEnv.${ENV}`;

export default defineRule({
  meta: {
    id: 'manager-update-delay-format',
    title: 'Manager update delay is an ISO-8601 duration',
    severity: 'error',
    category: 'druid',
    inputs: ['values', 'manifest'],
    rationale:
      'Imply\'s guide adds a delay before a Manager update with the env var `imply_manager_updateDelay` and says to "Use ISO-8601 format for the value, such as PT5M"; its own snippet leaves the placeholder `ISO-8601_VALUE`, which is no duration. A value the Manager cannot parse defeats the delay meant to let all agents connect first.',
    fix: 'Set imply_manager_updateDelay (manager.extraEnv) to an ISO-8601 duration such as PT5M or PT1H.',
    seed: 'Use ISO-8601 format for the value, such as PT5M',
    subject: 'manager.extraEnv.imply_manager_updateDelay (manifests: that env var of the manager Deployment)',
    messages: {
      notIsoDuration: `${ENV} is "{{value}}", not an ISO-8601 duration; set it in manager.extraEnv to a value such as PT5M.`,
    },
    tags: ['manager', 'update'],
  },
  check(model, ctx) {
    for (const s of managerEnvSettings(model, ENV)) {
      if (s.value === undefined) continue; // valueFrom: the value is not in the input
      if (!isIsoDuration(s.value)) ctx.report({ messageId: 'notIsoDuration', data: { value: s.value }, subject: SUBJECT, at: s.at });
    }
  },
});
