import { hostCollectionIntervalSeconds, hostReceiverId } from '@linkmesh/pipelines/otel-host';
import { componentSpecs, type ComponentNaming } from './component-specs.ts';
import { exportRequest, histogram, metric, scopeMetrics, type MetricSpec } from './otlp-encode.ts';
import type { PayloadShape, ShapeContext } from './payload-shape.ts';

/**
 * otelcol-contrib's own telemetry pushed over OTLP (protocols.md §4.1): instrument names without
 * `_total`, `otelcol_` since v0.106 (`withoutPrefix` for older collectors), the upstream
 * `receiver` / `processor` / `exporter` attributes naming the components of the delivered
 * config (`otlp/src_<t>`, LinkMesh's own `hostmetrics/linkmesh` → `otlphttp/linkmesh` too),
 * cumulative sums with a start time, plus the host metrics that host source collects.
 */
export function otelcolShape(withoutPrefix: boolean): PayloadShape {
  return (context, slots) => {
    const p = withoutPrefix ? '' : 'otelcol_';
    const naming: ComponentNaming = {
      metricName: (stem) => `${p}${stem}`,
      unit: (kind) => (kind === 'counter' ? '{item}' : '{batch}'),
      labels: (kind, component) => ({ [kind]: component.id }),
      signalLabel: 'otel.signal',
      integer: true,
    };
    const specs = [
      ...componentSpecs(context, naming),
      ...inFlightSpecs(context, p),
      ...scraperSpecs(context, p),
      ...processSpecs(context, p),
      ...hostSpecs(context),
    ];
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
    );
    const batch = context.pipeline.components.find(
      (c) => c.reports === 'processor' && c.otelType === 'batch',
    );
    if (batch)
      metrics.push(
        histogram(
          `${p}processor_batch_batch_send_size`,
          { processor: batch.id },
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

function inFlightSpecs(context: ShapeContext, p: string): MetricSpec[] {
  const points = context.pipeline.components
    .filter((c) => c.reports === 'exporter')
    .flatMap((e) => e.signals.map((signal) => context.slot({ exporter: e.id, data_type: signal }, () => 1)));
  return points.length === 0
    ? []
    : [{ name: `${p}exporter_in_flight_requests`, unit: '{request}', kind: 'updown', points }];
}

/**
 * The host scrapers of LinkMesh's host source (`hostmetrics/linkmesh`): their counts follow
 * the process uptime (one collection every 30 s), so they reset with it.
 */
function scraperSpecs(context: ShapeContext, p: string): MetricSpec[] {
  const collections = () => Math.floor(context.uptimeSeconds() / hostCollectionIntervalSeconds);
  return [
    {
      name: `${p}scraper_scraped_metric_points`,
      unit: '{datapoint}',
      kind: 'counter',
      points: [
        context.slot({ receiver: hostReceiverId, scraper: 'cpu' }, () => collections() * 6),
        context.slot({ receiver: hostReceiverId, scraper: 'memory' }, () => collections() * 3),
      ],
    },
  ];
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

function hostSpecs(context: ShapeContext): MetricSpec[] {
  const { slot } = context;
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
  ];
}
