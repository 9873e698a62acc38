import type { Logger } from 'pino';
import type { OpampAuthError } from '../../domain/opamp/opamp.service.ts';

/** The HTTP answer to a refused upgrade or POST (both transports answer alike). */
export function rejectionStatus(error: OpampAuthError): {
  status: number;
  text: string;
  headers: Record<string, string>;
} {
  if (error.reason === 'throttled')
    return {
      status: 429,
      text: 'Too Many Requests',
      headers: { 'Retry-After': String(error.retryAfterSeconds ?? 60) },
    };
  if (error.reason === 'enrollment_token_reused') return { status: 410, text: 'Gone', headers: {} };
  return { status: 401, text: 'Unauthorized', headers: { 'WWW-Authenticate': 'Bearer' } };
}

/** The seed's log line for a refused credential. */
export function rejectionLog(
  logger: Logger,
  reason: string,
  ip: string | undefined,
  transport: 'ws' | 'http',
): void {
  logger.warn({ ip, transport }, `opamp.auth: rejected reason=${reason}`);
}
