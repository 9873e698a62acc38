import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeFileAtomic } from './atomic-write.ts';

const root = mkdtempSync(join(tmpdir(), 'linkmesh-agent-atomic-'));
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('writeFileAtomic', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('creates missing parents 0700 and the file 0600, leaving no temp file', () => {
    const path = join(root, 'a', 'b', 'config.yaml');
    writeFileAtomic(path, 'secret: 1\n');
    assert.equal(readFileSync(path, 'utf8'), 'secret: 1\n');
    assert.equal(modeOf(path), 0o600);
    assert.equal(modeOf(join(root, 'a', 'b')), 0o700);
    assert.deepEqual(readdirSync(join(root, 'a', 'b')), ['config.yaml']);
  });

  it('replaces a world-readable file with a 0600 one whatever the umask', () => {
    const dir = join(root, 'replace');
    mkdirSync(dir);
    const path = join(dir, 'config.alloy');
    writeFileSync(path, 'old');
    chmodSync(path, 0o644);
    const previousUmask = process.umask(0o000);
    try {
      writeFileAtomic(path, 'new');
    } finally {
      process.umask(previousUmask);
    }
    assert.equal(readFileSync(path, 'utf8'), 'new');
    assert.equal(modeOf(path), 0o600);
    assert.deepEqual(readdirSync(dir), ['config.alloy']);
  });

  it('leaves the old file and no temp file behind when the rename fails', () => {
    const dir = join(root, 'failing');
    const target = join(dir, 'occupied');
    mkdirSync(join(target, 'child'), { recursive: true }); // a non-empty directory cannot be renamed over
    assert.throws(() => writeFileAtomic(target, 'x'));
    assert.deepEqual(readdirSync(dir), ['occupied']);
    assert.deepEqual(readdirSync(target), ['child']);
  });
});
