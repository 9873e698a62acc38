import type { MetricPoint, ResourcePoints } from './metric-point.ts';

/** Test factories for decoded self-metric points; defaults describe a cumulative monotonic counter. */

export const T0_UNIX_MS = Date.UTC(2026, 0, 1);
export const PROCESS_START_UNIX_MS = T0_UNIX_MS - 3_600_000;

/**
 * A decoded point with sensible defaults.
 *
 * @example
 * aPoint({ name: 'otelcol_receiver_accepted_spans', value: 10, attributes: { receiver: 'otlp' } });
 */
export function aPoint(overrides: Partial<MetricPoint> & Pick<MetricPoint, 'name'>): MetricPoint {
  return {
    kind: 'sum',
    monotonic: true,
    temporality: 2,
    startTimeUnixMs: PROCESS_START_UNIX_MS,
    timeUnixMs: T0_UNIX_MS,
    value: 0,
    attributes: {},
    ...overrides,
  };
}

/** A gauge point (queue size, utilisation …). */
export function aGauge(overrides: Partial<MetricPoint> & Pick<MetricPoint, 'name'>): MetricPoint {
  return aPoint({ kind: 'gauge', monotonic: false, temporality: 0, startTimeUnixMs: 0, ...overrides });
}

/** One OTLP resource with its points. */
export function aResource(
  points: readonly MetricPoint[],
  resourceAttributes: Record<string, string> = {},
): ResourcePoints {
  return { resourceAttributes, points };
}
