// Report stage: the output format names (kept apart from the reporters so the CLI can validate
// --format without loading them).

/** Output formats, in the order `--help` lists them. */
export const FORMATS = ['text', 'json', 'sarif', 'github', 'junit', 'html', 'codeclimate', 'policyreport', 'openreports'] as const;
export type Format = (typeof FORMATS)[number];

/** True for a known format name. */
export function isFormat(s: string): s is Format {
  return (FORMATS as readonly string[]).includes(s);
}
