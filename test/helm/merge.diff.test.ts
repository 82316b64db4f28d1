// Differential tests: imply-lint's values merge (src/model/values.ts, strvals.ts, yaml.ts) against real
// helm. The probe chart renders `{{ toJson .Values }}`, so each case runs
// `helm template probe test/fixtures/probe-chart -f ... --set ...` and compares helm's .Values with
// buildValuesModel(...).merged over the same chart defaults. Where helm refuses the input, we must
// report an error too (a located YAML error, a values-file problem, or a SetSyntaxError).
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeSource } from '../../src/model/source.js';
import { SetSyntaxError } from '../../src/model/strvals.js';
import { buildValuesModel, valuesFileProblems } from '../../src/model/values.js';
import { parseYamlStream } from '../../src/model/yaml.js';
import { helmMerged, PROBE_CHART } from '../helpers/helm.js';
import type { MergeOutcome, SetArg } from '../helpers/helm.js';

const defaultsText = fs.readFileSync(path.join(PROBE_CHART, 'values.yaml'), 'utf8');
const defaults = parseYamlStream(defaultsText)[0].value as Record<string, unknown>;

/** imply-lint's side: parse each file as the CLI does, then merge over the probe chart's defaults. */
function ourMerged(files: string[], sets: SetArg[] = []): MergeOutcome {
  const sources = files.map((text, i) => makeSource(`values-${i}.yaml`, text, 'values'));
  const problems = [
    ...sources.flatMap((s) => s.docs.flatMap((d) => d.errors.map((e) => `${e.code}: ${e.message}`))),
    ...sources.flatMap((s) => valuesFileProblems(s).map((p) => p.message)),
  ];
  try {
    const model = buildValuesModel({ files: sources, sets, defaults: structuredClone(defaults), defaultsLine: '2023' });
    if (problems.length > 0) return { ok: false, error: problems.join('; ') };
    return { ok: true, values: model.merged };
  } catch (e) {
    if (e instanceof SetSyntaxError) return { ok: false, error: e.message };
    throw e;
  }
}

/** Asserts both sides agree: equal values, or both refuse. Returns helm's outcome. */
async function agree(files: string[], sets: SetArg[] = []): Promise<MergeOutcome> {
  const helm = await helmMerged(files, sets);
  const ours = ourMerged(files, sets);
  if (helm.ok) {
    expect(ours.ok ? '' : ours.error, 'helm accepted this input').toBe('');
    if (ours.ok) expect(ours.values).toStrictEqual(helm.values);
  } else {
    expect(ours.ok, `helm refused (${helm.error}) but we accepted`).toBe(false);
  }
  return helm;
}

const set = (expr: string): SetArg => ({ flag: '--set', expr });
const setString = (expr: string): SetArg => ({ flag: '--set-string', expr });

interface Case {
  name: string;
  files?: string[];
  sets?: SetArg[];
  /** Documents the Helm behaviour the case pins down: checked against helm's output (and so ours). */
  expect?: (values: Record<string, unknown>) => void;
  /** helm refuses this input (and so must we). */
  refused?: true;
}

const get = (v: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((cur, k) => (cur !== null && typeof cur === 'object' && Object.prototype.hasOwnProperty.call(cur, k) ? (cur as Record<string, unknown>)[k] : undefined), v);

const cases: Case[] = [
  // -f layering
  { name: 'chart defaults alone (default nulls are kept)', expect: (v) => expect(v.nothing).toBeNull() },
  {
    name: 'later -f wins, maps deep-merge, lists replace',
    files: ['a: 1\nb: {c: 1, d: [1, 2]}\n', 'b: {c: 2, d: [3]}\n'],
    expect: (v) => expect(v.b).toStrictEqual({ c: 2, d: [3] }),
  },
  {
    name: 'a list replaces the default list (no concatenation)',
    files: ['druid:\n  commonRuntimeProperties:\n    - druid.s3.endpoint.url=https://s3.example.com\n'],
    expect: (v) => expect(get(v, 'druid', 'commonRuntimeProperties')).toStrictEqual(['druid.s3.endpoint.url=https://s3.example.com']),
  },
  { name: 'empty list and empty map over defaults', files: ['druid: {commonRuntimeProperties: []}\nmanager: {}\nsecurity: {}\n'] },
  {
    name: 'three layers on a nested map',
    files: ['manager: {metadataStore: {host: a, port: 1}}\n', 'manager: {metadataStore: {host: b}}\n', 'manager: {metadataStore: {user: null}}\n'],
  },
  // nulls
  {
    name: 'null deletes a default',
    files: ['security: null\nmanager: {metadataStore: {password: null}}\n'],
    expect: (v) => {
      expect('security' in v).toBe(false);
      expect(get(v, 'manager', 'metadataStore')).not.toHaveProperty('password');
    },
  },
  { name: 'null deletes a default map', files: ['druid: {zk: null}\n'] },
  {
    name: 'null for a key without default is kept',
    files: ['foo: null\nbar: {baz: null, q: 1}\n'],
    expect: (v) => {
      expect(v.foo).toBeNull();
      expect(get(v, 'bar', 'baz')).toBeNull();
    },
  },
  {
    name: 'null for a new key inside a default map is kept',
    files: ['manager: {newKey: null, metadataStore: {extra: null}}\nsecurity: {tls: null}\n'],
    expect: (v) => expect(get(v, 'security', 'tls')).toBeNull(),
  },
  { name: 'null over a null default deletes it', files: ['nothing: null\n'], expect: (v) => expect('nothing' in v).toBe(false) },
  { name: 'a later -f null replaces an earlier map', files: ['a: {x: {y: 1}}\n', 'a: null\n'] },
  { name: 'nulls inside lists are kept', files: ['druid: {commonRuntimeProperties: [null, {a: null}]}\n'] },
  // shapes
  { name: 'a user map over a default scalar', files: ['ratio: {a: 1}\nnothing: {b: 2}\n'] },
  { name: 'a user scalar over a default map', files: ['manager: 3\n'], expect: (v) => expect(v.manager).toBe(3) },
  { name: 'a user list over a default map', files: ['security: [1]\n'] },
  { name: 'a user map over a default list', files: ['druid: {customFiles: {a: 1}}\n'] },
  // YAML 1.1 scalars as Helm's go-yaml v2 reads them
  {
    name: 'YAML 1.1 booleans as values',
    files: ['b: [yes, no, on, off, y, n, True, FALSE, Y, N, YES, Off]\n'],
    expect: (v) => expect(v.b).toStrictEqual([true, false, true, false, true, false, true, false, true, false, true, false]),
  },
  {
    name: 'YAML 1.1 booleans as keys',
    files: ['k: {yes: 1, no: 2, on: 3, off: 4, y: 5, n: 6, True: 7, FALSE: 8}\n'],
    expect: (v) => expect(Object.keys(get(v, 'k') as object).sort()).toStrictEqual(['false', 'true']),
  },
  {
    name: 'numbers: sexagesimal, octal, hex, underscores, exponents',
    files: ['nums: [1:20, 0777, 0o17, 0x1F, 1_000, 1e3, .5, +1, -0, -0.0, 0b101, 1.0, -.5e-3, 012345678, 1e400, 0x_1F, 1__0, 08, 1., +.5, 0X1f, 1e-400]\n'],
    expect: (v) => expect(v.nums).toStrictEqual(['1:20', 511, 15, 31, 1000, 1000, 0.5, 1, 0, -0, 5, 1, -0.0005, 12345678, '1e400', 31, 10, 8, 1, 0.5, 31, 0]),
  },
  {
    name: 'integers past int64 and uint64',
    files: ['a: 18446744073709551615\nb: 9223372036854775807\nc: 99999999999999999999\nd: 0x1FFFFFFFFFFFFFFFFF\ne: 0777777777777777777777777\nf: -9223372036854775809\n'],
    expect: (v) => expect(v.d).toBe('0x1FFFFFFFFFFFFFFFFF'),
  },
  {
    name: 'timestamps stay strings',
    files: ['t: [2001-12-14, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10]\n'],
    expect: (v) => expect(v.t).toStrictEqual(['2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10']),
  },
  { name: 'null spellings and empty values', files: ['a:\nb: ~\nc: null\nd: NULL\ne: ""\nf: \'\'\ng: []\nh: {}\n'], expect: (v) => expect(v.a).toBeNull() },
  {
    name: 'quoted scalars stay strings, plain ones resolve',
    files: ['a: "yes"\nb: \'0777\'\nc: "1e3"\nd: yes\ne: "~"\n'],
    expect: (v) => expect([v.a, v.b, v.c, v.d, v.e]).toStrictEqual(['yes', '0777', '1e3', true, '~']),
  },
  {
    name: 'explicit tags',
    files: ['a: !!null ""\nb: !!bool "yes"\nc: !!int 0x1F\nd: !!int "1_0"\ne: !!float "1e3"\nf: !!float "0x1F"\ng: !custom "x"\nh: !custom 12\ni: !!binary "aGk="\nj: !!str 0x1F\nk: !!timestamp "2001-12-14"\nl: !!merge x\nm: !<tag:yaml.org,2002:int> "7"\nnz: !!int "-0"\no: ! 12\np: !!map {b: 1}\nq: !!set {b}\n'],
    expect: (v) => expect([v.c, v.h, v.i]).toStrictEqual([31, '12', 'hi']),
  },
  {
    name: 'map keys become JSON keys as sigs.k8s.io/yaml writes them',
    files: ['k:\n  1e3: a\n  0x1F: b\n  0777: c\n  3.14159265358979: e\n  .inf: f\n  1e21: g\n  .5: h\n  -0.0: i\n  12345678.9: j\n  1e6: k\n  123456.0: l\n  1e-5: m\n  -.inf: p\n  .nan: q\n  2001-12-14: r\n  1_0: t\n  1e400: u\n  9223372036854775807: x\n  99999999999999999999: z\n  16777217.0: zz\n  "quoted 1": qq\n  !!str 12: s12\n  !!int "13": i13\n'],
    expect: (v) => expect(Object.keys(get(v, 'k') as object)).toEqual(expect.arrayContaining(['1000', '31', '511', '3.1415927', '.inf', '1e+21', '0.5', '-0', '1.2345679e+07', '1e+06', '1e-05', '1e+20', '1.6777216e+07'])),
  },
  { name: 'anchors and aliases', files: ['base: &b {x: 1, y: [1, 2]}\nc: *b\nmanager: {metadataStore: *b}\n'] },
  {
    name: 'merge keys: explicit keys win, earlier sources win',
    files: ['base: &b {type: mysql, port: 3306}\nother: &o {port: 1, host: h}\nmanager:\n  metadataStore:\n    <<: [*b, *o]\n    type: postgresql\n'],
    expect: (v) => expect(get(v, 'manager', 'metadataStore')).toMatchObject({ type: 'postgresql', port: 3306, host: 'h' }),
  },
  { name: 'duplicate keys: the last wins, maps are not merged', files: ['a: 1\na: 2\nb: {c: 1}\nb: {d: 2}\n'], expect: (v) => expect([v.a, v.b]).toStrictEqual([2, { d: 2 }]) },
  { name: 'byte order mark', files: ['\ufeffa: 1\n'] },
  { name: 'CRLF line ends', files: ['a: 1\r\nb:\r\n  c: yes\r\n---\r\nd: 2\r\n'] },
  { name: 'unicode, dotted, empty and __proto__ keys', files: ['"ключ": 1\n"a.b": 2\n"": 3\n__proto__: {a: 1}\nconstructor: 2\n'] },
  { name: 'template strings pass through', files: ['druid: {zk: {connectString: "{{ .Release.Name }}-zk:2181"}}\n'] },
  // multi-document values files
  {
    name: 'every document of a values file is merged, in order',
    files: ['a: 1\n---\n# only a comment\n---\nb: {c: 1}\n---\nb: {d: 2}\n---\n~\n'],
    expect: (v) => expect([v.a, v.b]).toStrictEqual([1, { c: 1, d: 2 }]),
  },
  {
    name: 'a file\'s documents merge with each other before they merge over earlier files',
    files: ['druid:\n  a: yes\n', 'druid: yes\n---\ndruid: {}\n'],
    expect: (v) => expect(get(v, 'druid', 'a')).toBe(true),
  },
  { name: 'separators with spaces, tabs and comments', files: ['a: 1\n--- \nb: 2\n---#c\nc: 3\n---\t\nd: 4\n'], expect: (v) => expect(v.c).toBe(3) },
  { name: 'a document after ... without --- is never read', files: ['a: 1\n...\nb: 2\n'], expect: (v) => expect('b' in v).toBe(false) },
  { name: 'a document after ... and ---', files: ['a: 1\n...\n---\nb: 2\n'] },
  // what helm refuses
  { name: '.inf cannot be JSON', files: ['a: .inf\n'], refused: true },
  { name: '.nan cannot be JSON', files: ['a: [.nan]\n'], refused: true },
  { name: '!!float .inf cannot be JSON', files: ['a: !!float .inf\n'], refused: true },
  { name: 'a tag that does not fit the scalar', files: ['a: !!int abc\n'], refused: true },
  { name: '!!int on a float', files: ['a: !!int 1.5\n'], refused: true },
  { name: '!!bool on an int', files: ['a: !!bool 1\n'], refused: true },
  { name: '!!null on text', files: ['a: !!null abc\n'], refused: true },
  { name: 'bad base64', files: ['a: !!binary bad!\n'], refused: true },
  { name: 'a null key', files: ['~: d\n'], refused: true },
  { name: 'a sequence as a key', files: ['? [1, 2]\n: d\n'], refused: true },
  { name: 'a uint64 key', files: ['18446744073709551615: o\n'], refused: true },
  { name: 'a list document', files: ['[1, 2]\n'], refused: true },
  { name: 'a scalar document', files: ['hello\n'], refused: true },
  { name: 'a list as a later document', files: ['a: 1\n---\n[1]\n'], refused: true },
  { name: 'content after ---', files: ['--- {a: 1}\n'], refused: true },
  { name: '---- is no separator', files: ['a: 1\n----\nb: 2\n'], refused: true },
  { name: 'a %YAML directive', files: ['%YAML 1.1\n---\na: 1\n'], refused: true },
  { name: 'a tab in indentation', files: ['a: 1\n\tb: 2'], refused: true },
  { name: 'an unclosed flow sequence', files: ['a: 1\nb: [1, 2'], refused: true },
  // --set and --set-string
  { name: '--set nested keys', sets: [set('a.b.c=1'), set('manager.metadataStore.port=3306')] },
  { name: '--set lists {a,b}', sets: [set('a={x,y,1}'), set('druid.commonRuntimeProperties={a=b,c}')], expect: (v) => expect(v.a).toStrictEqual(['x', 'y', 1]) },
  { name: '--set {} is a list of one empty string', sets: [set('a={}')], expect: (v) => expect(v.a).toStrictEqual(['']) },
  { name: '--set continues after a list without a comma', sets: [set('a={x}y=1')], expect: (v) => expect(v.y).toBe(1) },
  { name: '--set a=x{y} is a string', sets: [set('a=x{y}')] },
  {
    name: '--set an index over an existing list',
    files: ['l: [1, 2, 3]\n'],
    sets: [set('l[1]=x'), set('l[5]=y')],
    expect: (v) => expect(v.l).toStrictEqual([1, 'x', 3, null, null, 'y']),
  },
  { name: '--set an index replaces the default list', sets: [set('druid.commonRuntimeProperties[1]=y')], expect: (v) => expect(get(v, 'druid', 'commonRuntimeProperties')).toStrictEqual([null, 'y']) },
  { name: '--set a[0].b=c', sets: [set('a[0].b=c'), set('a[2].d=e')] },
  { name: '--set nested list indexes', sets: [set('a[1]=x,a[0][0]=1'), set('b[0][1]=1')] },
  { name: '--set index forms [+1] and [01]', sets: [set('a[+1]=x'), set('b[01]=y')] },
  { name: '--set a[0] alone', files: ['l: [1, 2]\n'], sets: [set('l[0]'), set('a[0]')] },
  { name: '--set a[0].b= loses the new map', sets: [set('a[0].b=')], expect: (v) => expect(v.a).toStrictEqual([]) },
  {
    name: '--set escapes',
    sets: [set('a=x\\,y'), set('b\\.c=1'), set('nodeSelector.kubernetes\\.io/os=linux'), set('l={x\\,y,z\\}}'), set('t=x\\')],
    expect: (v) => expect(get(v, 'nodeSelector', 'kubernetes.io/os')).toBe('linux'),
  },
  { name: '--set = inside a value', sets: [set('a=b=c')], expect: (v) => expect(v.a).toBe('b=c') },
  { name: '--set true/false/null in any case', sets: [set('a=TRUE,b=False,c=NuLL,d=tRuE')], expect: (v) => expect([v.a, v.b, v.c]).toStrictEqual([true, false, null]) },
  {
    name: '--set integers: a leading 0 stays a string, int64 only',
    sets: [set('a=0123,b=123,c=-5,d=0,e=1e3,f=1.5,g=+7,h=00,i=-0,j=9223372036854775807,k=9223372036854775808')],
    expect: (v) => expect([v.a, v.e, v.h, v.k]).toStrictEqual(['0123', '1e3', '00', '9223372036854775808']),
  },
  { name: '--set empty values', sets: [set('a='), set('b.c='), set('d[0]=,e=1'), set('x=1,')] },
  { name: '--set empty keys assign nothing', sets: [set('=1'), set('.a=1')] },
  { name: '--set-string keeps strings', sets: [setString('a=true,b=123,c=null,d={1,2}')], expect: (v) => expect([v.a, v.b, v.c]).toStrictEqual(['true', '123', 'null']) },
  {
    name: 'all --set before all --set-string, whatever the order',
    sets: [setString('a=str'), set('a=1'), set('b=1'), setString('b=two')],
    expect: (v) => expect([v.a, v.b]).toStrictEqual(['str', 'two']),
  },
  { name: '--set null deletes a default', sets: [set('security=null'), set('manager.metadataStore.password=null')], expect: (v) => expect('security' in v).toBe(false) },
  { name: '--set null without a default is kept', sets: [set('zzz=null'), set('a.b=null')], expect: (v) => expect(v.zzz).toBeNull() },
  { name: '--set over a -f null', files: ['manager: {metadataStore: {host: null}}\n'], sets: [set('manager.metadataStore.port=1')] },
  { name: '--set into a -f scalar', files: ['f: 1\n'], sets: [set('f.b=2')], refused: true },
  { name: '--set an index into a -f map', files: ['m: {x: 1}\n'], sets: [set('m[0]=2')], refused: true },
  { name: '--set into a -f null', files: ['z: null\n'], sets: [set('z.b=2')], refused: true },
  { name: '--set-string into a --set scalar', sets: [set('a=1'), setString('a.b=1')], refused: true },
  { name: '--set a nested index into a scalar item', files: ['l: [1, 2]\n'], sets: [set('l[1][1]=x')], refused: true },
  { name: '--set a key without value', sets: [set('a.b')], refused: true },
  { name: '--set a.=1', sets: [set('a.=1')], refused: true },
  { name: '--set a..b=1', sets: [set('a..b=1')], refused: true },
  { name: '--set ,,', sets: [set('a=1,,b=2')], refused: true },
  { name: '--set [1,2] is no list syntax', sets: [set('a=[1,2]')], refused: true },
  { name: '--set unterminated list', sets: [set('a={x,y')], refused: true },
  { name: '--set negative index', sets: [set('a[-1]=1')], refused: true },
  { name: '--set index too large', sets: [set('a[65537]=1')], refused: true },
  { name: '--set nesting deeper than 30', sets: [set(`${Array.from({ length: 32 }, (_, i) => `k${i}`).join('.')}=1`)], refused: true },
];

describe('values merge = helm template (probe chart)', () => {
  for (const c of cases) {
    it.concurrent(c.name, async () => {
      const helm = await agree(c.files ?? [], c.sets ?? []);
      if (c.refused) expect(helm.ok ? 'accepted' : 'refused').toBe('refused');
      else expect(helm.ok ? 'accepted' : (helm as { error: string }).error).toBe('accepted');
      if (c.expect && helm.ok) c.expect(helm.values);
    });
  }
});

// Random values trees and -f layers. Leaves are raw YAML scalar texts chosen for their tricky
// resolution; keys come from a small pool (including the probe chart's own keys) so that layers and
// defaults collide. Each run costs one helm call, so the run count stays small.
const KEYS = ['a', 'b', 'manager', 'metadataStore', 'host', 'port', 'security', 'tls', 'druid', 'zk', 'commonRuntimeProperties', 'nothing', 'ratio', 'deployments', 'minio', 'yes', '1e3', '"x.y"'];
const SCALARS = ['yes', 'no', 'On', '0777', '0x1F', '1e3', '~', 'null', '1:20', '.5', '+1', '-0', '2001-12-14', '"quoted"', "'0777'", 'hello', '1_000', 'True', '', '12', 'x y', '"{{ .Release.Name }}"', '[]', '{}'];
const SET_VALUES = ['1', '0', '007', 'true', 'FALSE', 'null', 'x', 'a\\,b', '{p,q}', '', '-5', 'str'];

type Tree = { k: 'leaf'; text: string } | { k: 'map'; entries: [string, Tree][] } | { k: 'list'; items: Tree[] };

const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...SCALARS).map((text): Tree => ({ k: 'leaf', text })),
    fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('tree')), { maxLength: 4 }).map((entries): Tree => ({ k: 'map', entries })),
    fc.array(tie('tree'), { maxLength: 3 }).map((items): Tree => ({ k: 'list', items })),
  ),
})).tree;

function emit(t: Tree, indent: number): string {
  const pad = ' '.repeat(indent);
  if (t.k === 'map') {
    return t.entries
      .map(([key, v]) => {
        if (v.k === 'leaf') return `${pad}${key}: ${v.text}\n`;
        if ((v.k === 'map' && v.entries.length === 0) || (v.k === 'list' && v.items.length === 0)) return `${pad}${key}: ${v.k === 'map' ? '{}' : '[]'}\n`;
        return `${pad}${key}:\n${emit(v, indent + 2)}`;
      })
      .join('');
  }
  if (t.k === 'list') {
    return t.items
      .map((v) => {
        if (v.k === 'leaf') return `${pad}- ${v.text}\n`;
        if ((v.k === 'map' && v.entries.length === 0) || (v.k === 'list' && v.items.length === 0)) return `${pad}- ${v.k === 'map' ? '{}' : '[]'}\n`;
        return `${pad}-\n${emit(v, indent + 2)}`;
      })
      .join('');
  }
  return `${pad}${t.text}\n`;
}

const docArb = fc.array(fc.tuple(fc.constantFrom(...KEYS), treeArb), { maxLength: 5 }).map((entries) => emit({ k: 'map', entries }, 0));
/** A values file: usually one document, sometimes several (Helm merges them all). */
const fileArb = fc.array(docArb, { minLength: 1, maxLength: 2 }).map((docs) => docs.join('---\n'));
const setArb = fc
  .tuple(
    fc.constantFrom<SetArg['flag']>('--set', '--set-string'),
    fc.array(fc.oneof(fc.constantFrom(...KEYS.filter((k) => !k.startsWith('"'))), fc.nat({ max: 2 }).map((i) => `[${i}]`)), { minLength: 1, maxLength: 3 }),
    fc.constantFrom(...SET_VALUES),
  )
  .map(([flag, segs, value]): SetArg => ({ flag, expr: `${segs.map((s, i) => (s.startsWith('[') || i === 0 ? s : `.${s}`)).join('')}=${value}` }));

const FC_RUNS = Number(process.env.IMPLY_LINT_FC_RUNS ?? 25);

describe('values merge = helm template (random layers)', () => {
  it('agrees on random -f layers and --set flags', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fileArb, { minLength: 1, maxLength: 3 }), fc.array(setArb, { maxLength: 2 }), async (files, sets) => {
        await agree(files, sets);
      }),
      { numRuns: FC_RUNS },
    );
  }, Math.max(120_000, FC_RUNS * 500));
});
