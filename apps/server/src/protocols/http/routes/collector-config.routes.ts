import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CollectorConfigService } from '../../../domain/collector-config/collector-config.service.ts';
import type { ConfigVersion } from '../../../domain/collector-config/config-version.types.ts';
import type { FleetService } from '../../../domain/fleet/fleet.service.ts';
import type { OpampService } from '../../../domain/opamp/opamp.service.ts';
import { contextOf, requirePermission } from '../auth.hooks.ts';
import { iso } from '../views.ts';

type IdParams = { Params: { id: string } };

const versionsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    before: z.coerce.number().int().min(1).optional(),
  })
  .strict();
const rollbackRequest = z.object({ version: z.number().int().min(1) }).strict();

/**
 * A collector's config, the same for both runtimes: what LinkMesh renders for it now (secrets
 * masked), its version and hash, the apply status the collector reported, and what it reports
 * back — effective config (secrets redacted), health and, for OpAMP, the agent's description.
 * Plus the version history with diffs, and rollback (issue #11 item 5).
 */
export function registerCollectorConfigRoutes(
  app: FastifyInstance,
  deps: { fleet: FleetService; opamp: OpampService; config: CollectorConfigService },
): void {
  app.get<IdParams>(
    '/api/v1/collectors/:id/config',
    { preHandler: requirePermission('collectors:read') },
    async (request) => {
      const collector = await deps.fleet.get(request.params.id);
      const live = collector.deregisteredAtMs === null;
      const delivered = live ? await deps.config.current(collector) : undefined;
      const [version, state, agent] = await Promise.all([
        delivered ? deps.config.version(collector.id, delivered.version) : undefined,
        deps.config.state(collector.id),
        deps.opamp.agentOf(collector.id),
      ]);
      const applied =
        state?.applyVersion == null ? undefined : await deps.config.version(collector.id, state.applyVersion);
      // Alloy reports its effective config over remotecfg, not OpAMP: kept on the collector.
      const reported = agent ? undefined : await deps.fleet.reportedEffectiveConfig(collector.id);
      return {
        collectorId: collector.id,
        rendered:
          delivered && version
            ? {
                format: delivered.format,
                version: delivered.version,
                content: CollectorConfigService.shown(version),
                hash: delivered.hashHex,
              }
            : null,
        applyStatus:
          state && applied
            ? {
                status: state.applyStatus,
                version: applied.version,
                hash: applied.hashHex,
                current: applied.version === state.currentVersion,
                errorMessage: state.applyError,
                at: state.applyUpdatedAtMs === null ? null : iso(state.applyUpdatedAtMs),
              }
            : null,
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

  app.get<IdParams>(
    '/api/v1/collectors/:id/config/versions',
    { preHandler: requirePermission('collectors:read') },
    async (request) => {
      const query = versionsQuery.parse(request.query);
      const collector = await deps.fleet.get(request.params.id);
      const versions = await deps.config.versions(collector.id, {
        limit: query.limit,
        ...(query.before === undefined ? {} : { beforeVersion: query.before }),
      });
      const state = await deps.config.state(collector.id);
      const last = versions.at(-1);
      return {
        items: versions.map((v) => versionView(v, state?.currentVersion)),
        nextBefore: last && versions.length === query.limit && last.version > 1 ? last.version : null,
      };
    },
  );

  app.get<{ Params: { id: string; version: string } }>(
    '/api/v1/collectors/:id/config/versions/:version',
    { preHandler: requirePermission('collectors:read') },
    async (request, reply) => {
      const collector = await deps.fleet.get(request.params.id);
      const number = Number(request.params.version);
      const version = Number.isInteger(number) ? await deps.config.version(collector.id, number) : undefined;
      if (!version)
        return reply.code(404).send({
          error: { code: 'not_found', message: `config version ${request.params.version} not found` },
        });
      const state = await deps.config.state(collector.id);
      return {
        ...versionView(version, state?.currentVersion),
        content: CollectorConfigService.shown(version),
      };
    },
  );

  app.post<IdParams>(
    '/api/v1/collectors/:id/config/rollback',
    { preHandler: requirePermission('collectors:update') },
    async (request) => {
      const body = rollbackRequest.parse(request.body);
      const collector = await deps.fleet.get(request.params.id);
      const delivered = await deps.config.rollback(contextOf(request), collector, body.version);
      const version = await deps.config.version(collector.id, delivered.version);
      return { version: delivered.version, hash: delivered.hashHex, reason: version?.reason ?? '' };
    },
  );
}

function versionView(version: ConfigVersion, currentVersion: number | undefined) {
  return {
    version: version.version,
    hash: version.hashHex,
    format: version.format,
    author: version.author,
    reason: version.reason,
    createdAt: iso(version.createdAtMs),
    current: version.version === currentVersion,
    diff: version.diff,
  };
}
