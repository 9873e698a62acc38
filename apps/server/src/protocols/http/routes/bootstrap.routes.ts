import { bootstrapRequest, type BootstrapResponse } from '@linkmesh/contracts/agent-api';
import type { FastifyInstance } from 'fastify';
import type { EnrollmentService } from '../../../domain/enrollment/enrollment.service.ts';
import { bootstrapManaged } from '../../../domain/enrollment/managed-bootstrap.ts';
import type { FleetService } from '../../../domain/fleet/fleet.service.ts';
import type { ManagedAgentService } from '../../../domain/managed/managed-agent.service.ts';
import { invalid } from '../../../domain/shared/errors.ts';
import { isAgentPublicKey } from '@linkmesh/contracts/sealed-token';

/** Managed-mode redemption of an enrollment token by linkmesh-agent. Authenticated by the token itself. */
export function registerBootstrapRoutes(
  app: FastifyInstance,
  deps: {
    enrollment: EnrollmentService;
    fleet: FleetService;
    managed: ManagedAgentService;
    externalUrl: () => string;
  },
): void {
  app.post('/api/v1/bootstrap', async (request, reply) => {
    const body = bootstrapRequest.parse(request.body);
    // Checked before redemption: a bad key must not spend the single-use token.
    if (body.agentPublicKey !== undefined && !isAgentPublicKey(body.agentPublicKey))
      throw invalid('agentPublicKey', 'agentPublicKey must be a base64url X25519 public key (32 bytes)');
    const result = await bootstrapManaged(deps, body);
    await deps.managed.registerKey(result.collectorId, body.agentPublicKey);
    const server = deps.externalUrl();
    const response: BootstrapResponse = {
      collectorId: result.collectorId,
      collectorToken: result.collectorToken,
      endpoints: {
        server,
        remotecfg: server,
        otlpMetrics: `${server}/v1/metrics`,
        agentReport: `${server}/api/v1/agent/report`,
      },
    };
    return reply.code(201).header('cache-control', 'no-store').send(response);
  });
}
