import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import { migrateUp, type MigrationReport } from './migrator.ts';
import { startCheckpointer } from './sqlite-checkpointer.ts';
import type { Database } from './schema.ts';
import { SqlStorage } from './sql-storage.ts';

export type StorageTarget =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number };

export interface OpenStorageOptions {
  /** Called after every query: feeds the storage metrics. */
  readonly onQuery?: (durationMs: number, failed: boolean) => void;
  /** Problems that do not stop the storage (e.g. a failed background WAL checkpoint). */
  readonly onWarning?: (message: string) => void;
}

// BIGINT columns hold Unix milliseconds and counts, all far below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (text) => Number(text));

/** Opens the database, applies pending migrations under a lock, and returns the stores. */
export async function openStorage(
  target: StorageTarget,
  options: OpenStorageOptions = {},
): Promise<{ storage: SqlStorage; migrations: MigrationReport }> {
  const log = options.onQuery
    ? (event: LogEvent) => options.onQuery?.(event.queryDurationMillis, event.level === 'error')
    : undefined;
  const onWarning = options.onWarning ?? (() => undefined);
  const storage =
    target.kind === 'sqlite' ? openSqlite(target.file, log, onWarning) : openPostgres(target, log);
  try {
    const migrations = await migrateUp(storage.db as Kysely<unknown>, storage.dialect);
    return { storage, migrations };
  } catch (error) {
    await storage.close();
    throw error;
  }
}

/** Opens the underlying SQLite handle with the pragmas LinkMesh relies on. */
export function openSqliteDatabase(file: string): BetterSqlite3.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the
  // last transactions, which is the usual trade for an embedded control-plane store.
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 15000');
  database.pragma('foreign_keys = ON');
  cachePreparedStatements(database, 500);
  return database;
}

/**
 * Kysely prepares every query anew; compiling the same SQL text again costs more than running
 * it. Statements are reused per SQL text (parameters differ, the text does not), bounded, oldest
 * dropped first. Safe because better-sqlite3 runs statements synchronously and Kysely serialises
 * access to the one connection; SQLite re-prepares a cached statement itself after schema changes.
 */
function cachePreparedStatements(database: BetterSqlite3.Database, maxStatements: number): void {
  const prepare = database.prepare.bind(database);
  const cache = new Map<string, BetterSqlite3.Statement>();
  database.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      statement = prepare(source);
      if (cache.size >= maxStatements) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      cache.set(source, statement);
    }
    return statement;
  }) as typeof database.prepare;
}

function openSqlite(
  file: string,
  log: ((event: LogEvent) => void) | undefined,
  onWarning: (message: string) => void,
): SqlStorage {
  const database = openSqliteDatabase(file);
  const checkpointer =
    file === ':memory:'
      ? undefined
      : startCheckpointer(database, file, { intervalMs: 1000, onError: onWarning });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }), ...(log ? { log } : {}) });
  return new SqlStorage(db, 'sqlite', database, async () => {
    await checkpointer?.stop();
  });
}

function openPostgres(
  target: { url: string; poolSize: number },
  log: ((event: LogEvent) => void) | undefined,
): SqlStorage {
  const pool = new pg.Pool({ connectionString: target.url, max: target.poolSize });
  // An idle client losing its connection emits 'error' on the pool; without a listener that
  // would crash the process. The next query simply gets a fresh connection.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...(log ? { log } : {}) });
  return new SqlStorage(db, 'postgres');
}
