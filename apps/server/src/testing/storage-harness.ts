import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStorage, type StorageTarget } from '../storage/open-storage.ts';
import type { SqlStorage } from '../storage/sql-storage.ts';
import { createTestDatabase, postgresUnavailableReason } from './postgres.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface StorageSuite {
  readonly dialect: Dialect;
  /** The storage opened (and migrated) for this dialect's suite. */
  storage(): SqlStorage;
  /** Declares a store test; passing tests are tallied per dialect for the CI summary. */
  test(name: string, body: () => Promise<void>): void;
  /** The target the suite opened, for tests that open a second handle (e.g. concurrent start-up). */
  target(): StorageTarget;
}

const skipPostgres = await postgresUnavailableReason();

/**
 * Runs the same store tests against a temporary SQLite file and a real PostgreSQL database
 * created (and dropped) for the run. Without PostgreSQL the second suite is reported as
 * skipped, with the reason — never passed silently.
 */
export function describeStorage(name: string, body: (suite: StorageSuite) => void): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const skip = dialect === 'postgres' ? skipPostgres : undefined;
    describe(`${name} [${dialect}]`, skip ? { skip } : {}, () => {
      let storage: SqlStorage | undefined;
      let target: StorageTarget | undefined;
      let cleanup: () => Promise<void> = async () => {};

      before(async () => {
        if (dialect === 'sqlite') {
          const dir = mkdtempSync(join(tmpdir(), 'linkmesh-store-'));
          target = { kind: 'sqlite', file: join(dir, 'linkmesh.db') };
          cleanup = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }));
        } else {
          const database = await createTestDatabase();
          target = { kind: 'postgres', url: database.url, poolSize: 4 };
          cleanup = database.drop;
        }
        storage = (await openStorage(target)).storage;
      });

      after(async () => {
        await storage?.close();
        await cleanup();
      });

      body({
        dialect,
        storage: () => {
          if (!storage) throw new Error('storage is opened in before()');
          return storage;
        },
        target: () => {
          if (!target) throw new Error('target is set in before()');
          return target;
        },
        test: (testName, testBody) => {
          it(testName, async () => {
            await testBody();
            tally(dialect);
          });
        },
      });
    });
  }
}

function tally(dialect: Dialect): void {
  const file = process.env.LINKMESH_TEST_TALLY_FILE;
  if (file) appendFileSync(file, `${dialect}\n`);
}
