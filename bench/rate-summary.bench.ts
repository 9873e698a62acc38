/**
 * `node --import tsx bench/rate-summary.bench.ts` — what the fleet list's rate summary
 * (decision 0017) costs the self-telemetry ingest, in one process, on SQLite.
 *
 * `bench:ingest` measures the whole server over HTTP and swings by ±50 % on a shared machine; this
 * isolates the commit path. Simulated otelcol pushes (the benchmark's payloads, decoded once) go
 * through `SelfTelemetryIngest` in groups of BENCH_GROUP (100) collectors, alternating rounds with
 * the summary on and with its store reads and writes stubbed out (the baseline, same run, same
 * data), and prints pushes/s for both and their ratio.
 *
 * Options (env): BENCH_COLLECTORS (2000), BENCH_ROUNDS (6), BENCH_GROUP (100).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetService } from '../apps/server/src/domain/fleet/fleet.service.ts';
import { ManualClock } from '../apps/server/src/domain/shared/clock.ts';
import { wantsMetric } from '../apps/server/src/domain/telemetry/self-metric-names.ts';
import { SelfTelemetryIngest } from '../apps/server/src/domain/telemetry/self-telemetry.ingest.ts';
import { decodeMetricsProtobuf } from '../apps/server/src/protocols/otlp/otlp-protobuf.decoder.ts';
import { openStorage } from '../apps/server/src/storage/open-storage.ts';
import { SqliteThroughputStore } from '../apps/server/src/storage/sql/throughput.sqlite-store.ts';
import { SimCollector } from '../tools/sim/src/sim-collector.ts';

const collectorCount = Number(process.env.BENCH_COLLECTORS ?? 2000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
const groupSize = Number(process.env.BENCH_GROUP ?? 100);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'linkmesh-rate-bench-'));
  const { storage } = await openStorage({ kind: 'sqlite', file: join(dir, 'bench.db') });
  const clock = new ManualClock(Date.now());
  const fleet = new FleetService(storage, clock);
  const ids: string[] = [];
  for (let i = 0; i < collectorCount; i += 1) {
    const created = await fleet.createCollector(
      { actor: 'bench', sourceIp: '' },
      { name: `c${i}`, runtime: 'otelcol' },
    );
    ids.push(created.id);
  }
  const sims = ids.map(
    (_, i) =>
      new SimCollector(
        {
          baseItemsPerSec: 500,
          failingExporter: i % 10 === 0,
          restartProbability: 0,
          withoutPrefix: false,
          instanceId: `i${i}`,
          hostName: `h${i}`,
          seed: i + 1,
        },
        clock.nowMs(),
      ),
  );
  const ingest = new SelfTelemetryIngest(
    storage,
    clock,
    () => Promise.resolve(true),
    { commitDelayMs: 0, maxBufferedPushes: 100_000 },
    { flushed: () => undefined, failed: (error) => console.error(error) },
  );

  // The prototype's own methods, put back and taken out again around each round (a stub, not a call).
  const original = {
    // eslint-disable-next-line @typescript-eslint/unbound-method
    read: SqliteThroughputStore.prototype.rateSummaries,
    // eslint-disable-next-line @typescript-eslint/unbound-method
    write: SqliteThroughputStore.prototype.writeRateSummaries,
  };
  const setSummary = (on: boolean) => {
    SqliteThroughputStore.prototype.rateSummaries = on ? original.read : () => Promise.resolve(new Map());
    SqliteThroughputStore.prototype.writeRateSummaries = on ? original.write : () => Promise.resolve();
  };

  /** One push per collector (30 s later than the last), committed in groups; returns pushes/s. */
  async function round(): Promise<number> {
    clock.advanceMs(30_000);
    const decoded = sims.map((sim) => {
      sim.advance(clock.nowMs());
      return decodeMetricsProtobuf(sim.encode(clock.nowMs()), { wants: wantsMetric });
    });
    const startMs = performance.now();
    for (let start = 0; start < ids.length; start += groupSize) {
      const group = ids
        .slice(start, start + groupSize)
        .map((id, i) => ingest.accept(id, decoded[start + i]!));
      await ingest.flush();
      await Promise.all(group);
    }
    return ids.length / ((performance.now() - startMs) / 1000);
  }

  setSummary(true);
  await round(); // warm-up, and every collector has a first sample
  const results = { on: [] as number[], off: [] as number[] };
  for (let i = 0; i < rounds; i += 1) {
    for (const on of i % 2 === 0 ? [true, false] : [false, true]) {
      setSummary(on);
      (on ? results.on : results.off).push(await round());
    }
  }
  setSummary(true);
  await storage.close();
  rmSync(dir, { recursive: true, force: true });

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const on = median(results.on);
  const off = median(results.off);
  console.log(`collectors ${collectorCount}, groups of ${groupSize}, ${rounds} rounds each way (medians)`);
  console.log(`ingest commit path without the rate summary: ${off.toFixed(0)} pushes/s`);
  console.log(`ingest commit path with the rate summary:    ${on.toFixed(0)} pushes/s`);
  console.log(`ratio: with ÷ without = ${(on / off).toFixed(3)}`);
}

await main();
