import type { CounterName } from '../../domain/telemetry/self-metric-names.ts';
import type { ThroughputRow } from '../../domain/telemetry/throughput.store.ts';
import { counterColumns } from '../migrations/0002-component-throughput.ts';

/** Column ↔ counter mapping shared by both throughput writers. */
export const counterOfColumn: Record<(typeof counterColumns)[number], CounterName> = {
  accepted: 'accepted',
  refused: 'refused',
  failed: 'failed',
  incoming: 'incoming',
  outgoing: 'outgoing',
  dropped: 'dropped',
  sent: 'sent',
  send_failed: 'sendFailed',
  enqueue_failed: 'enqueueFailed',
  queue_size: 'queueSize',
  queue_capacity: 'queueCapacity',
};

export type ThroughputDbRow = {
  collector_id: string;
  kind: string;
  component_id: string;
  signal: string;
  time_unix_ms: number;
  start_time_unix_ms: number;
  received_at_ms: number;
} & Record<(typeof counterColumns)[number], number | null>;

export function toDbRow(row: ThroughputRow): ThroughputDbRow {
  const db = {
    collector_id: row.collectorId,
    kind: row.kind,
    component_id: row.componentId,
    signal: row.signal,
    time_unix_ms: row.timeUnixMs,
    start_time_unix_ms: row.startTimeUnixMs,
    received_at_ms: row.receivedAtMs,
  } as ThroughputDbRow;
  for (const column of counterColumns) db[column] = row.counters[counterOfColumn[column]] ?? null;
  return db;
}

export function fromDbRow(db: ThroughputDbRow): ThroughputRow {
  const counters: Partial<Record<CounterName, number>> = {};
  for (const column of counterColumns) {
    const value = db[column];
    if (value !== null) counters[counterOfColumn[column]] = value;
  }
  return {
    collectorId: db.collector_id,
    kind: db.kind as ThroughputRow['kind'],
    componentId: db.component_id,
    signal: db.signal as ThroughputRow['signal'],
    timeUnixMs: db.time_unix_ms,
    startTimeUnixMs: db.start_time_unix_ms,
    receivedAtMs: db.received_at_ms,
    counters,
  };
}
