// CLI stage: command dispatch. `run(argv, io)` returns the exit code; it never exits and never throws for
// user mistakes (those are one line on stderr and code 2).
import pkg from '../../package.json' with { type: 'json' };
import { toUserError } from './errors.js';
import type { Io } from './inputs.js';
import { MAIN_HELP } from './help.js';

const COMMANDS = ['lint', 'chart', 'post-render', 'fix', 'preflight', 'serve', 'certs', 'rules', 'explain', 'schema', 'docs-gen'] as const;

/** Runs one CLI invocation. */
export async function run(argv: string[], io: Io): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === '--version' || first === '-V') {
      io.stdout(`${pkg.version}\n`);
      return 0;
    }
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      io.stdout(MAIN_HELP);
      return first === undefined ? 2 : 0;
    }
    const cmd = (COMMANDS as readonly string[]).includes(first) ? first : 'lint';
    const args = cmd === 'lint' && first !== 'lint' ? argv : rest;
    switch (cmd) {
      case 'lint':
        return await (await import('./lint.js')).lintCommand(args, io);
      case 'chart':
        return await (await import('./lint.js')).chartCommand(args, io);
      case 'post-render':
        return await (await import('./post-render.js')).postRenderCommand(args, io);
      case 'fix':
        return await (await import('./fix.js')).fixCommand(args, io);
      case 'rules':
      case 'explain':
      case 'schema':
      case 'docs-gen':
        return await (await import('./info.js')).infoCommand(cmd, args, io);
      case 'preflight':
        return await (await import('./preflight.js')).preflightCommand(args, io);
      case 'serve':
      case 'certs':
        return await (await import('./serve.js')).serveCommand(cmd, args, io);
    }
    return 2;
  } catch (e) {
    const ue = toUserError(e);
    if (ue) {
      io.stderr(`${ue.format()}\n`);
      return 2;
    }
    // A bug: still one line (and the stack only when asked for).
    const msg = e instanceof Error ? e.message : String(e);
    io.stderr(`imply-lint: internal error: ${msg.split('\n')[0]}${io.env.IMPLY_LINT_DEBUG ? `\n${(e as Error).stack ?? ''}` : ''}\n`);
    return 2;
  }
}
