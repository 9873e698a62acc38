import { bootstrapRequest, type BootstrapResponse } from '@linkmesh/contracts/agent-api';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { EnrollmentAuth, EnrollmentService } from '../../../domain/enrollment/enrollment.service.ts';
import { bearerFrom } from '../../../domain/fleet/fleet.service.ts';
import { errorBody } from '../api-errors.ts';
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
    logger: Logger;
  },
): void {
  app.post(
    '/api/v1/bootstrap',
    {
      bodyLimit: maxBootstrapBytes,
      // The token is checked from the Authorization header when the agent sends it (current
      // agents do), before the body is read; either way a throttled address is refused first.
      onRequest: async (request, reply) => {
        const headerToken = bearerFrom(request.headers.authorization);
        const verdict =
          headerToken === undefined
            ? deps.enrollment.throttleVerdict(request.ip)
            : await deps.enrollment.authenticate(headerToken, request.ip);
        if (verdict.ok) return;
        await refuse(reply.header('connection', 'close'), verdict, deps.logger, request.ip);
      },
    },
    async (request, reply) => {
      const body = bootstrapRequest.parse(request.body);
      const headerToken = bearerFrom(request.headers.authorization);
      if (headerToken !== undefined && headerToken !== body.token)
        throw invalid('token', 'the token in the body differs from the Authorization bearer');
      if (headerToken === undefined) {
        // An agent that sends the token only in the body: the same check, throttled, before use.
        const verdict = await deps.enrollment.authenticate(body.token, request.ip);
        if (!verdict.ok) return refuse(reply, verdict, deps.logger, request.ip);
      }
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
    },
  );
}

/** Bootstrap bodies are a token, a host name and a few host facts. */
const maxBootstrapBytes = 16 * 1024;

async function refuse(
  reply: FastifyReply,
  verdict: Exclude<EnrollmentAuth, { ok: true }>,
  logger: Logger,
  ip: string,
): Promise<FastifyReply> {
  if (verdict.reason === 'throttled') {
    return reply
      .code(429)
      .header('retry-after', String(verdict.retryAfterSeconds))
      .send(errorBody('rate_limited', 'too many failed authentications from this address; retry later'));
  }
  logger.warn({ ip }, `bootstrap.auth: rejected reason=${verdict.reason}`);
  if (verdict.reason === 'enrollment_token_reused')
    return reply.code(410).send(errorBody('gone', 'enrollment token was already used by another host'));
  return reply.code(401).send(errorBody('unauthenticated', 'enrollment token unknown, revoked or expired'));
}
