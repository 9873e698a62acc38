/** Test-only helpers for hand-written OTLP/JSON requests. */

/** 2026-01-01T00:00:00.123456789Z as an OTLP/JSON fixed64 string. */
export const T0_NS_TEXT = '1767225600123456789';
export const T0_MS = 1_767_225_600_123;

/** A request with one gauge metric holding the given data points (raw JSON objects). */
export function gaugeRequest(
  dataPoints: readonly unknown[],
  name: unknown = 'otelcol_exporter_queue_size',
): string {
  return JSON.stringify(gaugeRequestObject(dataPoints, name));
}

export function gaugeRequestObject(
  dataPoints: readonly unknown[],
  name: unknown = 'otelcol_exporter_queue_size',
): unknown {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otelcol-contrib' } }] },
        scopeMetrics: [{ scope: { name: 's' }, metrics: [{ name, gauge: { dataPoints } }] }],
      },
    ],
  };
}
