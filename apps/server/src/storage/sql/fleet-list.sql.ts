import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { CollectorStatus } from '../../domain/fleet/collector.types.ts';
import type { FleetListRow, FleetQuery, FleetSort } from '../../domain/fleet/fleet-list.types.ts';
import type { CollectorRow, Database } from '../schema.ts';
import { fleetDb } from '../schema.fleet.ts';
import { topErrorOf, unpackExporterRates } from './rate-summary.sql-store.ts';

/**
 * The fleet list's query (decision 0017): collectors joined with their rate summary, their config
 * state (the version they should run and the apply status last reported for it) and their current
 * OpAMP agent record (health), filtered, sorted and keyset-paged
 * in SQL, with the derived status computed by {@link effectiveStatus} — the same rule as the
 * domain's `deriveStatus`, so that `status=error` filters and status sorts page correctly (a
 * store test on both dialects holds the two equal). Every value is a bound parameter.
 */
type Dialect = 'sqlite' | 'postgres';

/** A text field of a JSON column (NULL when absent). */
function jsonText(dialect: Dialect, column: string, field: string): RawBuilder<string | null> {
  return dialect === 'postgres'
    ? sql<string | null>`(${sql.ref(column)}::jsonb ->> ${sql.lit(field)})`
    : sql<string | null>`json_extract(${sql.ref(column)}, ${sql.lit(`$.${field}`)})`;
}

/** OpAMP health `healthy: false` with a `last_error` (the supervisor's initial report has none). */
function unhealthy(dialect: Dialect): RawBuilder<SqlBool> {
  const healthyFalse =
    dialect === 'postgres'
      ? sql`(oa.health::jsonb ->> 'healthy') = 'false'`
      : sql`json_extract(oa.health, '$.healthy') = 0`;
  return sql<SqlBool>`(c.mode = 'opamp' and ${healthyFalse} and coalesce(${jsonText(dialect, 'oa.health', 'lastError')}, '') <> '')`;
}

/** Rates count until their expiry (judged at the query's `asOfMs`). */
const ratesCurrent = (asOfMs: number) =>
  sql<SqlBool>`(rs.rates_at_ms is not null and rs.expires_at_ms > ${asOfMs})`;

/**
 * The apply of the version the collector should run failed (OpAMP RemoteConfigStatus FAILED or
 * Alloy remotecfg failed, for that version's hash; a new version resets it to APPLYING).
 */
const configFailed = sql<SqlBool>`(ccs.apply_status = 'FAILED' and ccs.apply_version = ccs.current_version)`;

/**
 * The derived status: `error` for a connected collector whose current config failed to apply,
 * whose agent reports itself unhealthy, or with errors (refused + send_failed) above zero in its
 * current rates; else the stored status.
 */
export function effectiveStatus(dialect: Dialect, asOfMs: number): RawBuilder<CollectorStatus> {
  return sql<CollectorStatus>`(case when c.status = 'connected' and (
      (${ratesCurrent(asOfMs)} and rs.errors_per_sec > 0)
      or ${configFailed}
      or ${unhealthy(dialect)}
    ) then 'error' else c.status end)`;
}

/** Severity order of `sort=status` (asc: worst first). */
const statusRank = (status: RawBuilder<CollectorStatus>) => sql<number>`(case ${status}
    when 'error' then 0 when 'disconnected' then 1 when 'stale' then 2 when 'pending' then 3
    when 'connected' then 4 else 5 end)`;

/** Byte order for text keys in both dialects (PostgreSQL's locale collation would differ). */
const textKey = (dialect: Dialect, expression: RawBuilder<string | null>) =>
  dialect === 'postgres' ? sql<string | null>`(${expression} collate "C")` : expression;

function sortKey(dialect: Dialect, sort: FleetSort, asOfMs: number): RawBuilder<string | number | null> {
  const rate = (column: string) =>
    sql<number | null>`(case when ${ratesCurrent(asOfMs)} then ${sql.ref(column)} end)`;
  switch (sort) {
    case 'createdAt':
      return sql<number>`c.created_at`;
    case 'name':
      return textKey(dialect, sql<string>`lower(c.name)`);
    case 'version':
      return textKey(dialect, sql<string | null>`c.version`);
    case 'lastSeenAt':
      return sql<number | null>`c.last_seen_at`;
    case 'status':
      return statusRank(effectiveStatus(dialect, asOfMs));
    case 'recordsInPerSec':
      return rate('rs.records_in_per_sec');
    case 'recordsOutPerSec':
      return rate('rs.records_out_per_sec');
    case 'errorsPerSec':
      return rate('rs.errors_per_sec');
  }
}

/** `%`, `_` and the escape character itself, escaped for `like … escape '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Matches the effective labels: an operator's label wins over a reported one of the same name. */
function labelMatch(dialect: Dialect, key: string, value: string): RawBuilder<SqlBool> {
  return dialect === 'postgres'
    ? sql<SqlBool>`(coalesce(c.operator_labels::jsonb ->> ${key}, c.labels::jsonb ->> ${key}) = ${value})`
    : sql<SqlBool>`(coalesce((select o.value from json_each(c.operator_labels) as o where o.key = ${key}), (select l.value from json_each(c.labels) as l where l.key = ${key})) = ${value})`;
}

function textMatch(dialect: Dialect, text: string): RawBuilder<SqlBool> {
  const pattern = `%${escapeLike(text)}%`;
  const like = (column: RawBuilder<unknown>) =>
    sql<SqlBool>`lower(${column}) like lower(${pattern}) escape '\\'`;
  const alternatives = [
    like(sql`c.name`),
    like(sql`coalesce(c.hostname, '')`),
    like(sql`c.id`),
    like(sql`coalesce(c.instance_uid, '')`),
  ];
  const equals = text.indexOf('=');
  if (equals > 0) {
    alternatives.push(labelMatch(dialect, text.slice(0, equals).trim(), text.slice(equals + 1).trim()));
  }
  return sql<SqlBool>`(${sql.join(alternatives, sql` or `)})`;
}

/** Every filter of `query` except status, as one condition. */
function filters(
  dialect: Dialect,
  query: Omit<FleetQuery, 'sort' | 'order' | 'limit'>,
): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  if (query.includeDeregistered !== true) conditions.push(sql<SqlBool>`c.deregistered_at is null`);
  if (query.text !== undefined && query.text.trim() !== '')
    conditions.push(textMatch(dialect, query.text.trim()));
  const anyOf = (column: string, values: readonly string[] | undefined) => {
    if (values !== undefined && values.length > 0)
      conditions.push(sql<SqlBool>`${sql.ref(column)} in (${sql.join(values)})`);
  };
  anyOf('c.id', query.ids);
  anyOf('c.runtime', query.runtimes);
  anyOf('c.mode', query.modes);
  anyOf('c.version', query.versions);
  for (const label of query.labels ?? []) conditions.push(labelMatch(dialect, label.key, label.value));
  return conditions;
}

function joined(db: Kysely<Database>) {
  return fleetDb(db)
    .selectFrom('collectors as c')
    .leftJoin('collector_rate_summary as rs', 'rs.collector_id', 'c.id')
    .leftJoin('collector_config_state as ccs', 'ccs.collector_id', 'c.id')
    .leftJoin('opamp_agents as oa', (join) =>
      join.onRef('oa.instance_uid', '=', 'c.instance_uid').onRef('oa.collector_id', '=', 'c.id'),
    );
}

interface FleetDbRow extends CollectorRow {
  records_in_per_sec: number | null;
  records_out_per_sec: number | null;
  errors_per_sec: number | null;
  top_error_kind: string | null;
  top_error_component: string | null;
  top_error_per_sec: number | null;
  rates_at_ms: number | null;
  expires_at_ms: number | null;
  received_at_ms: number | null;
  exporter_rates: string | null;
  config_failed: number | boolean;
  apply_version: number | null;
  apply_error: string | null;
  oa_unhealthy: number | boolean | null;
  oa_last_error: string | null;
  sort_value: string | number | null;
}

/** One page of the fleet list (see {@link FleetQuery}). */
export async function listFleet(
  db: Kysely<Database>,
  dialect: Dialect,
  query: FleetQuery,
  toCollector: (row: CollectorRow) => FleetListRow['collector'],
): Promise<FleetListRow[]> {
  const status = effectiveStatus(dialect, query.asOfMs);
  const key = sortKey(dialect, query.sort, query.asOfMs);
  const conditions = filters(dialect, query);
  if (query.statuses !== undefined && query.statuses.length > 0)
    conditions.push(sql<SqlBool>`${status} in (${sql.join(query.statuses)})`);
  const after = query.after;
  if (after) {
    const beyond = query.order === 'asc' ? sql`>` : sql`<`;
    conditions.push(
      after.value === null
        ? sql<SqlBool>`(${key} is null and c.id > ${after.id})`
        : sql<SqlBool>`(${key} is null or ${key} ${beyond} ${after.value} or (${key} = ${after.value} and c.id > ${after.id}))`,
    );
  }
  const rows = (await joined(db)
    .selectAll('c')
    .select([
      'rs.records_in_per_sec',
      'rs.records_out_per_sec',
      'rs.errors_per_sec',
      'rs.top_error_kind',
      'rs.top_error_component',
      'rs.top_error_per_sec',
      'rs.rates_at_ms',
      'rs.expires_at_ms',
      'rs.received_at_ms',
      'rs.exporter_rates',
      sql<number>`(case when ${configFailed} then 1 else 0 end)`.as('config_failed'),
      'ccs.apply_version',
      'ccs.apply_error',
      sql<number>`(case when ${unhealthy(dialect)} then 1 else 0 end)`.as('oa_unhealthy'),
      jsonText(dialect, 'oa.health', 'lastError').as('oa_last_error'),
      key.as('sort_value'),
    ])
    .where((eb) => eb.and(conditions))
    .orderBy(sql`(case when ${key} is null then 1 else 0 end)`)
    .orderBy(key, query.order)
    .orderBy('c.id')
    .limit(query.limit)
    .execute()) as unknown as FleetDbRow[];
  return rows.map((row) => toListRow(row, toCollector));
}

/** How many collectors match every filter but `statuses`, per derived status. */
export async function countFleetByStatus(
  db: Kysely<Database>,
  dialect: Dialect,
  query: Omit<FleetQuery, 'sort' | 'order' | 'limit' | 'after' | 'statuses'>,
): Promise<Partial<Record<CollectorStatus, number>>> {
  // Grouped outside: PostgreSQL would not see two copies of the parameterised CASE as one.
  const statuses = joined(db)
    .select(effectiveStatus(dialect, query.asOfMs).as('status'))
    .where((eb) => eb.and(filters(dialect, query)));
  const rows = await fleetDb(db)
    .selectFrom(statuses.as('f'))
    .select(['f.status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy('f.status')
    .execute();
  const counts: Partial<Record<CollectorStatus, number>> = {};
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

function toListRow(
  row: FleetDbRow,
  toCollector: (row: CollectorRow) => FleetListRow['collector'],
): FleetListRow {
  const configFailure =
    row.config_failed === 1 || row.config_failed === true
      ? { version: row.apply_version ?? 0, error: row.apply_error ?? '' }
      : null;
  const isUnhealthy = row.oa_unhealthy === 1 || row.oa_unhealthy === true;
  return {
    collector: toCollector(row),
    facts: {
      configFailure,
      unhealthy: isUnhealthy ? { lastError: row.oa_last_error ?? '' } : null,
    },
    summary:
      row.received_at_ms === null
        ? undefined
        : {
            recordsInPerSec: row.records_in_per_sec,
            recordsOutPerSec: row.records_out_per_sec,
            errorsPerSec: row.errors_per_sec,
            topError: topErrorOf(row),
            ratesAtMs: row.rates_at_ms,
            expiresAtMs: row.expires_at_ms ?? 0,
            receivedAtMs: row.received_at_ms,
            exporterRates: unpackExporterRates(row.exporter_rates ?? '[]'),
          },
    sortValue: row.sort_value,
  };
}
