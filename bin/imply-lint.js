#!/usr/bin/env node
'use strict';
// imply-lint launcher (CommonJS: bin/package.json; an ES module entry costs Node's ESM loader, ~4 ms).
// Runs the single-file bundle dist/cli.cjs (built by `npm run build`, which `npm install` runs via prepare)
// from V8's code cache: the bytecode of the functions a lint runs, stored by the build after a warm-up lint
// (dist/compile-cache/) or, when that one does not fit this Node (another version, arch or V8 flags), by
// the first run into the user's cache dir ($XDG_CACHE_HOME/imply-lint or ~/.cache/imply-lint; other builds'
// caches untouched for a week are removed then). V8 checks the cache itself and compiles from source when it
// rejects it. IMPLY_LINT_COMPILE_CACHE=0 turns the cache off, =DIR moves the user cache. Node without
// vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER (< 20.12) runs the ES module build dist/cli.js instead.
// docs/performance.md section 1 has the measurements.
const fs = require('node:fs');
const path = require('node:path');

const DIST = path.join(__dirname, '..', 'dist');

function main() {
  const vm = require('node:vm');
  const file = path.join(DIST, 'cli.cjs');
  let source;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch {
    return esm();
  }
  const dynamicImport = vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (!dynamicImport) return esm();

  // The cache file's name ties it to this exact bundle (its build id, the last line), Node version, arch
  // and V8 flags: V8 itself compares only the source length, the V8 version and the flags.
  const m = /imply-lint-build:([0-9a-f]+)\s*$/.exec(source.slice(-80));
  const setting = process.env.IMPLY_LINT_COMPILE_CACHE;
  const name = m && setting !== '0' ? `${m[1]}-${process.version}-${process.arch}${flagsKey()}.cache` : undefined;
  const userDir = name ? userCacheDir(setting) : undefined;
  let cachedData;
  if (name) {
    for (const dir of [path.join(DIST, 'compile-cache'), userDir]) {
      if (!dir) continue;
      try {
        cachedData = fs.readFileSync(path.join(dir, name));
        break;
      } catch {
        // not there: next place
      }
    }
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    importModuleDynamically: dynamicImport,
  });
  if (name && userDir && (cachedData === undefined || script.cachedDataRejected)) {
    // After the run, so that the cache holds every function the run compiled (not only the top level).
    process.once('exit', () => writeCache(script, userDir, name));
  }
  const Module = require('node:module');
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(DIST);
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, DIST);
}

/** The ES module build: the same CLI, loaded without the code cache. */
function esm() {
  const cli = path.join(DIST, 'cli.js');
  if (!fs.existsSync(cli)) {
    process.stderr.write('imply-lint: dist/cli.js is missing: run `npm run build` first\n');
    process.exitCode = 2;
    return;
  }
  import(require('node:url').pathToFileURL(cli).href);
}

/** '' without V8 flags, else a short hash of them (a cache made under other flags is rejected). */
function flagsKey() {
  const flags = `${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS || ''}`;
  if (flags === '\0') return '';
  let h = 0x811c9dc5;
  for (let i = 0; i < flags.length; i++) h = Math.imul(h ^ flags.charCodeAt(i), 0x01000193);
  return `-f${(h >>> 0).toString(16)}`;
}

function userCacheDir(setting) {
  if (setting) return path.resolve(setting);
  const base = process.env.XDG_CACHE_HOME || (process.env.HOME ? path.join(process.env.HOME, '.cache') : process.env.LOCALAPPDATA);
  return base ? path.join(base, 'imply-lint') : undefined;
}

/**
 * mkdir -p without `recursive: true`: Node 20's recursive mkdirSync spins forever on some errors (seen with a
 * HOME under /proc), and this runs on every start without a usable cache. Throws when a level cannot be made.
 */
function makeDir(dir) {
  const missing = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) {
    if (path.dirname(d) === d || missing.length > 32) throw new Error(`cannot create ${dir}`);
    missing.unshift(d);
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
  }
}

/** A week: caches of other builds (older versions) untouched that long are removed when a cache is written. */
const STALE_MS = 7 * 24 * 3600 * 1000;

/** Best effort: a cache dir that cannot be written only means the next start compiles again. */
function writeCache(script, dir, name) {
  try {
    const data = script.createCachedData();
    makeDir(dir);
    const tmp = path.join(dir, `${name}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, path.join(dir, name));
    const build = name.slice(0, name.indexOf('-'));
    for (const f of fs.readdirSync(dir)) {
      if (f.startsWith(build) || !/\.(cache|tmp)$/.test(f)) continue;
      const p = path.join(dir, f);
      if (Date.now() - fs.statSync(p).mtimeMs > STALE_MS) fs.rmSync(p, { force: true });
    }
  } catch {
    // read-only or full: ignore
  }
}

main();
