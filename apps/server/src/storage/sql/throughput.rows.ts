import type { ThroughputBatch, ThroughputRow } from '../../domain/telemetry/throughput.store.ts';
import { decodeSamples, encodeSamples } from './throughput.codec.ts';

/** One packed ComponentThroughput row as stored: all component samples of one push. */
export interface ThroughputDbRow {
  collector_id: string;
  time_unix_ms: number;
  received_at_ms: number;
  sample_count: number;
  samples: string;
}

export function toDbRow(batch: ThroughputBatch): ThroughputDbRow {
  let timeUnixMs = 0;
  for (const sample of batch.samples) timeUnixMs = Math.max(timeUnixMs, sample.timeUnixMs);
  return {
    collector_id: batch.collectorId,
    time_unix_ms: timeUnixMs,
    received_at_ms: batch.receivedAtMs,
    sample_count: batch.samples.length,
    samples: encodeSamples(batch.samples),
  };
}

/**
 * Unpacks stored pushes given newest first into per-component rows, keeping the newest whole
 * pushes that fit in `limit` rows, and returns them oldest first.
 */
export function unpackNewestRows(newestFirst: readonly ThroughputDbRow[], limit: number): ThroughputRow[] {
  const kept: ThroughputDbRow[] = [];
  let rowCount = 0;
  for (const db of newestFirst) {
    if (rowCount + db.sample_count > limit) break;
    rowCount += db.sample_count;
    kept.push(db);
  }
  const rows: ThroughputRow[] = [];
  for (let i = kept.length - 1; i >= 0; i--) {
    const db = kept[i];
    if (db === undefined) continue;
    for (const sample of decodeSamples(db.samples)) {
      rows.push({ ...sample, collectorId: db.collector_id, receivedAtMs: db.received_at_ms });
    }
  }
  return rows;
}
