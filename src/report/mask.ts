// Report stage: hides secret values in the source text reports quote (code frames, SARIF snippets), so a
// password in a values file or a literal env value is never echoed. Same length per line: columns hold.

/** Keys whose values are secrets (not `secretName`, `secretKeyRef`, `existingSecret`: those name Secrets). */
const SECRET_KEY = /(password|passwd|pwd|secret|token|licen[cs]ekey|accesskey|secretkey|privatekey|tls\.key|auth-token|credentials?)$/i;
/** Env var names whose literal `value:` is a secret. */
const SECRET_ENV = /(PASSWORD|PASSWD|SECRET|TOKEN|LICENSE_KEY|ACCESS_KEY|SECRET_KEY|PRIVATE_KEY)$/i;

const KEY_LINE = /^(\s*(?:-\s+)?)(["']?)([^"':#\s][^"':#]*?)\2(\s*:\s+)(.*)$/;

function starValue(v: string): string {
  const t = v.replace(/\s+#.*$/, '');
  if (t === '' || t === '|' || t === '>' || /^[|>][-+]?\d*$/.test(t) || t === '""' || t === "''" || t === '~' || t === 'null') return v;
  if (/^[{[]/.test(t) || /^\{\{/.test(t)) return v; // flow collections and templates are not secrets themselves
  const inner = t.replace(/^(["'])(.*)\1$/, '$2');
  const start = t.indexOf(inner);
  return v.slice(0, start) + '*'.repeat(inner.length) + v.slice(start + inner.length);
}

/** Masks secret values line by line (block scalars under a secret key are masked whole). */
export function maskSecrets(text: string): string {
  if (!/(password|passwd|secret|token|licen|key)/i.test(text)) return text;
  const lines = text.split('\n');
  let blockIndent = -1;
  let secretEnvIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const indent = line.length - line.trimStart().length;
    if (blockIndent >= 0) {
      if (line.trim() === '' || indent > blockIndent) {
        lines[i] = line.slice(0, indent) + '*'.repeat(line.length - indent);
        continue;
      }
      blockIndent = -1;
    }
    const m = KEY_LINE.exec(line);
    if (!m) continue;
    const [, lead, , key, sep, value] = m;
    if (key === 'name' && SECRET_ENV.test(value.replace(/["']/g, '').trim())) {
      secretEnvIndent = lead.length;
      continue;
    }
    const isEnvValue = key === 'value' && secretEnvIndent >= 0 && lead.trimEnd().length <= secretEnvIndent + 2 && lead.length >= secretEnvIndent - 2;
    if (key !== 'value' && key !== 'name') secretEnvIndent = lead.includes('-') ? -1 : secretEnvIndent;
    if (SECRET_KEY.test(key) || isEnvValue) {
      if (isEnvValue) secretEnvIndent = -1;
      const v = value.trim();
      if (/^[|>]/.test(v)) blockIndent = indent;
      lines[i] = `${lead}${m[2]}${key}${m[2]}${sep}${starValue(value)}`;
    }
  }
  return lines.join('\n');
}
