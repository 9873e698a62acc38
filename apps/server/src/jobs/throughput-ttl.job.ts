import type { Clock } from '../domain/shared/clock.ts';
import type { StorageOf } from '../domain/shared/storage.port.ts';
import type { Logger } from '../platform/logger.ts';

const intervalMs = 60_000;
const deleteBatchRows = 10_000;

/**
 * Expires ComponentThroughput rows older than the retention (24 h by default), in bounded
 * batches so no single transaction holds the database for long.
 */
export function startThroughputTtl(deps: {
  storage: StorageOf<'throughput'>;
  clock: Clock;
  logger: Logger;
  retentionHours: number;
}): { stop(): void; runOnce(): Promise<number> } {
  const runOnce = async () => {
    const cutoffMs = deps.clock.nowMs() - deps.retentionHours * 3_600_000;
    let total = 0;
    for (;;) {
      const deleted = await deps.storage.throughput.deleteReceivedBefore(cutoffMs, deleteBatchRows);
      total += deleted;
      if (deleted < deleteBatchRows) break;
    }
    if (total > 0)
      deps.logger.info(
        { deleted: total, retentionHours: deps.retentionHours },
        'jobs.throughput_ttl: expired',
      );
    return total;
  };
  const timer = setInterval(() => {
    runOnce().catch((error: unknown) => deps.logger.warn({ err: error }, 'jobs.throughput_ttl: failed'));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), runOnce };
}
