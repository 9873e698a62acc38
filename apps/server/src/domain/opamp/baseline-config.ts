import { renderOtelBaseline } from '@linkmesh/pipelines/render-otel';
import type { SelfTelemetryTarget } from '@linkmesh/pipelines/render-input';

/**
 * The OTel collector YAML LinkMesh sends before any pipeline targets a collector: a minimal valid
 * configuration (the `nop` receiver and exporter ship with otelcol-contrib) and, given where the
 * collector may push, LinkMesh's host source (`hostmetrics/linkmesh` → `otlphttp/linkmesh`), so
 * host CPU and memory are filled. Rendered by `@linkmesh/pipelines`, the same code as every routed
 * config. It never contains `service::telemetry::metrics`: the supervisor merges remote config
 * last and lists are replaced, so that section would erase the own-metrics reader the own_metrics
 * offer installed.
 */
export function baselineOtelConfig(collectorId: string, selfTelemetry?: SelfTelemetryTarget): string {
  return renderOtelBaseline({ collectorId, selfTelemetry });
}
