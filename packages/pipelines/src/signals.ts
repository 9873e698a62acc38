/** The telemetry signals a component carries, in the one order LinkMesh renders them. */
export const allSignals = ['logs', 'metrics', 'traces'] as const;

export type Signal = (typeof allSignals)[number];

/** The signals in both lists, in {@link allSignals} order. */
export function commonSignals(a: readonly Signal[], b: readonly Signal[]): Signal[] {
  return allSignals.filter((s) => a.includes(s) && b.includes(s));
}
