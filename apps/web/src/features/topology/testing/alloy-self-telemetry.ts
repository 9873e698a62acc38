/**
 * Self-telemetry of one Alloy process as OTLP/HTTP JSON, for browser tests that push it to
 * `POST /v1/metrics` with the collector's bearer: the `otelcol_*_total` counters Alloy's
 * `prometheus.exporter.self` exposes, each point labelled with the `component_id` of a
 * component in the config LinkMesh rendered. Counters are cumulative from `processStartMs`.
 */

export interface ComponentCounters {
  receivers?: Record<string, { accepted: number; refused?: number }>;
  processors?: Record<string, { incoming: number; outgoing: number; dropped?: number }>;
  exporters?: Record<
    string,
    { sent: number; sendFailed?: number; queueSize?: number; queueCapacity?: number }
  >;
}

export type LogSignal = 'logs' | 'traces';

const suffix: Record<LogSignal, string> = { logs: 'log_records', traces: 'spans' };

type Attribute = { key: string; value: { stringValue: string } };
type Point = { attributes: Attribute[]; startTimeUnixNano: string; timeUnixNano: string; asInt: string };

const attribute = (key: string, value: string): Attribute => ({ key, value: { stringValue: value } });
const nanos = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;

/**
 * One push: the cumulative counters of every component at `atMs`, per signal.
 *
 * @example
 * const body = alloySelfTelemetry({ logs: { receivers: { [id]: { accepted: 1200 } } } }, { processStartMs, atMs });
 * await fetch(`${url}/v1/metrics`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body });
 */
export function alloySelfTelemetry(
  bySignal: Partial<Record<LogSignal, ComponentCounters>>,
  at: { processStartMs: number; atMs: number },
): string {
  const point = (componentId: string, value: number, extra: Attribute[] = []): Point => ({
    attributes: [attribute('component_id', componentId), ...extra],
    startTimeUnixNano: nanos(at.processStartMs),
    timeUnixNano: nanos(at.atMs),
    asInt: String(Math.round(value)),
  });
  const sums = new Map<string, Point[]>();
  const gauges = new Map<string, Point[]>();
  const add = (into: Map<string, Point[]>, name: string, points: Point[]) =>
    into.set(name, [...(into.get(name) ?? []), ...points]);

  for (const [signal, counters] of Object.entries(bySignal) as [LogSignal, ComponentCounters][]) {
    const s = suffix[signal];
    const signalOf = [attribute('otel_signal', signal)];
    const dataType = [attribute('data_type', signal)];
    const receivers = Object.entries(counters.receivers ?? {});
    const processors = Object.entries(counters.processors ?? {});
    const exporters = Object.entries(counters.exporters ?? {});
    add(
      sums,
      `otelcol_receiver_accepted_${s}_total`,
      receivers.map(([id, c]) => point(id, c.accepted)),
    );
    add(
      sums,
      `otelcol_receiver_refused_${s}_total`,
      receivers.map(([id, c]) => point(id, c.refused ?? 0)),
    );
    add(
      sums,
      'otelcol_processor_incoming_items_total',
      processors.map(([id, c]) => point(id, c.incoming, signalOf)),
    );
    add(
      sums,
      'otelcol_processor_outgoing_items_total',
      processors.map(([id, c]) => point(id, c.outgoing, signalOf)),
    );
    add(
      sums,
      `otelcol_processor_dropped_${s}_total`,
      processors.map(([id, c]) => point(id, c.dropped ?? 0)),
    );
    add(
      sums,
      `otelcol_exporter_sent_${s}_total`,
      exporters.map(([id, c]) => point(id, c.sent)),
    );
    add(
      sums,
      `otelcol_exporter_send_failed_${s}_total`,
      exporters.map(([id, c]) => point(id, c.sendFailed ?? 0)),
    );
    add(
      gauges,
      'otelcol_exporter_queue_size',
      exporters.map(([id, c]) => point(id, c.queueSize ?? 0, dataType)),
    );
    add(
      gauges,
      'otelcol_exporter_queue_capacity',
      exporters.map(([id, c]) => point(id, c.queueCapacity ?? 1000, dataType)),
    );
  }
  const present = (entry: [string, Point[]]) => entry[1].length > 0;
  const metrics = [
    ...[...sums].filter(present).map(([name, dataPoints]) => ({
      name,
      sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints },
    })),
    ...[...gauges].filter(present).map(([name, dataPoints]) => ({ name, gauge: { dataPoints } })),
  ];
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: {
          attributes: [attribute('service.name', 'alloy'), attribute('service.instance.id', 'test')],
        },
        scopeMetrics: [{ scope: { name: 'alloy' }, metrics }],
      },
    ],
  });
}
