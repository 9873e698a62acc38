import { agentReportRequest } from '@linkmesh/contracts/agent-api';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { BearerCache } from '../../../domain/fleet/bearer-cache.ts';
import type { ManagedAgentService } from '../../../domain/managed/managed-agent.service.ts';
import { HttpError } from '../api-errors.ts';

/**
 * `POST /api/v1/agent/report`: linkmesh-agent's host context, authenticated by the collector
 * bearer (not an operator credential). The answer may carry a rotated bearer sealed to the agent.
 */
export function registerAgentRoutes(
  app: FastifyInstance,
  deps: { bearers: BearerCache; managed: ManagedAgentService; logger: Logger },
): void {
  app.post('/api/v1/agent/report', { bodyLimit: 64 * 1024 }, async (request, reply) => {
    const verification = await deps.bearers.verify(request.headers.authorization);
    if (!verification.ok) {
      deps.logger.warn({ ip: request.ip }, `agent.auth: rejected reason=${verification.reason}`);
      reply.header('www-authenticate', 'Bearer');
      throw new HttpError(401, 'unauthenticated', 'collector bearer missing, unknown, revoked or expired');
    }
    if (!(await deps.bearers.isLive(verification.collectorId))) {
      deps.logger.warn(
        { collectorId: verification.collectorId },
        'agent.auth: rejected reason=collector_deregistered',
      );
      throw new HttpError(401, 'unauthenticated', 'collector deregistered; re-enrol this host');
    }
    const report = agentReportRequest.parse(request.body);
    const answer = await deps.managed.report(
      { collectorId: verification.collectorId, credentialId: verification.credentialId },
      report,
    );
    if (answer.rotation !== null)
      deps.logger.info({ collectorId: answer.collectorId }, 'agent.rotation: offered');
    return reply.header('cache-control', 'no-store').send(answer);
  });
}
