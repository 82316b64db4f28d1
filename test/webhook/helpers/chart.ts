// Test helper: the webhook's Helm chart (deploy/webhook) rendered and linted with the real helm binary.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { isMap } from '../../../src/model/path.js';
import { parseYamlStream } from '../../../src/model/yaml.js';
import { helmBin } from '../../helpers/helm.js';

const run = promisify(execFile);
export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const CHART = path.join(ROOT, 'deploy/webhook');

/** `helm template <release> deploy/webhook -n <namespace> <args>`, parsed into objects. */
export async function helmTemplate(args: string[] = [], release = 'wh', namespace = 'imply-lint'): Promise<Record<string, unknown>[]> {
  const { stdout } = await run(helmBin(), ['template', release, CHART, '--namespace', namespace, ...args], { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 });
  const docs = parseYamlStream(stdout);
  for (const d of docs) if (d.errors.length) throw new Error(`rendered YAML does not parse: ${d.errors[0].message}`);
  return docs.map((d) => d.value).filter((v): v is Record<string, unknown> => isMap(v));
}

/** `helm template` that is expected to fail: its error text. */
export async function helmTemplateError(args: string[]): Promise<string> {
  try {
    await run(helmBin(), ['template', 'wh', CHART, '--namespace', 'imply-lint', ...args], { timeout: 60_000 });
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? (e as Error).message);
  }
  throw new Error('helm template succeeded');
}

/** `helm lint --strict deploy/webhook <args>`: exit code and output. */
export async function helmLint(args: string[] = []): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(helmBin(), ['lint', '--strict', CHART, ...args], { timeout: 60_000 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}

/** The one object of a kind (and name, when given). */
export function find(objs: Record<string, unknown>[], kind: string, name?: string): Record<string, unknown> {
  const hits = objs.filter((o) => o.kind === kind && (name === undefined || (o.metadata as { name?: string })?.name === name));
  if (hits.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${hits.length}`);
  return hits[0];
}
