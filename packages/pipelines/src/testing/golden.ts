import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Golden files under src/__golden__/. `UPDATE_GOLDEN=1 node --import tsx --test …` rewrites them;
 * otherwise a missing or different file fails the test.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '__golden__');

export function assertGolden(relativePath: string, actual: string): void {
  const path = join(root, relativePath);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(path, 'utf8');
  } catch {
    assert.fail(`golden file ${relativePath} is missing (run with UPDATE_GOLDEN=1 to create it)`);
  }
  assert.equal(actual, expected, `output differs from ${relativePath} (UPDATE_GOLDEN=1 rewrites it)`);
}
