import type { Runtime } from '../fleet/collector.types.ts';
import type { FleetService } from '../fleet/fleet.service.ts';
import { invalid } from '../shared/errors.ts';
import type { EnrollmentService } from './enrollment.service.ts';

export interface BootstrapRequest {
  readonly token: string;
  readonly hostname: string;
  readonly runtime: Runtime;
  /** A stable host identifier (e.g. /etc/machine-id); lets a host retry a bootstrap it lost the answer to. */
  readonly hostId?: string | undefined;
  readonly os?: string | undefined;
  readonly arch?: string | undefined;
}

/**
 * Managed-mode redemption (`POST /api/v1/bootstrap`): the enrollment token creates a collector
 * in mode `managed` and the agent receives the collector's bearer. A retry from the same host
 * (same hostId, or hostname when none is sent) gets the same collector and a fresh bearer —
 * the answer it lost carried the only copy of the first one.
 */
export async function bootstrapManaged(
  deps: { enrollment: EnrollmentService; fleet: FleetService },
  request: BootstrapRequest,
): Promise<{ collectorId: string; collectorToken: string }> {
  const hostname = request.hostname.trim();
  if (hostname.length === 0 || hostname.length > 253)
    throw invalid('hostname', 'hostname must be 1–253 characters');
  const bindingKey = `host:${request.hostId ?? hostname}`;
  const context = { actor: `host:${hostname}`, sourceIp: '' };
  const redemption = await deps.enrollment.redeem(request.token, bindingKey, async (stores) => {
    const collector = await deps.fleet.enrolCollector(stores, {
      name: hostname,
      runtime: request.runtime,
      mode: 'managed',
      hostname,
      os: request.os ?? null,
      arch: request.arch ?? null,
    });
    return collector.id;
  });
  const collectorToken = await deps.fleet.mintBearer(context, redemption.collectorId);
  return { collectorId: redemption.collectorId, collectorToken };
}
