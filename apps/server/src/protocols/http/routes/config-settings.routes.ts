import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { FleetDefaultConfig } from '../../../domain/collector-config/fleet-default-config.ts';
import { contextOf, requirePermission } from '../auth.hooks.ts';

const defaultConfigRequest = z.object({ yaml: z.string().min(1) }).strict();

/**
 * The fleet default OTel config: what every otelcol collector runs until pipelines target it
 * (the built-in baseline when unset). A change is pushed to connected OpAMP agents at once.
 */
export function registerConfigSettingsRoutes(
  app: FastifyInstance,
  deps: { fleetDefault: FleetDefaultConfig },
): void {
  app.get(
    '/api/v1/settings/otel-default-config',
    { preHandler: requirePermission('settings:read') },
    (_request, reply) => {
      const yaml = deps.fleetDefault.current();
      return reply.send({ yaml: yaml ?? null, builtInBaseline: yaml === undefined });
    },
  );

  app.put(
    '/api/v1/settings/otel-default-config',
    { preHandler: requirePermission('settings:update'), bodyLimit: 2 * 1024 * 1024 },
    async (request, reply) => {
      const body = defaultConfigRequest.parse(request.body);
      await deps.fleetDefault.set(contextOf(request), body.yaml);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/api/v1/settings/otel-default-config',
    { preHandler: requirePermission('settings:update') },
    async (request, reply) => {
      await deps.fleetDefault.set(contextOf(request), null);
      return reply.code(204).send();
    },
  );
}
