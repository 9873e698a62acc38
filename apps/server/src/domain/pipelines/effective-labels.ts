import type { Collector } from '../fleet/collector.types.ts';

/** The labels groups and routes match on: reported ones, with the operator's winning on a clash. */
export function effectiveLabels(
  collector: Pick<Collector, 'labels' | 'operatorLabels'>,
): Record<string, string> {
  return { ...collector.labels, ...collector.operatorLabels };
}
