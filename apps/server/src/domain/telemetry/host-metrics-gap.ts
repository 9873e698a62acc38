import type { Collector } from '../fleet/collector.types.ts';

/** Host samples older than this are shown with a warning: the host source stopped. */
export const hostSampleStaleAfterMs = 5 * 60_000;

/**
 * Why host CPU or memory is missing (or stale) for a collector, in words an operator can act on,
 * or null when both are there and fresh (issue #10 item 8: the UI says why a value is missing).
 *
 * @example
 * hostMetricsGap({ ...collector, lastSeenAtMs: null }, now); // → 'No self-telemetry received yet …'
 */
export function hostMetricsGap(
  collector: Pick<
    Collector,
    | 'runtime'
    | 'lastSeenAtMs'
    | 'hostSampledAtMs'
    | 'hostCpuPercent'
    | 'hostMemoryPercent'
    | 'hostCpuFromCounters'
  >,
  nowMs: number,
): string | null {
  const source =
    collector.runtime === 'alloy'
      ? 'prometheus.exporter.unix "linkmesh_host"'
      : 'the hostmetrics/linkmesh receiver (pipeline metrics/linkmesh_host)';
  if (collector.lastSeenAtMs === null)
    return 'No self-telemetry received yet: host metrics arrive with the collector’s first OTLP push.';
  if (
    collector.hostSampledAtMs === null ||
    (collector.hostCpuPercent === null && collector.hostMemoryPercent === null)
  )
    return `The collector pushes self-telemetry but no host metrics: LinkMesh renders ${source} for them; check the Config tab (apply status, effective config).`;
  if (collector.hostCpuPercent === null && collector.hostCpuFromCounters)
    return 'Host CPU needs two samples: this host reports CPU as cumulative seconds, so the first percentage comes with the next push (about 30 s).';
  if (collector.hostCpuPercent === null) return `Host CPU is not reported: ${source} sends memory only.`;
  if (collector.hostMemoryPercent === null) return `Host memory is not reported: ${source} sends CPU only.`;
  if (nowMs - collector.hostSampledAtMs > hostSampleStaleAfterMs)
    return `Last host sample is ${Math.round((nowMs - collector.hostSampledAtMs) / 60_000)} min old: the host source stopped sending.`;
  return null;
}
