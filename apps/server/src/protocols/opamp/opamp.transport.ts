import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { AgentToServer, ServerToAgent } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { boundedCache } from '../../domain/shared/bounded-cache.ts';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FleetListener, FleetService } from '../../domain/fleet/fleet.service.ts';
import { OpampAuthError, type OpampCredential, type OpampService } from '../../domain/opamp/opamp.service.ts';
import {
  decodeHttpBody,
  decodeWsFrame,
  encodeHttpBody,
  encodeWsFrame,
  instanceUidToString,
  OpampFrameError,
  WS_CLOSE_MESSAGE_TOO_BIG,
} from './opamp.codec.ts';
import { boundedBodyParser, inflateBounded, isBodyProblem } from '../http/bounded-body.ts';
import { AdmissionGate } from './admission-gate.ts';
import { badRequest, OpampSession, type SessionDeps } from './opamp.session.ts';

export interface OpampTransportDeps {
  readonly opamp: OpampService;
  readonly fleet: FleetService;
  readonly logger: Logger;
  readonly externalUrl: () => string;
  /** Largest message accepted, after decompression (WS close 1009 / HTTP 413 above). */
  readonly maxMessageBytes: number;
  /** Largest gzip body of an HTTP POST as sent, before decompression (413 above). */
  readonly maxCompressedBodyBytes: number;
  readonly heartbeatIntervalSeconds: number;
  /** WebSocket connections above this are refused with 503 + Retry-After (overload protection). */
  readonly maxConnections: number;
}

const opampPath = '/v1/opamp';
const gzipAsync = promisify(gzip);

declare module 'fastify' {
  interface FastifyRequest {
    opampCredential?: OpampCredential;
  }
}

/** The HTTP answer to a refused upgrade or POST. */
function rejectionStatus(error: OpampAuthError): {
  status: number;
  text: string;
  headers: Record<string, string>;
} {
  if (error.reason === 'throttled')
    return {
      status: 429,
      text: 'Too Many Requests',
      headers: { 'Retry-After': String(error.retryAfterSeconds ?? 60) },
    };
  if (error.reason === 'enrollment_token_reused') return { status: 410, text: 'Gone', headers: {} };
  return { status: 401, text: 'Unauthorized', headers: { 'WWW-Authenticate': 'Bearer' } };
}
/** WebSocket connections attaching (upgrade to first answer) at once; see AdmissionGate. */
const attachConcurrency = 32;
/** How long an upgraded connection may hold its attach place without sending a message. */
const firstMessageWaitMs = 10_000;
/** Plain-HTTP sessions idle this long are forgotten (their state is stored; a new poll re-attaches). */
const httpSessionIdleMs = 10 * 60_000;

/**
 * `/v1/opamp` on the main port, both transports behind one session type: a WebSocket upgrade
 * (binary frames with the varint header) or a plain HTTP POST (`Content-Type:
 * application/x-protobuf`, gzip both ways). Authentication happens on the upgrade request or the
 * POST, before any message is read.
 */
export function registerOpampTransport(app: FastifyInstance, deps: OpampTransportDeps): { close(): void } {
  const sessionDeps: SessionDeps = {
    opamp: deps.opamp,
    fleet: deps.fleet,
    logger: deps.logger,
    externalUrl: deps.externalUrl,
    heartbeatIntervalSeconds: deps.heartbeatIntervalSeconds,
    // Bounded: a forgotten instance is only asked for its full state once more.
    sequences: boundedCache<string, bigint>(1_000_000),
    liveInstances: new Map(),
    nowMs: () => Date.now(),
  };
  const sockets = new Map<string, Map<WebSocket, OpampSession>>();
  const httpSessions = new Map<string, { session: OpampSession; lastUsedMs: number }>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: deps.maxMessageBytes + 16,
    perMessageDeflate: false,
  });

  const listener: FleetListener = {
    collectorDeregistered(collectorId) {
      for (const socket of sockets.get(collectorId)?.keys() ?? [])
        socket.close(1008, 'collector deregistered');
      for (const [uid, entry] of httpSessions)
        if (entry.session.collectorId === collectorId) httpSessions.delete(uid);
    },
    bearerRotated(collectorId, token) {
      let delivered = false;
      for (const [socket, session] of sockets.get(collectorId) ?? []) {
        const push = session.rotate(token);
        if (push) {
          sendWs(socket, push);
          delivered = true;
        }
      }
      for (const entry of httpSessions.values()) {
        if (entry.session.collectorId !== collectorId) continue;
        entry.session.rotate(token);
        delivered = true;
      }
      return delivered;
    },
  };
  deps.fleet.addListener(listener);
  // A changed desired config goes out to every connected WebSocket agent at once; plain-HTTP
  // agents get it on their next poll (their reported hash no longer matches).
  deps.opamp.onConfigChanged(() => {
    for (const set of sockets.values()) {
      for (const [socket, session] of set) {
        const push = session.configPush();
        if (push) sendWs(socket, push);
      }
    }
  });

  const rejectionLog = (reason: string, ip: string | undefined, transport: string) =>
    deps.logger.warn({ ip, transport }, `opamp.auth: rejected reason=${reason}`);

  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== opampPath) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    socket.on('error', () => socket.destroy());
    if (wss.clients.size >= deps.maxConnections) {
      deps.logger.warn({ connections: wss.clients.size }, 'opamp.connection: refused reason=overloaded');
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 30\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const ip = request.socket.remoteAddress ?? '';
    void attachGate.enter().then((leave) => {
      if (socket.destroyed) {
        leave();
        return;
      }
      deps.opamp.authenticate(request.headers.authorization, ip).then(
        (credential) => {
          wss.handleUpgrade(request, socket, head, (ws) => {
            onWebSocket(ws, credential, ip, leave);
          });
        },
        (error: unknown) => {
          leave();
          if (!(error instanceof OpampAuthError)) {
            deps.logger.error({ err: error }, 'opamp.error: upgrade failed');
            socket.end(
              'HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
            );
            return;
          }
          const answer = rejectionStatus(error);
          if (error.reason === 'throttled')
            deps.logger.debug({ ip, transport: 'ws' }, 'opamp.auth: throttled');
          else rejectionLog(error.reason, ip, 'ws');
          socket.end(
            `HTTP/1.1 ${answer.status} ${answer.text}\r\nConnection: close\r\n` +
              Object.entries(answer.headers)
                .map(([name, value]) => `${name}: ${value}\r\n`)
                .join('') +
              'Content-Length: 0\r\n\r\n',
          );
        },
      );
    });
  });

  /**
   * Connections between their upgrade request and the answer to their first message are the
   * expensive part of a reconnect storm (authentication, agent state, events): a few at a time.
   */
  const attachGate = new AdmissionGate(attachConcurrency);

  function onWebSocket(
    ws: WebSocket,
    credential: OpampCredential,
    ip: string | undefined,
    leaveGate: () => void,
  ): void {
    const session = new OpampSession(sessionDeps, credential, 'ws');
    let queue = Promise.resolve();
    // An agent that sends nothing after its upgrade gives its place back after a while.
    const firstMessageWait = setTimeout(leaveGate, firstMessageWaitMs);
    firstMessageWait.unref();
    const attached = () => {
      clearTimeout(firstMessageWait);
      leaveGate();
    };
    deps.logger.info({ ip }, 'opamp.connection: opened');
    ws.on('message', (data, isBinary) => {
      const bytes = toBytes(data);
      // One message at a time per connection, in order.
      queue = queue
        .then(async () => {
          if (!isBinary) {
            ws.close(1003, 'OpAMP messages are binary');
            return;
          }
          let message: AgentToServer;
          try {
            message = decodeWsFrame(bytes, deps.maxMessageBytes);
          } catch (error) {
            if (error instanceof OpampFrameError && error.kind === 'too_large') {
              ws.close(WS_CLOSE_MESSAGE_TOO_BIG, 'message too big');
              return;
            }
            deps.logger.warn(
              { ip, err: (error as Error).message },
              'opamp.message: rejected reason=malformed',
            );
            sendWs(ws, badRequest(new Uint8Array(), `malformed message: ${(error as Error).message}`));
            return;
          }
          try {
            const handled = await session.handle(message);
            if (session.collectorId !== undefined) track(sockets, session.collectorId, ws, session);
            sendWs(ws, handled.reply);
          } catch (error) {
            if (error instanceof OpampAuthError) {
              rejectionLog(error.reason, ip, 'ws');
              ws.close(
                1008,
                error.reason === 'enrollment_token_reused'
                  ? 'enrollment token already used by another instance'
                  : 'unauthorized',
              );
              return;
            }
            deps.logger.error({ err: error }, 'opamp.error: message failed');
            ws.close(1011, 'internal error');
          }
        })
        .finally(attached);
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', (code) => {
      attached();
      queue = queue
        .then(async () => {
          if (session.collectorId !== undefined) untrack(sockets, session.collectorId, ws);
          deps.logger.info({ ip, code, collectorId: session.collectorId }, 'opamp.connection: closed');
          await session.closed(
            session.collectorId !== undefined && (sockets.get(session.collectorId)?.size ?? 0) === 0,
          );
        })
        .catch((error: unknown) => deps.logger.error({ err: error }, 'opamp.error: close failed'));
    });
  }

  void app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    // Read only after onRequest authenticated; gzip capped as sent and again as it inflates.
    scope.addContentTypeParser(
      '*',
      boundedBodyParser({ compressedBytes: deps.maxCompressedBodyBytes, plainBytes: deps.maxMessageBytes }),
    );
    scope.post(
      opampPath,
      {
        // Authentication from the headers, before the body is read.
        onRequest: async (request, reply) => {
          try {
            request.opampCredential = await deps.opamp.authenticate(
              request.headers.authorization,
              request.ip,
            );
          } catch (error) {
            if (!(error instanceof OpampAuthError)) throw error;
            if (error.reason === 'throttled')
              deps.logger.debug({ ip: request.ip, transport: 'http' }, 'opamp.auth: throttled');
            else rejectionLog(error.reason, request.ip, 'http');
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
          deps.logger.warn(
            { ip: request.ip, err: (error as Error).message },
            `opamp.message: rejected reason=${tooLarge ? 'too_large' : 'malformed'}`,
          );
          return reply
            .code(tooLarge ? 413 : 400)
            .type('text/plain')
            .send(`${(error as Error).message}\n`);
        }
        const uid = instanceUidToString(message.instanceUid) ?? '';
        const nowMs = Date.now();
        for (const [key, entry] of httpSessions)
          if (nowMs - entry.lastUsedMs > httpSessionIdleMs) httpSessions.delete(key);
        let entry = httpSessions.get(uid);
        if (!entry || !sameCredential(entry.session, credential)) {
          entry = { session: new OpampSession(sessionDeps, credential, 'http'), lastUsedMs: nowMs };
          if (uid !== '') httpSessions.set(uid, entry);
        }
        entry.lastUsedMs = nowMs;
        try {
          const handled = await entry.session.handle(message);
          if (handled.disconnecting) httpSessions.delete(uid);
          return await sendHttp(reply, handled.reply, request.headers['accept-encoding']);
        } catch (error) {
          if (!(error instanceof OpampAuthError)) throw error;
          httpSessions.delete(uid);
          rejectionLog(error.reason, request.ip, 'http');
          return reply.code(rejectionStatus(error).status).send();
        }
      },
    );
    scope.get(opampPath, async (_request, reply) =>
      reply
        .code(400)
        .type('text/plain')
        .send('OpAMP expects a WebSocket upgrade or a POST with Content-Type: application/x-protobuf\n'),
    );
    done();
  });

  // Liveness: an agent silent for three heartbeat intervals is stale (WebSocket still open) or
  // gone (plain HTTP: missed polls are all there is).
  const silenceMs = 3 * deps.heartbeatIntervalSeconds * 1000;
  const liveness = setInterval(
    () => {
      const nowMs = Date.now();
      const checks: Promise<void>[] = [];
      for (const set of sockets.values()) {
        for (const session of set.values()) {
          if (
            !session.stale &&
            session.collectorId !== undefined &&
            nowMs - session.lastMessageAtMs > silenceMs
          ) {
            session.stale = true;
            checks.push(
              deps.fleet.setConnectionStatus(
                session.collectorId,
                'stale',
                `no message for ${silenceMs / 1000} s`,
              ),
            );
          }
        }
      }
      for (const [uid, entry] of httpSessions) {
        const collectorId = entry.session.collectorId;
        if (collectorId !== undefined && nowMs - entry.session.lastMessageAtMs > silenceMs) {
          httpSessions.delete(uid);
          checks.push(
            deps.fleet.setConnectionStatus(collectorId, 'disconnected', `no poll for ${silenceMs / 1000} s`),
          );
        }
      }
      Promise.all(checks).catch((error: unknown) =>
        deps.logger.warn({ err: error }, 'opamp.liveness: failed'),
      );
    },
    Math.min(10_000, silenceMs / 3),
  );
  liveness.unref();

  return {
    close() {
      clearInterval(liveness);
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      wss.close();
    },
  };
}

function sendWs(ws: WebSocket, message: ServerToAgent): void {
  if (ws.readyState === ws.OPEN) ws.send(encodeWsFrame(message));
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

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

function track(
  sockets: Map<string, Map<WebSocket, OpampSession>>,
  collectorId: string,
  ws: WebSocket,
  session: OpampSession,
): void {
  let set = sockets.get(collectorId);
  if (!set) sockets.set(collectorId, (set = new Map<WebSocket, OpampSession>()));
  set.set(ws, session);
}

function untrack(
  sockets: Map<string, Map<WebSocket, OpampSession>>,
  collectorId: string,
  ws: WebSocket,
): void {
  const set = sockets.get(collectorId);
  set?.delete(ws);
  if (set?.size === 0) sockets.delete(collectorId);
}
