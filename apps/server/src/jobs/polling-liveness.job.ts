import type { FleetService } from '../domain/fleet/fleet.service.ts';
import type { Logger } from '../platform/logger.ts';

/**
 * Alloy polls `GetConfig` every 60 s and linkmesh-agent reports every 30 s, so a collector silent
 * for three polls (180 s) is `stale`, and after 10 minutes `disconnected`. OpAMP connections have
 * their own liveness (heartbeats) in the transport.
 */
export const pollingStaleAfterMs = 180_000;
export const pollingDisconnectedAfterMs = 600_000;
const sweepIntervalMs = 30_000;

export function startPollingLiveness(deps: { fleet: FleetService; logger: Logger }): {
  stop(): void;
  /** One sweep now (tests, and the first run at start-up). */
  sweep(): Promise<number>;
} {
  const sweep = async () => {
    try {
      const changed = await deps.fleet.sweepSilentPollers(pollingStaleAfterMs, pollingDisconnectedAfterMs);
      if (changed > 0) deps.logger.info({ changed }, 'jobs.polling_liveness: status changed');
      return changed;
    } catch (error) {
      deps.logger.warn({ err: error }, 'jobs.polling_liveness: failed');
      return 0;
    }
  };
  const timer = setInterval(() => void sweep(), sweepIntervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), sweep };
}
