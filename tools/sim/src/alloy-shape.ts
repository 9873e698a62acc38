import {
  exportRequest,
  histogram,
  metric,
  scopeMetrics,
  type Attributes,
  type MetricSpec,
} from './otlp-encode.ts';
import type { PayloadShape, ShapeContext } from './payload-shape.ts';
import {
  counterKey,
  exporters,
  processors,
  queueCapacityBatches,
  receivers,
  signals,
} from './sim-topology.ts';

type Kind = 'receiver' | 'processor' | 'exporter';

/**
 * The Alloy component id an otelcol component id becomes in an Alloy configuration.
 *
 * @example
 * alloyComponentId('exporter', 'otlphttp/backend'); // → 'otelcol.exporter.otlphttp.backend'
 * alloyComponentId('receiver', 'otlp'); // → 'otelcol.receiver.otlp.default'
 */
export function alloyComponentId(kind: Kind, otelId: string): string {
  const [type, name = 'default'] = otelId.split('/');
  return `otelcol.${kind}.${type}.${name}`;
}

/** Scope of the upstream helper that records each kind's counters (Prometheus `otel_scope_name`). */
const helperScopes: Record<Kind, string> = {
  receiver: 'go.opentelemetry.io/collector/receiver/receiverhelper',
  processor: 'go.opentelemetry.io/collector/processor/processorhelper',
  exporter: 'go.opentelemetry.io/collector/exporter/exporterhelper',
};

/**
 * Labels of one `otelcol.*` component's series as Alloy's self-exporter serves them
 * (protocols.md §3.4): `component_id` / `component_path` from Alloy's per-component registry,
 * `otel_scope_name` from the OTel Prometheus exporter, and the upstream attribute
 * (`receiver="otlp/otelcol.receiver.otlp.default"`, built as `<otel type>/<Alloy id>`).
 */
function componentLabels(kind: Kind, otelId: string, componentPath = '/'): Attributes {
  const componentId = alloyComponentId(kind, otelId);
  return {
    component_id: componentId,
    component_path: componentPath,
    otel_scope_name: helperScopes[kind],
    [kind]: `${otelId.split('/')[0]}/${componentId}`,
  };
}

/**
 * Alloy's self-metrics as they reach LinkMesh through the served pipeline (protocols.md §3.5):
 * `prometheus.exporter.self` → scrape → `otelcol.receiver.prometheus` → `otelcol.exporter.otlphttp`.
 * So: Prometheus names (counters with `_total`), float values, every label a data-point
 * attribute, resource `service.name` = job `integrations/self` and `service.instance.id` = host
 * name, and no start times (Alloy ≥ 1.14 synthesizes none; a restart shows only as a decrease).
 */
export const alloyShape: PayloadShape = (context, slots) => {
  const specs = [...componentSpecs(context), ...fleetPipelineSpecs(context), ...resourceSpecs(context)];
  const noStart = 0;
  const metrics = specs.map((spec) => metric(spec, noStart, slots.timeSentinelMs));
  metrics.push(
    histogram(
      'otelcol_processor_batch_batch_send_size',
      componentLabels('processor', 'batch'),
      [10, 100, 1000, 10000],
      [20, 200, 80, 4, 0],
      noStart,
      slots.timeSentinelMs,
    ),
  );
  return exportRequest(
    {
      'service.name': 'integrations/self',
      'service.instance.id': context.hostName,
      'server.address': 'alloy.internal',
      'server.port': '12345',
      'url.scheme': 'http',
    },
    [
      scopeMetrics(
        'github.com/open-telemetry/opentelemetry-collector-contrib/receiver/prometheusreceiver',
        '0.128.0',
        metrics,
      ),
    ],
  );
};

/** A Prometheus counter as the prometheus receiver forwards it: float, name ending in `_total`. */
const counterSpec = (stem: string, points: MetricSpec['points']): MetricSpec => ({
  name: `otelcol_${stem}_total`,
  unit: '',
  kind: 'counter',
  points,
});

function componentSpecs(context: ShapeContext): MetricSpec[] {
  const { slot, counter } = context;
  const specs: MetricSpec[] = [];
  for (const { suffix } of signals) {
    for (const kind of ['accepted', 'refused'] as const) {
      const points = receivers.map((r) =>
        slot(
          { ...componentLabels('receiver', r.id), transport: r.transport },
          counter(counterKey.receiver(r.id, r.transport, kind, suffix)),
          false,
        ),
      );
      specs.push(counterSpec(`receiver_${kind}_${suffix}`, points));
    }
    for (const kind of ['sent', 'send_failed', 'enqueue_failed'] as const) {
      const points = exporters.map((e) =>
        slot(componentLabels('exporter', e), counter(counterKey.exporter(e, kind, suffix)), false),
      );
      specs.push(counterSpec(`exporter_${kind}_${suffix}`, points));
    }
  }
  for (const kind of ['incoming', 'outgoing'] as const) {
    const points = processors.flatMap((proc) =>
      signals.map(({ signal }) =>
        slot(
          // `otel.signal` becomes `otel_signal` under Prometheus label rules.
          { ...componentLabels('processor', proc), otel_signal: signal },
          counter(counterKey.processor(proc, signal, kind)),
          false,
        ),
      ),
    );
    specs.push(counterSpec(`processor_${kind}_items`, points));
  }
  const perExporterSignal = (read: (exporter: string) => () => number) =>
    exporters.flatMap((e) =>
      signals.map(({ signal }) =>
        slot({ ...componentLabels('exporter', e), data_type: signal }, read(e), false),
      ),
    );
  specs.push(
    {
      name: 'otelcol_exporter_queue_size',
      unit: '',
      kind: 'gauge',
      points: perExporterSignal((e) => () => (e === 'otlphttp/backend' ? context.queueSizeBatches() : 0)),
    },
    {
      name: 'otelcol_exporter_queue_capacity',
      unit: '',
      kind: 'gauge',
      points: perExporterSignal(() => () => queueCapacityBatches),
    },
  );
  return specs;
}

/** Points per scrape of Alloy's own registry (roughly this payload's size). */
const selfPointsPerScrape = 150;
const selfScrapeIntervalSeconds = 15;

/**
 * The self-telemetry pipeline LinkMesh serves runs in the `remotecfg` controller, so its
 * components report `component_path="/remotecfg"`. Their counters follow the process's uptime
 * (one scrape every 15 s), so they reset with it.
 */
function fleetPipelineSpecs(context: ShapeContext): MetricSpec[] {
  const { slot } = context;
  const forwarded = () =>
    Math.floor(context.uptimeSeconds() / selfScrapeIntervalSeconds) * selfPointsPerScrape;
  return [
    counterSpec('receiver_accepted_metric_points', [
      slot(
        { ...componentLabels('receiver', 'prometheus/fleet', '/remotecfg'), transport: 'http' },
        forwarded,
        false,
      ),
    ]),
    counterSpec('exporter_sent_metric_points', [
      slot(componentLabels('exporter', 'otlphttp/fleet', '/remotecfg'), forwarded, false),
    ]),
    counterSpec('exporter_send_failed_metric_points', [
      slot(componentLabels('exporter', 'otlphttp/fleet', '/remotecfg'), () => 0, false),
    ]),
  ];
}

/** Alloy's process metrics, and a little of the rest of its registry that LinkMesh ignores. */
function resourceSpecs(context: ShapeContext): MetricSpec[] {
  const { slot } = context;
  const gauge = (name: string, attributes: Attributes, read: () => number): MetricSpec => ({
    name,
    unit: '',
    kind: 'gauge',
    points: [slot(attributes, read, false)],
  });
  return [
    {
      name: 'alloy_resources_process_cpu_seconds_total',
      unit: '',
      kind: 'counter',
      points: [slot({}, () => context.cpuSeconds(), false)],
    },
    gauge('alloy_resources_process_resident_memory_bytes', {}, () => context.residentMemoryBytes()),
    gauge('alloy_resources_process_start_time_seconds', {}, () => context.processStartUnixSeconds()),
    gauge('alloy_build_info', { version: 'v1.11.3', goos: 'linux', goarch: 'amd64' }, () => 1),
    gauge('alloy_component_controller_running_components', { health_type: 'healthy' }, () => 14),
    gauge('go_goroutines', {}, () => 420),
    // Added by the scrape itself.
    gauge('up', {}, () => 1),
    gauge('scrape_duration_seconds', {}, () => 0.004),
  ];
}
