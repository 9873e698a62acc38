import { sql, type Kysely } from 'kysely';
import { redactSecrets, redactSecretsDeep } from '../../domain/shared/redact-secrets.ts';
import type { Migration } from './migration.ts';

/**
 * Issue #9 finding 5: until now reported text was stored as reported, or redacted by YAML rules
 * that missed Alloy syntax — so effective configs, apply errors and events held live collector
 * bearers. This redacts every stored column of collector-reported text with the current rules
 * (the same ones the services now apply before they store).
 *
 * Rows are read in primary-key order, {@link redactBatchRows} at a time, and only rows that
 * change are written, so a fleet with 100k events holds one batch in memory and rewrites only
 * what held a secret. Redaction is idempotent: running it on redacted rows changes nothing.
 */
export const redactReportedSecrets: Migration = {
  name: '0006-redact-reported-secrets',
  async up(db: Kysely<unknown>) {
    await redactStoredReports(db);
  },
  async down() {
    // Nothing to undo: the secrets are gone by design, and the redacted rows are valid for 0005.
  },
};

/** Rows read per query. */
export const redactBatchRows = 500;

type ColumnKind = 'text' | 'json' | 'dedupe_key';

interface Target {
  readonly table: string;
  readonly key: string;
  readonly columns: Readonly<Record<string, ColumnKind>>;
}

/** Every column that holds text a collector or agent reported. */
const targets: readonly Target[] = [
  { table: 'collector_reports', key: 'collector_id', columns: { effective_config: 'text' } },
  {
    table: 'opamp_agents',
    key: 'instance_uid',
    columns: { effective_config: 'text', description: 'json', health: 'json', remote_config_status: 'json' },
  },
  { table: 'events', key: 'id', columns: { detail: 'text', dedupe_key: 'dedupe_key' } },
  {
    table: 'collectors',
    key: 'id',
    columns: { name: 'text', hostname: 'text', os: 'text', arch: 'text', version: 'text', labels: 'json' },
  },
  { table: 'managed_agents', key: 'collector_id', columns: { report: 'json' } },
];

type Row = Record<string, unknown>;

/** Redacts the reported-text columns of every row; returns how many rows were rewritten. */
export async function redactStoredReports(db: Kysely<unknown>, batchRows = redactBatchRows): Promise<number> {
  let rewritten = 0;
  for (const target of targets) {
    const selected = sql.join([target.key, ...Object.keys(target.columns)].map((c) => sql.ref(c)));
    let after: unknown;
    for (;;) {
      const rows = await sql<Row>`select ${selected} from ${sql.table(target.table)} ${
        after === undefined ? sql`` : sql`where ${sql.ref(target.key)} > ${after}`
      } order by ${sql.ref(target.key)} limit ${batchRows}`.execute(db);
      const changed = rows.rows
        .map((row) => ({ key: row[target.key], changes: changedColumns(target, row) }))
        .filter((row) => row.changes.size > 0);
      if (changed.length > 0) await updateBatch(db, target, changed);
      rewritten += changed.length;
      if (rows.rows.length < batchRows) break;
      after = rows.rows.at(-1)?.[target.key];
    }
  }
  return rewritten;
}

/** The redacted values of a row's columns that change. */
function changedColumns(target: Target, row: Row): Map<string, string | null> {
  const changes = new Map<string, string | null>();
  for (const [column, kind] of Object.entries(target.columns)) {
    const value = row[column];
    if (typeof value !== 'string') continue;
    const redacted = kind === 'json' ? redactJson(value) : redactSecrets(value);
    if (redacted === value) continue;
    // A redacted dedupe key could collide with another row's under the unique index; the old
    // event then simply stops de-duplicating.
    changes.set(column, kind === 'dedupe_key' ? null : redacted);
  }
  return changes;
}

/**
 * One statement per batch (`set c = case key when … then … else c end where key in (…)`), the
 * same in both dialects: a statement per row made PostgreSQL take ~2 ms a row.
 */
async function updateBatch(
  db: Kysely<unknown>,
  target: Target,
  rows: ReadonlyArray<{ key: unknown; changes: Map<string, string | null> }>,
): Promise<void> {
  const key = sql.ref(target.key);
  const sets = Object.keys(target.columns).flatMap((column) => {
    const cases = rows
      .filter((row) => row.changes.has(column))
      .map((row) => sql`when ${row.key} then ${row.changes.get(column) ?? null}`);
    if (cases.length === 0) return [];
    return [sql`${sql.ref(column)} = case ${key} ${sql.join(cases, sql` `)} else ${sql.ref(column)} end`];
  });
  await sql`update ${sql.table(target.table)} set ${sql.join(sets)} where ${key} in (${sql.join(
    rows.map((row) => row.key),
  )})`.execute(db);
}

/** JSON is redacted value by value (a quoted `\"` would hide pairs from the text rules). */
function redactJson(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return redactSecrets(text);
  }
  const redacted = JSON.stringify(redactSecretsDeep(parsed));
  // Unchanged content keeps its original spelling (no rewrite for a different key order or spacing).
  return redacted === JSON.stringify(parsed) ? text : redacted;
}
