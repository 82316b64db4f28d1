// Fix stage: SARIF `fixes`. Each fix's region and insertedContent, applied to the values file, give a text
// that lints without that finding; secrets never appear in a fix.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyReplacement } from '../../src/fix/text-fix.js';
import { cli, findingsOf, REF23, ROOT } from '../helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-sarif-fix-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface SarifFix {
  description: { text: string };
  artifactChanges: { artifactLocation: { uri: string }; replacements: { deletedRegion: { startLine: number; startColumn: number; endLine: number; endColumn: number }; insertedContent: { text: string } }[] }[];
}

describe.each([
  ['quickstart-values.yaml', path.join(ROOT, 'examples/quickstart-values.yaml')],
  ['values.public-user-copy.yaml', path.join(REF23, 'values.public-user-copy.yaml')],
])('SARIF fixes for %s', (name, source) => {
  const file = path.join(dir, name);
  fs.copyFileSync(source, file);
  const text = fs.readFileSync(file, 'utf8');

  it('apply to the file and lint clean of that finding', async () => {
    const r = await cli([name, '--format', 'sarif', '--fail-on', 'none'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const log = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; partialFingerprints: Record<string, string>; fixes?: SarifFix[] }[] }[] };
    const withFixes = log.runs[0].results.filter((x) => x.fixes);
    expect(withFixes.length).toBeGreaterThanOrEqual(5);
    for (const res of withFixes) {
      const fix = res.fixes![0];
      expect(fix.artifactChanges[0].artifactLocation.uri).toBe(name);
      expect(fix.description.text.length).toBeGreaterThan(10);
      const rep = fix.artifactChanges[0].replacements[0];
      for (const secret of ['implypassword', 'psltest']) expect(rep.insertedContent.text).not.toContain(secret);
      const fixed = applyReplacement(text, { ...rep.deletedRegion, insertedContent: rep.insertedContent.text });
      const out = path.join(dir, `fixed-${res.ruleId}.yaml`);
      fs.writeFileSync(out, fixed);
      const again = await cli([out, '--format', 'json', '--fail-on', 'none'], { cwd: dir });
      const fps = findingsOf(again.stdout).map((f) => f.fingerprint);
      expect(fps, `${res.ruleId} still reported after its SARIF fix`).not.toContain(res.partialFingerprints['implyLint/v1']);
    }
  });

  it('other formats carry no text fix', async () => {
    const r = await cli([name, '--format', 'json', '--fail-on', 'none'], { cwd: dir });
    expect(r.stdout).not.toContain('artifactChanges');
  });
});
