// Baselines (--baseline / --write-baseline, src/cli/baseline.ts): a baseline written from a run hides all of
// its findings; fingerprints survive reformatting, comments, key and document order and line shifts, while
// a newly introduced problem is reported. Baselines from a previous --format json or sarif run work too.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isSeq, parse, parseDocument, visit } from 'yaml';
import { applyBaseline, BASELINE_KIND, baselineDocument, parseBaseline } from '../../src/cli/baseline.js';
import { FINGERPRINT_KEY } from '../../src/report/sarif.js';
import { cli, findingsOf, REF23, ROOT } from '../helpers/cli.js';
import { helmBin } from '../helpers/helm.js';

const Ajv = AjvDraft04Module as unknown as typeof AjvDraft04Module.default;
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imply-lint-baseline-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Errors and warnings of Microsoft's SARIF validator (SARIF and GitHub rule sets; URI reachability off). */
function multitoolProblems(dir: string, sarif: string): string[] {
  const bin = path.join(ROOT, 'node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool');
  const st = fs.statSync(bin);
  if (!(st.mode & 0o100)) fs.chmodSync(bin, st.mode | 0o100);
  const config = path.join(dir, 'validate.xml');
  fs.writeFileSync(
    config,
    '<?xml version="1.0" encoding="utf-8"?>\n<Properties>\n  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">\n' +
      '    <Property Key="RuleEnabled" Value="Disabled" Type="Driver.RuleEnabledState" />\n  </Properties>\n</Properties>\n',
  );
  fs.writeFileSync(path.join(dir, 'check.sarif'), sarif);
  execFileSync(bin, ['validate', '--rule-kind', 'Sarif;Gh', '--level', 'Error;Warning;Note', '-c', config, '-o', path.join(dir, 'check.log.sarif'), path.join(dir, 'check.sarif')], {
    stdio: 'pipe',
    timeout: 120_000,
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
  });
  const log = JSON.parse(read(path.join(dir, 'check.log.sarif')));
  const results: { level?: string; ruleId: string; message: { arguments?: string[] } }[] = log.runs[0].results ?? [];
  // It ran (notes for our kebab-case rule ids), and found nothing worse than notes.
  expect(results.some((x) => x.ruleId === 'SARIF2009')).toBe(true);
  return results.filter((x) => (x.level ?? 'warning') !== 'note').map((x) => `${x.ruleId} ${JSON.stringify(x.message.arguments)}`);
}

/** A fresh working directory with some files (never written into ../shared). */
function workdir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'w-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const read = (p: string) => fs.readFileSync(p, 'utf8');
const QUICKSTART = read(path.join(ROOT, 'examples/quickstart-values.yaml'));
const PUBLIC_VALUES = read(path.join(REF23, 'values.public-user-copy.yaml'));
const QUICKSTART_RENDERED = read(path.join(REF23, 'quickstart.rendered.yaml'));

function fingerprints(stdout: string): string[] {
  return findingsOf(stdout)
    .filter((f) => !f.suppressed)
    .map((f) => f.fingerprint)
    .sort();
}

function expectOneLineError(r: { code: number; stderr: string; stdout: string }, file: string, what: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).toContain(file);
  expect(r.stderr).toMatch(what);
}

/** Values reformatted: keys reversed at every level, 4-space indent, maps of scalars in flow style, comments and blank lines above. */
function reformatValues(text: string): string {
  const doc = parseDocument(text);
  expect(doc.errors).toEqual([]);
  visit(doc, {
    Map(_, m) {
      m.items.reverse();
      if (m.items.every((p) => !isMap(p.value) && !isSeq(p.value))) m.flow = true;
    },
    // The yaml package re-emits a comment on a block scalar's header line as the scalar's content.
    Scalar(_, s) {
      if (s.type === 'BLOCK_LITERAL' || s.type === 'BLOCK_FOLDED') s.comment = undefined;
    },
  });
  doc.commentBefore = ' reformatted: keys reordered, flow style, 4-space indent';
  const out = `\n\n# a comment that shifts every line\n${doc.toString({ indent: 4, lineWidth: 0 })}`;
  // Same values, other text.
  expect(parse(out)).toEqual(parse(text));
  expect(out).not.toBe(text);
  return out;
}

/**
 * A rendered stream reformatted: documents in reverse order, each with a comment, every other one in flow
 * style, 4-space indent. (A document the `yaml` package cannot re-emit, one the chart renders in a form only
 * Go's YAML accepts, moves with the others unchanged.)
 */
function reformatStream(text: string): { text: string; reformatted: number } {
  const chunks = text.split(/^---[ \t]*$/m).filter((c) => !/^(\s*#.*)*\s*$/.test(c));
  let reformatted = 0;
  const out = chunks.reverse().map((c, i) => {
    const d = parseDocument(c);
    if (d.errors.length) return `# moved as is\n${c.replace(/^\n/, '')}`;
    reformatted++;
    if (i % 2 === 0) {
      visit(d, {
        Map(_, m) {
          m.flow = true;
        },
      });
    }
    d.commentBefore = ` moved document ${i}`;
    const emitted = d.toString({ indent: 4, lineWidth: 0 });
    expect(parse(emitted)).toEqual(parse(c));
    return emitted;
  });
  return { text: `\n\n${out.join('---\n')}`, reformatted };
}

describe('--write-baseline then --baseline', () => {
  it('hides every finding of the run it was written from; the report and the baseline come from one run', async () => {
    const dir = workdir({ 'values.yaml': QUICKSTART });
    const first = await cli(['--no-config', 'values.yaml', '--format', 'json', '--write-baseline', 'baseline.json'], { cwd: dir });
    expect(first.code).toBe(1);
    const fps = fingerprints(first.stdout);
    expect(fps.length).toBeGreaterThan(10);
    expect(JSON.parse(first.stdout).summary.baselined).toBeUndefined();

    const doc = JSON.parse(read(path.join(dir, 'baseline.json')));
    expect(doc.kind).toBe(BASELINE_KIND);
    expect(doc.version).toBe(1);
    expect(doc.tool.name).toBe('imply-lint');
    expect(doc.findings.map((f: { fingerprint: string }) => f.fingerprint).sort()).toEqual(fps);
    expect(doc.findings[0]).toEqual({ fingerprint: expect.any(String), ruleId: expect.any(String), subject: expect.any(String), target: 'values.yaml' });
    // Atomic write: no temporary file left behind.
    expect(fs.readdirSync(dir).sort()).toEqual(['baseline.json', 'values.yaml']);

    const second = await cli(['--no-config', 'values.yaml', '--format', 'json', '--baseline', 'baseline.json'], { cwd: dir });
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(findingsOf(second.stdout)).toEqual([]);
    expect(report.summary).toMatchObject({ errors: 0, warnings: 0, info: 0, total: 0, baselined: fps.length });

    const text = await cli(['--no-config', 'values.yaml', '--baseline', 'baseline.json'], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`0 errors, 0 warnings, 0 info, 0 suppressed, ${fps.length} baselined (1 target`);
  });

  it('the written baseline is sorted, has no lines, and does not change when only formatting does', async () => {
    const dir = workdir({ 'values.yaml': QUICKSTART });
    await cli(['--no-config', 'values.yaml', '--write-baseline', 'a.json'], { cwd: dir });
    fs.writeFileSync(path.join(dir, 'values.yaml'), reformatValues(QUICKSTART));
    await cli(['--no-config', 'values.yaml', '--write-baseline', 'b.json'], { cwd: dir });
    expect(read(path.join(dir, 'b.json'))).toBe(read(path.join(dir, 'a.json')));
    expect(read(path.join(dir, 'a.json'))).not.toMatch(/"line"/);
  });

  it('values: reformatting, comments, key order and shifted lines keep the fingerprints; a new problem is reported', async () => {
    const dir = workdir({ 'values.yaml': QUICKSTART });
    const before = await cli(['--no-config', 'values.yaml', '--format', 'json', '--write-baseline', 'baseline.json'], { cwd: dir });
    const moved = reformatValues(QUICKSTART);
    // The edit really moves and reshapes things.
    expect(moved).toMatch(/^ {4}\S/m);
    expect(moved).toMatch(/\{ .*: .* \}/);
    expect(moved.indexOf('zookeeper:')).toBeLessThan(moved.indexOf('images:'));
    fs.writeFileSync(path.join(dir, 'values.yaml'), moved);

    const after = await cli(['--no-config', 'values.yaml', '--format', 'json'], { cwd: dir });
    expect(fingerprints(after.stdout)).toEqual(fingerprints(before.stdout));
    // ... while the lines did change.
    const lines = (s: string) => findingsOf(s).map((f) => `${f.fingerprint}@${f.location?.line}`).sort();
    expect(lines(after.stdout)).not.toEqual(lines(before.stdout));

    const hidden = await cli(['--no-config', 'values.yaml', '--format', 'json', '--baseline', 'baseline.json'], { cwd: dir });
    expect(hidden.code).toBe(0);
    expect(findingsOf(hidden.stdout)).toEqual([]);

    // A new problem (a misspelt key) is reported; the old ones stay hidden.
    fs.writeFileSync(path.join(dir, 'values.yaml'), `${moved}zookeper:\n    replicaCount: 3\n`);
    const fresh = await cli(['--no-config', 'values.yaml', '--format', 'json', '--baseline', 'baseline.json', '--fail-on', 'warning'], { cwd: dir });
    expect(fresh.code).toBe(1);
    expect(findingsOf(fresh.stdout).map((f) => [f.ruleId, f.path])).toEqual([['unknown-key', 'zookeper']]);
    expect(JSON.parse(fresh.stdout).summary.baselined).toBe(fingerprints(before.stdout).length);
  });

  it('the reference chart values (585 lines, many comments) reformatted keep their fingerprints', async () => {
    const dir = workdir({ 'values.yaml': PUBLIC_VALUES });
    const before = await cli(['--no-config', 'values.yaml', '--format', 'json', '--write-baseline', 'baseline.json'], { cwd: dir });
    expect(fingerprints(before.stdout).length).toBeGreaterThan(3);
    fs.writeFileSync(path.join(dir, 'values.yaml'), reformatValues(PUBLIC_VALUES));
    const after = await cli(['--no-config', 'values.yaml', '--format', 'json'], { cwd: dir });
    expect(fingerprints(after.stdout)).toEqual(fingerprints(before.stdout));
    const hidden = await cli(['--no-config', 'values.yaml', '--baseline', 'baseline.json'], { cwd: dir });
    expect(hidden.code).toBe(0);
    expect(hidden.stdout).toMatch(/0 errors, 0 warnings, 0 info, 0 suppressed, \d+ baselined/);
  });

  it('manifests: documents reordered and reformatted keep their fingerprints; a new problem is reported', async () => {
    const dir = workdir({ 'rendered.yaml': QUICKSTART_RENDERED });
    const before = await cli(['--no-config', 'rendered.yaml', '--format', 'json', '--write-baseline', 'baseline.json'], { cwd: dir });
    expect(before.code).toBe(1);
    const { text, reformatted } = reformatStream(QUICKSTART_RENDERED);
    expect(reformatted).toBeGreaterThan(20);
    fs.writeFileSync(path.join(dir, 'rendered.yaml'), text);

    const after = await cli(['--no-config', 'rendered.yaml', '--format', 'json'], { cwd: dir });
    expect(fingerprints(after.stdout)).toEqual(fingerprints(before.stdout));
    const hidden = await cli(['--no-config', 'rendered.yaml', '--format', 'json', '--baseline', 'baseline.json'], { cwd: dir });
    expect(hidden.code).toBe(0);
    expect(findingsOf(hidden.stdout)).toEqual([]);

    // An agent image moved to :latest is new.
    const changed = reformatStream(QUICKSTART_RENDERED.replace('imply/agent:v15', 'imply/agent:latest')).text;
    expect(changed).toContain('imply/agent:latest');
    fs.writeFileSync(path.join(dir, 'rendered.yaml'), changed);
    const fresh = await cli(['--no-config', 'rendered.yaml', '--format', 'json', '--baseline', 'baseline.json'], { cwd: dir });
    expect(findingsOf(fresh.stdout).map((f) => f.ruleId)).toEqual(['image-tag-pinned']);
  });

  it('--quiet and the exit code count only what the baseline did not hide', async () => {
    const dir = workdir({ 'values.yaml': QUICKSTART });
    await cli(['--no-config', 'values.yaml', '--write-baseline', 'baseline.json', '--rule', 'no-quickstart-minio'], { cwd: dir });
    // The baseline knows only the MinIO finding: the other errors still fail the run.
    const r = await cli(['--no-config', 'values.yaml', '--baseline', 'baseline.json', '-q', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const ids = findingsOf(r.stdout).map((f) => f.ruleId);
    expect(ids).not.toContain('no-quickstart-minio');
    expect(ids).toContain('no-quickstart-mysql');
    expect(new Set(findingsOf(r.stdout).map((f) => f.severity))).toEqual(new Set(['error']));
    expect(JSON.parse(r.stdout).summary.baselined).toBe(1);
  });

  it('one file can be read as --baseline and rewritten as --write-baseline (fixed findings drop out)', async () => {
    const dir = workdir({ 'values.yaml': QUICKSTART });
    await cli(['--no-config', 'values.yaml', '--write-baseline', 'baseline.json'], { cwd: dir });
    const n = JSON.parse(read(path.join(dir, 'baseline.json'))).findings.length;
    expect(QUICKSTART).toContain('zookeeper:\n  replicaCount: 1\n');
    fs.writeFileSync(path.join(dir, 'values.yaml'), QUICKSTART.replace('zookeeper:\n  replicaCount: 1\n', 'zookeeper:\n  replicaCount: 3\n'));
    const r = await cli(['--no-config', 'values.yaml', '--baseline', 'baseline.json', '--write-baseline', 'baseline.json', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const rewritten = JSON.parse(read(path.join(dir, 'baseline.json'))).findings;
    expect(rewritten.length).toBeLessThan(n);
    expect(rewritten).toHaveLength(n - 1);
    expect(rewritten.map((f: { ruleId: string }) => f.ruleId)).not.toContain('zookeeper-ha');
  });
});

describe('counts: a fingerprint in several targets', () => {
  it('a baseline hides as many occurrences as it holds; the same target is matched first, a renamed file still matches', async () => {
    const dir = workdir({ 'a.yaml': QUICKSTART, 'b.yaml': QUICKSTART });
    const base = await cli(['--no-config', 'a.yaml', 'b.yaml', '--format', 'json', '--write-baseline', 'baseline.json'], { cwd: dir });
    const perFile = fingerprints(base.stdout).length / 2;
    const doc = JSON.parse(read(path.join(dir, 'baseline.json')));
    expect(doc.findings).toHaveLength(perFile * 2);

    // A third file with the same problems: its findings are new, a's and b's stay hidden.
    fs.writeFileSync(path.join(dir, '0-new.yaml'), QUICKSTART);
    const three = await cli(['--no-config', '0-new.yaml', 'a.yaml', 'b.yaml', '--format', 'json', '--baseline', 'baseline.json'], { cwd: dir });
    const report = JSON.parse(three.stdout);
    expect(report.results.map((r: { findings: unknown[] }) => r.findings.length)).toEqual([perFile, 0, 0]);
    expect(report.summary.baselined).toBe(perFile * 2);

    // b.yaml renamed: the count left over matches it.
    fs.renameSync(path.join(dir, 'b.yaml'), path.join(dir, 'c.yaml'));
    const renamed = await cli(['--no-config', 'a.yaml', 'c.yaml', '--format', 'json', '--baseline', 'baseline.json'], { cwd: dir });
    expect(findingsOf(renamed.stdout)).toEqual([]);
  });

  it('applyBaseline: suppressed findings are never matched and never consume the count', () => {
    const f = (fingerprint: string, suppressed = false) => ({
      ruleId: 'r',
      messageId: 'm',
      severity: 'error' as const,
      message: 'x',
      fix: 'y',
      subject: 's',
      fingerprint,
      related: [],
      ...(suppressed ? { suppressed: { kind: 'inline' as const, reason: 'because' } } : {}),
    });
    const result = (target: string, findings: ReturnType<typeof f>[]) => ({ target, inputs: [target], findings, ruleErrors: [], applicable: [], score: { value: 0, passedWeight: 0, applicableWeight: 1 } });
    const out = applyBaseline([result('x', [f('A', true), f('B')]), result('y', [f('A'), f('B')])] as never, { file: 'b', format: 'baseline', entries: [{ fingerprint: 'A' }, { fingerprint: 'B', target: 'y' }] });
    expect(out.baselined).toBe(2);
    expect(out.results.map((r) => r.findings.map((x) => `${x.fingerprint}${x.suppressed ? '(s)' : ''}`))).toEqual([['A(s)', 'B'], []]);
  });
});

describe('baselines from earlier reports', () => {
  it('a previous --format json report works as a baseline', async () => {
    const dir = workdir({ 'values.yaml': QUICKSTART });
    const prev = await cli(['--no-config', 'values.yaml', '--format', 'json', '-o', 'prev.json'], { cwd: dir });
    expect(prev.code).toBe(1);
    expect(parseBaseline(read(path.join(dir, 'prev.json')), 'prev.json').format).toBe('json');
    fs.writeFileSync(path.join(dir, 'values.yaml'), reformatValues(QUICKSTART));
    const r = await cli(['--no-config', 'values.yaml', '--baseline', 'prev.json', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(findingsOf(r.stdout)).toEqual([]);
  });

  it('a previous --format sarif log works as a baseline, and the new log marks its results baselineState new', { timeout: 180_000 }, async () => {
    const dir = workdir({ 'values.yaml': QUICKSTART });
    await cli(['--no-config', 'values.yaml', '--format', 'sarif', '-o', 'prev.sarif'], { cwd: dir });
    const prev = JSON.parse(read(path.join(dir, 'prev.sarif')));
    expect(prev.runs[0].results.length).toBeGreaterThan(10);
    expect(prev.runs[0].results[0].partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{32}$/);
    const parsed = parseBaseline(read(path.join(dir, 'prev.sarif')), 'prev.sarif');
    expect(parsed.format).toBe('sarif');
    expect(parsed.entries[0].target).toBe('values.yaml');

    fs.writeFileSync(path.join(dir, 'values.yaml'), `${reformatValues(QUICKSTART)}zookeper:\n    replicaCount: 3\n`);
    const r = await cli(['--no-config', 'values.yaml', '--baseline', 'prev.sarif', '--format', 'sarif'], { cwd: dir });
    const log = JSON.parse(r.stdout);
    expect(log.runs[0].results.map((x: { ruleId: string; baselineState: string }) => [x.ruleId, x.baselineState])).toEqual([['unknown-key', 'new']]);
    // Still a valid SARIF 2.1.0 log (test/report/sarif.test.ts also runs Microsoft's validator on such logs).
    const schema = JSON.parse(read(path.join(ROOT, 'node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json')));
    schema.$schema = 'http://json-schema.org/draft-04/schema#';
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    expect(validate(log), ajv.errorsText(validate.errors)).toBe(true);
    expect(multitoolProblems(dir, r.stdout)).toEqual([]);
    // Without --baseline, no baselineState.
    const plain = JSON.parse((await cli(['--no-config', 'values.yaml', '--format', 'sarif'], { cwd: dir })).stdout);
    expect(plain.runs[0].results.every((x: object) => !('baselineState' in x))).toBe(true);
  });

  it('suppressed findings of an earlier report are not part of the baseline', () => {
    const json = { version: 1, tool: { name: 'imply-lint', version: '0' }, results: [{ target: 't', findings: [{ fingerprint: 'a', suppressed: true }, { fingerprint: 'b', suppressed: false }] }], summary: {} };
    expect(parseBaseline(JSON.stringify(json), 'r.json').entries).toEqual([{ fingerprint: 'b', target: 't' }]);
    const sarif = {
      version: '2.1.0',
      runs: [{ results: [{ partialFingerprints: { [FINGERPRINT_KEY]: 'a' }, suppressions: [{ kind: 'inSource', status: 'accepted' }] }, { fingerprints: { [FINGERPRINT_KEY]: 'c' } }] }],
    };
    expect(parseBaseline(JSON.stringify(sarif), 'r.sarif').entries).toEqual([{ fingerprint: 'c', target: undefined }]);
    // An empty run of ours (nothing found) is an empty baseline, not an error.
    expect(parseBaseline(JSON.stringify({ version: '2.1.0', runs: [{ results: [] }] }), 'e.sarif').entries).toEqual([]);
  });

  it('the baseline document lists unsuppressed findings with their target', () => {
    const doc = baselineDocument([{ target: 't', inputs: [], findings: [{ fingerprint: 'f', ruleId: 'r', subject: 's', suppressed: undefined }, { fingerprint: 'g', ruleId: 'r', subject: 'u', suppressed: { kind: 'inline', reason: 'x' } }], ruleErrors: [], applicable: [], score: { value: 0, passedWeight: 0, applicableWeight: 0 } }] as never, { name: 'imply-lint', version: '1.2.3' });
    expect(doc).toEqual({ kind: BASELINE_KIND, version: 1, tool: { name: 'imply-lint', version: '1.2.3' }, findings: [{ fingerprint: 'f', ruleId: 'r', subject: 's', target: 't' }] });
  });
});

describe('bad baselines: one line, exit 2, naming the file', () => {
  const cases: [string, string | undefined, RegExp][] = [
    ['missing.json', undefined, /file not found/],
    ['garbage.json', 'not json at all {', /not JSON/],
    ['empty.json', '', /not JSON/],
    ['other.json', '{"hello": "world"}', /not an imply-lint baseline, JSON report .* or SARIF/],
    ['list.json', '[1, 2, 3]', /not an imply-lint baseline/],
    ['future.json', JSON.stringify({ kind: BASELINE_KIND, version: 99, findings: [] }), /unsupported imply-lint-baseline version 99/],
    ['broken.json', JSON.stringify({ kind: BASELINE_KIND, version: 1, findings: [{ ruleId: 'x' }] }), /findings\[0\]: fingerprint must be a non-empty string/],
    ['v2.json', JSON.stringify({ version: 2, tool: { name: 'imply-lint' }, results: [], summary: {} }), /unsupported JSON report version 2/],
    ['eslint.sarif', JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'eslint' } }, results: [{ ruleId: 'no-undef', message: { text: 'x' } }] }] }), /no "implyLint\/v1" fingerprints/],
  ];
  for (const [name, content, what] of cases) {
    it(`${name}`, async () => {
      const dir = workdir({ 'values.yaml': QUICKSTART, ...(content === undefined ? {} : { [name]: content }) });
      const r = await cli(['--no-config', 'values.yaml', '--baseline', name], { cwd: dir });
      expectOneLineError(r, name, what);
      expect(r.stderr).toMatch(/^imply-lint: .*: baseline: /);
    });
  }

  it('a directory as baseline', async () => {
    const dir = workdir({ 'values.yaml': QUICKSTART });
    fs.mkdirSync(path.join(dir, 'sub'));
    expectOneLineError(await cli(['--no-config', 'values.yaml', '--baseline', 'sub'], { cwd: dir }), 'sub', /not a regular file/);
  });

  it('an unwritable --write-baseline path', async () => {
    const dir = workdir({ 'values.yaml': QUICKSTART, 'file': 'x' });
    const r = await cli(['--no-config', 'values.yaml', '--write-baseline', 'file/baseline.json'], { cwd: dir });
    expectOneLineError(r, 'file/baseline.json', /cannot write baseline/);
    expect(fs.readdirSync(dir).sort()).toEqual(['file', 'values.yaml']);
  });

  it('a bad --format fails before a baseline is written', async () => {
    const dir = workdir({ 'values.yaml': QUICKSTART });
    const r = await cli(['--no-config', 'values.yaml', '--format', 'nope', '--write-baseline', 'b.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(fs.existsSync(path.join(dir, 'b.json'))).toBe(false);
  });
});

describe('chart command', () => {
  it('takes --write-baseline and --baseline too', async () => {
    const CHART = path.join(ROOT, 'test/fixtures/imply-mini-chart');
    const dir = workdir({});
    const env = { HELM_BIN: helmBin(), HOME: dir, PATH: process.env.PATH ?? '' };
    const first = await cli(['chart', CHART, '--no-config', '--format', 'json', '--write-baseline', 'b.json'], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(1);
    const r = await cli(['chart', CHART, '--no-config', '--format', 'json', '--baseline', 'b.json'], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(findingsOf(r.stdout)).toEqual([]);
    expect(JSON.parse(r.stdout).summary.baselined).toBe(fingerprints(first.stdout).length);
  });
});
