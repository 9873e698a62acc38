import { internalPrefix } from './component-ids.ts';
import type { SelfTelemetryTarget } from './render-input.ts';

/**
 * LinkMesh's own OTel components, in every config it renders for otelcol (the baseline
 * included): a host source so host CPU and memory are filled for every collector (ARCHITECTURE
 * §5). Collector self-metrics themselves travel through the supervisor's own_metrics reader,
 * which is why no config LinkMesh renders has `service::telemetry::metrics`: the remote config
 * merges last and would replace that reader.
 */

export const hostReceiverId = `hostmetrics/${internalPrefix}`;
export const selfExporterId = `otlphttp/${internalPrefix}`;
export const hostPipelineId = `metrics/${internalPrefix}_host`;

/** Seconds between host samples: the canvas refreshes about every 30 s. */
export const hostCollectionIntervalSeconds = 30;

/**
 * `system.cpu.utilization` and `system.memory.utilization` are off by default in the hostmetrics
 * receiver and are what the server reads; the default-on `system.cpu.time` (one series per CPU
 * and state) and `system.memory.usage` are turned off to keep the push small.
 */
export function hostReceiverConfig(): Record<string, unknown> {
  return {
    collection_interval: `${hostCollectionIntervalSeconds}s`,
    scrapers: {
      cpu: {
        metrics: { 'system.cpu.time': { enabled: false }, 'system.cpu.utilization': { enabled: true } },
      },
      memory: {
        metrics: {
          'system.memory.usage': { enabled: false },
          'system.memory.utilization': { enabled: true },
        },
      },
    },
  };
}

/** otlphttp appends `/v1/metrics` to the base endpoint. */
export function selfExporterConfig(target: SelfTelemetryTarget): Record<string, unknown> {
  return {
    compression: 'gzip',
    endpoint: target.externalUrl.replace(/\/+$/, ''),
    headers: { Authorization: `Bearer ${target.bearerToken}` },
  };
}

export const hostPipeline = {
  receivers: [hostReceiverId],
  processors: [],
  exporters: [selfExporterId],
} as const;
