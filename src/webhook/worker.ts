// Webhook stage: the worker thread that runs the rules for one admission request at a time. The server keeps a
// pool of these (pool.ts) so a rule that throws or loops never blocks the event loop that answers the API
// server: a throw comes back as a message, a loop is cut off by terminating this thread. The bundler builds
// this file into dist/worker.js.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { compileCustomRules } from '../rules/custom.js';
import { BUILTIN_RULES } from '../rules/registry.js';
import type { Rule } from '../rules/types.js';
import { RuleFailure, parseAdmissionReview, reviewReply } from './review.js';
import type { WorkerInit, WorkerReply, WorkerTask } from './protocol.js';

async function loadRules(init: WorkerInit): Promise<Rule[]> {
  const rules: Rule[] = [...BUILTIN_RULES, ...compileCustomRules(init.policy)];
  for (const spec of init.extraRuleModules ?? []) {
    const url = spec.startsWith('file:') ? spec : pathToFileURL(spec).href;
    const mod = (await import(url)) as { default?: Rule[] | Rule };
    const extra = mod.default;
    rules.push(...(Array.isArray(extra) ? extra : extra ? [extra] : []));
  }
  return rules;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker.ts must run in a worker thread');
  const init = workerData as WorkerInit;
  let rules: Rule[];
  try {
    rules = await loadRules(init);
  } catch (e) {
    port.postMessage({ type: 'init-error', message: e instanceof Error ? e.message : String(e) } satisfies WorkerReply);
    return;
  }
  port.on('message', (task: WorkerTask) => {
    let reply: WorkerReply;
    try {
      const request = task.raw !== undefined ? parseAdmissionReview(JSON.parse(task.raw.charCodeAt(0) === 0xfeff ? task.raw.slice(1) : task.raw)) : task.request!;
      reply = { type: 'result', id: task.id, ...reviewReply(request, { policy: init.policy, rules, mode: init.mode, now: new Date(task.now), kubeVersion: init.kubeVersion }) };
    } catch (e) {
      reply = { type: 'failure', id: task.id, kind: e instanceof RuleFailure ? 'rule' : 'internal', message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}

void main();
