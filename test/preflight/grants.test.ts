// Preflight: SHOW GRANTS parsing and ALL-privileges evaluation (pure). Real-server agreement is in
// mysql.integration.test.ts; these pin the MySQL 8 formats we cannot run here.
import { describe, expect, it } from 'vitest';
import { DB_LEVEL_PRIVILEGES, dbPatternMatches, evaluatePrivileges, parseGrantLine, parseGrants, patternRank } from '../../src/preflight/grants.js';

describe('parseGrantLine', () => {
  it('reads a MariaDB global USAGE line with a password hash without keeping the hash', () => {
    const g = parseGrantLine("GRANT USAGE ON *.* TO `imply`@`%` IDENTIFIED BY PASSWORD '*9F75CEF7FD0C75DC40611DD8F86B6FFF569BF56D'");
    expect(g).toEqual({ revoke: false, privileges: ['USAGE'], level: 'global', db: undefined, grantee: 'imply@%' });
    expect(JSON.stringify(g)).not.toContain('9F75');
  });
  it('reads database grants with escaped wildcard patterns', () => {
    expect(parseGrantLine('GRANT ALL PRIVILEGES ON `imply\\_%`.* TO `imply`@`%` WITH GRANT OPTION')).toMatchObject({ privileges: ['ALL'], level: 'db', db: 'imply\\_%', grantee: 'imply@%' });
    expect(parseGrantLine('GRANT SELECT, INSERT, CREATE TEMPORARY TABLES ON `druid`.* TO `imply`@`10.%`')).toMatchObject({ privileges: ['SELECT', 'INSERT', 'CREATE TEMPORARY TABLES'], level: 'db', db: 'druid', grantee: 'imply@10.%' });
  });
  it('reads column and table grants as table level', () => {
    expect(parseGrantLine('GRANT SELECT (`User`), UPDATE (`a`, `b`) ON `mysql`.`user` TO `u`@`%`')).toMatchObject({ privileges: ['SELECT', 'UPDATE'], level: 'table', db: 'mysql' });
    expect(parseGrantLine('GRANT EXECUTE ON PROCEDURE `db`.`p` TO `u`@`%`')).toMatchObject({ level: 'table', db: 'db' });
    expect(parseGrantLine('GRANT EXECUTE ON FUNCTION `db`.* TO `u`@`%`')?.level).toBe('table');
  });
  it('reads MySQL 8 expanded global privileges and role grants', () => {
    const g = parseGrantLine('GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, RELOAD, SHUTDOWN, PROCESS, FILE, REFERENCES, INDEX, ALTER, SHOW DATABASES, SUPER, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, REPLICATION SLAVE, REPLICATION CLIENT, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, CREATE USER, EVENT, TRIGGER, CREATE TABLESPACE, CREATE ROLE, DROP ROLE ON *.* TO `root`@`localhost` WITH GRANT OPTION');
    expect(g?.level).toBe('global');
    expect(g?.privileges).toContain('CREATE TEMPORARY TABLES');
    expect(parseGrantLine('GRANT `app_rw`@`%`,`admin`@`%` TO `imply`@`%`')).toEqual({ revoke: false, privileges: [], level: 'role', roles: ['app_rw@%', 'admin@%'], grantee: 'imply@%' });
  });
  it('reads MariaDB role grants (no host) and partial revokes', () => {
    expect(parseGrantLine('GRANT `imply_role` TO `imply`@`%`')).toMatchObject({ level: 'role', roles: ['imply_role'] });
    expect(parseGrantLine('REVOKE DROP ON `imply_manager`.* FROM `imply`@`%`')).toMatchObject({ revoke: true, privileges: ['DROP'], level: 'db', db: 'imply_manager' });
  });
  it('ignores lines that grant nothing evaluable', () => {
    expect(parseGrantLine('SET DEFAULT ROLE `imply_role` FOR `imply`@`%`')).toBeUndefined();
    expect(parseGrantLine("GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION")).toBeUndefined();
    expect(parseGrantLine('')).toBeUndefined();
  });
});

describe('dbPatternMatches', () => {
  it('treats _ and % as wildcards and \\ as an escape', () => {
    expect(dbPatternMatches('imply\\_%', 'imply_druid1')).toBe(true);
    expect(dbPatternMatches('imply\\_%', 'implyXdruid')).toBe(false);
    expect(dbPatternMatches('imply_%', 'implyXdruid')).toBe(true);
    expect(dbPatternMatches('druid', 'druid')).toBe(true);
    expect(dbPatternMatches('druid', 'druid2')).toBe(false);
    expect(dbPatternMatches('%', 'anything')).toBe(true);
    expect(dbPatternMatches('a.b', 'aXb')).toBe(false);
  });
});

describe('patternRank', () => {
  it('puts literal names first on both flavours', () => {
    for (const f of ['mysql', 'mariadb'] as const) {
      expect(patternRank('imply\\_manager', f)).toBe(0);
      expect(patternRank('imply\\_manager', f)).toBeLessThan(patternRank('imply\\_%', f));
      expect(patternRank('imply\\_%', f)).toBeLessThan(patternRank('%', f));
    }
  });
  it('differs where MySQL and MariaDB differ: a later wildcard vs fewer matching names', () => {
    // MySQL: first wildcard at 3 (acl_ab) sorts after one at 5 (acl\_%); MariaDB counts matching names.
    expect(patternRank('acl\\_%', 'mysql')).toBeLessThan(patternRank('acl_ab', 'mysql'));
    expect(patternRank('acl_ab', 'mariadb')).toBeLessThan(patternRank('acl\\_%', 'mariadb'));
  });
});

const user = (lines: string[]) => parseGrants(lines.map((l) => l.replace('TO U', 'TO `imply`@`%`')));

describe('evaluatePrivileges', () => {
  it('ALL on *.* covers every database', () => {
    const v = evaluatePrivileges(user(['GRANT ALL PRIVILEGES ON *.* TO U']), 'imply_manager');
    expect(v).toMatchObject({ all: true, missing: [], canCreate: true });
    expect(v.detail).toContain('*.*');
  });
  it('the expanded MySQL 8 global list counts as ALL', () => {
    const v = evaluatePrivileges(user([`GRANT ${DB_LEVEL_PRIVILEGES.join(', ')}, RELOAD ON *.* TO U`]), 'x');
    expect(v.all).toBe(true);
  });
  it('SELECT/INSERT on the database lacks the rest', () => {
    const v = evaluatePrivileges(user(['GRANT USAGE ON *.* TO U', 'GRANT SELECT, INSERT ON `imply_manager`.* TO U']), 'imply_manager');
    expect(v.all).toBe(false);
    expect(v.canCreate).toBe(false);
    expect(v.missing).toContain('CREATE');
    expect(v.missing).not.toContain('SELECT');
  });
  it('a wildcard grant covers databases not created yet', () => {
    const v = evaluatePrivileges(user(['GRANT ALL PRIVILEGES ON `druid\\_%`.* TO U']), 'druid_cluster7');
    expect(v).toMatchObject({ all: true, canCreate: true });
    expect(evaluatePrivileges(user(['GRANT ALL PRIVILEGES ON `druid\\_%`.* TO U']), 'other').all).toBe(false);
  });
  it('the most specific matching grant wins over a broader one (not the union)', () => {
    const lines = user(['GRANT ALL PRIVILEGES ON `imply\\_%`.* TO U', 'GRANT SELECT ON `imply\\_manager`.* TO U']);
    expect(evaluatePrivileges(lines, 'imply_manager', 'mysql').all).toBe(false);
    expect(evaluatePrivileges(lines, 'imply_druid', 'mysql').all).toBe(true);
  });
  it('global privileges add to the database grant', () => {
    const v = evaluatePrivileges(user([`GRANT ${DB_LEVEL_PRIVILEGES.filter((p) => p !== 'EVENT').join(', ')} ON \`imply_manager\`.* TO U`, 'GRANT EVENT ON *.* TO U']), 'imply_manager');
    expect(v.all).toBe(true);
  });
  it('privileges of active roles add up with the user', () => {
    const lines = parseGrants(['GRANT `imply_role` TO `imply`@`%`', 'GRANT USAGE ON *.* TO `imply`@`%`', 'GRANT USAGE ON *.* TO `imply_role`', 'GRANT ALL PRIVILEGES ON `imply_manager`.* TO `imply_role`']);
    const v = evaluatePrivileges(lines, 'imply_manager', 'mariadb');
    expect(v.all).toBe(true);
    expect(v.detail).toContain('imply_role');
  });
  it('a partial revoke subtracts from a global grant', () => {
    const v = evaluatePrivileges(user(['GRANT ALL PRIVILEGES ON *.* TO U', 'REVOKE DROP ON `imply_manager`.* FROM `imply`@`%`']), 'imply_manager');
    expect(v.missing).toEqual(['DROP']);
  });
  it('no grants at all', () => {
    expect(evaluatePrivileges([], 'x')).toMatchObject({ all: false, canCreate: false, detail: 'no privileges on it' });
  });
});
