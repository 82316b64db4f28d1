// Rules stage: a small ReDoS guard for regular expressions written in policies (custom rules' `pattern` and
// `patternProperties`). It refuses the shapes that make a backtracking engine exponential (a repeated group
// that itself repeats or can match empty, a repeated alternation whose branches can start alike,
// backreferences) and long chains of overlapping unbounded quantifiers; the string length cap in custom.ts
// bounds the polynomial rest. No npm package for this is installed, hence this detector.

/** A parsed pattern, just detailed enough for the checks below. */
type Node =
  | { t: 'char'; src: string }
  | { t: 'assert' }
  | { t: 'backref' }
  | { t: 'group'; alt: Node[][] }
  | { t: 'quant'; node: Node; min: number; max: number };

class Parser {
  i = 0;
  constructor(readonly p: string) {}

  alt(): Node[][] {
    const branches: Node[][] = [this.seq()];
    while (this.p[this.i] === '|') {
      this.i++;
      branches.push(this.seq());
    }
    return branches;
  }

  seq(): Node[] {
    const out: Node[] = [];
    while (this.i < this.p.length && this.p[this.i] !== '|' && this.p[this.i] !== ')') {
      const atom = this.atom();
      out.push(this.quantified(atom));
    }
    return out;
  }

  quantified(atom: Node): Node {
    let node = atom;
    for (;;) {
      const c = this.p[this.i];
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i));
        if (!m) return node;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        this.i += m[0].length - 1;
      } else return node;
      this.i++;
      if (this.p[this.i] === '?') this.i++; // lazy: same backtracking space
      node = { t: 'quant', node, min, max };
    }
  }

  atom(): Node {
    const p = this.p;
    const start = this.i;
    const c = p[this.i];
    if (c === '^' || c === '$') {
      this.i++;
      return { t: 'assert' };
    }
    if (c === '(') {
      this.i++;
      if (p.startsWith('?:', this.i) || p.startsWith('?=', this.i) || p.startsWith('?!', this.i)) this.i += 2;
      else if (p.startsWith('?<=', this.i) || p.startsWith('?<!', this.i)) this.i += 3;
      else if (p.startsWith('?<', this.i)) this.i = p.indexOf('>', this.i) + 1;
      const alt = this.alt();
      this.i++; // ')'
      return { t: 'group', alt };
    }
    if (c === '[') {
      this.i++;
      if (p[this.i] === '^') this.i++;
      while (this.i < p.length && p[this.i] !== ']') this.i += p[this.i] === '\\' ? 2 : 1;
      this.i++;
      return { t: 'char', src: p.slice(start, this.i) };
    }
    if (c === '\\') {
      const n = p[this.i + 1];
      if (/[1-9]/.test(n)) {
        this.i += 2;
        while (/\d/.test(p[this.i] ?? '')) this.i++;
        return { t: 'backref' };
      }
      if (n === 'k' && p[this.i + 2] === '<') {
        this.i = p.indexOf('>', this.i) + 1;
        return { t: 'backref' };
      }
      if (n === 'b' || n === 'B') {
        this.i += 2;
        return { t: 'assert' };
      }
      if ((n === 'p' || n === 'P') && p[this.i + 2] === '{') this.i = p.indexOf('}', this.i) + 1;
      else if (n === 'u' && p[this.i + 2] === '{') this.i = p.indexOf('}', this.i) + 1;
      else if (n === 'u') this.i += 6;
      else if (n === 'x') this.i += 4;
      else if (n === 'c') this.i += 3;
      else this.i += 2;
      return { t: 'char', src: p.slice(start, this.i) };
    }
    const cp = p.codePointAt(this.i) ?? 0;
    this.i += cp > 0xffff ? 2 : 1;
    return { t: 'char', src: p.slice(start, this.i) };
  }
}

/** Code points a character atom is tried on to decide whether two atoms can match the same character. */
const SAMPLE: number[] = [...Array.from({ length: 0x250 }, (_, i) => i), 0x3b1, 0x3c9, 0x410, 0x5d0, 0x627, 0x2028, 0x2029, 0x3000, 0x4e00, 0xfeff, 0x212a, 0x1f600];

const setCache = new Map<string, boolean[]>();

function charSet(src: string): boolean[] {
  let s = setCache.get(src);
  if (!s) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(`^(?:${src})$`, 'u');
    } catch {
      re = undefined;
    }
    s = SAMPLE.map((c) => (re ? re.test(String.fromCodePoint(c)) : true));
    setCache.set(src, s);
  }
  return s;
}

const ALL = SAMPLE.map(() => true);

function overlaps(a: boolean[], b: boolean[]): boolean {
  return a.some((x, i) => x && b[i]);
}

function union(a: boolean[], b: boolean[]): boolean[] {
  return a.map((x, i) => x || b[i]);
}

function nullable(n: Node): boolean {
  if (n.t === 'char') return false;
  if (n.t === 'assert' || n.t === 'backref') return true;
  if (n.t === 'quant') return n.min === 0 || nullable(n.node);
  return n.alt.some((seq) => seq.every(nullable));
}

/** Characters a sequence can start with (everything, when a backreference decides). */
function firstSet(seq: Node[]): boolean[] {
  let acc = SAMPLE.map(() => false);
  for (const n of seq) {
    acc = union(acc, firstOf(n));
    if (!nullable(n)) break;
  }
  return acc;
}

function firstOf(n: Node): boolean[] {
  if (n.t === 'char') return charSet(n.src);
  if (n.t === 'assert') return SAMPLE.map(() => false);
  if (n.t === 'backref') return ALL;
  if (n.t === 'quant') return firstOf(n.node);
  return n.alt.reduce((acc, seq) => union(acc, firstSet(seq)), SAMPLE.map(() => false));
}

/** True if a quantifier inside `n` repeats or makes something optional. */
function containsQuantifier(n: Node, repeatingOnly: boolean): boolean {
  if (n.t === 'quant') return !repeatingOnly || n.max > 1 || containsQuantifier(n.node, repeatingOnly);
  if (n.t === 'group') return n.alt.some((seq) => seq.some((x) => containsQuantifier(x, repeatingOnly)));
  return false;
}

function inner(n: Node): Node {
  return n.t === 'quant' ? n.node : n;
}

function checkNode(n: Node): string | undefined {
  if (n.t === 'backref') return 'backreferences can take exponential time';
  if (n.t === 'group') {
    for (const seq of n.alt) {
      const r = checkSeq(seq);
      if (r) return r;
    }
    return undefined;
  }
  if (n.t !== 'quant') return undefined;
  if (n.max > 1) {
    if (containsQuantifier(n.node, true)) return 'a repeated part contains another repeated part (nested quantifiers, e.g. (a+)+)';
    if (nullable(n.node) && containsQuantifier(n.node, false)) return 'a repeated part can match the empty string (e.g. (a?)*)';
    const body = inner(n.node);
    if (body.t === 'group' && body.alt.length > 1) {
      const firsts = body.alt.map(firstSet);
      for (let a = 0; a < firsts.length; a++) {
        for (let b = a + 1; b < firsts.length; b++) {
          if (overlaps(firsts[a], firsts[b])) return 'a repeated alternation has branches that can start with the same character (e.g. (a|ab)*)';
        }
      }
    }
  }
  return checkNode(n.node);
}

/** Runs of three unbounded quantifiers over overlapping characters (`\d+\d+\d+`, `.*a.*a.*`) are polynomial of high degree. */
function checkSeq(seq: Node[]): string | undefined {
  let run = 0;
  let cur: boolean[] | undefined;
  for (const n of seq) {
    const r = checkNode(n);
    if (r) return r;
    const atom = n.t === 'quant' ? n.node : n;
    if (atom.t !== 'char') {
      run = 0;
      cur = undefined;
      continue;
    }
    const set = charSet(atom.src);
    const unbounded = n.t === 'quant' && n.max === Infinity;
    if (cur && overlaps(cur, set)) {
      if (unbounded) {
        run++;
        cur = set;
      }
    } else if (unbounded) {
      run = 1;
      cur = set;
    } else {
      run = 0;
      cur = undefined;
    }
    if (run >= 3) return 'three or more unbounded quantifiers over overlapping characters follow each other (e.g. \\d+\\d+\\d+ or .*a.*a.*)';
  }
  return undefined;
}

/**
 * Why `pattern` could backtrack catastrophically (or is no valid `u`-mode pattern, as ajv compiles them),
 * or undefined when it passes.
 */
export function unsafeRegexReason(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'u');
  } catch (e) {
    return `not a valid regular expression (${(e as Error).message})`;
  }
  const parser = new Parser(pattern);
  const alt = parser.alt();
  return checkNode({ t: 'group', alt });
}
