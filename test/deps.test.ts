// Dependency pins: minimum safe versions of the libraries that read untrusted input (YAML, JSON Schema,
// PEM/X.509, HTTP). `npm audit` is not served by the registry here, so the floors are checked from
// package-lock.json, package.json ranges and the installed copies.
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, { version?: string; dev?: boolean; inBundle?: boolean }>;
};
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** Floors, with why. Raise one when an advisory lands; never lower it. */
const FLOORS: Record<string, { min: string; why: string }> = {
  yaml: { min: '2.8.3', why: 'the parser of every values file, manifest and policy' },
  ajv: { min: '8.18.0', why: 'compiles policy schemas and user custom-rule schemas' },
  'node-forge': { min: '1.4.0', why: 'parses PEM certificates and keys from values and Secrets' },
  fastify: { min: '5.6.0', why: 'serves the admission webhook (5.x line)' },
  'js-yaml': { min: '4.1.1', why: 'the Go-compatible fallback reader (4.1.1 fixed prototype pollution through merge keys)' },
};

/**
 * Older copies the lock may hold because a dev tool bundles them: never resolvable by imply-lint's own
 * imports (bundled inside another package, dev only). A new entry here needs a reason.
 */
const DEV_BUNDLED_EXCEPTIONS: Record<string, string> = {
  'node_modules/aws-cdk-lib/node_modules/yaml': 'bundled inside aws-cdk-lib, a dependency of the kubectl layer dev tool',
};

function copies(name: string): [string, { version?: string; dev?: boolean; inBundle?: boolean }][] {
  return Object.entries(lock.packages).filter(([p]) => p === `node_modules/${name}` || p.endsWith(`/node_modules/${name}`));
}

describe('package-lock.json pins', () => {
  it('is a lockfile v2+ with a packages map', () => {
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2);
    expect(Object.keys(lock.packages).length).toBeGreaterThan(10);
  });

  for (const [name, { min, why }] of Object.entries(FLOORS)) {
    describe(`${name} >= ${min} (${why})`, () => {
      it('the top-level copy in the lock', () => {
        const top = lock.packages[`node_modules/${name}`];
        expect(top?.version, `${name} missing from package-lock.json`).toBeDefined();
        expect(semver.gte(top!.version!, min), `${name}@${top!.version} is below ${min}`).toBe(true);
        expect(top!.dev, `${name} must be a runtime dependency`).toBeFalsy();
      });

      it('every other copy the runtime could load', () => {
        for (const [p, entry] of copies(name)) {
          if (!entry.version || semver.gte(entry.version, min)) continue;
          expect(entry.dev && entry.inBundle && DEV_BUNDLED_EXCEPTIONS[p], `${p}@${entry.version} is below ${min}`).toBeTruthy();
        }
      });

      it('package.json cannot resolve below it', () => {
        const range = pkg.dependencies[name];
        expect(range, `${name} must be in dependencies`).toBeDefined();
        const floor = semver.minVersion(range);
        expect(floor && semver.gte(floor, min), `${name}: "${range}" allows versions below ${min}`).toBe(true);
      });

      it('the installed copy is the locked one', () => {
        const installed = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
        expect(installed.version).toBe(lock.packages[`node_modules/${name}`]?.version);
      });
    });
  }

  it('fastify stays on the 5.x line it was pinned to', () => {
    const v = lock.packages['node_modules/fastify']!.version!;
    expect(semver.major(v)).toBe(5);
    expect(semver.satisfies(v, '>=5.6.0 <6')).toBe(true);
  });

  it('the floor check itself refuses older versions', () => {
    const below = { yaml: '2.8.2', ajv: '8.17.1', 'node-forge': '1.3.1', fastify: '5.5.9', 'js-yaml': '4.1.0' } as const;
    for (const [name, v] of Object.entries(below)) expect(semver.gte(v, FLOORS[name].min), name).toBe(false);
  });
});
