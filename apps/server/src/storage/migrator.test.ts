import assert from 'node:assert/strict';
import { Kysely, sql } from 'kysely';
import { describeStorage } from '../testing/storage-harness.ts';
import { migrateDown, migrateUp } from './migrator.ts';
import { migrations } from './migrations/index.ts';
import { runTsChild } from '../testing/child-process.ts';

describeStorage('migrations', (suite) => {
  suite.test('applies every migration once and records it', async () => {
    const rows = await sql<{ name: string }>`select name from schema_migrations order by name`.execute(
      suite.storage().db,
    );
    assert.deepEqual(
      rows.rows.map((r) => r.name),
      migrations.map((m) => m.name),
    );
  });

  suite.test('is a no-op when started again on a migrated database', async () => {
    const report = await migrateUp(suite.storage().db as Kysely<unknown>, suite.dialect);
    assert.deepEqual(report.applied, []);
    assert.equal(report.alreadyApplied, migrations.length);
  });

  suite.test('lets two processes start at once without both migrating', async () => {
    const db = suite.storage().db as Kysely<unknown>;
    await migrateDown(db, suite.dialect, Infinity);
    const target = JSON.stringify(suite.target());
    const outputs = await Promise.all([
      runTsChild('open-storage.child.ts', [target]),
      runTsChild('open-storage.child.ts', [target]),
    ]);
    const appliedByBoth = outputs.flatMap((out) => JSON.parse(out) as string[]);
    assert.deepEqual(
      appliedByBoth,
      migrations.map((m) => m.name),
      'each migration is applied by exactly one of the two processes',
    );
    assert.equal(await suite.storage().collectors.count(), 0);
  });

  suite.test('rolls every migration down and up again', async () => {
    const db = suite.storage().db as Kysely<unknown>;
    const reverted = await migrateDown(db, suite.dialect, Infinity);
    assert.deepEqual(reverted, migrations.map((m) => m.name).reverse());
    await assert.rejects(sql`select count(*) from collectors`.execute(db));
    const report = await migrateUp(db, suite.dialect);
    assert.equal(report.applied.length, migrations.length);
    assert.equal(await suite.storage().collectors.count(), 0);
  });
});
