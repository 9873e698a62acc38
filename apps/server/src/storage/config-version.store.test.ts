import assert from 'node:assert/strict';
import type { ConfigVersion } from '../domain/collector-config/config-version.types.ts';
import { describeStorage } from '../testing/storage-harness.ts';
import { uniqueName } from '../testing/factories.ts';

describeStorage('config version storage', (suite) => {
  const aVersion = (collectorId: string, version: number, hashHex: string): ConfigVersion => ({
    collectorId,
    version,
    hashHex,
    format: 'otel-yaml',
    template: `# v${version}\n`,
    author: 'linkmesh:render',
    reason: 'test',
    diff: '',
    createdAtMs: 1_800_000_000_000 + version,
  });

  suite.test('numbers versions once each and reads them newest first, by number and by hash', async () => {
    const store = suite.storage().configVersions;
    const id = uniqueName('c');
    assert.equal(await store.insert(aVersion(id, 1, 'a')), true);
    assert.equal(await store.insert(aVersion(id, 2, 'b')), true);
    assert.equal(
      await store.insert(aVersion(id, 2, 'c')),
      false,
      'a taken number is refused, not overwritten',
    );
    assert.equal(await store.insert(aVersion(id, 3, 'a')), true);
    assert.equal((await store.latest(id))?.version, 3);
    assert.equal((await store.get(id, 2))?.hashHex, 'b');
    assert.equal((await store.byHash(id, 'a'))?.version, 3, 'the newest version with that hash');
    assert.deepEqual(
      (await store.list(id, { limit: 2 })).map((v) => v.version),
      [3, 2],
    );
    assert.deepEqual(
      (await store.list(id, { limit: 10, beforeVersion: 3 })).map((v) => v.version),
      [2, 1],
    );
    assert.deepEqual(await store.get(id, 1), aVersion(id, 1, 'a'));
  });

  suite.test('keeps the current version and the apply status per collector', async () => {
    const store = suite.storage().configVersions;
    const id = uniqueName('c');
    assert.equal(await store.state(id), undefined);
    await store.setCurrent(id, 1, 'r1');
    await store.setApply(id, { status: 'FAILED', version: 1, error: 'bad', atMs: 5 });
    assert.deepEqual(await store.state(id), {
      collectorId: id,
      currentVersion: 1,
      renderHash: 'r1',
      applyStatus: 'FAILED',
      applyVersion: 1,
      applyError: 'bad',
      applyUpdatedAtMs: 5,
    });
    await store.setCurrent(id, 2, 'r2');
    const next = await store.state(id);
    assert.deepEqual(
      [next?.currentVersion, next?.renderHash, next?.applyStatus, next?.applyError, next?.applyVersion],
      [2, 'r2', 'APPLYING', null, 1],
      'a new current version is APPLYING; the last report stays until the next one',
    );
  });
});
