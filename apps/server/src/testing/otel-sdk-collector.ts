import { ValueType, type Attributes, type Counter, type ObservableResult } from '@opentelemetry/api';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';

export interface SdkCollectorOptions {
  readonly url: string;
  readonly bearer?: string | undefined;
  readonly encoding: 'protobuf' | 'json';
  readonly gzip?: boolean;
  readonly instanceId?: string;
  /** Name instruments without the `otelcol_` prefix, as collectors before v0.106 pushed them. */
  readonly withoutPrefix?: boolean;
  /** The component IDs its traffic is attributed to (default: `otlp`, `batch`, `otlphttp/backend`). */
  readonly components?: { readonly receiver: string; readonly processor: string; readonly exporter: string };
  /** Attribute components as Alloy does (`component_id`), not as otelcol (`receiver` …). */
  readonly alloyForm?: boolean;
}

/**
 * A stand-in for one otelcol-contrib process's self-telemetry, sent by the real OpenTelemetry JS
 * SDK and OTLP exporter: instruments named and attributed like the collector's own
 * (receiverhelper, processorhelper, exporterhelper, process metrics, host metrics). A new
 * instance is a new process: counters start from zero with a new start time.
 */
export class SdkCollector {
  private readonly provider: MeterProvider;
  private readonly reader: PeriodicExportingMetricReader;
  readonly accepted: Counter;
  readonly refused: Counter;
  readonly incoming: Counter;
  readonly outgoing: Counter;
  readonly sent: Counter;
  readonly sendFailed: Counter;
  /** Gauge values read at each flush. */
  queueSize = 0;
  readonly queueCapacity = 1000;
  hostCpuIdleRatio = 0.75;
  hostMemoryUsedRatio = 0.4;
  rssBytes = 200 * 1024 * 1024;
  private readonly startedMs = Date.now();
  private lastExportError: Error | undefined;
  private readonly ids: Required<SdkCollectorOptions>['components'];
  private readonly attribute: (kind: 'receiver' | 'processor' | 'exporter', id: string) => Attributes;

  constructor(options: SdkCollectorOptions) {
    this.ids = options.components ?? { receiver: 'otlp', processor: 'batch', exporter: 'otlphttp/backend' };
    this.attribute = (kind, id) => (options.alloyForm ? { component_id: id } : { [kind]: id });
    const headers = options.bearer === undefined ? {} : { Authorization: `Bearer ${options.bearer}` };
    const exporterConfig = {
      url: options.url,
      headers,
      ...(options.gzip ? { compression: CompressionAlgorithm.GZIP } : {}),
    };
    const exporter: PushMetricExporter =
      options.encoding === 'protobuf' ? new ProtoExporter(exporterConfig) : new JsonExporter(exporterConfig);
    const observed: PushMetricExporter = {
      export: (metrics, done) =>
        exporter.export(metrics, (result) => {
          this.lastExportError = result.error;
          done(result);
        }),
      forceFlush: () => exporter.forceFlush(),
      shutdown: () => exporter.shutdown(),
    };
    this.reader = new PeriodicExportingMetricReader({ exporter: observed, exportIntervalMillis: 3_600_000 });
    this.provider = new MeterProvider({
      resource: resourceFromAttributes({
        'service.name': 'otelcol-contrib',
        'service.version': '0.135.0',
        'service.instance.id': options.instanceId ?? '0190a8d6-7a6e-7c3c-8f7e-3d1c2b4a5e6f',
        'host.name': 'edge-01',
      }),
      readers: [this.reader],
    });
    const prefix = options.withoutPrefix ? '' : 'otelcol_';
    const meter = this.provider.getMeter('go.opentelemetry.io/collector/receiver/receiverhelper');
    const counter = (name: string) => meter.createCounter(prefix + name, { valueType: ValueType.INT });
    this.accepted = counter('receiver_accepted_spans');
    this.refused = counter('receiver_refused_spans');
    this.incoming = counter('processor_incoming_items');
    this.outgoing = counter('processor_outgoing_items');
    this.sent = counter('exporter_sent_spans');
    this.sendFailed = counter('exporter_send_failed_spans');
    const gauge = (name: string, read: (result: ObservableResult) => void) =>
      meter.createObservableGauge(name, { valueType: ValueType.DOUBLE }).addCallback(read);
    const exporterAttributes: Attributes = {
      ...this.attribute('exporter', this.ids.exporter),
      data_type: 'traces',
    };
    gauge(`${prefix}exporter_queue_size`, (r) => r.observe(this.queueSize, exporterAttributes));
    gauge(`${prefix}exporter_queue_capacity`, (r) => r.observe(this.queueCapacity, exporterAttributes));
    gauge(`${prefix}process_memory_rss`, (r) => r.observe(this.rssBytes));
    meter
      .createObservableCounter(`${prefix}process_uptime`, { valueType: ValueType.DOUBLE })
      .addCallback((r) => r.observe((Date.now() - this.startedMs) / 1000));
    gauge('system.cpu.utilization', (r) => {
      r.observe(this.hostCpuIdleRatio, { cpu: 'cpu0', state: 'idle' });
      r.observe(1 - this.hostCpuIdleRatio, { cpu: 'cpu0', state: 'user' });
    });
    gauge('system.memory.utilization', (r) => {
      r.observe(this.hostMemoryUsedRatio, { state: 'used' });
      r.observe(1 - this.hostMemoryUsedRatio, { state: 'free' });
    });
  }

  /** Traffic as a collector would count it for one interval. */
  record(items: {
    accepted: number;
    refused?: number;
    sent?: number;
    sendFailed?: number;
    dropped?: number;
  }): void {
    const signal = { 'otel.signal': 'traces' };
    const receiver = { ...this.attribute('receiver', this.ids.receiver), transport: 'grpc' };
    const processor = { ...this.attribute('processor', this.ids.processor), ...signal };
    const exporter = this.attribute('exporter', this.ids.exporter);
    this.accepted.add(items.accepted, receiver);
    if (items.refused) this.refused.add(items.refused, receiver);
    this.incoming.add(items.accepted, processor);
    this.outgoing.add(items.accepted - (items.dropped ?? 0), processor);
    this.sent.add(items.sent ?? items.accepted, exporter);
    if (items.sendFailed) this.sendFailed.add(items.sendFailed, exporter);
  }

  /** Records accepted by another receiver, or sent by another exporter (one the config may lack). */
  recordOther(kind: 'receiver' | 'exporter', componentId: string, records: number): void {
    if (kind === 'receiver') this.accepted.add(records, this.attribute('receiver', componentId));
    else this.sent.add(records, this.attribute('exporter', componentId));
  }

  /** Collects and exports now; rejects when the server refused the push. */
  async push(): Promise<void> {
    await this.reader.forceFlush();
    if (this.lastExportError) throw this.lastExportError;
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown().catch(() => undefined);
  }
}
