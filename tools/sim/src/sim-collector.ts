import { alloyShape } from './alloy-shape.ts';
import type { NumberPoint } from './otlp-encode.ts';
import { otelcolShape } from './otelcol-shape.ts';
import type { ShapeContext } from './payload-shape.ts';
import { PayloadTemplate, sentinelsFor } from './payload-template.ts';
import {
  counterKey,
  type exporters,
  processors,
  queueCapacityBatches,
  receivers,
  scrapers,
  signals,
} from './sim-topology.ts';

/** How one simulated collector behaves. */
export interface SimCollectorOptions {
  /** Average items per second entering each receiver. */
  readonly baseItemsPerSec: number;
  /** Its `otlphttp/backend` exporter goes through outages (send_failed rises, the queue fills). */
  readonly failingExporter: boolean;
  /** Chance per push that the process restarted since the last one (counters reset). */
  readonly restartProbability: number;
  /** Name instruments as collectors before v0.106 did (no `otelcol_` prefix; otelcol only). */
  readonly withoutPrefix: boolean;
  /**
   * Whose self-telemetry form to push: otelcol-contrib's own OTLP (default) or Alloy's
   * Prometheus-scraped metrics forwarded over OTLP (`_total` names, `component_id`, no start times).
   */
  readonly flavor?: 'otelcol' | 'alloy';
  readonly instanceId: string;
  readonly hostName: string;
  /** Seed of the collector's deterministic pseudo-random traffic. */
  readonly seed: number;
}

/** The exporter that goes through outages (the others always succeed). */
const failingExporterId: (typeof exporters)[number] = 'otlphttp/backend';

/** Park–Miller minimal standard generator: reproducible traffic per collector. */
function random(seed: number): () => number {
  let state = (seed % 2147483646) + 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

/**
 * One otelcol-contrib process as its self-telemetry describes it: receivers accept traffic that
 * varies over time, processors pass it on (the memory limiter drops a little), exporters send it
 * — or, for a failing exporter, fail, queue up to capacity and then drop. Restarts reset every
 * counter and the start time, as a real process restart does.
 */
export class SimCollector {
  private readonly counters = new Map<string, number>();
  private readonly rand: () => number;
  private processStartMs: number;
  private lastTickMs: number;
  private queueSize = 0;
  private outageUntilMs = 0;
  private cpuSeconds = 0;
  restarts = 0;

  constructor(
    private readonly options: SimCollectorOptions,
    nowMs: number,
  ) {
    this.rand = random(options.seed);
    // Collectors have been up for a while when the simulation starts.
    this.processStartMs = nowMs - Math.floor(this.rand() * 86_400_000);
    this.lastTickMs = nowMs;
  }

  private add(key: string, amount: number): void {
    this.counters.set(key, (this.counters.get(key) ?? 0) + Math.max(0, Math.round(amount)));
  }

  private value(key: string): number {
    return this.counters.get(key) ?? 0;
  }

  /** Advances the simulated traffic to `nowMs`. */
  advance(nowMs: number): void {
    const elapsedSec = Math.max(0, (nowMs - this.lastTickMs) / 1000);
    this.lastTickMs = nowMs;
    if (this.rand() < this.options.restartProbability) {
      this.counters.clear();
      this.queueSize = 0;
      this.cpuSeconds = 0;
      this.processStartMs = nowMs - Math.floor(this.rand() * 5000);
      this.restarts += 1;
      return;
    }
    const wave = 1 + 0.5 * Math.sin((2 * Math.PI * nowMs) / 600_000 + this.options.seed);
    if (this.options.failingExporter && nowMs >= this.outageUntilMs && this.rand() < 0.1) {
      this.outageUntilMs = nowMs + 60_000 + this.rand() * 120_000;
    }
    const inOutage = nowMs < this.outageUntilMs;
    for (const { suffix, signal } of signals) {
      let accepted = 0;
      for (const receiver of receivers) {
        const items =
          this.options.baseItemsPerSec * receiver.share * wave * (0.8 + 0.4 * this.rand()) * elapsedSec;
        accepted += items;
        this.add(counterKey.receiver(receiver.id, receiver.transport, 'accepted', suffix), items);
        // A healthy collector refuses nothing (the fleet list turns any refusal into `error`);
        // during an exporter outage the back-pressure reaches the receivers.
        this.add(
          counterKey.receiver(receiver.id, receiver.transport, 'refused', suffix),
          inOutage ? items * 0.05 * this.rand() : 0,
        );
      }
      let flowing = accepted;
      for (const processor of processors) {
        this.add(counterKey.processor(processor, signal, 'incoming'), flowing);
        const dropped = processor === 'memory_limiter' ? flowing * 0.002 * this.rand() : 0;
        flowing -= dropped;
        this.add(counterKey.processor(processor, signal, 'outgoing'), flowing);
      }
      this.add(counterKey.exporter('debug', 'sent', suffix), flowing);
      this.add(counterKey.exporter('kafka/archive', 'sent', suffix), flowing);
      if (inOutage) {
        const failed = flowing * 0.9;
        this.add(counterKey.exporter(failingExporterId, 'send_failed', suffix), failed);
        this.add(counterKey.exporter(failingExporterId, 'sent', suffix), flowing - failed);
        this.queueSize = Math.min(queueCapacityBatches, this.queueSize + Math.ceil(failed / 500));
        if (this.queueSize >= queueCapacityBatches)
          this.add(counterKey.exporter(failingExporterId, 'enqueue_failed', suffix), failed * 0.5);
      } else {
        this.add(counterKey.exporter(failingExporterId, 'sent', suffix), flowing);
        this.queueSize = Math.max(0, this.queueSize - 50);
      }
    }
    this.cpuSeconds += elapsedSec * (0.05 + 0.1 * this.rand());
    for (const scraper of scrapers) this.add(counterKey.scraper(scraper), elapsedSec * 2);
  }

  /** The collector's self-telemetry at `nowMs` as an OTLP/HTTP protobuf request body. */
  encode(nowMs: number): Buffer {
    this.compiled ??= this.compile();
    const values = this.compiled.readers.map((read) => read());
    return this.compiled.template.render(values, this.processStartMs, nowMs);
  }

  private compiled: { template: PayloadTemplate; readers: Array<() => number> } | undefined;

  /** Encodes the payload's shape once, with a value slot per data point (see PayloadTemplate). */
  private compile(): { template: PayloadTemplate; readers: Array<() => number> } {
    const sentinels = sentinelsFor(512);
    const readers: Array<() => number> = [];
    const context: ShapeContext = {
      slot: (attributes, read, integer = true): NumberPoint => {
        const value = sentinels.valueSentinels[readers.length];
        if (value === undefined) throw new Error('too many value slots');
        readers.push(read);
        return { attributes, value, integer };
      },
      counter: (key) => () => this.value(key),
      queueSizeBatches: () => this.queueSize,
      cpuSeconds: () => this.cpuSeconds,
      uptimeSeconds: () => Math.max(0, (this.lastTickMs - this.processStartMs) / 1000),
      processStartUnixSeconds: () => this.processStartMs / 1000,
      residentMemoryBytes: () => 180_000_000 + this.queueSize * 40_000,
      instanceId: this.options.instanceId,
      hostName: this.options.hostName,
    };
    const shape = this.options.flavor === 'alloy' ? alloyShape : otelcolShape(this.options.withoutPrefix);
    const body = shape(context, sentinels);
    return {
      template: new PayloadTemplate(body, {
        ...sentinels,
        valueSentinels: sentinels.valueSentinels.slice(0, readers.length),
      }),
      readers,
    };
  }
}
