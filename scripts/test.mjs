#!/usr/bin/env node
// Runs the whole test suite with Node's test runner (TypeScript through tsx), then states how
// many store tests ran on SQLite and on PostgreSQL. `--unit` leaves out the browser suites;
// `--reliability` runs only the reliability suite (`*.reliability.test.ts`: fuzzing, bombs,
// kill -9, storms), which the plain run leaves out. LINKMESH_TEST_RELIABILITY_SCALE=full runs
// it at full size (the default is the bounded size CI uses).
// Extra arguments are passed to the runner (e.g. a file list, --test-name-pattern).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ensureWebBuild } from './ensure-web-build.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const reliability = args.includes('--reliability');
const passThrough = args.filter((a) => a !== '--unit' && a !== '--reliability');
const explicitFiles = passThrough.filter((a) => a.endsWith('.ts'));
const runnerFlags = passThrough.filter((a) => !a.endsWith('.ts'));

function findTests(dir, found = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findTests(path, found);
    else if (entry.name.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found;
}

const files = explicitFiles.length
  ? explicitFiles
  : ['apps', 'packages', 'tools', 'bench']
      .flatMap((dir) => findTests(join(root, dir)))
      .filter((file) => file.endsWith('.reliability.test.ts') === reliability)
      .filter((file) => !(unitOnly && file.endsWith('.browser.test.ts')))
      .sort();

if (!unitOnly && !reliability) ensureWebBuild();

const tallyDir = mkdtempSync(join(tmpdir(), 'linkmesh-tally-'));
const tallyFile = join(tallyDir, 'store-tests');
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...runnerFlags, ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, LINKMESH_TEST_TALLY_FILE: tallyFile } },
);

let lines = [];
try {
  lines = readFileSync(tallyFile, 'utf8').split('\n').filter(Boolean);
} catch {
  // no store test passed
}
rmSync(tallyDir, { recursive: true, force: true });
const count = (dialect) => lines.filter((l) => l === dialect).length;
if (!reliability)
  process.stdout.write(
    `\nStore tests that ran and passed: ${count('sqlite')} on SQLite, ${count('postgres')} on PostgreSQL` +
      (count('postgres') === 0 ? ' (PostgreSQL suites were skipped: see the skip reasons above)' : '') +
      '\n',
  );
process.exit(result.status ?? 1);
