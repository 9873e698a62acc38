/** Opens the simulated agent's WebSocket the way opamp-go does (headers on the upgrade request). */
import WebSocket from 'ws';
import type { RawData } from 'ws';
import { OpampConnectError } from './opamp-ws-agent.options.ts';
import type { ClosedConnection } from './opamp-ws-agent.options.ts';

export interface AgentSocketTarget {
  url: string;
  headers: Readonly<Record<string, string>>;
  /** Largest incoming message (ws maxPayload; bigger → the socket closes with 1009). */
  maxBytes: number;
}

/** Called for the life of an opened socket; attached before it opens so nothing is missed. */
export interface AgentSocketHandlers {
  /** A binary message, or `undefined` for a text message (OpAMP has none). */
  onFrame(socket: WebSocket, data: Uint8Array | undefined): void;
  onError(socket: WebSocket, error: Error): void;
  onClose(socket: WebSocket, closed: ClosedConnection): void;
}

/**
 * Resolves with the open socket. Rejects with OpampConnectError — with `status` (and
 * `retryAfter`) when the server answered the upgrade request with an HTTP error, e.g. 401.
 */
export function openAgentSocket(
  target: AgentSocketTarget,
  handlers: AgentSocketHandlers,
): Promise<WebSocket> {
  const socket = new WebSocket(target.url, {
    headers: { ...target.headers },
    maxPayload: target.maxBytes,
    perMessageDeflate: false,
  });
  return new Promise<WebSocket>((resolve, reject) => {
    let opened = false;
    let failed = false;
    const fail = (error: OpampConnectError) => {
      if (opened || failed) return;
      failed = true;
      reject(error);
    };
    socket.once('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      const retryAfter = response.headers['retry-after'];
      fail(new OpampConnectError(`server refused the upgrade with HTTP ${status}`, status, retryAfter));
      response.resume();
      socket.terminate();
    });
    socket.on('error', (error) => {
      if (opened) handlers.onError(socket, error);
      else fail(new OpampConnectError(error.message));
    });
    socket.on('message', (data, isBinary) => {
      handlers.onFrame(socket, isBinary ? toBytes(data) : undefined);
    });
    socket.once('close', (code, reason) => {
      if (opened) handlers.onClose(socket, { code, reason: reason.toString() });
    });
    socket.once('open', () => {
      opened = true;
      resolve(socket);
    });
  });
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
