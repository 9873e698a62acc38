import { sql, type Kysely } from 'kysely';
import { migrations as allMigrations } from './migrations/index.ts';
import { dialectTypes, type Migration } from './migrations/migration.ts';

/** Any 64-bit constant; it names "LinkMesh schema migration" among PostgreSQL advisory locks. */
const migrationLockKey = 0x4c4d_4d49_4752n;

export interface MigrationReport {
  readonly applied: readonly string[];
  readonly alreadyApplied: number;
}

/**
 * Applies pending migrations in one transaction that holds an exclusive lock for its whole
 * length, so two server processes starting at once never both migrate: PostgreSQL takes a
 * transaction-scoped advisory lock; SQLite takes the database write lock up front with
 * `BEGIN IMMEDIATE` (the other process waits on `busy_timeout`, then sees the work done).
 */
export async function migrateUp(
  db: Kysely<unknown>,
  dialect: 'sqlite' | 'postgres',
  migrations: readonly Migration[] = allMigrations,
): Promise<MigrationReport> {
  return withMigrationLock(db, dialect, async (conn) => {
    const applied = await appliedNames(conn);
    const pending = migrations.filter((m) => !applied.has(m.name));
    for (const migration of pending) {
      await migration.up(conn, dialectTypes(dialect));
      await sql`insert into schema_migrations (name, applied_at) values (${migration.name}, ${Date.now()})`.execute(
        conn,
      );
    }
    return { applied: pending.map((m) => m.name), alreadyApplied: applied.size };
  });
}

/** Reverts the newest `steps` applied migrations (all of them with `Infinity`). */
export async function migrateDown(
  db: Kysely<unknown>,
  dialect: 'sqlite' | 'postgres',
  steps: number,
  migrations: readonly Migration[] = allMigrations,
): Promise<string[]> {
  return withMigrationLock(db, dialect, async (conn) => {
    const applied = await appliedNames(conn);
    const toRevert = migrations
      .filter((m) => applied.has(m.name))
      .reverse()
      .slice(0, steps);
    for (const migration of toRevert) {
      await migration.down(conn, dialectTypes(dialect));
      await sql`delete from schema_migrations where name = ${migration.name}`.execute(conn);
    }
    return toRevert.map((m) => m.name);
  });
}

async function appliedNames(conn: Kysely<unknown>): Promise<Set<string>> {
  await sql`create table if not exists schema_migrations (name text primary key, applied_at bigint not null)`.execute(
    conn,
  );
  const rows = await sql<{ name: string }>`select name from schema_migrations`.execute(conn);
  return new Set(rows.rows.map((r) => r.name));
}

async function withMigrationLock<T>(
  db: Kysely<unknown>,
  dialect: 'sqlite' | 'postgres',
  work: (conn: Kysely<unknown>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (conn) => {
    if (dialect === 'sqlite') {
      await sql`begin immediate`.execute(conn);
    } else {
      await sql`begin`.execute(conn);
      await sql`select pg_advisory_xact_lock(${migrationLockKey})`.execute(conn);
    }
    try {
      const result = await work(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
}
