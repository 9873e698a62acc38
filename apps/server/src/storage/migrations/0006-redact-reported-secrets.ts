import { sql, type Kysely, type RawBuilder } from 'kysely';
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
    const columns = Object.keys(target.columns);
    const selected = sql.join([target.key, ...columns].map((c) => sql.ref(c)));
    let after: unknown;
    for (;;) {
      const rows = await sql<Row>`select ${selected} from ${sql.table(target.table)} ${
        after === undefined ? sql`` : sql`where ${sql.ref(target.key)} > ${after}`
      } order by ${sql.ref(target.key)} limit ${batchRows}`.execute(db);
      for (const row of rows.rows) {
        const changes = changedColumns(target, row);
        if (changes.length === 0) continue;
        await sql`update ${sql.table(target.table)} set ${sql.join(changes, sql`, `)} where ${sql.ref(target.key)} = ${row[target.key]}`.execute(
          db,
        );
        rewritten += 1;
      }
      if (rows.rows.length < batchRows) break;
      after = rows.rows.at(-1)?.[target.key];
    }
  }
  return rewritten;
}

function changedColumns(target: Target, row: Row): RawBuilder<unknown>[] {
  const changes: RawBuilder<unknown>[] = [];
  for (const [column, kind] of Object.entries(target.columns)) {
    const value = row[column];
    if (typeof value !== 'string') continue;
    const redacted = kind === 'json' ? redactJson(value) : redactSecrets(value);
    if (redacted === value) continue;
    // A redacted dedupe key could collide with another row's under the unique index; the old
    // event then simply stops de-duplicating.
    const stored = kind === 'dedupe_key' ? null : redacted;
    changes.push(sql`${sql.ref(column)} = ${stored}`);
  }
  return changes;
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
