// Rules stage: update-strategy, how `druid` changes reach an existing cluster (druid.update).
import { envVar, managerOf } from '../../model/manifests.js';
import { updateMode } from '../../model/imply-env.js';
import type { Anchor, RuleContext } from '../types.js';
import { defineRule } from '../types.js';

const SUBJECT = 'druid.update';

const FIX = { description: 'Apply druid changes without downtime (druid.update: rolling).', set: [{ path: ['druid', 'update'], value: 'rolling' }] };

function judge(ctx: RuleContext, value: unknown, at: Anchor): void {
  const mode = updateMode(value);
  const fix = 'values' in at ? FIX : undefined;
  if (mode === 'hard') ctx.report({ messageId: 'hard', subject: SUBJECT, at, fix });
  else if (mode === 'disabled') ctx.report({ messageId: 'disabled', subject: SUBJECT, at, severity: 'info', fix });
  // rolling is the recommended mode; any other value is value-type's business.
}

export default defineRule({
  meta: {
    id: 'update-strategy',
    title: 'Druid update strategy does not stop every node',
    severity: 'warning',
    category: 'druid',
    inputs: ['values', 'manifest'],
    rationale:
      'druid.update decides whether `helm upgrade` changes to the druid section reach an existing cluster. Imply\'s guide: `hard` "Updates an existing cluster through a hard upgrade. ' +
      'All nodes are stopped, possibly resulting in a service interruption"; `disabled`, the default, "applies the changes to the druid section to new clusters only"; ' +
      '`rolling` applies them without downtime. hard is a warning; disabled is reported at info so operators know their druid changes will not be applied.',
    fix: 'Set druid.update: rolling (or keep disabled and apply druid changes to existing clusters in the Manager UI).',
    seed: 'hard: Updates an existing cluster through a hard upgrade. All nodes are stopped, possibly resulting in a service interruption.',
    subject: SUBJECT,
    messages: {
      hard: 'druid.update is hard: applying a druid change stops all nodes at once, possibly interrupting service. Use druid.update: rolling.',
      disabled:
        'druid.update is disabled (the default): changes to the druid section apply to new clusters only, not to the running one. Use druid.update: rolling, or apply them in the Manager UI.',
    },
    fixable: true,
    tags: ['druid', 'upgrade'],
  },
  check(model, ctx) {
    const v = model.values;
    if (v) judge(ctx, v.get(['druid', 'update']), { values: ['druid', 'update'] });
    const mgr = model.manifests && managerOf(model.manifests);
    if (mgr) {
      const e = envVar(mgr, 'IMPLY_MANAGER_DEFAULTS_UPDATE_TYPE');
      // The chart always renders it; without it the manager runs its default, disabled (seed).
      if (!e || e.valueFrom === undefined) judge(ctx, e?.value, e ? { object: mgr, path: [...e.path, 'value'] } : { object: mgr });
    }
  },
});
