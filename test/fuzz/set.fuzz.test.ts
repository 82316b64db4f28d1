// Fuzz tests of `--set` / `--set-string` (parseSetInto, and buildValuesModel on top of -f files): any
// expression either applies or throws SetSyntaxError, never anything else; no prototype is touched; the
// result is plain JSON data, however deep or wide the expression asks it to be.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSource } from '../../src/model/source.js';
import { parseSetInto, SetSyntaxError } from '../../src/model/strvals.js';
import { buildValuesModel } from '../../src/model/values.js';
import { DEFAULT_LIMITS } from '../../src/model/yaml.js';
import { assertPrototypesClean } from './util.js';

afterAll(assertPrototypesClean);

/** Applies one expression; returns 'error' for a SetSyntaxError and fails on anything else. */
function apply(expr: string, dest: Record<string, unknown>, stringOnly = false): 'ok' | 'error' {
  try {
    parseSetInto(expr, dest, stringOnly);
    return 'ok';
  } catch (e) {
    if (e instanceof SetSyntaxError) {
      expect(e.message).not.toContain('\n');
      return 'error';
    }
    throw e;
  }
}

/** True if v is plain JSON data (maps with Object.prototype, arrays, scalars), no cycles. */
function plainJson(v: unknown, seen = new Set<unknown>()): boolean {
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return typeof v !== 'number' || Number.isFinite(v);
  if (typeof v !== 'object' || seen.has(v)) return false;
  seen.add(v);
  if (Array.isArray(v)) return v.every((x) => plainJson(x, seen));
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  return Object.values(v).every((x) => plainJson(x, seen));
}

const PIECES = ['a', 'b', 'name', '0', '1', '-1', '+1', '01', '65536', '65537', '99999999999999999999', '[', ']', '{', '}', '.', ',', '=', '\\', '\\,', '\\.', '\\=', '\\[', 'true', 'NULL', 'null', '~', '-0', '9223372036854775808', '', ' ', 'é', '😀', '__proto__', 'constructor', 'prototype', 'polluted', 'toString', 'hasOwnProperty'];

describe('parseSetInto on random expressions (fast-check, fixed seeds)', () => {
  it('pieces of the syntax, glued at random: ok or SetSyntaxError, plain data, no pollution (5000 runs)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40, size: 'max' }), fc.boolean(), (parts, stringOnly) => {
        const dest: Record<string, unknown> = {};
        apply(parts.join(''), dest, stringOnly);
        expect(plainJson(dest)).toBe(true);
        assertPrototypesClean();
      }),
      { numRuns: 5000, seed: 6201 },
    );
  });

  it('any string: ok or SetSyntaxError (3000 runs)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200, size: 'max' }), (expr) => {
        const dest: Record<string, unknown> = {};
        apply(expr, dest);
        expect(plainJson(dest)).toBe(true);
      }),
      { numRuns: 3000, seed: 6202 },
    );
  });

  it('several expressions in a row into the same tree (1500 runs)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }), { maxLength: 6 }), (exprs) => {
        const dest: Record<string, unknown> = {};
        for (const parts of exprs) apply(parts.join(''), dest);
        expect(plainJson(dest)).toBe(true);
        assertPrototypesClean();
      }),
      { numRuns: 1500, seed: 6203 },
    );
  });

  it('well-formed paths of random keys round-trip their value (1500 runs)', () => {
    const key = fc.constantFrom('a', 'b', '__proto__', 'constructor', 'prototype', 'x-y', 'k9');
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 1_000_000 }), (keys, n) => {
        const dest: Record<string, unknown> = {};
        expect(apply(`${keys.join('.')}=${n}`, dest)).toBe('ok');
        let cur: unknown = dest;
        for (const k of keys) {
          expect(Object.prototype.hasOwnProperty.call(cur, k)).toBe(true);
          cur = (cur as Record<string, unknown>)[k];
        }
        expect(cur).toBe(n);
      }),
      { numRuns: 1500, seed: 6204 },
    );
  });
});

describe('explicit hostile expressions', () => {
  it.each([
    ['deep list nesting', 'a' + '[0]'.repeat(10_000) + '=1'],
    ['deep list-of-map nesting', 'a' + '[0].b'.repeat(2_000) + '=1'],
    ['name nesting past Helm\'s 30 levels', Array.from({ length: 40 }, (_, i) => `k${i}`).join('.') + '=1'],
    ['index past Helm\'s maximum', 'a[65537]=1'],
    ['negative index', 'a[-1]=1'],
    ['index that is no integer', 'a[1e3]=1'],
    ['many maximal lists', Array.from({ length: 40 }, (_, i) => `l${i}[65536]=1`).join(',')],
    ['unterminated list', 'a={x,y'],
    ['unterminated index', 'a[0'],
    ['a key map with no value', 'a..b=1'],
    ['a map over a list', 'a[0]=1,a.b=2'],
  ])('%s: SetSyntaxError', (_name, expr) => {
    expect(apply(expr, {})).toBe('error');
  });

  it('the nesting limit is the YAML reader\'s depth limit', () => {
    const at = (d: number) => apply('a' + '[0]'.repeat(d - 1) + '=1', {});
    expect(at(DEFAULT_LIMITS.maxDepth)).toBe('ok');
    expect(at(DEFAULT_LIMITS.maxDepth + 2)).toBe('error');
  });

  it('prototype-named keys are data, in maps and in lists', () => {
    const dest: Record<string, unknown> = {};
    for (const e of ['__proto__.polluted=1', 'constructor.prototype.polluted=2', 'a.__proto__[0].polluted=3', '__proto__=4,toString=5']) expect(apply(e, dest)).toBe('ok');
    expect(JSON.stringify(dest)).toBe('{"__proto__":4,"constructor":{"prototype":{"polluted":2}},"a":{"__proto__":[{"polluted":3}]},"toString":5}');
    expect(Object.getPrototypeOf(dest)).toBe(Object.prototype);
    assertPrototypesClean();
  });

  it('through buildValuesModel: --set over -f files with prototype keys, merged with chart defaults', () => {
    const file = makeSource('v.yaml', '__proto__: {polluted: 1}\nconstructor: {prototype: {polluted: 1}}\ndruid: {__proto__: {x: 1}}\n', 'values');
    const v = buildValuesModel({ files: [file], sets: [{ flag: '--set', expr: '__proto__.polluted=2,druid.__proto__.y=2' }, { flag: '--set-string', expr: 'constructor.prototype.polluted=3' }] });
    expect(v.get(['__proto__', 'polluted'])).toBe(2);
    expect(v.get(['druid', '__proto__'])).toEqual(JSON.parse('{"x":1,"y":2}'));
    expect(v.get(['constructor', 'prototype', 'polluted'])).toBe('3');
    expect(v.origin(['constructor', 'prototype', 'polluted'])).toMatchObject({ kind: 'set', flag: '--set-string' });
    expect(Object.getPrototypeOf(v.merged)).toBe(Object.prototype);
    assertPrototypesClean();
  });

  it('buildValuesModel with random expressions never throws anything but SetSyntaxError (800 runs)', () => {
    const file = makeSource('v.yaml', 'druid: {a: 1}\nlist: [1, 2]\n__proto__: {x: 1}\n', 'values');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('--set' as const, '--set-string' as const), fc.array(fc.constantFrom(...PIECES, 'druid', 'list'), { maxLength: 14 })), { maxLength: 4 }), (sets) => {
        try {
          const v = buildValuesModel({ files: [file], sets: sets.map(([flag, parts]) => ({ flag, expr: parts.join('') })) });
          expect(plainJson(v.merged)).toBe(true);
        } catch (e) {
          if (!(e instanceof SetSyntaxError)) throw e;
        }
        assertPrototypesClean();
      }),
      { numRuns: 800, seed: 6205 },
    );
  });
});
