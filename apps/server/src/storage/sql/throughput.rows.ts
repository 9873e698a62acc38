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

/** Unpacks stored pushes into per-component rows, oldest push first, at most `limit` rows. */
export function unpackRows(dbRows: readonly ThroughputDbRow[], limit: number): ThroughputRow[] {
  const rows: ThroughputRow[] = [];
  for (const db of dbRows) {
    if (rows.length + db.sample_count > limit) break;
    for (const sample of decodeSamples(db.samples)) {
      rows.push({ ...sample, collectorId: db.collector_id, receivedAtMs: db.received_at_ms });
    }
  }
  return rows;
}
