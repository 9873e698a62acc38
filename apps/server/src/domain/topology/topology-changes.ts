/**
 * Tells live topology views on this replica that what they show may have changed: a commit of a
 * collector's self-telemetry, or a config change. Views re-read on a timer as well, which is how
 * a change made on another replica reaches them (within that period).
 *
 * @example
 * const stop = changes.watchCollector(id, () => resend());
 * changes.collectorsChanged([id]); // resend() runs
 * stop();
 */
export class TopologyChanges {
  private readonly byCollector = new Map<string, Set<() => void>>();
  private readonly anyCollector = new Set<() => void>();

  watchCollector(collectorId: string, listener: () => void): () => void {
    let listeners = this.byCollector.get(collectorId);
    if (!listeners) this.byCollector.set(collectorId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.byCollector.delete(collectorId);
    };
  }

  /** For fleet-wide views: called once per change, whichever collectors it touched. */
  watchFleet(listener: () => void): () => void {
    this.anyCollector.add(listener);
    return () => this.anyCollector.delete(listener);
  }

  collectorsChanged(collectorIds: readonly string[]): void {
    for (const id of collectorIds) this.byCollector.get(id)?.forEach((listener) => listener());
    this.anyCollector.forEach((listener) => listener());
  }

  /** A change that may touch every collector (an object edit, the fleet default). */
  everythingChanged(): void {
    for (const listeners of this.byCollector.values()) listeners.forEach((listener) => listener());
    this.anyCollector.forEach((listener) => listener());
  }

  get watchers(): number {
    let count = this.anyCollector.size;
    for (const listeners of this.byCollector.values()) count += listeners.size;
    return count;
  }
}
