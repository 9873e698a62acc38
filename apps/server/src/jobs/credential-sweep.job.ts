import type { Clock } from '../domain/shared/clock.ts';
import type { StorageOf } from '../domain/shared/storage.port.ts';
import type { Logger } from '../platform/logger.ts';

/** Expired sessions are deleted after a day; enrollment tokens are kept for 30 days for the audit trail. */
const sessionRetentionMs = 86_400_000;
const enrollmentRetentionMs = 30 * 86_400_000;
const intervalMs = 15 * 60_000;

/** Periodically deletes dead sessions and long-expired enrollment tokens. */
export function startCredentialSweep(deps: {
  storage: StorageOf<'credentials'>;
  clock: Clock;
  logger: Logger;
}): {
  stop(): void;
} {
  const run = async () => {
    const nowMs = deps.clock.nowMs();
    try {
      const sessions = await deps.storage.credentials.deleteExpiredBefore(
        'session',
        nowMs - sessionRetentionMs,
      );
      const enrollment = await deps.storage.credentials.deleteExpiredBefore(
        'enrollment',
        nowMs - enrollmentRetentionMs,
      );
      if (sessions + enrollment > 0)
        deps.logger.info({ sessions, enrollment }, 'jobs.credential_sweep: deleted');
    } catch (error) {
      deps.logger.warn({ err: error }, 'jobs.credential_sweep: failed');
    }
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
