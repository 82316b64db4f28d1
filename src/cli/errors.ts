// CLI stage: the one error type the CLI prints as a single line and turns into exit code 2.

/** Something that cannot be linted at all: a bad flag, a missing or binary file, an invalid policy. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }

  /** `imply-lint: file:line:col: message`, one line. */
  format(): string {
    const where = this.file ? `${this.file}${this.line ? `:${this.line}${this.column ? `:${this.column}` : ''}` : ''}: ` : '';
    return `imply-lint: ${where}${this.message.split('\n')[0]}`;
  }
}

interface Located {
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

/** Maps the typed errors of the model, policy and helm layers to a UserError; undefined for bugs. */
export function toUserError(e: unknown, fallbackFile?: string): UserError | undefined {
  if (e instanceof UserError) return e;
  if (!(e instanceof Error)) return undefined;
  const name = e.constructor.name;
  const known = ['InputError', 'PolicyError', 'YamlLimitError', 'SetSyntaxError', 'HelmError', 'PreflightError', 'CertError', 'ServeConfigError'];
  if (!known.includes(name)) return undefined;
  const l = e as unknown as Located;
  const prefix = name === 'YamlLimitError' ? 'limit exceeded: ' : name === 'SetSyntaxError' ? 'invalid --set: ' : '';
  return new UserError(prefix + e.message, l.file ?? fallbackFile, l.line, l.column);
}
