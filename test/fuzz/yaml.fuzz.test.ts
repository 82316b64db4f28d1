// Fuzz and hostile-input tests of the YAML reader (parseYamlStream, makeSource, the byte-level checks):
// it returns documents or throws YamlLimitError (bytes / aliases / depth), nothing else, and never touches
// Object.prototype. Limits are asserted by error kind, never by time. Runs are counted with fixed seeds.
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildValuesModel } from '../../src/model/values.js';
import { decodeUtf8, InputError, looksBinary, makeSource } from '../../src/model/source.js';
import { DEFAULT_LIMITS, parseYamlStream, YamlLimitError } from '../../src/model/yaml.js';
import type { YamlDoc, YamlLimits } from '../../src/model/yaml.js';
import { scanYaml } from '../../src/model/yaml-scan.js';
import { REF23 } from '../helpers/cli.js';
import { blockMapNest, blockSeqLines, compactNest, flowNest, HOSTILE_CASES, laughs, laughsExpansion, mixedNest } from '../fixtures/hostile/inputs.js';
import { assertPrototypesClean, YAMLISH_TOKENS } from './util.js';

afterAll(assertPrototypesClean);

/** Runs the reader; returns the docs, or the YamlLimitError kind. Anything else thrown fails the test. */
function read(text: string, limits?: YamlLimits): YamlDoc[] | YamlLimitError['kind'] {
  try {
    return parseYamlStream(text, limits);
  } catch (e) {
    if (e instanceof YamlLimitError) {
      expect(e.message).not.toContain('\n');
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.column).toBeGreaterThanOrEqual(1);
      return e.kind;
    }
    throw e;
  }
}

/** Nesting depth counted in collections (maps and lists). */
function collectionDepth(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let max = 0;
  for (const x of Object.values(v)) max = Math.max(max, collectionDepth(x));
  return 1 + max;
}

/** Every position a document reports lies inside the text (plain comparisons: 100k documents are checked). */
function positionsInside(docs: YamlDoc[], text: string): void {
  const lines = text.split(/\r\n|\r|\n|\u0085|\u2028|\u2029/).length + 1;
  const bad: string[] = [];
  const ok = (r: { line: number; column: number; endLine: number; endColumn: number }, what: string) => {
    if (!(r.line >= 1 && r.column >= 1 && r.endLine >= r.line && r.endLine <= lines)) bad.push(`${what} ${JSON.stringify(r)}`);
  };
  for (const d of docs) {
    ok(d.range, 'document');
    for (const e of d.errors) {
      ok(e.range, e.code);
      if (/[\n\r\u2028\u2029\u0085]/.test(e.message)) bad.push(`multi-line message ${JSON.stringify(e.message)}`);
    }
    for (const dup of d.duplicates) {
      ok(dup.first, 'duplicate');
      ok(dup.second, 'duplicate');
    }
    for (const p of d.positions.values()) ok(p.value, 'position');
  }
  expect(bad.slice(0, 5)).toEqual([]);
}

describe('explicit hostile inputs', () => {
  for (const c of HOSTILE_CASES) {
    const input = c.input();
    if (typeof input !== 'string') continue;
    it(`${c.name}: ${c.limit ? `YamlLimitError(${c.limit})` : 'parses'} (${c.about})`, () => {
      const r = read(input);
      if (c.limit) expect(r).toBe(c.limit);
      else {
        expect(Array.isArray(r)).toBe(true);
        if (input.length < 2_000_000) positionsInside(r as YamlDoc[], input);
      }
    });
  }

  it('the byte-level cases are refused before any parser sees them', () => {
    const bytes = HOSTILE_CASES.filter((c) => typeof c.input() !== 'string');
    expect(bytes.map((c) => c.name).sort()).toEqual(['binary', 'bom-then-invalid-utf8', 'invalid-utf8', 'utf16']);
    for (const c of bytes) {
      const buf = c.input() as Buffer;
      if (looksBinary(buf)) continue;
      expect(() => decodeUtf8(buf, 'x.yaml')).toThrow(InputError);
    }
    expect(looksBinary(HOSTILE_CASES.find((c) => c.name === 'utf16')!.input() as Buffer)).toBe(true);
  });

  it('invalid UTF-8 is located by line and byte column', () => {
    let err: unknown;
    try {
      decodeUtf8(Buffer.from('a: 1\nbb: \xff\n', 'latin1'), 'x.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ file: 'x.yaml', line: 2, column: 5, message: 'invalid UTF-8 at byte 9' });
  });

  it('a BOM is read as nothing and keeps the positions', () => {
    const docs = read('\ufeffa: 1\n') as YamlDoc[];
    expect(docs[0].value).toEqual({ a: 1 });
    expect(docs[0].positions.get('.a')?.key).toMatchObject({ line: 1, column: 2 });
  });

  it('duplicate keys are data: Helm keeps the last, both places are reported', () => {
    const docs = read('a: 1\nb: 2\na: 3\n') as YamlDoc[];
    expect(docs[0].value).toEqual({ a: 3, b: 2 });
    expect(docs[0].duplicates).toEqual([{ path: ['a'], first: expect.objectContaining({ line: 1 }), second: expect.objectContaining({ line: 3 }) }]);
  });

  it('merge keys: explicit keys win, merged maps never reach a prototype', () => {
    // (`y` would be the key "true": go-yaml v2 reads YAML 1.1 booleans in keys too.)
    const docs = read('base: &x {a: 1, __proto__: {p: 1}}\nm:\n  <<: *x\n  a: 2\n') as YamlDoc[];
    const y = (docs[0].value as Record<string, Record<string, unknown>>).m;
    expect(y.a).toBe(2);
    expect(Object.getPrototypeOf(y)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(y, '__proto__')).toBe(true);
    expect(JSON.stringify(y)).toBe('{"a":2,"__proto__":{"p":1}}');
  });

  it('an unknown anchor is a located syntax error', () => {
    const docs = read('a: 1\nb: *nope\n') as YamlDoc[];
    expect(docs[0].errors).toEqual([expect.objectContaining({ code: 'BAD_ALIAS', range: expect.objectContaining({ line: 2, column: 4 }) })]);
  });

  it('collections as keys nested 200 deep: refused keys, capped text, no blow-up', () => {
    const docs = read(compactNest(200, '? ')) as YamlDoc[];
    expect(docs[0].errors.length).toBeGreaterThan(100);
    expect(docs[0].errors.every((e) => e.code === 'BAD_KEY' && e.message.length < 200)).toBe(true);
    expect(Object.keys(docs[0].value as object)[0].length).toBeLessThanOrEqual(1024);
  });

  it('a depth error names the line where the limit is crossed', () => {
    let err: unknown;
    try {
      parseYamlStream('ok: 1\n' + blockMapNest(400));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(YamlLimitError);
    expect(err).toMatchObject({ kind: 'depth', line: DEFAULT_LIMITS.maxDepth + 2 });
  });
});

describe('structural limits by kind', () => {
  const SHAPES: { name: string; gen: (d: number) => string; depthOf: (d: number) => number }[] = [
    { name: 'flow sequences', gen: (d) => '['.repeat(d) + ']'.repeat(d), depthOf: (d) => d },
    { name: 'flow maps', gen: (d) => '{a: '.repeat(d) + '1' + '}'.repeat(d), depthOf: (d) => d },
    { name: 'block maps by indentation', gen: (d) => blockMapNest(d - 1), depthOf: (d) => d },
    { name: 'block sequences by indentation', gen: blockSeqLines, depthOf: (d) => d },
    { name: 'compact sequences', gen: (d) => compactNest(d), depthOf: (d) => d },
    { name: 'sequences at their key column', gen: (d) => mixedNest(Math.ceil((d + 1) / 2)), depthOf: (d) => 2 * Math.ceil((d + 1) / 2) - 1 },
    { name: 'flow inside block', gen: (d) => blockMapNest(Math.floor(d / 2) - 1).replace('leaf: 1', `leaf: ${'['.repeat(d - Math.floor(d / 2))}${']'.repeat(d - Math.floor(d / 2))}`), depthOf: (d) => d },
  ];
  const LIMITS: YamlLimits = { ...DEFAULT_LIMITS, maxDepth: 40 };

  it('depth: accepted at or below half the limit, refused as "depth" above it (7 shapes x 150 runs)', () => {
    for (const s of SHAPES) {
      fc.assert(
        fc.property(fc.integer({ min: 2, max: 120 }), (d) => {
          const depth = s.depthOf(d);
          const r = read(s.gen(d), LIMITS);
          if (depth > LIMITS.maxDepth) expect(r, `${s.name} ${depth}`).toBe('depth');
          else if (depth <= LIMITS.maxDepth / 2) {
            expect(Array.isArray(r), `${s.name} ${depth}`).toBe(true);
            expect(collectionDepth((r as YamlDoc[])[0].value)).toBe(depth);
          } else expect(Array.isArray(r) || r === 'depth').toBe(true);
        }),
        { numRuns: 150, seed: 6001 },
      );
    }
  });

  it('the default depth limit holds 100 levels of every shape and refuses 100k', () => {
    for (const s of SHAPES) {
      expect(collectionDepth((read(s.gen(100)) as YamlDoc[])[0].value), s.name).toBe(s.depthOf(100));
      if (s.name.includes('indentation') || s.name.includes('column') || s.name.includes('block')) continue; // d^2 bytes
      expect(read(s.gen(100_000)), s.name).toBe('depth');
    }
  });

  it('past the pre-scan, the parser running out of stack is still a depth error', () => {
    const noScan: YamlLimits = { ...DEFAULT_LIMITS, maxDepth: 10_000_000, maxNodes: Infinity };
    expect(read(flowNest(100_000), noScan)).toBe('depth');
    expect(read(compactNest(50_000), noScan)).toBe('depth');
    expect(read(blockMapNest(2_000), noScan)).toBe('depth');
  });

  it('aliases: refused exactly when their expansion passes the limit (width x levels, 300 runs)', () => {
    const small: YamlLimits = { ...DEFAULT_LIMITS, maxAliasExpansion: 5_000 };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 14 }), fc.integer({ min: 1, max: 5 }), (w, l) => {
        const r = read(laughs(w, l), small);
        if (laughsExpansion(w, l) > small.maxAliasExpansion) expect(r).toBe('aliases');
        else expect(Array.isArray(r)).toBe(true);
      }),
      { numRuns: 300, seed: 6002 },
    );
  });

  it('a large document without aliases is no alias bomb', () => {
    const text = Array.from({ length: 30_000 }, (_, i) => `k${i}: [${i}, ${i}]`).join('\n');
    const docs = read(text) as YamlDoc[];
    expect(Object.keys(docs[0].value as object)).toHaveLength(30_000);
  });

  it('many aliases resolve in one pass (a quadratic resolver would take minutes)', () => {
    const text = 'x: &x [1, 2]\n' + Array.from({ length: 30_000 }, (_, i) => `k${i}: *x`).join('\n');
    const docs = read(text) as YamlDoc[];
    expect((docs[0].value as Record<string, unknown>).k29999).toEqual([1, 2]);
  });

  it('bytes: the text, and the lines and nodes the parser would build', () => {
    expect(read('a: 1\n', { ...DEFAULT_LIMITS, maxBytes: 4 })).toBe('bytes');
    expect(read('a: [' + '1,'.repeat(1000) + ']', { ...DEFAULT_LIMITS, maxNodes: 500 })).toBe('bytes');
    expect(read('\n'.repeat(1000), { ...DEFAULT_LIMITS, maxNodes: 500 })).toBe('bytes');
    expect(Array.isArray(read('a: [' + '1,'.repeat(400) + ']', { ...DEFAULT_LIMITS, maxNodes: 500 }))).toBe(true);
  });
});

describe('the pre-scan on real files', () => {
  const files = fs.readdirSync(REF23).filter((f) => f.endsWith('.yaml'));
  it.each(files)('%s: depth and node estimates bound the real figures, far below the limits', (f) => {
    const text = fs.readFileSync(path.join(REF23, f), 'utf8');
    const docs = parseYamlStream(text);
    const depth = Math.max(...docs.map((d) => collectionDepth(d.value)));
    const s = scanYaml(text);
    expect(s.depth).toBeGreaterThanOrEqual(depth);
    expect(s.depth).toBeLessThanOrEqual(2 * depth + 2);
    expect(s.depth * 10).toBeLessThan(DEFAULT_LIMITS.maxDepth);
    expect(s.nodes * 100).toBeLessThan(DEFAULT_LIMITS.maxNodes!);
  });
});

describe('random input (fast-check, fixed seeds)', () => {
  it('any string: documents or a YamlLimitError (2000 runs)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400, size: 'max' }), (text) => {
        const r = read(text);
        if (Array.isArray(r)) positionsInside(r, text);
      }),
      { numRuns: 2000, seed: 6003 },
    );
  });

  it('YAML-ish token soup: documents or a YamlLimitError, positions inside the text (1500 runs)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...YAMLISH_TOKENS), { maxLength: 120, size: 'max' }), (tokens) => {
        const text = tokens.join('');
        const r = read(text);
        if (Array.isArray(r)) positionsInside(r, text);
      }),
      { numRuns: 1500, seed: 6004 },
    );
  });

  it('YAML-ish token soup with small limits: every limit is reported by kind (2000 runs)', () => {
    const small: YamlLimits = { maxBytes: 200, maxAliasExpansion: 20, maxDepth: 6, maxNodes: 60 };
    const kinds = new Set<string>();
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...YAMLISH_TOKENS), { maxLength: 100, size: 'max' }), (tokens) => {
        const r = read(tokens.join(''), small);
        kinds.add(Array.isArray(r) ? 'ok' : r);
      }),
      { numRuns: 2000, seed: 6005 },
    );
    expect([...kinds].sort()).toEqual(['aliases', 'bytes', 'depth', 'ok']);
  });

  it('generated values with prototype-named keys read back exactly and pollute nothing (500 runs)', () => {
    const key = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf', 'a', 'b');
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, fc.constantFrom(1, 'x', true, null), tie('map'), fc.array(tie('node'), { maxLength: 3 })),
      map: fc.array(fc.tuple(key, tie('node')), { maxLength: 4 }).map((pairs) => {
        const o: Record<string, unknown> = {};
        for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        return o;
      }),
    }));
    fc.assert(
      fc.property(value.map, fc.boolean(), (obj, flow) => {
        const text = flow ? JSON.stringify(obj) : toBlock(obj, 0);
        const docs = read(text) as YamlDoc[];
        expect(Array.isArray(docs)).toBe(true);
        const got = docs[0]?.value ?? {};
        expect(JSON.stringify(got)).toBe(JSON.stringify(obj));
        // Through Helm's merge and the chart defaults too.
        const src = makeSource('v.yaml', text, 'values');
        const v = buildValuesModel({ files: [src, src] });
        expect(Object.getPrototypeOf(v.merged)).toBe(Object.prototype);
        assertPrototypesClean();
      }),
      { numRuns: 500, seed: 6006 },
    );
  });
});

/** Block-style YAML for a generated value (keys quoted, so `__proto__` and friends are plain strings). */
function toBlock(v: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '\n' + v.map((x) => `${pad}- ${toBlock(x, indent + 2).replace(/^\n\s*/, '')}`).join('\n');
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) return '{}';
    return (indent ? '\n' : '') + entries.map(([k, x]) => `${pad}${JSON.stringify(k)}: ${toBlock(x, indent + 2)}`).join('\n');
  }
  return JSON.stringify(v);
}
