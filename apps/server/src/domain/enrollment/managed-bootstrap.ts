import type { BootstrapRequest } from '@linkmesh/contracts/agent-api';
import type { FleetService } from '../fleet/fleet.service.ts';
import { invalid } from '../shared/errors.ts';
import type { EnrollmentService } from './enrollment.service.ts';

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
  const runtime = request.runtime ?? 'alloy';
  if (hostname.length === 0 || hostname.length > 253)
    throw invalid('hostname', 'hostname must be 1–253 characters');
  const bindingKey = `host:${request.hostId ?? hostname}`;
  const context = { actor: `host:${hostname}`, sourceIp: '' };
  const redemption = await deps.enrollment.redeem(request.token, bindingKey, async (stores) => {
    const collector = await deps.fleet.enrolCollector(stores, {
      name: hostname,
      runtime,
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
