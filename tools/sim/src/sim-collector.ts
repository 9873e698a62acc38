import { alloyShape } from './alloy-shape.ts';
import type { NumberPoint } from './otlp-encode.ts';
import { otelcolShape } from './otelcol-shape.ts';
import type { ShapeContext } from './payload-shape.ts';
import { PayloadTemplate, sentinelsFor } from './payload-template.ts';
import {
  counterName,
  defaultPipeline,
  simPipelineFromConfig,
  queueCapacityBatches,
  signals,
  type SignalSuffix,
  type SimComponent,
  type SimPipeline,
} from './sim-pipeline.ts';

/** How one simulated collector behaves. */
export interface SimCollectorOptions {
  /** Average items per second a busy source (OTLP) produces; other source types a share of it. */
  readonly baseItemsPerSec: number;
  /** Its pipeline's main exporter (OTLP first) goes through outages: send_failed rises, the queue fills. */
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

/** Park–Miller minimal standard generator: reproducible traffic per collector. */
function random(seed: number): () => number {
  let state = (seed % 2147483646) + 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

/** Sentinels for up to 4096 value slots per payload (a few hundred components), made once. */
const sentinels = sentinelsFor(4096);

/**
 * One collector process as its self-telemetry describes it, running the pipeline it was
 * delivered (`sim-pipeline.ts`): sources produce traffic that varies over time, every edge
 * carries what its upstream component passed on, receivers accept it (and refuse some while an
 * outage's back-pressure reaches them), processor steps pass it on minus what they drop, and
 * exporters send it — or, for the outage exporter, fail, queue up to capacity and then drop.
 * Restarts reset every counter and the start time, as a real process restart does.
 *
 * @example
 * const sim = new SimCollector(options, Date.now(), simPipelineFromConfig(yaml, 'otelcol'));
 * sim.advance(Date.now() + 30_000);
 * sim.counter('otlp/src_<t>', counterName.accepted('spans', 'grpc')); // → ~3000
 */
export class SimCollector {
  /** Component id → counter name → cumulative value (fractions kept, so short intervals add up). */
  private readonly counters = new Map<string, Map<string, number>>();
  private readonly rand: () => number;
  private current: SimPipeline;
  private processStartMs: number;
  private lastTickMs: number;
  private queueSize = 0;
  private outageUntilMs = 0;
  private cpuSeconds = 0;
  restarts = 0;

  constructor(
    private readonly options: SimCollectorOptions,
    nowMs: number,
    pipeline: SimPipeline = defaultPipeline(options.flavor ?? 'otelcol'),
  ) {
    this.rand = random(options.seed);
    this.current = pipeline;
    // Collectors have been up for a while when the simulation starts.
    this.processStartMs = nowMs - Math.floor(this.rand() * 86_400_000);
    this.lastTickMs = nowMs;
  }

  /** The pipeline it runs now. */
  get pipeline(): SimPipeline {
    return this.current;
  }

  /** Ids of the components whose counters its self-telemetry carries now. */
  get reportingComponentIds(): string[] {
    return this.current.components.filter((c) => c.reports !== undefined).map((c) => c.id);
  }

  /**
   * Runs a newly delivered pipeline, as a collector reload does: components that left stop
   * being reported, new ones start at 0, those kept (same id) carry on counting.
   */
  use(pipeline: SimPipeline): void {
    const kept = new Set(pipeline.components.map((c) => c.id));
    for (const id of this.counters.keys()) if (!kept.has(id)) this.counters.delete(id);
    if (pipeline.outageExporter !== this.current.outageExporter) {
      this.queueSize = 0;
      this.outageUntilMs = 0;
    }
    this.current = pipeline;
    this.compiled = undefined;
  }

  /**
   * A config the collector was delivered: it runs that config's pipeline from its next step on.
   * The text is parsed then, off the delivery path, so thousands of agents applying a rollout
   * (bench:render) do not pay for it before reporting APPLIED. Text that does not parse leaves
   * the pipeline as it is.
   */
  deliver(config: string): void {
    this.delivered = config;
  }

  private delivered: string | undefined;

  private reloadDelivered(): void {
    const config = this.delivered;
    if (config === undefined) return;
    this.delivered = undefined;
    const pipeline = simPipelineFromConfig(config, this.options.flavor ?? 'otelcol');
    if (pipeline) this.use(pipeline);
  }

  /** A cumulative counter of one component, in whole items (0 when it has not counted yet). */
  counter(componentId: string, name: string): number {
    return Math.floor(this.counters.get(componentId)?.get(name) ?? 0);
  }

  /** Batches queued in the outage exporter's sending queue (the others stay empty). */
  queueSizeOf(exporterId: string): number {
    return exporterId === this.current.outageExporter ? this.queueSize : 0;
  }

  private add(componentId: string, name: string, amount: number): void {
    let counters = this.counters.get(componentId);
    if (!counters) {
      counters = new Map();
      this.counters.set(componentId, counters);
    }
    counters.set(name, (counters.get(name) ?? 0) + Math.max(0, amount));
  }

  /** Advances the simulated traffic to `nowMs` (after loading a delivered config, if any). */
  advance(nowMs: number): void {
    this.reloadDelivered();
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
    const pipeline = this.current;
    const wave = 1 + 0.5 * Math.sin((2 * Math.PI * nowMs) / 600_000 + this.options.seed);
    const outageExporter = this.options.failingExporter ? pipeline.outageExporter : undefined;
    if (outageExporter !== undefined && nowMs >= this.outageUntilMs && this.rand() < 0.1) {
      this.outageUntilMs = nowMs + 60_000 + this.rand() * 120_000;
    }
    const inOutage = outageExporter !== undefined && nowMs < this.outageUntilMs;
    let failedItems = 0;
    for (const { signal, suffix } of signals) {
      /** What each component passed on downstream in this step. */
      const passedOn = new Map<string, number>();
      for (const component of pipeline.order.get(signal) ?? []) {
        let upstream = 0;
        let items = 0;
        for (const edge of pipeline.edges) {
          if (edge.to !== component.id || edge.signal !== signal) continue;
          upstream += 1;
          items += passedOn.get(edge.from) ?? 0;
        }
        // A component nothing feeds is where traffic enters the collector.
        if (upstream === 0) {
          items =
            this.options.baseItemsPerSec *
            component.sourceWeight *
            wave *
            (0.8 + 0.4 * this.rand()) *
            elapsedSec;
        }
        const out = this.step(component, suffix, signal, items, {
          refusing: inOutage && pipeline.backpressured.has(component.id),
          failing: inOutage && component.id === outageExporter,
        });
        if (inOutage && component.id === outageExporter) failedItems += items - out;
        passedOn.set(component.id, out);
      }
    }
    if (inOutage) {
      this.queueSize = Math.min(queueCapacityBatches, this.queueSize + Math.ceil(failedItems / 500));
    } else {
      this.queueSize = Math.max(0, this.queueSize - 150);
    }
    this.cpuSeconds += elapsedSec * (0.05 + 0.1 * this.rand());
  }

  /** Counts `items` arriving at one component; returns what it passes on. */
  private step(
    component: SimComponent,
    suffix: SignalSuffix,
    signal: string,
    items: number,
    state: { refusing: boolean; failing: boolean },
  ): number {
    const id = component.id;
    switch (component.reports) {
      case 'receiver': {
        // A healthy collector refuses nothing (the fleet list turns any refusal into `error`);
        // during an exporter outage the back-pressure reaches the receivers feeding it.
        const refused = state.refusing ? items * 0.05 * this.rand() : 0;
        for (const transport of component.transports) {
          this.add(id, counterName.accepted(suffix, transport.name), (items - refused) * transport.share);
          this.add(id, counterName.refused(suffix, transport.name), refused * transport.share);
        }
        return items - refused;
      }
      case 'processor': {
        // ±20 % around the type's share, never more than came in.
        const dropped = items * Math.min(1, component.dropShare * (0.8 + 0.4 * this.rand()));
        this.add(id, counterName.incoming(signal), items);
        this.add(id, counterName.outgoing(signal), items - dropped);
        return items - dropped;
      }
      case 'exporter': {
        const failed = state.failing ? items * 0.9 : 0;
        this.add(id, counterName.sent(suffix), items - failed);
        this.add(id, counterName.sendFailed(suffix), failed);
        if (state.failing && this.queueSize >= queueCapacityBatches)
          this.add(id, counterName.enqueueFailed(suffix), failed * 0.5);
        return items - failed;
      }
      case undefined:
        return items;
    }
  }

  /** The collector's self-telemetry at `nowMs` as an OTLP/HTTP protobuf request body. */
  encode(nowMs: number): Buffer {
    this.compiled ??= this.compile();
    const values = this.compiled.readers.map((read) => read());
    return this.compiled.template.render(values, this.processStartMs, nowMs);
  }

  private compiled: { template: PayloadTemplate; readers: Array<() => number> } | undefined;

  /** Encodes the payload's shape once per pipeline, with a value slot per data point (see PayloadTemplate). */
  private compile(): { template: PayloadTemplate; readers: Array<() => number> } {
    const readers: Array<() => number> = [];
    const context: ShapeContext = {
      pipeline: this.current,
      slot: (attributes, read, integer = true): NumberPoint => {
        const value = sentinels.valueSentinels[readers.length];
        if (value === undefined) throw new Error('too many value slots');
        readers.push(read);
        return { attributes, value, integer };
      },
      counter: (componentId, name) => () => this.counter(componentId, name),
      queueSizeBatches: (exporterId) => () => this.queueSizeOf(exporterId),
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
