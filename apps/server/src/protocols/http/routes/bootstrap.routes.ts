import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EnrollmentService } from '../../../domain/enrollment/enrollment.service.ts';
import { bootstrapManaged } from '../../../domain/enrollment/managed-bootstrap.ts';
import type { FleetService } from '../../../domain/fleet/fleet.service.ts';

const bootstrapRequest = z
  .object({
    token: z.string().min(1).max(512),
    hostname: z.string().min(1).max(253),
    runtime: z.enum(['alloy', 'otelcol']).default('alloy'),
    hostId: z.string().min(1).max(256).optional(),
    os: z.string().max(64).optional(),
    arch: z.string().max(64).optional(),
  })
  .strict();

/** Managed-mode redemption of an enrollment token by linkmesh-agent. Authenticated by the token itself. */
export function registerBootstrapRoutes(
  app: FastifyInstance,
  deps: { enrollment: EnrollmentService; fleet: FleetService; externalUrl: () => string },
): void {
  app.post('/api/v1/bootstrap', async (request, reply) => {
    const body = bootstrapRequest.parse(request.body);
    const result = await bootstrapManaged(deps, { ...body, hostname: body.hostname });
    return reply
      .code(201)
      .header('cache-control', 'no-store')
      .send({
        collectorId: result.collectorId,
        collectorToken: result.collectorToken,
        endpoints: {
          server: deps.externalUrl(),
          remotecfg: deps.externalUrl(),
          otlpMetrics: `${deps.externalUrl()}/v1/metrics`,
        },
      });
  });
}
