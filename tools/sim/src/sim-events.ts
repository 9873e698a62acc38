import type { EventEmitter } from 'node:events';

/** One self-telemetry push of a simulated collector. */
export interface PushReport {
  /** The server answered 2xx. */
  readonly ok: boolean;
  /** The components whose series the push carried (the pipeline it ran when it was encoded). */
  readonly componentIds: readonly string[];
}

/**
 * What a simulated agent tells its owner (tests, benchmarks), so they await events instead of
 * sleeping: `offer` once the server offered own_metrics (enrolment done), `pipeline` when a
 * delivered config changed what it runs (the reporting component ids), `push` after each push.
 */
export interface SimAgentEvents {
  offer: [];
  pipeline: [componentIds: readonly string[]];
  push: [report: PushReport];
}

/**
 * Resolves with the arguments of the first `name` event for which `accept` holds.
 *
 * @example
 * await whenEvent(agent.events, 'push', (report) => report.ok); // the next successful push
 */
export function whenEvent<K extends keyof SimAgentEvents>(
  emitter: EventEmitter<SimAgentEvents>,
  name: K,
  accept: (...args: SimAgentEvents[K]) => boolean = () => true,
): Promise<SimAgentEvents[K]> {
  return new Promise((resolve) => {
    const listener = (...args: SimAgentEvents[K]) => {
      if (!accept(...args)) return;
      emitter.off(name, listener as never);
      resolve(args);
    };
    emitter.on(name, listener as never);
  });
}
