/**
 * The counters of a ComponentThroughput sample, in their canonical order — shared by storage
 * (packed rows depend on this order never changing), the API and the UI. No runtime
 * dependencies, so the web bundle can import it.
 */
export const throughputCounters = [
  'accepted',
  'refused',
  'failed',
  'incoming',
  'outgoing',
  'dropped',
  'sent',
  'sendFailed',
  'enqueueFailed',
  'queueSize',
  'queueCapacity',
] as const;

export type ThroughputCounter = (typeof throughputCounters)[number];
