// Preflight stage: MySQL/MariaDB grants. Parses `SHOW GRANTS` lines and evaluates whether the metadata
// user holds ALL privileges on a database the way the server decides it: global (`*.*`) privileges,
// plus the most specific database-level grant whose name or wildcard pattern (`imply\_%`) matches
// (ordered as MySQL or MariaDB order them), for the user and for each of its active roles.

/** The database-level privileges `GRANT ALL ON db.*` gives on MySQL 5.7/8 and MariaDB alike. */
export const DB_LEVEL_PRIVILEGES = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'CREATE',
  'DROP',
  'REFERENCES',
  'INDEX',
  'ALTER',
  'CREATE TEMPORARY TABLES',
  'LOCK TABLES',
  'EXECUTE',
  'CREATE VIEW',
  'SHOW VIEW',
  'CREATE ROUTINE',
  'ALTER ROUTINE',
  'EVENT',
  'TRIGGER',
] as const;

/** One parsed `GRANT ... ON ... TO ...` / `REVOKE ... ON ... FROM ...` / `GRANT role TO ...` line. */
export interface GrantLine {
  revoke: boolean;
  /** Upper-cased privilege names (`ALL` for `ALL [PRIVILEGES]`); empty for a role grant. */
  privileges: string[];
  /** `global` (`*.*`), `db` (`db.*`), `table` (`db.tbl`, routines), or `role` (a role granted to the grantee). */
  level: 'global' | 'db' | 'table' | 'role';
  /** For `db`/`table`: the database name or pattern as written (escapes kept). */
  db?: string;
  /** For `role`: the granted role names. */
  roles?: string[];
  /** The grantee: `user@host` or a role name. */
  grantee: string;
}

type Tok = { t: 'id' | 'word' | 'str' | 'punct'; v: string };

function tokenize(line: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '`' || c === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === c && line[i + 1] === c) {
          v += c;
          i += 2;
        } else if (line[i] === c) {
          i++;
          break;
        } else v += line[i++];
      }
      out.push({ t: 'id', v });
    } else if (c === "'") {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '\\' && i + 1 < line.length) {
          v += line[i + 1];
          i += 2;
        } else if (line[i] === "'" && line[i + 1] === "'") {
          v += "'";
          i += 2;
        } else if (line[i] === "'") {
          i++;
          break;
        } else v += line[i++];
      }
      out.push({ t: 'str', v });
    } else if (/[A-Za-z0-9_$]/.test(c)) {
      let v = '';
      while (i < line.length && /[A-Za-z0-9_$]/.test(line[i])) v += line[i++];
      out.push({ t: 'word', v });
    } else {
      out.push({ t: 'punct', v: c });
      i++;
    }
  }
  return out;
}

const isKw = (t: Tok | undefined, kw: string) => t !== undefined && t.t === 'word' && t.v.toUpperCase() === kw;

/** Parses one `SHOW GRANTS` line; undefined for lines that grant nothing evaluable (`SET DEFAULT ROLE`, `PROXY`). */
export function parseGrantLine(line: string): GrantLine | undefined {
  const toks = tokenize(line.trim());
  let i = 0;
  let revoke: boolean;
  if (isKw(toks[i], 'GRANT')) revoke = false;
  else if (isKw(toks[i], 'REVOKE')) revoke = true;
  else return undefined;
  i++;
  // Privilege list (or role list) up to ON / TO / FROM at parenthesis depth 0.
  const items: Tok[][] = [[]];
  let depth = 0;
  for (; i < toks.length; i++) {
    const t = toks[i];
    if (depth === 0 && (isKw(t, 'ON') || isKw(t, 'TO') || isKw(t, 'FROM'))) break;
    if (t.t === 'punct' && t.v === '(') depth++;
    else if (t.t === 'punct' && t.v === ')') depth--;
    else if (depth === 0 && t.t === 'punct' && t.v === ',') {
      items.push([]);
      continue;
    }
    if (depth === 0 && !(t.t === 'punct' && t.v === ')')) items[items.length - 1].push(t);
  }
  if (i >= toks.length) return undefined;
  if (isKw(toks[i], 'ON')) {
    i++;
    const privileges = items
      .map((it) => it.filter((t) => t.t === 'word').map((t) => t.v.toUpperCase()).join(' '))
      .filter(Boolean)
      .map((p) => (p === 'ALL PRIVILEGES' ? 'ALL' : p));
    if (privileges.includes('PROXY')) return undefined;
    // Object type keywords (TABLE, FUNCTION, PROCEDURE, PACKAGE [BODY]) make it a table/routine grant.
    let routine = false;
    while (isKw(toks[i], 'TABLE') || isKw(toks[i], 'FUNCTION') || isKw(toks[i], 'PROCEDURE') || isKw(toks[i], 'PACKAGE') || isKw(toks[i], 'BODY')) {
      if (!isKw(toks[i], 'TABLE')) routine = true;
      i++;
    }
    const first = toks[i];
    const dot = toks[i + 1];
    const second = toks[i + 2];
    let level: GrantLine['level'];
    let db: string | undefined;
    if (first?.t === 'punct' && first.v === '*' && dot?.v === '.' && second?.v === '*') {
      level = 'global';
      i += 3;
    } else if (first && first.t !== 'punct' && dot?.v === '.' && second) {
      db = first.v;
      level = second.t === 'punct' && second.v === '*' && !routine ? 'db' : 'table';
      i += 3;
    } else {
      // `ON *` / `ON tbl` (current database): nothing we can attribute.
      return undefined;
    }
    while (i < toks.length && !isKw(toks[i], 'TO') && !isKw(toks[i], 'FROM')) i++;
    return { revoke, privileges, level, db, grantee: grantee(toks, i + 1) };
  }
  // GRANT role[, role] TO grantee
  const roles = items.map((it) => roleName(it)).filter((r): r is string => Boolean(r));
  if (roles.length === 0) return undefined;
  return { revoke, privileges: [], level: 'role', roles, grantee: grantee(toks, i + 1) };
}

function roleName(it: Tok[]): string | undefined {
  if (it.length === 0) return undefined;
  const name = it[0].v;
  // MySQL 8 writes roles as `r`@`%`.
  if (it[1]?.v === '@' && it[2]) return `${name}@${it[2].v}`;
  return name;
}

function grantee(toks: Tok[], i: number): string {
  const t = toks[i];
  if (!t) return '';
  if (toks[i + 1]?.v === '@' && toks[i + 2]) return `${t.v}@${toks[i + 2].v}`;
  return t.v;
}

/** True if `name` matches a GRANT database pattern (`%` any run, `_` one character, `\` escapes). */
export function dbPatternMatches(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRe(pattern[++i]);
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += escapeRe(c);
  }
  return new RegExp(re + '$').test(name);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * How specific a database pattern is: a smaller rank sorts first, as the server sorts `mysql.db` rows.
 * MySQL (`get_sort`): a literal name first, then by the position of the first wildcard, later being
 * more specific. MariaDB 10.5+ (`get_magic_sort`): by how many names the pattern can match, so
 * `imply_db` (one `_`) is more specific than `imply\_%`.
 */
export function patternRank(pattern: string, flavor: 'mysql' | 'mariadb'): number {
  if (flavor === 'mysql') {
    for (let i = 0; i < pattern.length; i++) {
      if (pattern[i] === '\\' && i + 1 < pattern.length) i++;
      else if (pattern[i] === '%' || pattern[i] === '_') return 128 - Math.min(i + 1, 127);
    }
    return 0;
  }
  const maxlen = 64;
  let n = 0;
  let m = 0;
  let k = 0;
  let p = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '%') {
      if (!k && !m) p = n;
      k++;
      while (pattern[i + 1] === '%') i++;
      continue;
    }
    if (c === '_') {
      if (!k && !m) p = n;
      m++;
      continue;
    }
    if (c === '\\' && i + 1 < pattern.length) i++;
    n++;
  }
  k = Math.min(k, 31);
  m = Math.min(m, 31);
  const l = k ? Math.max(0, maxlen - n - m) : 0;
  const d = maxlen + 1;
  const d1 = Math.min(d, 32);
  return l > m ? (((l * 2 + 1) * d + k) * d1 + m) * d + p : ((m * 2 * d + l) * d1 + k) * d + p;
}

/** How the user's privileges on one database were evaluated. */
export interface PrivilegeVerdict {
  all: boolean;
  /** Privileges of DB_LEVEL_PRIVILEGES the user lacks (empty when `all`). */
  missing: string[];
  /** Whether the user may `CREATE DATABASE` this name. */
  canCreate: boolean;
  /** Human summary: where the privileges come from. */
  detail: string;
}

/**
 * Evaluates ALL privileges on `db` from `SHOW GRANTS` lines. Each principal (the user, each active
 * role) contributes its global privileges plus its most specific matching database grant (MySQL and
 * MariaDB use the first matching `mysql.db` row, sorted by `patternRank`, not the union of all
 * matching rows); principals add up. Partial revokes (`REVOKE ... ON db.* FROM`) subtract.
 */
export function evaluatePrivileges(lines: readonly GrantLine[], db: string, flavor: 'mysql' | 'mariadb' = 'mysql'): PrivilegeVerdict {
  const principals = new Map<string, GrantLine[]>();
  for (const l of lines) {
    if (l.level === 'role' || l.level === 'table') continue;
    const list = principals.get(l.grantee) ?? [];
    list.push(l);
    principals.set(l.grantee, list);
  }
  const have = new Set<string>();
  const sources: string[] = [];
  for (const [who, ls] of principals) {
    const mine = new Set<string>();
    const from: string[] = [];
    for (const l of ls) {
      if (l.level !== 'global' || l.revoke) continue;
      addPrivs(mine, l.privileges);
      if (l.privileges.some((p) => p !== 'USAGE') && !from.includes('*.*')) from.push('*.*');
    }
    const dbGrants = ls.filter((l) => l.level === 'db' && !l.revoke && l.db !== undefined && dbPatternMatches(l.db, db));
    if (dbGrants.length) {
      // The most specific matching row wins; grants on the same pattern are one row.
      const best = Math.min(...dbGrants.map((l) => patternRank(l.db!, flavor)));
      const pattern = dbGrants.find((l) => patternRank(l.db!, flavor) === best)!.db!;
      for (const l of dbGrants.filter((x) => x.db === pattern)) addPrivs(mine, l.privileges);
      from.push(`${quoteDb(pattern)}.*`);
    }
    for (const l of ls) {
      if (l.level === 'db' && l.revoke && l.db !== undefined && dbPatternMatches(l.db, db)) for (const p of expand(l.privileges)) mine.delete(p);
    }
    if (mine.size && from.length) sources.push(`${from.join(' + ')} (${who})`);
    for (const p of mine) have.add(p);
  }
  const missing = DB_LEVEL_PRIVILEGES.filter((p) => !have.has(p));
  const detail = sources.length ? `privileges from ${sources.join(', ')}` : 'no privileges on it';
  return { all: missing.length === 0, missing, canCreate: have.has('CREATE'), detail };
}

function quoteDb(s: string): string {
  return '`' + s + '`';
}

function expand(privs: readonly string[]): string[] {
  return privs.flatMap((p) => (p === 'ALL' ? [...DB_LEVEL_PRIVILEGES] : [p]));
}

function addPrivs(set: Set<string>, privs: readonly string[]): void {
  for (const p of expand(privs)) set.add(p);
}

/** Parses many `SHOW GRANTS` lines, ignoring those that grant nothing evaluable. */
export function parseGrants(lines: readonly string[]): GrantLine[] {
  return lines.map(parseGrantLine).filter((g): g is GrantLine => g !== undefined);
}
