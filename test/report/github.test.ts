import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, githubReporter } from '../../src/report/github.js';
import type { LintRun } from '../../src/report/types.js';
import { context, emptyRun, findingOf, oddRun, referenceRun, richRun } from '../fixtures/report/runs.js';

interface Command {
  command: string;
  props: Record<string, string>;
  message: string;
}

/** Parses a workflow command line the way the runner does, undoing the escapes. */
function parse(line: string): Command {
  const m = /^::([a-z]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const unData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const unProp = (s: string) => unData(s.replace(/%3A/g, ':').replace(/%2C/g, ','));
  const props: Record<string, string> = {};
  for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
    const eq = kv.indexOf('=');
    props[kv.slice(0, eq)] = unProp(kv.slice(eq + 1));
  }
  return { command: m[1], props, message: unData(m[3]) };
}

function commands(run: LintRun): Command[] {
  const out = githubReporter(run, context());
  const lines = out.split('\n');
  expect(lines.pop()).toBe('');
  return lines.map(parse);
}

describe('github reporter', () => {
  const run = richRun();
  const cmds = commands(run);

  it('annotates every unsuppressed finding, nothing else', () => {
    const open = run.results.flatMap((r) => r.findings).filter((f) => !f.suppressed);
    expect(cmds).toHaveLength(open.length);
    expect(cmds.map((c) => c.props.title)).toEqual(open.map((f) => f.ruleId));
    for (const target of ['suppressed.yaml', 'exempted.yaml', 'annotated.rendered.yaml']) {
      expect(cmds.some((c) => c.props.title === 'no-quickstart-minio' && c.props.file === target), target).toBe(false);
    }
  });

  it('writes ::error with file, line, columns, title and the message with its fix', () => {
    const f = findingOf(run, 'values.yaml', 'no-quickstart-minio');
    const line = githubReporter(run, context())
      .split('\n')
      .find((l) => l.includes('file=values.yaml,') && l.includes('title=no-quickstart-minio'))!;
    expect(line.startsWith('::error file=values.yaml,line=3,col=3,endLine=3,endColumn=8,title=no-quickstart-minio::')).toBe(true);
    const c = parse(line);
    expect(c.message).toBe(`${f.message}\nFix: ${f.fix}\nFrom: values.yaml:3`);
  });

  it('maps severities to error, warning and notice', () => {
    const level = (file: string) => cmds.find((c) => c.props.title === 'no-quickstart-minio' && c.props.file === file)?.command;
    expect(level('values.yaml')).toBe('error');
    expect(level('warning.yaml')).toBe('warning');
    expect(level('info.yaml')).toBe('notice');
  });

  it('omits columns for annotations spanning several lines', () => {
    const multi = cmds.filter((c) => c.props.endLine !== c.props.line);
    for (const c of multi) {
      expect(c.props.col).toBeUndefined();
      expect(c.props.endColumn).toBeUndefined();
    }
    const single = cmds.filter((c) => c.props.endLine === c.props.line);
    expect(single.length).toBeGreaterThan(0);
    for (const c of single) expect(Number(c.props.endColumn)).toBeGreaterThanOrEqual(Number(c.props.col));
  });

  it('escapes data and properties like actions/toolkit', () => {
    expect(escapeData('100% done\r\nnext')).toBe('100%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%d\ne')).toBe('a%3Ab%2Cc%25d%0Ae');
    const odd = githubReporter(oddRun(), context());
    expect(odd).toContain('file=we%2Cird%3Aname%25<&>.yaml,');
    expect(odd).toContain('file=odd/emoji values.yaml,');
    const parsed = odd.trimEnd().split('\n').map(parse);
    expect(parsed.map((c) => c.props.file)).toContain('we,ird:name%<&>.yaml');
    // Every command is on one line: messages never break it.
    for (const l of odd.trimEnd().split('\n')) expect(l.startsWith('::')).toBe(true);
  });

  it('uses paths relative to the working directory', () => {
    const abs = referenceRun(true);
    const out = githubReporter(abs, context({ cwd: abs.results[0].findings[0].location!.file.replace(/\/[^/]*$/, '') }));
    for (const c of out.trimEnd().split('\n').map(parse)) expect(c.props.file).not.toMatch(/^\//);
  });

  it('prints nothing for a clean run and reports rule errors', () => {
    expect(githubReporter(emptyRun(), context())).toBe('');
    const r: LintRun = { ...emptyRun(), results: [{ ...run.results[0], findings: [], ruleErrors: [{ ruleId: 'zookeeper-ha', message: 'boom\nsecond line' }] }] };
    const [c] = commands(r);
    expect(c).toEqual({ command: 'error', props: { title: 'zookeeper-ha' }, message: 'Rule zookeeper-ha failed on values.yaml: boom\nsecond line' });
  });
});
