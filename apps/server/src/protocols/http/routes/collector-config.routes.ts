import type { FastifyInstance } from 'fastify';
import type { FleetService } from '../../../domain/fleet/fleet.service.ts';
import type { OpampService } from '../../../domain/opamp/opamp.service.ts';
import { requirePermission } from '../auth.hooks.ts';
import { iso } from '../views.ts';

type IdParams = { Params: { id: string } };

/**
 * `GET /api/v1/collectors/{id}/config`: what LinkMesh renders for the collector (YAML and hash),
 * its apply status, and what the collector reports back — effective config (secrets redacted),
 * health and the agent's description and capabilities.
 */
export function registerCollectorConfigRoutes(
  app: FastifyInstance,
  deps: { fleet: FleetService; opamp: OpampService },
): void {
  app.get<IdParams>(
    '/api/v1/collectors/:id/config',
    { preHandler: requirePermission('collectors:read') },
    async (request) => {
      const collector = await deps.fleet.get(request.params.id);
      const agent = await deps.opamp.agentOf(collector.id);
      const desired = collector.runtime === 'otelcol' ? deps.opamp.desiredConfig(collector.id) : undefined;
      const status = agent?.remoteConfigStatus ?? null;
      // Alloy reports its effective config over remotecfg, not OpAMP: kept on the collector.
      const reported = agent ? undefined : await deps.fleet.reportedEffectiveConfig(collector.id);
      return {
        collectorId: collector.id,
        rendered: desired ? { format: 'otel-yaml', content: desired.yaml, hash: desired.hashHex } : null,
        applyStatus: status && {
          status: status.status,
          hash: status.lastRemoteConfigHash,
          current: desired !== undefined && status.lastRemoteConfigHash === desired.hashHex,
          errorMessage: status.errorMessage || null,
        },
        effectiveConfig: agent?.effectiveConfig ?? reported?.text ?? null,
        health: agent?.health ?? null,
        agent: agent && {
          instanceUid: agent.instanceUid,
          transport: agent.transport,
          capabilities: agent.capabilities,
          description: agent.description,
          firstSeenAt: iso(agent.firstSeenAtMs),
          lastMessageAt: iso(agent.lastMessageAtMs),
        },
      };
    },
  );
}
