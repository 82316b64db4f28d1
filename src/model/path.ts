// Model stage: values paths, as rules and reporters name them (`security.tls.secretName`, `env[3].value`).

/** A path into a YAML/JSON tree: map keys are strings, sequence indexes numbers. */
export type Path = readonly (string | number)[];

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Renders a path the way Helm users write it: `a.b[0].c`, `nodeSelector["kubernetes.io/os"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** A stable map key for a path (NUL cannot occur in YAML keys we keep). */
export function pathKey(path: Path): string {
  return path.map((p) => (typeof p === 'number' ? `#${p}` : `.${p}`)).join('\u0000');
}

/** Parses `a.b[0]["x.y"]` back into segments (inverse of formatPath for the paths we produce). */
export function parsePath(text: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|(\.)/g;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(text)) !== null) {
    if (m.index !== last) throw new Error(`bad path ${text}`);
    last = re.lastIndex;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(m[3]) as string);
  }
  if (last !== text.length) throw new Error(`bad path ${text}`);
  return out;
}

/** Reads a nested value; undefined when any segment is missing. */
export function getIn(root: unknown, path: Path): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (typeof seg === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[seg];
    } else {
      if (Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return cur;
}

/** True for a plain (non-array) object, the only kind of "table" Helm knows. */
export function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
