// Model stage: a linear pre-scan of raw YAML text that bounds what the parsers will be asked to build,
// before any of them allocates or recurses. The `yaml` package composes collections recursively (its
// stack overflows somewhere between 800 and 2000 levels, depending on JIT state) and spends 0.5-1 KB of
// memory per node, so both the nesting depth and the node count have to be known from the text first.

/** What the scan found: upper-bound estimates, and where the depth estimate peaked. */
export interface YamlScan {
  /** Upper bound on the nesting depth of any node (block levels plus flow levels). */
  depth: number;
  /** 0-based offset where `depth` was first reached. */
  depthOffset: number;
  /**
   * Rough count of the lines, nodes and documents the parser would build (an over-estimate), a node
   * below depth 16k weighing 1 + k: the model keeps a position per node keyed by its whole path.
   */
  nodes: number;
}

/** One block-indentation column in use, and the collections that start there. */
interface Column {
  col: number;
  seq: boolean;
  map: boolean;
}

const weight = (c: Column): number => Math.max(1, Number(c.seq) + Number(c.map));

/**
 * Scans YAML text once. The depth is an upper bound for block nesting (each indentation column holds
 * at most a map and a sequence: `key:` then `- item` at the same column) plus flow brackets, ignoring
 * comments, quoted scalars and block-scalar bodies. Stops early once `stopAt` depth or `stopNodes` is
 * passed, so a hostile file costs one pass at most.
 */
export function scanYaml(text: string, stopAt = Infinity, stopNodes = Infinity): YamlScan {
  const n = text.length;
  const stack: Column[] = [];
  let blockDepth = 0; // sum of weights on the stack
  let flow = 0;
  let best = 0;
  let bestAt = 0;
  let nodes = 0;
  let quote: string | null = null;
  let blockScalarIndent = -1; // >= 0 while skipping the body of a `|` / `>` scalar
  let i = 0;

  const note = (at: number): void => {
    const d = blockDepth + flow;
    if (d > best) {
      best = d;
      bestAt = at;
    }
  };
  // A node costs more the deeper it sits: the model keeps a position keyed by its full path.
  const count = (): void => {
    nodes += 1 + ((blockDepth + flow) >> 4);
  };
  const columnAt = (col: number): Column => {
    const top = stack[stack.length - 1];
    if (top && top.col === col) return top;
    const c: Column = { col, seq: false, map: false };
    stack.push(c);
    blockDepth += 1;
    return c;
  };
  const mark = (c: Column, kind: 'seq' | 'map'): void => {
    const before = weight(c);
    c[kind] = true;
    blockDepth += weight(c) - before;
  };

  while (i < n) {
    // --- at a line start --- (every line costs: the parser keeps a token and an offset per line)
    const lineStart = i;
    nodes++;
    let indent = 0;
    while (i < n && (text[i] === ' ' || text[i] === '\t')) {
      i++;
      indent++;
    }
    const lineEnd = (() => {
      const nl = text.indexOf('\n', i);
      return nl < 0 ? n : nl;
    })();
    const blank = i >= lineEnd || text[i] === '\r' || (text[i] === '#' && quote === null);
    if (blockScalarIndent >= 0) {
      if (blank || indent > blockScalarIndent) {
        i = lineEnd + 1;
        continue;
      }
      blockScalarIndent = -1;
    }
    if (blank && quote === null) {
      i = lineEnd + 1;
      continue;
    }
    let lineIsMap = false;
    if (quote === null && flow === 0) {
      // Document markers reset all nesting.
      if (indent === 0 && (text.startsWith('---', i) || text.startsWith('...', i)) && (i + 3 >= n || /[\s]/.test(text[i + 3]))) {
        stack.length = 0;
        blockDepth = 0;
        nodes += 3;
        i += 3;
      } else {
        while (stack.length > 0 && stack[stack.length - 1].col > indent) blockDepth -= weight(stack.pop()!);
        // Leading indicators: `- `, `? `, `: `, each opening a node one column further in.
        let col = indent;
        for (;;) {
          const ch = text[i];
          const next = i + 1 < n ? text[i + 1] : '\n';
          if ((ch === '-' || ch === '?' || ch === ':') && (next === ' ' || next === '\t' || next === '\n' || next === '\r')) {
            mark(columnAt(col), ch === '-' ? 'seq' : 'map');
            count();
            i++;
            col++;
            while (i < lineEnd && (text[i] === ' ' || text[i] === '\t')) {
              i++;
              col++;
            }
            continue;
          }
          break;
        }
        if (i < lineEnd && text[i] !== '#') {
          columnAt(col);
          count();
        }
        lineIsMap = true; // a map if the line holds `: ` outside quotes and brackets (checked below)
      }
      note(lineStart + indent);
    }
    // --- the rest of the line ---
    let sawMapIndicator = false;
    let lastContent = -1;
    for (; i < lineEnd; i++) {
      const ch = text[i];
      if (quote !== null) {
        if (quote === '"' && ch === '\\') i++;
        else if (ch === quote) {
          if (quote === "'" && text[i + 1] === "'") i++;
          else {
            quote = null;
            lastContent = i;
          }
        }
        continue;
      }
      if (ch === '#' && (i === lineStart || text[i - 1] === ' ' || text[i - 1] === '\t')) break;
      if (ch === '"' || ch === "'") {
        const prev = i > lineStart ? text[i - 1] : ' ';
        if (prev === ' ' || prev === '\t' || prev === '[' || prev === '{' || prev === ',' || prev === ':' || prev === '-' || prev === '?') quote = ch;
        lastContent = i;
        continue;
      }
      if (ch === '[' || ch === '{') {
        flow++;
        count();
        note(i);
      } else if ((ch === ']' || ch === '}') && flow > 0) flow--;
      else if (ch === ',' && flow > 0) count();
      else if (ch === ':' && (i + 1 >= n || /\s/.test(text[i + 1]) || flow > 0)) {
        count();
        if (flow === 0) sawMapIndicator = true;
      }
      if (ch !== ' ' && ch !== '\t' && ch !== '\r') lastContent = i;
      if (best > stopAt || nodes > stopNodes) return { depth: best, depthOffset: bestAt, nodes };
    }
    if (lineIsMap && sawMapIndicator && stack.length > 0) mark(stack[stack.length - 1], 'map');
    // A block scalar header (`key: |`, `- >-`, `|2`) ends the line: its body is text, skip it.
    if (quote === null && flow === 0 && lastContent >= 0) {
      let j = lastContent;
      for (let k = 0; k < 2 && j > lineStart && /[-+1-9]/.test(text[j]); k++) j--;
      if ((text[j] === '|' || text[j] === '>') && (j === lineStart || text[j - 1] === ' ' || text[j - 1] === '\t')) blockScalarIndent = indent;
    }
    note(lineStart + indent);
    if (best > stopAt || nodes > stopNodes) break;
    i = lineEnd + 1;
  }
  return { depth: best, depthOffset: bestAt, nodes };
}
