// CLI stage: reads the files named on the command line (files, directories, `-` for stdin) into
// SourceFiles. Missing, unreadable and binary files are UserErrors; YAML problems stay data.
import fs from 'node:fs';
import path from 'node:path';
import { FileTooLargeError, readFileBounded } from '../model/read-bounded.js';
import { decodeUtf8, detectRole, looksBinary, makeSource } from '../model/source.js';
import type { SourceFile } from '../model/types.js';
import { DEFAULT_LIMITS, YamlLimitError } from '../model/yaml.js';
import { UserError } from './errors.js';

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<Buffer>;
  cwd: string;
  env: Record<string, string | undefined>;
  isTTY: boolean;
}

/** Largest single input accepted (a limit, reported as exit 2): the YAML reader's byte limit. */
export const MAX_INPUT_BYTES = DEFAULT_LIMITS.maxBytes;

/** The path shown for a file: relative to cwd when inside it. */
export function displayPath(p: string, cwd: string): string {
  if (p === '-') return '<stdin>';
  const abs = path.resolve(cwd, p);
  const rel = path.relative(cwd, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : abs;
}

/** Expands directories into their YAML files (sorted; node_modules and dot-folders skipped). */
export function expandPaths(paths: string[], cwd: string): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(p);
      continue;
    }
    const abs = path.resolve(cwd, p);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      throw new UserError('no such file or directory', displayPath(p, cwd));
    }
    if (st.isDirectory()) {
      const found: string[] = [];
      const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
          if (e.name.startsWith('.') || e.name === 'node_modules') continue;
          const full = path.join(dir, e.name);
          if (e.isDirectory()) walk(full);
          else if (/\.ya?ml$/i.test(e.name)) found.push(full);
        }
      };
      walk(abs);
      if (found.length === 0) throw new UserError('directory holds no .yaml or .yml file', displayPath(p, cwd));
      out.push(...found);
    } else out.push(abs);
  }
  return out;
}

/** Reads and parses one input. Role: as given, or detected from content. */
export async function readSource(p: string, io: Io, role?: SourceFile['role']): Promise<SourceFile> {
  const shown = displayPath(p, io.cwd);
  let buf: Buffer;
  try {
    if (p === '-') buf = await io.readStdin();
    else {
      const abs = path.resolve(io.cwd, p);
      const st = fs.statSync(abs);
      if (st.isDirectory()) throw new UserError('is a directory (pass it as a positional argument to walk it)', shown);
      // Bounded: a pipe (`<(helm template ...)`) or a device (`/dev/zero`) has no size to check first.
      buf = readFileBounded(abs, MAX_INPUT_BYTES);
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    if (e instanceof FileTooLargeError) throw new UserError(`limit exceeded (bytes): file larger than ${MAX_INPUT_BYTES} bytes`, shown);
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read: ${(e as Error).message}`, shown);
  }
  if (buf.length > MAX_INPUT_BYTES) throw new UserError(`limit exceeded (bytes): input larger than ${MAX_INPUT_BYTES} bytes`, shown);
  if (looksBinary(buf)) throw new UserError('binary file, not YAML', shown);
  const text = decodeUtf8(buf, shown);
  let src: SourceFile;
  try {
    src = makeSource(shown, text, role ?? 'values');
  } catch (e) {
    if (e instanceof YamlLimitError) throw new UserError(`limit exceeded (${e.kind}): ${e.message}`, shown, e.line, e.column);
    throw e;
  }
  if (!role) src.role = detectRole(src.docs);
  return src;
}
