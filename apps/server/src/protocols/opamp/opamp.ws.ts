import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AgentToServer, ServerToAgent } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { OpampAuthError, type OpampCredential } from '../../domain/opamp/opamp.service.ts';
import { AdmissionGate } from './admission-gate.ts';
import { AgentConnection } from './agent-connection.ts';
import type { AgentConnections } from './agent-connections.ts';
import { decodeWsFrame, encodeWsFrame, OpampFrameError, WS_CLOSE_MESSAGE_TOO_BIG } from './opamp.codec.ts';
import { rejectionLog, rejectionStatus } from './opamp.rejections.ts';
import { badRequest, OpampSession, type SessionDeps } from './opamp.session.ts';

export interface WsTransportDeps {
  readonly session: SessionDeps;
  readonly connections: AgentConnections;
  readonly logger: Logger;
  readonly path: string;
  readonly maxMessageBytes: number;
  /** WebSocket connections above this are refused with 503 + Retry-After (overload protection). */
  readonly maxConnections: number;
}

/** WebSocket connections attaching (upgrade to first answer) at once; see AdmissionGate. */
const attachConcurrency = 32;
/** How long an upgraded connection may hold its attach place without sending a message. */
const firstMessageWaitMs = 10_000;

/**
 * OpAMP over WebSocket: the upgrade is authenticated from its headers before it is accepted;
 * then binary frames (varint header + AgentToServer), one message at a time per connection.
 */
export function handleOpampUpgrades(
  server: { on(event: 'upgrade', listener: (r: IncomingMessage, s: Duplex, h: Buffer) => void): unknown },
  deps: WsTransportDeps,
): { close(): void } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: deps.maxMessageBytes + 16,
    perMessageDeflate: false,
  });
  // Connections between their upgrade request and the answer to their first message are the
  // expensive part of a reconnect storm (authentication, agent state, events): a few at a time.
  const attachGate = new AdmissionGate(attachConcurrency);
  const { logger } = deps;

  server.on('upgrade', (request, socket, head) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== deps.path) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    socket.on('error', () => socket.destroy());
    if (wss.clients.size >= deps.maxConnections) {
      logger.warn({ connections: wss.clients.size }, 'opamp.connection: refused reason=overloaded');
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
      deps.session.opamp.authenticate(request.headers.authorization, ip).then(
        (credential) =>
          wss.handleUpgrade(request, socket, head, (ws) => onWebSocket(ws, credential, ip, leave)),
        (error: unknown) => {
          leave();
          socket.end(upgradeRefusal(error, ip, logger));
        },
      );
    });
  });

  function onWebSocket(ws: WebSocket, credential: OpampCredential, ip: string, leaveGate: () => void): void {
    const connection = new AgentConnection(new OpampSession(deps.session, credential, 'ws'), {
      push: (message) => sendWs(ws, message),
      close: (code, reason) => ws.close(code, reason),
    });
    const { session } = connection;
    let queue = Promise.resolve();
    // An agent that sends nothing after its upgrade gives its place back after a while.
    const firstMessageWait = setTimeout(leaveGate, firstMessageWaitMs);
    firstMessageWait.unref();
    const attached = () => {
      clearTimeout(firstMessageWait);
      leaveGate();
    };
    logger.info({ ip }, 'opamp.connection: opened');
    ws.on('message', (data, isBinary) => {
      const bytes = toBytes(data);
      // One message at a time per connection, in order.
      queue = queue.then(() => onMessage(bytes, isBinary)).finally(attached);
    });
    const onMessage = async (bytes: Uint8Array, isBinary: boolean): Promise<void> => {
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
        logger.warn({ ip, err: (error as Error).message }, 'opamp.message: rejected reason=malformed');
        sendWs(ws, badRequest(new Uint8Array(), `malformed message: ${(error as Error).message}`));
        return;
      }
      try {
        const handled = await session.handle(message);
        deps.connections.track(connection);
        sendWs(ws, handled.reply);
      } catch (error) {
        if (error instanceof OpampAuthError) {
          rejectionLog(logger, error.reason, ip, 'ws');
          ws.close(
            1008,
            error.reason === 'enrollment_token_reused'
              ? 'enrollment token already used by another instance'
              : 'unauthorized',
          );
          return;
        }
        logger.error({ err: error }, 'opamp.error: message failed');
        ws.close(1011, 'internal error');
      }
    };
    ws.on('error', () => ws.terminate());
    ws.on('close', (code) => {
      attached();
      queue = queue
        .then(async () => {
          const last = deps.connections.untrack(connection);
          logger.info({ ip, code, collectorId: session.collectorId }, 'opamp.connection: closed');
          await session.closed(last);
        })
        .catch((error: unknown) => logger.error({ err: error }, 'opamp.error: close failed'));
    });
  }

  return {
    close() {
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      wss.close();
    },
  };
}

/** The raw HTTP answer to an upgrade whose authentication failed. */
function upgradeRefusal(error: unknown, ip: string, logger: Logger): string {
  if (!(error instanceof OpampAuthError)) {
    logger.error({ err: error }, 'opamp.error: upgrade failed');
    return 'HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
  }
  if (error.reason === 'throttled') logger.debug({ ip, transport: 'ws' }, 'opamp.auth: throttled');
  else rejectionLog(logger, error.reason, ip, 'ws');
  const answer = rejectionStatus(error);
  return (
    `HTTP/1.1 ${answer.status} ${answer.text}\r\nConnection: close\r\n` +
    Object.entries(answer.headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    'Content-Length: 0\r\n\r\n'
  );
}

function sendWs(ws: WebSocket, message: ServerToAgent): void {
  if (ws.readyState === ws.OPEN) ws.send(encodeWsFrame(message));
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
