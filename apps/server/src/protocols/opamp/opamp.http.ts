import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { AgentToServer, ServerToAgent } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { OpampAuthError, type OpampCredential } from '../../domain/opamp/opamp.service.ts';
import { boundedBodyParser, inflateBounded, isBodyProblem } from '../http/bounded-body.ts';
import { AgentConnection } from './agent-connection.ts';
import type { AgentConnections } from './agent-connections.ts';
import { decodeHttpBody, encodeHttpBody, instanceUidToString, OpampFrameError } from './opamp.codec.ts';
import { rejectionLog, rejectionStatus } from './opamp.rejections.ts';
import { OpampSession, type SessionDeps } from './opamp.session.ts';

export interface HttpTransportDeps {
  readonly session: SessionDeps;
  readonly connections: AgentConnections;
  readonly logger: Logger;
  readonly path: string;
  /** Largest message accepted, after decompression (413 above). */
  readonly maxMessageBytes: number;
  /** Largest gzip body as sent, before decompression (413 above). */
  readonly maxCompressedBodyBytes: number;
}

const gzipAsync = promisify(gzip);

declare module 'fastify' {
  interface FastifyRequest {
    opampCredential?: OpampCredential;
  }
}

/** A plain-HTTP agent has no channel to push on: everything waits for its next poll. */
const pollingChannel = { close: () => undefined };

/**
 * OpAMP over plain HTTP: `POST` with `Content-Type: application/x-protobuf`, gzip both ways.
 * Authenticated from the headers in `onRequest`, before the body is read; the poll finds its
 * instance's connection in the registry with one lookup.
 */
export function registerOpampHttp(app: FastifyInstance, deps: HttpTransportDeps): void {
  const { logger, connections } = deps;
  void app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    // Read only after onRequest authenticated; gzip capped as sent and again as it inflates.
    scope.addContentTypeParser(
      '*',
      boundedBodyParser({ compressedBytes: deps.maxCompressedBodyBytes, plainBytes: deps.maxMessageBytes }),
    );
    scope.post(
      deps.path,
      {
        onRequest: async (request, reply) => {
          try {
            request.opampCredential = await deps.session.opamp.authenticate(
              request.headers.authorization,
              request.ip,
            );
          } catch (error) {
            if (!(error instanceof OpampAuthError)) throw error;
            if (error.reason === 'throttled')
              logger.debug({ ip: request.ip, transport: 'http' }, 'opamp.auth: throttled');
            else rejectionLog(logger, error.reason, request.ip, 'http');
            const answer = rejectionStatus(error);
            await reply
              .code(answer.status)
              .headers({ ...answer.headers, connection: 'close' })
              .send();
          }
        },
      },
      async (request, reply) => {
        const credential = request.opampCredential;
        if (credential === undefined) throw new Error('onRequest authenticates before the handler');
        const contentType = request.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
        if (contentType !== 'application/x-protobuf') {
          return reply
            .code(415)
            .type('text/plain')
            .send('OpAMP over HTTP needs Content-Type: application/x-protobuf\n');
        }
        const body = await inflateBounded(
          Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          request.headers['content-encoding'],
          deps.maxMessageBytes,
        );
        if (isBodyProblem(body)) {
          return reply
            .code(body.status)
            .type('text/plain')
            .send(body.status === 413 ? 'message too large\n' : `${body.message}\n`);
        }
        let message: AgentToServer;
        try {
          message = decodeHttpBody(body, deps.maxMessageBytes);
        } catch (error) {
          const tooLarge = error instanceof OpampFrameError && error.kind === 'too_large';
          logger.warn(
            { ip: request.ip, err: (error as Error).message },
            `opamp.message: rejected reason=${tooLarge ? 'too_large' : 'malformed'}`,
          );
          return reply
            .code(tooLarge ? 413 : 400)
            .type('text/plain')
            .send(`${(error as Error).message}\n`);
        }
        const uid = instanceUidToString(message.instanceUid) ?? '';
        let connection = connections.pollingAgent(uid);
        if (!connection || !sameCredential(connection.session, credential))
          connection = new AgentConnection(
            new OpampSession(deps.session, credential, 'http'),
            pollingChannel,
          );
        try {
          const handled = await connection.session.handle(message);
          if (handled.disconnecting) connections.forgetPollingAgent(uid);
          else connections.rememberPollingAgent(uid, connection);
          return await sendHttp(reply, handled.reply, request.headers['accept-encoding']);
        } catch (error) {
          if (!(error instanceof OpampAuthError)) throw error;
          connections.forgetPollingAgent(uid);
          rejectionLog(logger, error.reason, request.ip, 'http');
          return reply.code(rejectionStatus(error).status).send();
        }
      },
    );
    scope.get(deps.path, async (_request, reply) =>
      reply
        .code(400)
        .type('text/plain')
        .send('OpAMP expects a WebSocket upgrade or a POST with Content-Type: application/x-protobuf\n'),
    );
    done();
  });
}

async function sendHttp(
  reply: FastifyReply,
  message: ServerToAgent,
  acceptEncoding: string | undefined,
): Promise<FastifyReply> {
  const body = Buffer.from(encodeHttpBody(message));
  // The content type must be exactly this (the Elastic client compares the string).
  void reply.code(200).header('content-type', 'application/x-protobuf');
  if (acceptsGzip(acceptEncoding))
    return reply.header('content-encoding', 'gzip').send(await gzipAsync(body));
  return reply.send(body);
}

/** gzip only when listed explicitly with q > 0 (as opamp-go's server decides). */
function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    if (coding?.trim().toLowerCase() !== 'gzip') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function sameCredential(session: OpampSession, credential: OpampCredential): boolean {
  return credential.kind === 'enrollment' || session.collectorId === credential.collectorId;
}
