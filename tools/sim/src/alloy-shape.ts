import {
  exportRequest,
  histogram,
  metric,
  scopeMetrics,
  type Attributes,
  type MetricSpec,
} from './otlp-encode.ts';
import type { PayloadShape, ShapeContext } from './payload-shape.ts';
import { componentSpecs, type ComponentNaming } from './component-specs.ts';
import type { ReportKind, SimComponent } from './sim-pipeline.ts';

/** Scope of the upstream helper that records each kind's counters (Prometheus `otel_scope_name`). */
const helperScopes: Record<ReportKind, string> = {
  receiver: 'go.opentelemetry.io/collector/receiver/receiverhelper',
  processor: 'go.opentelemetry.io/collector/processor/processorhelper',
  exporter: 'go.opentelemetry.io/collector/exporter/exporterhelper',
};

/**
 * Labels of one `otelcol.*` component's series as Alloy's self-exporter serves them
 * (protocols.md §3.4): `component_id` / `component_path` from Alloy's per-component registry,
 * `otel_scope_name` from the OTel Prometheus exporter, and the upstream attribute
 * (`receiver="otlp/otelcol.receiver.otlp.src_<t>"`, built as `<otel type>/<Alloy id>`).
 */
function componentLabels(kind: ReportKind, component: SimComponent, componentPath: string): Attributes {
  return {
    component_id: component.id,
    component_path: componentPath,
    otel_scope_name: helperScopes[kind],
    [kind]: `${component.otelType}/${component.id}`,
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
  const { componentPath } = context.pipeline;
  const naming: ComponentNaming = {
    // A Prometheus counter as the prometheus receiver forwards it: float, name ending in `_total`.
    metricName: (stem, kind) => (kind === 'counter' ? `otelcol_${stem}_total` : `otelcol_${stem}`),
    unit: () => '',
    labels: (kind, component) => componentLabels(kind, component, componentPath),
    // `otel.signal` becomes `otel_signal` under Prometheus label rules.
    signalLabel: 'otel_signal',
    integer: false,
  };
  const specs = [...componentSpecs(context, naming), ...resourceSpecs(context)];
  const noStart = 0;
  const metrics = specs.map((spec) => metric(spec, noStart, slots.timeSentinelMs));
  const batch = context.pipeline.components.find((c) => c.reports === 'processor' && c.otelType === 'batch');
  if (batch)
    metrics.push(
      histogram(
        'otelcol_processor_batch_batch_send_size',
        componentLabels('processor', batch, componentPath),
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
