import {
  exportRequest,
  histogram,
  metric,
  scopeMetrics,
  type Attributes,
  type MetricSpec,
  type NumberPoint,
} from './otlp-encode.ts';
import { PayloadTemplate, sentinelsFor } from './payload-template.ts';

/** How one simulated collector behaves. */
export interface SimCollectorOptions {
  /** Average items per second entering each receiver. */
  readonly baseItemsPerSec: number;
  /** Its `otlphttp/backend` exporter goes through outages (send_failed rises, the queue fills). */
  readonly failingExporter: boolean;
  /** Chance per push that the process restarted since the last one (counters reset). */
  readonly restartProbability: number;
  /** Name instruments as collectors before v0.106 did (no `otelcol_` prefix). */
  readonly withoutPrefix: boolean;
  readonly instanceId: string;
  readonly hostName: string;
  /** Seed of the collector's deterministic pseudo-random traffic. */
  readonly seed: number;
}

const signals = [
  { suffix: 'spans', signal: 'traces' },
  { suffix: 'metric_points', signal: 'metrics' },
  { suffix: 'log_records', signal: 'logs' },
] as const;
const receivers = [
  { id: 'otlp', transport: 'grpc', share: 0.5 },
  { id: 'otlp', transport: 'http', share: 0.3 },
  { id: 'filelog/app', transport: '', share: 0.15 },
  { id: 'syslog', transport: 'tcp', share: 0.05 },
] as const;
const processors = ['memory_limiter', 'batch', 'attributes/env'] as const;
const exporters = ['otlphttp/backend', 'kafka/archive', 'debug'] as const;
const scrapers = ['cpu', 'memory', 'disk', 'filesystem', 'network'] as const;
const queueCapacity = 1000;

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
        this.add(`r:${receiver.id}:${receiver.transport}:accepted_${suffix}`, items);
        this.add(`r:${receiver.id}:${receiver.transport}:refused_${suffix}`, items * 0.001 * this.rand());
      }
      let flowing = accepted;
      for (const processor of processors) {
        this.add(`p:${processor}:${signal}:incoming`, flowing);
        const dropped = processor === 'memory_limiter' ? flowing * 0.002 * this.rand() : 0;
        flowing -= dropped;
        this.add(`p:${processor}:${signal}:outgoing`, flowing);
      }
      this.add(`e:debug:sent_${suffix}`, flowing);
      this.add(`e:kafka/archive:sent_${suffix}`, flowing);
      if (inOutage) {
        const failed = flowing * 0.9;
        this.add(`e:otlphttp/backend:send_failed_${suffix}`, failed);
        this.add(`e:otlphttp/backend:sent_${suffix}`, flowing - failed);
        this.queueSize = Math.min(queueCapacity, this.queueSize + Math.ceil(failed / 500));
        if (this.queueSize >= queueCapacity)
          this.add(`e:otlphttp/backend:enqueue_failed_${suffix}`, failed * 0.5);
      } else {
        this.add(`e:otlphttp/backend:sent_${suffix}`, flowing);
        this.queueSize = Math.max(0, this.queueSize - 50);
      }
    }
    this.cpuSeconds += elapsedSec * (0.05 + 0.1 * this.rand());
    for (const scraper of scrapers) this.add(`s:${scraper}`, elapsedSec * 2);
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
    const slot = (attributes: Attributes, read: () => number, integer = true): NumberPoint => {
      const value = sentinels.valueSentinels[readers.length];
      if (value === undefined) throw new Error('too many value slots');
      readers.push(read);
      return { attributes, value, integer };
    };
    const p = this.options.withoutPrefix ? '' : 'otelcol_';
    const counter = (key: string) => () => this.value(key);
    const specs: MetricSpec[] = [];
    for (const { suffix } of signals) {
      for (const kind of ['accepted', 'refused'] as const) {
        specs.push({
          name: `${p}receiver_${kind}_${suffix}`,
          unit: '{item}',
          kind: 'counter',
          points: receivers.map((r) =>
            slot(
              { receiver: r.id, transport: r.transport },
              counter(`r:${r.id}:${r.transport}:${kind}_${suffix}`),
            ),
          ),
        });
      }
      for (const kind of ['sent', 'send_failed', 'enqueue_failed'] as const) {
        specs.push({
          name: `${p}exporter_${kind}_${suffix}`,
          unit: '{item}',
          kind: 'counter',
          points: exporters.map((e) => slot({ exporter: e }, counter(`e:${e}:${kind}_${suffix}`))),
        });
      }
    }
    for (const kind of ['incoming', 'outgoing'] as const) {
      specs.push({
        name: `${p}processor_${kind}_items`,
        unit: '{item}',
        kind: 'counter',
        points: processors.flatMap((proc) =>
          signals.map(({ signal }) =>
            slot({ processor: proc, 'otel.signal': signal }, counter(`p:${proc}:${signal}:${kind}`)),
          ),
        ),
      });
    }
    const perExporterSignal = (read: (exporter: string) => () => number) =>
      exporters.flatMap((e) =>
        signals.map(({ signal }) => slot({ exporter: e, data_type: signal }, read(e))),
      );
    specs.push({
      name: `${p}exporter_queue_size`,
      unit: '{batch}',
      kind: 'gauge',
      points: perExporterSignal((e) => () => (e === 'otlphttp/backend' ? this.queueSize : 0)),
    });
    specs.push({
      name: `${p}exporter_queue_capacity`,
      unit: '{batch}',
      kind: 'gauge',
      points: perExporterSignal(() => () => queueCapacity),
    });
    specs.push({
      name: `${p}exporter_in_flight_requests`,
      unit: '{request}',
      kind: 'updown',
      points: perExporterSignal(() => () => 1),
    });
    const uptime = () => Math.max(0, (this.lastTickMs - this.processStartMs) / 1000);
    specs.push({ name: `${p}process_uptime`, unit: 's', kind: 'counter', points: [slot({}, uptime, false)] });
    specs.push({
      name: `${p}process_cpu_seconds`,
      unit: 's',
      kind: 'counter',
      points: [slot({}, () => this.cpuSeconds, false)],
    });
    specs.push({
      name: `${p}process_memory_rss`,
      unit: 'By',
      kind: 'gauge',
      points: [slot({}, () => 180_000_000 + this.queueSize * 40_000)],
    });
    specs.push({
      name: `${p}process_runtime_heap_alloc_bytes`,
      unit: 'By',
      kind: 'gauge',
      points: [slot({}, () => 60_000_000)],
    });
    specs.push({
      name: 'system.cpu.utilization',
      unit: '1',
      kind: 'gauge',
      points: ['cpu0', 'cpu1'].flatMap((cpu) =>
        (['idle', 'user', 'system'] as const).map((state) =>
          slot({ cpu, state }, () => (state === 'idle' ? 0.7 : 0.15), false),
        ),
      ),
    });
    specs.push({
      name: 'system.memory.utilization',
      unit: '1',
      kind: 'gauge',
      points: (['used', 'free', 'cached'] as const).map((state) =>
        slot({ state }, () => (state === 'used' ? 0.45 : 0.275), false),
      ),
    });
    specs.push({
      name: `${p}scraper_scraped_metric_points`,
      unit: '{datapoint}',
      kind: 'counter',
      points: scrapers.map((scraper) => slot({ receiver: 'hostmetrics', scraper }, counter(`s:${scraper}`))),
    });
    const metrics = specs.map((spec) => metric(spec, sentinels.startSentinelMs, sentinels.timeSentinelMs));
    metrics.push(
      histogram(
        'http.server.request.duration',
        { 'http.route': '/v1/traces' },
        [0.005, 0.01, 0.05, 0.1, 0.5],
        [500, 300, 60, 8, 2, 1],
        sentinels.startSentinelMs,
        sentinels.timeSentinelMs,
      ),
      histogram(
        `${p}processor_batch_batch_send_size`,
        { processor: 'batch' },
        [10, 100, 1000, 10000],
        [20, 200, 80, 4, 0],
        sentinels.startSentinelMs,
        sentinels.timeSentinelMs,
      ),
    );
    const body = exportRequest(
      {
        'service.name': 'otelcol-contrib',
        'service.version': '0.135.0',
        'service.instance.id': this.options.instanceId,
        'host.name': this.options.hostName,
        'os.type': 'linux',
        'host.arch': 'amd64',
      },
      [scopeMetrics('go.opentelemetry.io/collector/service', '0.135.0', metrics)],
    );
    return {
      template: new PayloadTemplate(body, {
        ...sentinels,
        valueSentinels: sentinels.valueSentinels.slice(0, readers.length),
      }),
      readers,
    };
  }
}
