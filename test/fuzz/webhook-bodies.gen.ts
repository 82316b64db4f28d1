// AdmissionReview body generators for the webhook fuzz tests, shared by the in-process unit run
// (test/fuzz/webhook-bodies.test.ts, fast-check properties) and the 100k load run (test/load/webhook-fuzz.test.ts,
// whose client process draws bodies from `fuzzBodies(seed)`): random bytes, random JSON values, mutated reviews,
// generated well-formed reviews, bodies around --max-body and wrong content types. Plus the oracle: the answer a
// body must get, decided from what was sent alone (no server code). No vitest here: the load client imports it.
import fc from 'fast-check';

/** The object every unit-run review is built around: a quickstart MinIO Deployment of release `imply`. */
export const SEED_OBJECT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'imply-minio', labels: { release: 'imply', app: 'minio', 'app.kubernetes.io/instance': 'imply' } },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'minio', image: 'minio/minio:latest', env: [{ name: 'A', value: 'b' }] }] } } },
};

export const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;

/** An AdmissionReview v1 request body for `object` (a Deployment's GVK in `request.kind`, as the unit run always sent). */
export const review = (object: unknown, uid = 'uid-1', operation = 'CREATE', oldObject: unknown = null): string =>
  JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid, kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, operation, namespace: 'imply', name: 'imply-query', object, oldObject, dryRun: false } });

/** The uid the body carries when it is a well-formed review envelope (what the server must echo). */
export function uidOf(body: string): string | undefined {
  try {
    const v = JSON.parse(body) as { apiVersion?: unknown; kind?: unknown; request?: { uid?: unknown; operation?: unknown } };
    const ok = v && v.apiVersion === 'admission.k8s.io/v1' && v.kind === 'AdmissionReview' && typeof v.request?.uid === 'string' && v.request.uid !== '' && (OPERATIONS as readonly string[]).includes(v.request.operation as string);
    return ok ? (v.request!.uid as string) : undefined;
  } catch {
    return undefined;
  }
}

/** True when the body parses to a JSON object whose request.object is an object or null (a reviewable shape). */
export function isObjectOrNull(body: string): boolean {
  try {
    const o = (JSON.parse(body) as { request?: { object?: unknown; oldObject?: unknown } }).request;
    const ok = (v: unknown) => v === undefined || v === null || (typeof v === 'object' && !Array.isArray(v));
    return ok(o?.object) && ok(o?.oldObject);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The oracle.

/** What the webhook must answer: 200 with this uid (and a boolean `allowed`), or an HTTP error status. */
export type Expected = { status: 200; uid: string } | { status: 400 | 413 | 415 };

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The answer class of a POST /validate, from what was sent: a media type other than application/json (parameters
 * and case aside) is 415 (an absent Content-Type on an empty body is no body at all: 400); past `maxBody` bytes
 * 413; a body that is not UTF-8 JSON text of an AdmissionReview v1 request (apiVersion, kind, request with a
 * non-empty string uid, a known operation, object/oldObject an object, null or absent) 400; otherwise 200 with
 * the request's uid. A leading BOM is allowed, as JSON decoders commonly do.
 */
export function expectedAnswer(body: Buffer | string, contentType: string | undefined, maxBody: number): Expected {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (contentType === undefined && bytes.length === 0) return { status: 400 };
  if (contentType === undefined || contentType.split(';')[0].trim().toLowerCase() !== 'application/json') return { status: 415 };
  if (bytes.length > maxBody) return { status: 413 };
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { status: 400 };
  }
  if (!isObj(v) || v.apiVersion !== 'admission.k8s.io/v1' || v.kind !== 'AdmissionReview') return { status: 400 };
  const r = v.request;
  if (!isObj(r) || typeof r.uid !== 'string' || r.uid === '' || !(OPERATIONS as readonly unknown[]).includes(r.operation)) return { status: 400 };
  const objOrNull = (x: unknown) => x === undefined || x === null || isObj(x);
  if (!objOrNull(r.object) || !objOrNull(r.oldObject)) return { status: 400 };
  return { status: 200, uid: r.uid };
}

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries of the unit run (their shapes fix the values a seed gives: change them and the unit run changes).

/** Random bytes, up to 400. */
export const randomBytesArb = fc.uint8Array({ maxLength: 400, size: 'max' });

/** Random JSON values, up to 4 deep. */
export const jsonValueArb = fc.jsonValue({ maxDepth: 4 });

/** Text spliced into a review by the `insert` mutation. */
export const INSERTS = ['"__proto__":{"a":1},', '[', ']', '{', '}', ',', '"', '\\u0000', 'null', '1e999', '"\ud800"', '{"constructor":{"prototype":{"x":1}}},'] as const;

export type ByteMutation = readonly ['flip', number, number] | readonly ['cut', number, number] | readonly ['insert', number, string];

/** One byte-level mutation of a body of `length` characters: a character replaced, a run cut, a piece inserted. */
export function byteMutationArb(length: number): fc.Arbitrary<ByteMutation> {
  return fc.oneof(
    fc.tuple(fc.constant('flip' as const), fc.nat(length - 1), fc.integer({ min: 0, max: 255 })),
    fc.tuple(fc.constant('cut' as const), fc.nat(length - 1), fc.nat(40)),
    fc.tuple(fc.constant('insert' as const), fc.nat(length - 1), fc.constantFrom(...INSERTS)),
  );
}

/** Applies byte mutations in order (positions clamped to the current length). */
export function applyByteMutations(base: string, muts: readonly ByteMutation[]): string {
  let b = base;
  for (const [kind, at, arg] of muts) {
    const i = Math.min(at, b.length);
    if (kind === 'flip') b = b.slice(0, i) + String.fromCharCode(arg) + b.slice(i + 1);
    else if (kind === 'cut') b = b.slice(0, i) + b.slice(i + arg);
    else b = b.slice(0, i) + arg + b.slice(i);
  }
  return b;
}

const KEYS = ['apiVersion', 'kind', 'metadata', 'name', 'labels', 'annotations', 'spec', 'replicas', 'template', 'containers', 'image', 'env', 'value', 'data', 'stringData', '__proto__', 'constructor', 'prototype', 'imply-lint.io/exempt', 'app.kubernetes.io/instance'] as const;
const leafArb = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.constantFrom('imply', 'minio/minio:latest', 'imply/imply:2023.03.1', 'Deployment', 'StatefulSet', 'Secret', 'v1', 'apps/v1'));

/** Generated objects: Kubernetes-ish and prototype-named keys, odd leaves, lists, a few levels deep. */
export const generatedObjectArb: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leafArb, tie('map'), fc.array(tie('node'), { maxLength: 3 })),
  map: fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('node')), { maxLength: 5 }).map((pairs) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    return o;
  }),
})).map as fc.Arbitrary<Record<string, unknown>>;

export const operationArb = fc.constantFrom(...OPERATIONS);
export const uidArb = fc.string({ minLength: 1, maxLength: 40 });

/** A well-formed review of a generated object, laid over `baseObject` when `overBase` (oldObject on UPDATE). */
export function wellFormedReview(o: Record<string, unknown>, op: string, uid: string, overBase: boolean, baseObject: Record<string, unknown> = SEED_OBJECT): string {
  const object = overBase ? { ...baseObject, ...o } : o;
  return review(object, uid, op, op === 'UPDATE' ? baseObject : null);
}

// ---------------------------------------------------------------------------------------------------------------
// The load run: structural mutations, the fixed limit and content-type sets, and the seeded body stream.

/** Pairs inserted next to a `{` (the original key wins: JSON.parse keeps the last) or before a `}` (the pair wins). */
export const DUPLICATE_PAIRS = ['"uid":"dup"', '"uid":""', '"uid":7', '"kind":"Pod"', '"kind":"AdmissionReview"', '"apiVersion":"v1"', '"apiVersion":"admission.k8s.io/v1"', '"operation":"PATCH"', '"operation":"DELETE"', '"object":[]', '"object":null', '"object":{"kind":"Secret"}', '"oldObject":"x"', '"request":null', '"request":{"uid":"r","operation":"CREATE"}', '"metadata":{}', '"labels":{"release":"imply"}', '"__proto__":null', '"constructor":{"prototype":{"polluted":1}}', '"spec":[[[[]]]]'] as const;

/** Fields a `retype` mutation replaces (or deletes). */
export const RETYPE_PATHS: readonly (readonly string[])[] = [
  ['apiVersion'], ['kind'], ['request'], ['request', 'uid'], ['request', 'operation'], ['request', 'object'], ['request', 'oldObject'],
  ['request', 'kind'], ['request', 'name'], ['request', 'namespace'], ['request', 'dryRun'], ['request', 'userInfo'],
  ['request', 'object', 'metadata'], ['request', 'object', 'metadata', 'labels'], ['request', 'object', 'metadata', 'name'],
  ['request', 'object', 'metadata', 'annotations'], ['request', 'object', 'kind'], ['request', 'object', 'apiVersion'], ['request', 'object', 'spec'],
  ['request', 'object', 'spec', 'template'], ['request', 'object', 'spec', 'replicas'], ['request', 'object', 'data'], ['request', 'object', 'stringData'],
];
const DELETE = Symbol('delete');
export const RETYPE_VALUES: readonly unknown[] = [0, -1, 1.5, 1e308, true, false, null, '', 'x', [], [1, 'a', null], {}, { a: { b: [] } }, 'admission.k8s.io/v1', 'AdmissionReview', 'CREATE', 'imply', DELETE];

/** Huge string sizes (characters) and fillers: some pass --max-body only in characters, or only unescaped. */
export const HUGE_SIZES = [1_000, 4_000, 16_000, 64_000, 100_000, 140_000] as const;
export const HUGE_FILLERS = ['x', 'é', '\u2028', '\u0001', '"', '\ud83d\ude00'] as const;

export type LoadMutation =
  | ByteMutation
  | readonly ['splice', number, number, number]
  | readonly ['dupkey', number, number, boolean]
  | readonly ['retype', number, number]
  | readonly ['huge', number, number, number];

/**
 * Load-run mutations; positions are taken modulo the current length, so one arbitrary serves every base. Huge
 * strings are rare (1 in 45 mutations, ~5% of bodies) to keep the run at a few hundred MB sent.
 */
export const loadMutationArb: fc.Arbitrary<LoadMutation> = fc.oneof(
  { arbitrary: byteMutationArb(1 << 20), weight: 20 },
  { arbitrary: fc.tuple(fc.constant('splice' as const), fc.nat(), fc.nat(200), fc.nat()), weight: 8 },
  { arbitrary: fc.tuple(fc.constant('dupkey' as const), fc.nat(), fc.nat(DUPLICATE_PAIRS.length - 1), fc.boolean()), weight: 8 },
  { arbitrary: fc.tuple(fc.constant('retype' as const), fc.nat(RETYPE_PATHS.length - 1), fc.nat(RETYPE_VALUES.length - 1)), weight: 8 },
  { arbitrary: fc.tuple(fc.constant('huge' as const), fc.nat(RETYPE_PATHS.length), fc.nat(HUGE_SIZES.length - 1), fc.nat(HUGE_FILLERS.length - 1)), weight: 1 },
);

function nthIndexOf(s: string, ch: string, n: number): number {
  let count = 0;
  for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) count++;
  if (count === 0) return -1;
  let k = n % count;
  let i = s.indexOf(ch);
  while (k-- > 0) i = s.indexOf(ch, i + 1);
  return i;
}

/** Sets (or deletes) a field of the parsed body; false when the body or a parent on the path is not an object. */
function setPath(body: string, path: readonly string[], value: unknown): string | undefined {
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch {
    return undefined;
  }
  let cur = root;
  for (const k of path.slice(0, -1)) {
    if (!isObj(cur)) return undefined;
    cur = Object.prototype.hasOwnProperty.call(cur, k) ? cur[k] : undefined;
  }
  if (!isObj(cur)) return undefined;
  const last = path[path.length - 1];
  if (value === DELETE) delete cur[last];
  else Object.defineProperty(cur, last, { value, enumerable: true, writable: true, configurable: true });
  return JSON.stringify(root);
}

/** Applies one load mutation; a structural one that does not fit (body no longer JSON) leaves the body as it is. */
export function applyLoadMutation(b: string, m: LoadMutation): string {
  const at = (n: number) => n % (b.length + 1);
  switch (m[0]) {
    case 'flip':
    case 'cut':
    case 'insert':
      return applyByteMutations(b, [[m[0], at(m[1]), m[2]] as ByteMutation]);
    case 'splice': {
      const from = at(m[1]);
      return applyByteMutations(b, [['insert', at(m[3]), b.slice(from, from + m[2])]]);
    }
    case 'dupkey': {
      const pair = DUPLICATE_PAIRS[m[2]];
      const i = nthIndexOf(b, m[3] ? '}' : '{', m[1]);
      if (i < 0) return b;
      return m[3] ? `${b.slice(0, i)},${pair}${b.slice(i)}` : `${b.slice(0, i + 1)}${pair},${b.slice(i + 1)}`;
    }
    case 'retype':
      return setPath(b, RETYPE_PATHS[m[1]], RETYPE_VALUES[m[2]]) ?? b;
    case 'huge': {
      const s = HUGE_FILLERS[m[3]].repeat(HUGE_SIZES[m[2]]);
      // Index RETYPE_PATHS.length: a huge annotation, the common real-world case.
      const path = m[1] < RETYPE_PATHS.length ? RETYPE_PATHS[m[1]] : ['request', 'object', 'metadata', 'annotations', 'huge'];
      return setPath(b, path, s) ?? applyByteMutations(b, [['insert', at(m[1] * 7919), JSON.stringify(s)]]);
    }
  }
}

/** Content types the webhook must refuse with 415 (undefined: no Content-Type header, on a non-empty body). */
export const WRONG_CONTENT_TYPES: readonly (string | undefined)[] = [undefined, '', 'text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/yaml', 'application/octet-stream', 'application/json-patch+json', 'application/merge-patch+json', 'application/jsonx', 'text/json', 'application/vnd.kubernetes.protobuf', '*/*', 'application/json,text/plain'];
/** Spellings of application/json the webhook must accept (the API server sends the first). */
export const JSON_CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'Application/JSON'] as const;

export type FuzzCategory = 'random-bytes' | 'random-json' | 'mutated' | 'well-formed' | 'limits' | 'content-type';

export interface FuzzBody {
  /** 0-based position in the stream. */
  n: number;
  category: FuzzCategory;
  body: Buffer;
  /** undefined: no Content-Type header. */
  contentType: string | undefined;
  /** Send without Content-Length (chunked), so the size limit is met while reading, not from the header. */
  chunked: boolean;
  expected: Expected;
}

export interface FuzzPlan {
  randomBytes: number;
  randomJson: number;
  mutated: number;
  wellFormed: number;
  /** Bodies around --max-body (most past it), from a fixed list. */
  limits: number;
  /** Bodies with a wrong Content-Type, from a fixed list. */
  contentType: number;
}

/** A small seeded PRNG (mulberry32) for the order of categories. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BATCH = 500;

/** Values of `arb`, drawn by fast-check in seeded batches (memory stays at one batch). */
function* sampled<T>(arb: fc.Arbitrary<T>, total: number, seed: number): Generator<T> {
  for (let done = 0, b = 0; done < total; b++) {
    const n = Math.min(BATCH, total - done);
    for (const v of fc.sample(arb, { seed: (seed + b * 7919) | 0, numRuns: n })) yield v;
    done += n;
  }
}

/** A review of `object` padded (in `data.pad`) to exactly `bytes` bytes of UTF-8, made of `filler`. */
function reviewOfSize(object: Record<string, unknown>, uid: string, bytes: number, filler = 'x'): Buffer {
  const bare = Buffer.byteLength(review({ ...object, data: { pad: '' } }, uid));
  const per = Buffer.byteLength(JSON.stringify(filler)) - 2;
  const body = review({ ...object, data: { pad: filler.repeat(Math.max(0, Math.floor((bytes - bare) / per))) } }, uid);
  return Buffer.from(body + ' '.repeat(Math.max(0, bytes - Buffer.byteLength(body))));
}

/** The fixed list of bodies around the limit: `k` picks one; most are past `maxBody`, a few exactly at it. */
function limitBody(k: number, maxBody: number, base: Record<string, unknown>, uid: string): { body: Buffer; chunked: boolean } {
  switch (k % 8) {
    case 0: return { body: reviewOfSize(base, uid, maxBody + 1 + k * 97), chunked: false };
    case 1: return { body: reviewOfSize(base, uid, maxBody + 1 + k * 97), chunked: true };
    // Under the limit in characters, past it in bytes.
    case 2: return { body: reviewOfSize(base, uid, maxBody + 2 + k, 'é'), chunked: k % 16 === 2 };
    case 3: return { body: Buffer.alloc(maxBody + 1 + k, k % 3 === 0 ? 0x20 : 0x7b), chunked: k % 16 === 3 };
    case 4: return { body: reviewOfSize(base, uid, 4 * maxBody + k), chunked: k % 16 === 4 };
    // Exactly at the limit, and one byte under: answered normally.
    case 5: return { body: reviewOfSize(base, uid, maxBody), chunked: k % 16 === 5 };
    case 6: return { body: reviewOfSize(base, uid, maxBody - 1, 'é'), chunked: k % 16 === 6 };
    default: return { body: Buffer.concat([Buffer.from('{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"'), Buffer.alloc(maxBody, 0x61), Buffer.from('","operation":"CREATE"}}')]), chunked: k % 16 === 7 };
  }
}

/**
 * The load run's bodies: `plan` counts per category, in a seeded interleaved order, each with the answer it must
 * get. The same seed, plan, `maxBody` and `bases` give the same bytes. `bases` are real objects (Imply-like:
 * rendered chart workloads, Services, Secrets) that mutated and well-formed reviews are built from.
 */
export function* fuzzBodies(seed: number, plan: FuzzPlan, maxBody: number, bases: Record<string, unknown>[]): Generator<FuzzBody> {
  const objects = [SEED_OBJECT as Record<string, unknown>, ...bases];
  const sources: { category: FuzzCategory; left: number; next: (n: number) => Omit<FuzzBody, 'n' | 'category' | 'expected'> }[] = [];
  const bytesIt = sampled(randomBytesArb, plan.randomBytes, seed + 1);
  sources.push({ category: 'random-bytes', left: plan.randomBytes, next: () => ({ body: Buffer.from(bytesIt.next().value as Uint8Array), contentType: 'application/json', chunked: false }) });
  const jsonIt = sampled(jsonValueArb, plan.randomJson, seed + 2);
  sources.push({ category: 'random-json', left: plan.randomJson, next: () => ({ body: Buffer.from(JSON.stringify(jsonIt.next().value) ?? 'null'), contentType: 'application/json', chunked: false }) });
  const mutIt = sampled(fc.tuple(fc.nat(objects.length - 1), operationArb, fc.array(loadMutationArb, { minLength: 1, maxLength: 4 })), plan.mutated, seed + 3);
  sources.push({
    category: 'mutated',
    left: plan.mutated,
    next: (n) => {
      const [bi, op, muts] = mutIt.next().value as [number, string, LoadMutation[]];
      let b = review(objects[bi], `fz-${n}`, op, op === 'UPDATE' ? objects[bi] : null);
      for (const m of muts) b = applyLoadMutation(b, m);
      return { body: Buffer.from(b), contentType: 'application/json', chunked: n % 50 === 0 };
    },
  });
  const wfIt = sampled(fc.tuple(generatedObjectArb, operationArb, uidArb, fc.boolean(), fc.nat(objects.length - 1)), plan.wellFormed, seed + 4);
  sources.push({
    category: 'well-formed',
    left: plan.wellFormed,
    next: (n) => {
      const [o, op, uid, overBase, bi] = wfIt.next().value as [Record<string, unknown>, string, string, boolean, number];
      return { body: Buffer.from(wellFormedReview(o, op, `${uid}#${n}`, overBase, objects[bi])), contentType: JSON_CONTENT_TYPES[n % JSON_CONTENT_TYPES.length], chunked: n % 50 === 0 };
    },
  });
  let limitK = 0;
  sources.push({ category: 'limits', left: plan.limits, next: (n) => ({ ...limitBody(limitK++, maxBody, objects[n % objects.length], `limit-${n}`), contentType: 'application/json' }) });
  let ctK = 0;
  sources.push({
    category: 'content-type',
    left: plan.contentType,
    next: (n) => {
      const k = ctK++;
      const kinds = [() => review(objects[k % objects.length], `ct-${n}`), () => '{"a":1}', () => 'apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\n'];
      // No Content-Type header only with a body: without both it is simply an empty request (400).
      return { body: Buffer.from(kinds[Math.floor(k / WRONG_CONTENT_TYPES.length) % kinds.length]()), contentType: WRONG_CONTENT_TYPES[k % WRONG_CONTENT_TYPES.length], chunked: false };
    },
  });
  const rand = prng(seed);
  let remaining = sources.reduce((s, x) => s + x.left, 0);
  for (let n = 0; remaining > 0; n++, remaining--) {
    // Pick a category with probability proportional to what it has left: every count is met exactly, spread out.
    let r = Math.floor(rand() * remaining);
    const src = sources.find((s) => (r -= s.left) < 0)!;
    src.left--;
    const b = src.next(n);
    yield { n, category: src.category, ...b, expected: expectedAnswer(b.body, b.contentType, maxBody) };
  }
}
