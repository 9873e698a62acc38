import assert from 'node:assert/strict';
import { FleetService } from '../fleet/fleet.service.ts';
import { ManualClock } from '../shared/clock.ts';
import { describeStorage } from '../../testing/storage-harness.ts';
import { operatorContext, uniqueName } from '../../testing/factories.ts';
import { ThroughputQuery } from './throughput.query.ts';
import type { ThroughputBatch } from './throughput.store.ts';

describeStorage('ThroughputQuery: which end a bounded read cuts', (suite) => {
  const clock = new ManualClock(Date.UTC(2026, 11, 1));
  const components = 25;
  const intervalMs = 30_000;

  /** `pushes` pushes of `components` receivers, 30 s apart, ending now; counter = push index. */
  async function seed(pushes: number): Promise<string> {
    const storage = suite.storage();
    const { id } = await new FleetService(storage, clock).createCollector(operatorContext, {
      name: uniqueName('q'),
      runtime: 'otelcol',
    });
    const nowMs = clock.nowMs();
    const batches: ThroughputBatch[] = Array.from({ length: pushes }, (_, i) => {
      const atMs = nowMs - (pushes - 1 - i) * intervalMs;
      return {
        collectorId: id,
        receivedAtMs: atMs,
        samples: Array.from({ length: components }, (_, c) => ({
          kind: 'receiver' as const,
          componentId: `otlp/${c}`,
          signal: 'traces' as const,
          counters: { accepted: (i + 1) * 300 },
          startTimeUnixMs: nowMs - 86_400_000,
          timeUnixMs: atMs,
        })),
      };
    });
    await storage.transaction((stores) => stores.throughput.insertBatches(batches));
    return id;
  }

  suite.test('a window past the row limit still reports the newest sample and rate', async () => {
    // 4 h of pushes, room for 1 h: the defect kept the oldest hour (lastSampleAt 3 h old).
    const id = await seed(480);
    const query = new ThroughputQuery(suite.storage(), clock, 120 * components);
    // 2-minute buckets: every push is read, so the limit cuts.
    const views = await query.components(id, { windowMs: 4 * 3_600_000, buckets: 120 });
    assert.equal(views.length, components);
    for (const view of views) {
      assert.equal(view.lastSampleAtMs, clock.nowMs(), `${view.componentId}: the newest sample`);
      assert.equal(view.samples, 120);
      assert.equal(view.recordsPerSec, 10, '300 records per 30 s');
    }
    // A 24 h window in hour buckets reads bucket edges (4 h: 8, and the newest two), under any cut.
    const tight = new ThroughputQuery(suite.storage(), clock, 5 * components);
    for (const view of await tight.components(id, { windowMs: 86_400_000, buckets: 24 })) {
      assert.equal(view.lastSampleAtMs, clock.nowMs(), `${view.componentId}: the newest sample`);
      assert.equal(view.samples, 5, 'the limit still cuts the oldest end');
      assert.equal(view.recordsPerSec, 10);
    }
    const raw = await query.rawRows(id, { windowMs: 86_400_000, limit: 10 * components });
    assert.equal(raw.at(-1)?.timeUnixMs, clock.nowMs(), 'raw rows keep the newest too');
    assert.ok((raw[0]?.timeUnixMs ?? 0) < (raw.at(-1)?.timeUnixMs ?? 0), 'returned oldest first');
  });
});
