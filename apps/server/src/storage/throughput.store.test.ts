import assert from 'node:assert/strict';
import { ManualClock } from '../domain/shared/clock.ts';
import { FleetService } from '../domain/fleet/fleet.service.ts';
import { SelfTelemetryIngest } from '../domain/telemetry/self-telemetry.ingest.ts';
import { ThroughputQuery } from '../domain/telemetry/throughput.query.ts';
import type { ThroughputBatch } from '../domain/telemetry/throughput.store.ts';
import { aPoint, aResource } from '../domain/telemetry/metric-point.fixtures.ts';
import { describeStorage } from '../testing/storage-harness.ts';
import { operatorContext, uniqueName } from '../testing/factories.ts';

describeStorage('ComponentThroughput storage', (suite) => {
  const clock = new ManualClock(Date.UTC(2026, 10, 1));
  const newCollector = async () =>
    (
      await new FleetService(suite.storage(), clock).createCollector(operatorContext, {
        name: uniqueName('t'),
        runtime: 'otelcol',
      })
    ).id;
  /** One push with a receiver and an exporter sample. */
  const push = (
    collectorId: string,
    timeUnixMs: number,
    accepted: number,
    receivedAtMs = timeUnixMs,
  ): ThroughputBatch => ({
    collectorId,
    receivedAtMs,
    samples: [
      {
        kind: 'receiver',
        componentId: 'otlp',
        signal: 'traces',
        counters: { accepted, refused: 0 },
        startTimeUnixMs: 1000,
        timeUnixMs,
      },
      {
        kind: 'exporter',
        componentId: 'otlphttp/x',
        signal: '',
        counters: { queueSize: 3 },
        startTimeUnixMs: 0,
        timeUnixMs,
      },
    ],
  });

  suite.test('writes rows in a transaction and reads them back oldest first within the window', async () => {
    const storage = suite.storage();
    const id = await newCollector();
    await storage.transaction((stores) =>
      stores.throughput.insertBatches([push(id, 3000, 30), push(id, 1000, 10), push(id, 2000, 20)]),
    );
    const read = await storage.throughput.listRows(id, { sinceMs: 1500, untilMs: 10_000, limit: 100 });
    const receivers = read.filter((r) => r.kind === 'receiver');
    assert.deepEqual(
      receivers.map((r) => r.counters.accepted),
      [20, 30],
    );
    assert.deepEqual(receivers[0]?.counters, { accepted: 20, refused: 0 }, 'absent counters stay absent');
    assert.deepEqual(read[1], {
      collectorId: id,
      receivedAtMs: 2000,
      kind: 'exporter',
      componentId: 'otlphttp/x',
      signal: '',
      counters: { queueSize: 3 },
      startTimeUnixMs: 0,
      timeUnixMs: 2000,
    });
    const limited = await storage.throughput.listRows(id, { sinceMs: 0, untilMs: 10_000, limit: 3 });
    assert.equal(limited.length, 2, 'whole pushes only: the second push would exceed the limit');
  });

  suite.test(
    'a limit cuts the oldest end of the window: the newest pushes are kept, oldest first',
    async () => {
      const storage = suite.storage();
      const id = await newCollector();
      // 25 pushes 30 s apart; room for 5 of them (2 rows each).
      const batches = Array.from({ length: 25 }, (_, i) => push(id, 30_000 * (i + 1), i + 1));
      await storage.transaction((stores) => stores.throughput.insertBatches(batches));
      const read = await storage.throughput.listRows(id, { sinceMs: 0, untilMs: 10_000_000, limit: 10 });
      assert.deepEqual(
        read.filter((r) => r.kind === 'receiver').map((r) => r.counters.accepted),
        [21, 22, 23, 24, 25],
        'the five newest pushes, oldest first',
      );
    },
  );

  suite.test('windows select by the server’s receive time, not the collector’s clock', async () => {
    const storage = suite.storage();
    const id = await newCollector();
    // A collector whose clock is a day behind: sample times are old, receive times are now.
    const dayMs = 86_400_000;
    await storage.transaction((stores) =>
      stores.throughput.insertBatches([push(id, 1000 - dayMs, 1, 1000), push(id, 31_000 - dayMs, 2, 31_000)]),
    );
    const read = await storage.throughput.listRows(id, { sinceMs: 0, untilMs: 60_000, limit: 100 });
    assert.deepEqual(
      read.filter((r) => r.kind === 'receiver').map((r) => [r.counters.accepted, r.receivedAtMs]),
      [
        [1, 1000],
        [2, 31_000],
      ],
    );
  });

  suite.test('expires rows by receive time in bounded batches and deletes a collector’s rows', async () => {
    const storage = suite.storage();
    const id = await newCollector();
    await storage.transaction((stores) =>
      stores.throughput.insertBatches([push(id, 1, 1, 100), push(id, 2, 2, 200), push(id, 3, 3, 900)]),
    );
    assert.equal(await storage.throughput.deleteReceivedBefore(500, 1), 1);
    assert.equal(await storage.throughput.deleteReceivedBefore(500, 10), 1);
    const left = await storage.throughput.listRows(id, { sinceMs: 0, untilMs: 1000, limit: 10 });
    assert.deepEqual(
      left.filter((r) => r.kind === 'receiver').map((r) => r.counters.accepted),
      [3],
    );
    assert.equal(await storage.throughput.deleteForCollector(id), 1);
  });

  suite.test(
    'an ingest flush stores samples, host metrics and last-seen, and counts a restart once',
    async () => {
      const storage = suite.storage();
      const id = await newCollector();
      const ingest = new SelfTelemetryIngest(
        storage,
        clock,
        () => Promise.resolve(true),
        { commitDelayMs: 0, maxBufferedPushes: 1000 },
        {
          flushed: () => undefined,
          failed: (error) => {
            throw error;
          },
        },
      );
      const push = async (timeUnixMs: number, uptimeSeconds: number, accepted: number) => {
        await ingest.accept(id, {
          resources: [
            aResource([
              aPoint({
                name: 'otelcol_receiver_accepted_spans',
                value: accepted,
                timeUnixMs,
                startTimeUnixMs: timeUnixMs - uptimeSeconds * 1000,
                attributes: { receiver: 'otlp' },
              }),
              aPoint({
                name: 'otelcol_process_uptime',
                value: uptimeSeconds,
                timeUnixMs,
                startTimeUnixMs: timeUnixMs - uptimeSeconds * 1000,
              }),
              aPoint({
                name: 'otelcol_process_memory_rss',
                kind: 'gauge',
                monotonic: false,
                value: 64 * 1024 * 1024,
                timeUnixMs,
              }),
            ]),
          ],
          ignoredPointCount: 0,
          rejectedPointCount: 0,
          rejectionMessages: [],
        });
        clock.advanceMs(30_000);
        await ingest.flush();
      };
      const t0 = clock.nowMs();
      await push(t0, 600, 100);
      await push(t0 + 30_000, 630, 200);
      await push(t0 + 60_000, 5, 3);
      await push(t0 + 90_000, 35, 50);
      const collector = await storage.collectors.get(id);
      assert.equal(collector?.restartCount, 1);
      assert.equal(collector.memoryMb, 64);
      assert.equal(collector.uptimeSeconds, 35);
      assert.equal(collector.status, 'connected');
      assert.equal(collector.lastSeenAtMs, t0 + 90_000);
      const rows = await storage.throughput.listRows(id, { sinceMs: 0, untilMs: t0 + 1e6, limit: 100 });
      assert.deepEqual(
        rows.map((r) => r.counters.accepted),
        [100, 200, 3, 50],
      );
      const events = await storage.events.list(id, { sinceMs: 0, limit: 10, types: ['restarted'] });
      assert.equal(events.length, 1);
      const registered = await storage.events.list(id, { sinceMs: 0, limit: 10, types: ['registered'] });
      assert.equal(
        registered.length,
        1,
        'a pre-created otelcol collector is registered by its first push, once',
      );
      assert.equal(registered[0]?.atMs, t0, 'at the first push');
    },
  );

  suite.test(
    'a long window reads each bucket’s first and last push and the newest two, with the same rates as every push',
    async () => {
      const storage = suite.storage();
      const id = await newCollector();
      const t0 = Date.UTC(2026, 10, 1, 0, 0, 0);
      // 2 h of pushes 30 s apart at 10 records/s, then 50 records/s for the last 10 minutes.
      const pushes: ThroughputBatch[] = [];
      let accepted = 0;
      for (let i = 0; i <= 240; i++) {
        if (i > 0) accepted += (i > 220 ? 50 : 10) * 30;
        pushes.push(push(id, t0 + i * 30_000, accepted));
      }
      await storage.transaction((stores) => stores.throughput.insertBatches(pushes));
      const window = { sinceMs: t0, untilMs: t0 + 240 * 30_000 + 1, limit: 50_000 };
      const edges = await storage.throughput.listRows(id, { ...window, edgesOfBucketsMs: 20 * 60_000 });
      const times = [...new Set(edges.map((r) => r.receivedAtMs))].map((t) => (t - t0) / 30_000);
      assert.deepEqual(
        times,
        [0, 39, 40, 79, 80, 119, 120, 159, 160, 199, 200, 239, 240],
        'first and last of each 20-minute bucket, and the newest two',
      );
      const clockAt = new ManualClock(t0 + 240 * 30_000);
      const query = new ThroughputQuery(storage, clockAt);
      const [sparse] = await query.components(id, { windowMs: 2 * 3_600_000, buckets: 6 });
      const [every] = await query.components(id, { windowMs: 2 * 3_600_000, buckets: 120 });
      assert.ok(sparse && every);
      assert.equal(sparse.samples, 13, 'six 20-minute buckets read at their edges');
      assert.equal(every.samples, 241, '1-minute buckets read every push');
      assert.equal(sparse.recordsPerSec, 50, 'the current rate is the newest pair’s');
      assert.equal(every.recordsPerSec, 50);
      assert.deepEqual(
        sparse.sparkline.map((v) => (v === null ? null : Math.round(v * 100) / 100)),
        [10, 10, 10, 10, 10, 30],
        'each bucket’s average rate, as every push gives it',
      );
    },
  );
});
