import { agentReportRequest } from '@linkmesh/contracts/agent-api';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { CollectorAuthenticator } from '../../../domain/fleet/collector-auth.ts';
import type { ManagedAgentService } from '../../../domain/managed/managed-agent.service.ts';
import { errorBody } from '../api-errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    agentCaller?: { collectorId: string; credentialId: string };
  }
}

/** Agent reports are small host-context documents. */
const maxReportBytes = 64 * 1024;

/**
 * `POST /api/v1/agent/report`: linkmesh-agent's host context, authenticated by the collector
 * bearer (not an operator credential), from the headers before the body is read. The answer may
 * carry a rotated bearer sealed to the agent.
 */
export function registerAgentRoutes(
  app: FastifyInstance,
  deps: { auth: CollectorAuthenticator; managed: ManagedAgentService; logger: Logger },
): void {
  app.post(
    '/api/v1/agent/report',
    {
      bodyLimit: maxReportBytes,
      onRequest: async (request, reply) => {
        const result = await deps.auth.authenticate(request.headers.authorization, request.ip);
        if (result.ok) {
          request.agentCaller = { collectorId: result.collectorId, credentialId: result.credentialId };
          return;
        }
        void reply.header('connection', 'close');
        if (result.reason === 'throttled') {
          await reply
            .code(429)
            .header('retry-after', String(result.retryAfterSeconds))
            .send(
              errorBody('rate_limited', 'too many failed authentications from this address; retry later'),
            );
          return;
        }
        deps.logger.warn(
          {
            ip: request.ip,
            ...(result.reason === 'collector_deregistered' ? { collectorId: result.collectorId } : {}),
          },
          `agent.auth: rejected reason=${result.reason}`,
        );
        await reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send(
            errorBody(
              'unauthenticated',
              result.reason === 'collector_deregistered'
                ? 'collector deregistered; re-enrol this host'
                : 'collector bearer missing, unknown, revoked or expired',
            ),
          );
      },
    },
    async (request, reply) => {
      const caller = request.agentCaller;
      if (caller === undefined) throw new Error('onRequest authenticates before the handler');
      const report = agentReportRequest.parse(request.body);
      const answer = await deps.managed.report(caller, report);
      if (answer.rotation !== null)
        deps.logger.info({ collectorId: answer.collectorId }, 'agent.rotation: offered');
      return reply.header('cache-control', 'no-store').send(answer);
    },
  );
}
