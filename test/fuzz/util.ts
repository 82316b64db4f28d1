// Test helpers for the fuzz suite: prototype-pollution checks and the token vocabulary of "YAML-ish" text.
import { expect } from 'vitest';

const PROTOS: [string, object][] = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
];
const BEFORE = new Map(PROTOS.map(([n, p]) => [n, Object.getOwnPropertyNames(p).sort().join(',')]));

/** Fails when any built-in prototype gained, lost or changed a property since this module loaded. */
export function assertPrototypesClean(): void {
  for (const [name, proto] of PROTOS) expect(Object.getOwnPropertyNames(proto).sort().join(','), name).toBe(BEFORE.get(name));
  const probe: Record<string, unknown> = {};
  for (const k of ['polluted', 'p', 'x', 'a', 'b', 'isAdmin']) expect(probe[k], k).toBeUndefined();
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
}

/** Pieces of YAML syntax, hostile keys and odd characters; random sequences of them make "YAML-ish" text. */
export const YAMLISH_TOKENS: readonly string[] = [
  '\n', '\n', '\n', ' ', ' ', '  ', '    ', '\t', '\r\n', '\r',
  'a', 'b', 'key', '1', '-1', '0x1F', '1e400', '.inf', 'no', 'on', '~', 'null', '2001-12-14',
  ': ', ':', '- ', '-', '? ', '?', ',', '[', ']', '{', '}', '[]', '{}',
  '"', "'", '"x"', "'y'", '"\\u0000"', '"\\ud800"', '\\', '#', ' # c', '|', '|-', '>', '>+2',
  '&a ', '*a', '&b ', '*b', '*zz', '<<: ', '<<: *a', '<<: [*a, *b]',
  '!!int ', '!!str ', '!!binary ', '!!map ', '!!seq ', '!foo ', '!<tag:x> ', '!!python/object ',
  '---', '---\n', '...', '...\n', '%YAML 1.1\n', '%TAG ! !x\n',
  '__proto__', 'constructor', 'prototype', '"__proto__": ', 'constructor: {prototype: {polluted: 1}}',
  '\ufeff', '\u0000', '\u0085', '\u2028', '\ud83d\ude00', '\ud800', 'é',
  '# imply-lint-disable-next-line ', '# imply-lint-disable-file -- r',
];
