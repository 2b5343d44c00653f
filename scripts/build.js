#!/usr/bin/env node
// Compiles apps/ and libs/ to dist/ with SWC (seconds, not minutes on 2 cores) and rewrites the
// @ledger/* aliases to relative paths. Type checking is `npm run typecheck`.
//
// Every `npm run <app>` builds first, so two rules keep one process from pulling dist/ out from
// under another: an unchanged source tree is not rebuilt at all, and a changed one is not rebuilt
// while a process runs from dist/ (it would load a mix of old and new modules).
// On a fresh clone every `npm run <app>` reaches here first: install the locked dependencies once.
require('./ensure-deps');
const { createHash } = require('node:crypto');
const { transformFileSync } = require('@swc/core');
const { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join, relative, resolve, sep } = require('node:path');

const root = join(__dirname, '..');
const out = join(root, 'dist');
const stampFile = join(out, '.build-stamp');
const tsconfig = require(join(root, 'tsconfig.json'));

const walk = (dir) =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return walk(path);
      return /\.ts$/.test(name) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
    });

const sources = ['apps', 'libs'].flatMap((top) => walk(join(root, top)));
const schemaFiles = readdirSync(join(root, 'libs', 'messaging', 'schemas')).sort().map((f) => join(root, 'libs', 'messaging', 'schemas', f));
const stamp = (() => {
  const hash = createHash('sha256');
  for (const file of [...sources, ...schemaFiles, __filename, join(root, 'tsconfig.json'), join(root, 'package-lock.json')]) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
})();

/** Linux: processes whose command line runs a file under dist/ (resolved against their cwd). */
const runningFromDist = () => {
  let pids;
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return [];
  }
  const found = [];
  for (const pid of pids) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (args.slice(1).some((a) => resolve(cwd, a).startsWith(out + sep))) found.push(`pid ${pid} (${args.join(' ').slice(0, 120)})`);
    } catch {
      // Gone in between, or not ours to look at.
    }
  }
  return found;
};

if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
  if (process.argv.includes('--verbose')) process.stdout.write('dist/ is up to date\n');
  process.exit(0);
}
const busy = existsSync(out) ? runningFromDist() : [];
if (busy.length) {
  process.stderr.write(`build: the sources changed, but dist/ is in use by ${busy.join(', ')}; stop it, then run again\n`);
  process.exit(1);
}

// Staging trees of builds that died half way.
for (const name of readdirSync(root).filter((n) => /^\.dist-\d+$/.test(n))) {
  const pid = Number(name.slice(6));
  let alive = true;
  try {
    process.kill(pid, 0);
  } catch {
    alive = false;
  }
  if (!alive) rmSync(join(root, name), { recursive: true, force: true });
}
const staging = join(root, `.dist-${process.pid}`);
rmSync(staging, { recursive: true, force: true });
let count = 0;
for (const file of sources) {
  const { code, map } = transformFileSync(file, {
    sourceMaps: true,
    module: { type: 'commonjs' },
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      baseUrl: root,
      paths: tsconfig.compilerOptions.paths,
    },
  });
  const target = join(staging, relative(root, file)).replace(/\.ts$/, '.js');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
  writeFileSync(`${target}.map`, map);
  count++;
}
// The event JSON Schemas are read at run time (the append path checks every event against them).
const schemas = join(root, 'libs', 'messaging', 'schemas');
cpSync(schemas, join(staging, 'libs', 'messaging', 'schemas'), { recursive: true });
writeFileSync(join(staging, '.build-stamp'), stamp);
// Swap the finished tree in whole, so a build that dies half way leaves the previous dist/ intact.
rmSync(out, { recursive: true, force: true });
renameSync(staging, out);
process.stdout.write(`built ${count} files into dist/\n`);
