// CLI stage: `imply-lint post-render`, a Helm post-renderer. Helm pipes the rendered manifests in on stdin and
// installs whatever comes out on stdout; a non-zero exit aborts the install. We lint the stream, write the
// report to stderr (or -o FILE) and, only when nothing reaches --fail-on, hand the manifests back unchanged,
// byte for byte. On a failing lint nothing is written to stdout, so `... | imply-lint post-render | kubectl
// apply -f -` applies nothing either.
import type { SourceFile } from '../model/types.js';
import type { LintResult } from '../rules/types.js';
import { LINT_OPTIONS, list, parseFlags } from './args.js';
import { UserError } from './errors.js';
import { POST_RENDER_HELP } from './help.js';
import { readSource } from './inputs.js';
import type { Io } from './inputs.js';
import { commonSettings, lintTarget, report } from './lint.js';

/** `imply-lint post-render [-f values.yaml]... [lint options] < rendered.yaml > rendered.yaml`. */
export async function postRenderCommand(argv: string[], io: Io): Promise<number> {
  const { flags, positionals } = parseFlags(argv, LINT_OPTIONS);
  if (flags.help) {
    io.stdout(POST_RENDER_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UserError(`post-render reads the rendered manifests on stdin; unexpected argument "${positionals[0]}"`);
  if (list(flags.values).includes('-')) throw new UserError('post-render: stdin holds the manifests; -f - is not available');
  const raw = await io.readStdin();
  // readSource('-') takes the stream from io.readStdin: give it the bytes already read.
  const stdinIo: Io = { ...io, readStdin: async () => raw };
  const manifest = await readSource('-', stdinIo, 'manifest');
  const s = await commonSettings(argv, flags, io);
  const values: SourceFile[] = [];
  for (const p of list(flags.values)) values.push(await readSource(p, io, 'values'));
  // With neither -f nor --set this is exactly `imply-lint -` on the stream (no values layer at all).
  const result: LintResult = lintTarget(manifest.path, values, [manifest], s, values.length > 0 || s.sets.length > 0);
  // stdout belongs to the manifests: the report goes to stderr unless -o names a file.
  const reportIo: Io = { ...io, stdout: io.stderr, isTTY: false };
  const code = await report([result], [...s.previous, ...values, manifest], flags, reportIo, s.policy, s.rules);
  // readSource accepted the bytes as UTF-8 (it refuses anything else), so this round-trips them exactly.
  if (code === 0) io.stdout(raw.toString('utf8'));
  return code;
}
