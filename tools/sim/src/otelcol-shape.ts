import { exportRequest, histogram, metric, scopeMetrics, type MetricSpec } from './otlp-encode.ts';
import type { PayloadShape, ShapeContext } from './payload-shape.ts';
import {
  counterKey,
  exporters,
  processors,
  queueCapacityBatches,
  receivers,
  scrapers,
  signals,
} from './sim-topology.ts';

/**
 * otelcol-contrib's own telemetry pushed over OTLP (protocols.md §4.1): instrument names without
 * `_total`, `otelcol_` since v0.106 (`withoutPrefix` for older collectors), upstream component
 * attributes, cumulative sums with a start time, plus host metrics from a hostmetrics receiver.
 */
export function otelcolShape(withoutPrefix: boolean): PayloadShape {
  return (context, slots) => {
    const p = withoutPrefix ? '' : 'otelcol_';
    const specs = [...componentSpecs(context, p), ...processSpecs(context, p), ...hostSpecs(context, p)];
    const metrics = specs.map((spec) => metric(spec, slots.startSentinelMs, slots.timeSentinelMs));
    metrics.push(
      histogram(
        'http.server.request.duration',
        { 'http.route': '/v1/traces' },
        [0.005, 0.01, 0.05, 0.1, 0.5],
        [500, 300, 60, 8, 2, 1],
        slots.startSentinelMs,
        slots.timeSentinelMs,
      ),
      histogram(
        `${p}processor_batch_batch_send_size`,
        { processor: 'batch' },
        [10, 100, 1000, 10000],
        [20, 200, 80, 4, 0],
        slots.startSentinelMs,
        slots.timeSentinelMs,
      ),
    );
    return exportRequest(
      {
        'service.name': 'otelcol-contrib',
        'service.version': '0.135.0',
        'service.instance.id': context.instanceId,
        'host.name': context.hostName,
        'os.type': 'linux',
        'host.arch': 'amd64',
      },
      [scopeMetrics('go.opentelemetry.io/collector/service', '0.135.0', metrics)],
    );
  };
}

function componentSpecs(context: ShapeContext, p: string): MetricSpec[] {
  const { slot, counter } = context;
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
            counter(counterKey.receiver(r.id, r.transport, kind, suffix)),
          ),
        ),
      });
    }
    for (const kind of ['sent', 'send_failed', 'enqueue_failed'] as const) {
      specs.push({
        name: `${p}exporter_${kind}_${suffix}`,
        unit: '{item}',
        kind: 'counter',
        points: exporters.map((e) => slot({ exporter: e }, counter(counterKey.exporter(e, kind, suffix)))),
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
          slot({ processor: proc, 'otel.signal': signal }, counter(counterKey.processor(proc, signal, kind))),
        ),
      ),
    });
  }
  const perExporterSignal = (read: (exporter: string) => () => number) =>
    exporters.flatMap((e) => signals.map(({ signal }) => slot({ exporter: e, data_type: signal }, read(e))));
  specs.push(
    {
      name: `${p}exporter_queue_size`,
      unit: '{batch}',
      kind: 'gauge',
      points: perExporterSignal((e) => () => (e === 'otlphttp/backend' ? context.queueSizeBatches() : 0)),
    },
    {
      name: `${p}exporter_queue_capacity`,
      unit: '{batch}',
      kind: 'gauge',
      points: perExporterSignal(() => () => queueCapacityBatches),
    },
    {
      name: `${p}exporter_in_flight_requests`,
      unit: '{request}',
      kind: 'updown',
      points: perExporterSignal(() => () => 1),
    },
  );
  return specs;
}

function processSpecs(context: ShapeContext, p: string): MetricSpec[] {
  const { slot } = context;
  return [
    {
      name: `${p}process_uptime`,
      unit: 's',
      kind: 'counter',
      points: [slot({}, () => context.uptimeSeconds(), false)],
    },
    {
      name: `${p}process_cpu_seconds`,
      unit: 's',
      kind: 'counter',
      points: [slot({}, () => context.cpuSeconds(), false)],
    },
    {
      name: `${p}process_memory_rss`,
      unit: 'By',
      kind: 'gauge',
      points: [slot({}, () => context.residentMemoryBytes())],
    },
    {
      name: `${p}process_runtime_heap_alloc_bytes`,
      unit: 'By',
      kind: 'gauge',
      points: [slot({}, () => 60_000_000)],
    },
  ];
}

function hostSpecs(context: ShapeContext, p: string): MetricSpec[] {
  const { slot, counter } = context;
  return [
    {
      name: 'system.cpu.utilization',
      unit: '1',
      kind: 'gauge',
      points: ['cpu0', 'cpu1'].flatMap((cpu) =>
        (['idle', 'user', 'system'] as const).map((state) =>
          slot({ cpu, state }, () => (state === 'idle' ? 0.7 : 0.15), false),
        ),
      ),
    },
    {
      name: 'system.memory.utilization',
      unit: '1',
      kind: 'gauge',
      points: (['used', 'free', 'cached'] as const).map((state) =>
        slot({ state }, () => (state === 'used' ? 0.45 : 0.275), false),
      ),
    },
    {
      name: `${p}scraper_scraped_metric_points`,
      unit: '{datapoint}',
      kind: 'counter',
      points: scrapers.map((scraper) =>
        slot({ receiver: 'hostmetrics', scraper }, counter(counterKey.scraper(scraper))),
      ),
    },
  ];
}
