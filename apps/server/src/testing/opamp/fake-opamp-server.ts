/**
 * A tiny OpAMP WebSocket server on 127.0.0.1 for testing OpAMP clients (the simulated agent
 * until the real server exists). It decodes with the production codec, logs every message and
 * answers each one with `respond` (default: echo instance_uid, ServerCapabilities 0x27 on the
 * first reply of a connection).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { create } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { ServerToAgentSchema } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { AgentToServer } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import {
  decodeWsFrame,
  DEFAULT_MAX_MESSAGE_BYTES,
  encodeWsFrame,
  OpampFrameError,
} from '../../protocols/opamp/opamp.codec.ts';
import { MessageLog } from './message-log.ts';

type ServerToAgentInit = MessageInitShape<typeof ServerToAgentSchema>;

/** One accepted WebSocket connection. */
export interface FakeOpampConnection {
  /** 1-based, in accept order. */
  readonly id: number;
  /** Headers of the upgrade request (lower-case names). */
  readonly headers: IncomingHttpHeaders;
  /** Pushes a ServerToAgent at any time. */
  send(msg: ServerToAgentInit): void;
  /** Sends bytes as one binary message, unframed (for bad-input tests of clients). */
  sendRaw(bytes: Uint8Array): void;
  /** Sends a close frame. */
  close(code?: number, reason?: string): void;
  /** Resolves when the connection has closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
}

export interface ReceivedFrame {
  connection: FakeOpampConnection;
  /** The binary message exactly as received. */
  raw: Uint8Array;
  /** Undefined when the frame could not be decoded (see `error`). */
  msg?: AgentToServer;
  error?: OpampFrameError;
}

export interface FakeOpampServerOptions {
  /** Reply to each decoded message; undefined = no reply. */
  respond?: (
    msg: AgentToServer,
    connection: FakeOpampConnection,
    isFirst: boolean,
  ) => ServerToAgentInit | undefined;
  /** Whether to accept the upgrade; false → HTTP 401. Default: accept all. */
  authorize?: (headers: IncomingHttpHeaders) => boolean;
}

/** The default reply: echo the uid; capabilities (status, remote config, effective config, offers) first. */
export function defaultReply(msg: AgentToServer, isFirst: boolean): ServerToAgentInit {
  return { instanceUid: msg.instanceUid, capabilities: isFirst ? 0x27n : 0n };
}

export class FakeOpampServer {
  /** Every binary message received, decoded or not. */
  readonly frames = new MessageLog<ReceivedFrame>();
  /** Decoded messages only, with their connection. */
  readonly received = new MessageLog<{ msg: AgentToServer; connection: FakeOpampConnection }>();
  readonly connections = new MessageLog<FakeOpampConnection>();
  /** Headers of upgrade requests refused by `authorize`. */
  readonly refused: MessageLog<IncomingHttpHeaders>;

  readonly #wss: WebSocketServer;
  readonly #options: FakeOpampServerOptions;

  private constructor(
    wss: WebSocketServer,
    options: FakeOpampServerOptions,
    refused: MessageLog<IncomingHttpHeaders>,
  ) {
    this.#wss = wss;
    this.#options = options;
    this.refused = refused;
    wss.on('connection', (socket, request) => {
      this.#accept(socket, request.headers);
    });
  }

  /** Listens on an ephemeral loopback port. */
  static async start(options: FakeOpampServerOptions = {}): Promise<FakeOpampServer> {
    const refused = new MessageLog<IncomingHttpHeaders>();
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      path: '/v1/opamp',
      maxPayload: DEFAULT_MAX_MESSAGE_BYTES,
      verifyClient: (info, done) => {
        const ok = options.authorize?.(info.req.headers) ?? true;
        if (!ok) refused.push(info.req.headers);
        done(ok, 401, 'Unauthorized');
      },
    });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    return new FakeOpampServer(wss, options, refused);
  }

  /** ws://127.0.0.1:<port>/v1/opamp */
  get url(): string {
    const { port } = this.#wss.address() as AddressInfo;
    return `ws://127.0.0.1:${port}/v1/opamp`;
  }

  /** Closes every connection (1001) and stops listening. */
  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.close(1001);
    await new Promise<void>((resolve) => {
      this.#wss.close(() => resolve());
    });
    for (const client of this.#wss.clients) client.terminate();
  }

  #accept(socket: WebSocket, headers: IncomingHttpHeaders): void {
    let replies = 0;
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    const connection: FakeOpampConnection = {
      id: this.connections.length + 1,
      headers,
      send: (msg) => socket.send(encodeWsFrame(create(ServerToAgentSchema, msg))),
      sendRaw: (bytes) => socket.send(bytes),
      close: (code = 1000, reason = '') => socket.close(code, reason),
      closed,
    };
    socket.on('message', (data: RawData, isBinary) => {
      if (!isBinary) return;
      const raw = Array.isArray(data) ? Buffer.concat(data) : new Uint8Array(data);
      let msg: AgentToServer;
      try {
        msg = decodeWsFrame(raw, DEFAULT_MAX_MESSAGE_BYTES);
      } catch (error) {
        if (!(error instanceof OpampFrameError)) throw error;
        this.frames.push({ connection, raw, error });
        return;
      }
      this.frames.push({ connection, raw, msg });
      this.received.push({ msg, connection });
      const respond = this.#options.respond ?? ((m, _c, isFirst) => defaultReply(m, isFirst));
      const reply = respond(msg, connection, replies === 0);
      if (reply === undefined) return;
      replies += 1;
      connection.send(reply);
    });
    this.connections.push(connection);
  }
}
