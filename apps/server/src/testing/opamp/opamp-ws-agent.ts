/**
 * A simulated otelcol-contrib + opampsupervisor speaking OpAMP over WebSocket, for server tests.
 *
 * It behaves like opamp-go's WS client as the supervisor drives it (protocols.md §1.2, §1.8–1.9,
 * §2.2–2.8): a full status report on every (re)connect, +1 sequence numbers, heartbeats carrying
 * only instance_uid + sequence_num + capabilities, status compression (only changed fields are
 * sent, and an unchanged RemoteConfigStatus is not re-sent), ReportFullState, new_instance_uid,
 * remote config APPLYING → APPLIED/FAILED, own-metrics offers, OpAMP connection offers (stop the
 * client with agent_disconnect, reconnect with exactly the offered endpoint and headers), and
 * dropping the connection on an unreadable frame. On error_response Unavailable + retry_info it
 * disconnects, waits and reconnects as the spec asks of WS clients (opamp-go @ 42e6aa1 only hands
 * the error to the supervisor's OnError callback).
 *
 * @example
 * const agent = new OpampWsAgent({ url: 'ws://127.0.0.1:4320/v1/opamp', headers: { Authorization: 'Bearer t' } });
 * await agent.connect();
 * const reply = await agent.waitFor((m) => m.remoteConfig !== undefined);
 * await agent.close();
 */
import { create } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  AgentCapabilities,
  AgentToServerSchema,
  ServerErrorResponseType,
  ServerToAgentFlags,
  ServerToAgentSchema,
} from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type {
  AgentToServer,
  ComponentHealthSchema,
  ConnectionSettingsOffers,
  RemoteConfigStatus,
  ServerErrorResponse,
  ServerToAgent,
} from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import WebSocket from 'ws';
import {
  decodeWsFrameOf,
  DEFAULT_MAX_MESSAGE_BYTES,
  encodeWsFrameOf,
  hasBit,
  instanceUidToString,
  newInstanceUid,
} from '../../protocols/opamp/opamp.codec.ts';
import { MessageLog } from './message-log.ts';
import type { WaitOptions } from './message-log.ts';
import { decideOffers } from './opamp-agent.offers.ts';
import { RemoteConfigApplier } from './opamp-agent.remote-config.ts';
import {
  DEFAULT_EFFECTIVE_CONFIG_YAML,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_HOST,
  describeAgent,
  effectiveConfig,
  healthyCollector,
  PendingStatus,
  SUPERVISOR_CAPABILITIES,
} from './opamp-agent.state.ts';
import type { AgentHost } from './opamp-agent.state.ts';
import { OpampConnectError } from './opamp-ws-agent.options.ts';
import type { ClosedConnection, OpampWsAgentOptions, OwnMetricsOffer } from './opamp-ws-agent.options.ts';
import { openAgentSocket } from './opamp-ws-agent.socket.ts';

export { OpampConnectError } from './opamp-ws-agent.options.ts';
export type { OpampWsAgentOptions, OwnMetricsOffer, ReconnectOptions } from './opamp-ws-agent.options.ts';

type AgentToServerInit = MessageInitShape<typeof AgentToServerSchema>;

export class OpampWsAgent {
  /** Every ServerToAgent received, decoded. */
  readonly received = new MessageLog<ServerToAgent>();
  /** Every AgentToServer sent (not raw bytes). */
  readonly sent = new MessageLog<AgentToServer>();
  /** Close of every connection that had opened. */
  readonly closes = new MessageLog<ClosedConnection>();
  /** Failed connection attempts. */
  readonly connectErrors = new MessageLog<OpampConnectError>();
  /** Frames from the server that could not be decoded (each drops the connection), socket errors. */
  readonly protocolErrors = new MessageLog<Error>();
  /** Offers the supervisor would refuse (e.g. an OpAMP offer without destination_endpoint). */
  readonly rejectedOffers = new MessageLog<string>();
  /** Every own_metrics offer applied; undefined = the offer removed own metrics. */
  readonly ownMetricsOffers = new MessageLog<OwnMetricsOffer | undefined>();

  readonly #capabilities: bigint;
  readonly #host: AgentHost;
  readonly #config: RemoteConfigApplier;
  readonly #reconnect: OpampWsAgentOptions['reconnect'];
  readonly #maxBytes: number;
  #url: string;
  #headers: Readonly<Record<string, string>>;
  #uid: Uint8Array;
  #heartbeatMs: number;
  #health: MessageInitShape<typeof ComponentHealthSchema>;
  #lastOffersHash: Uint8Array | undefined;
  #socket: WebSocket | undefined;
  #nextSeq = 1n;
  #connections = 0;
  #stopped = true;
  #reconnectAttempt = 0;
  readonly #pending: PendingStatus;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;

  constructor(options: OpampWsAgentOptions) {
    this.#url = options.url;
    this.#headers = { ...options.headers };
    this.#uid = options.instanceUid ?? newInstanceUid();
    this.#capabilities = options.capabilities ?? SUPERVISOR_CAPABILITIES;
    this.#pending = new PendingStatus(this.#capabilities);
    this.#heartbeatMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.#host = { ...DEFAULT_HOST, ...options.host };
    this.#health = options.health ?? healthyCollector(Date.now());
    this.#config = new RemoteConfigApplier({
      initialYaml: options.effectiveConfigYaml ?? DEFAULT_EFFECTIVE_CONFIG_YAML,
      judge: options.judgeConfig ?? (() => undefined),
      applyDelayMs: options.applyDelayMs ?? 0,
      onChange: (changes) => {
        for (const change of changes) this.#pending.mark(change);
        this.#flush();
      },
    });
    this.#reconnect = options.reconnect;
    this.#maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  get url(): string {
    return this.#url;
  }
  /** Headers of the current (or next) connection. */
  get headers(): Readonly<Record<string, string>> {
    return this.#headers;
  }
  get instanceUid(): Uint8Array {
    return this.#uid;
  }
  get instanceUidText(): string {
    return instanceUidToString(this.#uid) ?? '';
  }
  get effectiveConfigYaml(): string {
    return this.#config.effectiveYaml;
  }
  get remoteConfigStatus(): RemoteConfigStatus {
    return this.#config.status;
  }
  get ownMetricsOffer(): OwnMetricsOffer | undefined {
    return this.ownMetricsOffers.last;
  }
  get heartbeatIntervalMs(): number {
    return this.#heartbeatMs;
  }
  /** How many connections have opened so far. */
  get connections(): number {
    return this.#connections;
  }
  get isConnected(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the connection and sends the full status report. Rejects with OpampConnectError. */
  async connect(): Promise<void> {
    this.#stopped = false;
    await this.#open();
  }

  /** Shorthand for `received.waitFor`. */
  waitFor(predicate: (msg: ServerToAgent) => boolean, options?: WaitOptions): Promise<ServerToAgent> {
    return this.received.waitFor(predicate, options);
  }

  /**
   * Sends one AgentToServer stamped with instance_uid, the next sequence_num and capabilities;
   * `fields` may override any of them (for bad-input tests).
   */
  send(fields: AgentToServerInit = {}): AgentToServer {
    const socket = this.#socket;
    if (socket?.readyState !== WebSocket.OPEN) throw new Error('the OpAMP agent is not connected');
    const msg = create(AgentToServerSchema, {
      instanceUid: this.#uid,
      sequenceNum: this.#nextSeq,
      capabilities: this.#capabilities,
      ...fields,
    });
    this.#nextSeq += 1n;
    socket.send(encodeWsFrameOf(AgentToServerSchema, msg));
    this.sent.push(msg);
    this.#armHeartbeat();
    return msg;
  }

  /** Changes the reported health and sends it (like the opamp extension forwarding a change). */
  setHealth(health: MessageInitShape<typeof ComponentHealthSchema>): void {
    this.#health = health;
    this.#pending.mark('health');
    this.#flush();
  }

  /** Sends bytes as one binary WebSocket message, unframed and unchecked. */
  sendRaw(bytes: Uint8Array): void {
    if (this.#socket?.readyState !== WebSocket.OPEN) throw new Error('the OpAMP agent is not connected');
    this.#socket.send(bytes);
  }

  /** Stops reconnecting, optionally sends `agent_disconnect` (default yes), then closes with 1000. */
  async close(options: { disconnect?: boolean } = {}): Promise<void> {
    this.#stop();
    await this.#closeSocket(options.disconnect ?? true);
  }

  /** Drops the TCP connection without a close frame (a crashed or partitioned agent). */
  terminate(): void {
    this.#stop();
    this.#socket?.terminate();
    this.#socket = undefined;
  }

  #stop(): void {
    this.#stopped = true;
    clearTimeout(this.#heartbeatTimer);
    clearTimeout(this.#reconnectTimer);
    this.#config.cancel();
  }

  async #open(): Promise<void> {
    const target = { url: this.#url, headers: this.#headers, maxBytes: this.#maxBytes };
    let socket: WebSocket;
    try {
      socket = await openAgentSocket(target, {
        onFrame: (_socket, data) => {
          this.#onFrame(data);
        },
        onError: (_socket, error) => {
          this.protocolErrors.push(error);
        },
        onClose: (closedSocket, closed) => {
          this.#onClose(closedSocket, closed);
        },
      });
    } catch (error) {
      if (error instanceof OpampConnectError) this.connectErrors.push(error);
      throw error;
    }
    if (this.#stopped) {
      // close() was called while this connection was being opened.
      socket.close(1000);
      return;
    }
    this.#socket = socket;
    this.#connections += 1;
    this.#reconnectAttempt = 0;
    this.#pending.markAll();
    this.#flush();
    this.#armHeartbeat();
  }

  #onClose(socket: WebSocket, closed: ClosedConnection): void {
    this.closes.push(closed);
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    clearTimeout(this.#heartbeatTimer);
    if (!this.#stopped && this.#reconnect) this.#scheduleReconnect(this.#backoffDelayMs());
  }

  async #closeSocket(disconnect: boolean): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    if (disconnect && socket.readyState === WebSocket.OPEN) this.send({ agentDisconnect: {} });
    this.#socket = undefined;
    clearTimeout(this.#heartbeatTimer);
    if (socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close(1000);
    });
  }

  #backoffDelayMs(): number {
    const { initialDelayMs, maxDelayMs } = this.#reconnect ?? { initialDelayMs: 1000, maxDelayMs: 30_000 };
    return Math.min(maxDelayMs, initialDelayMs * 2 ** this.#reconnectAttempt);
  }

  #scheduleReconnect(delayMs: number): void {
    clearTimeout(this.#reconnectTimer);
    this.#reconnectAttempt += 1;
    this.#reconnectTimer = setTimeout(() => {
      if (this.#stopped) return;
      this.#open().catch(() => {
        if (!this.#stopped && this.#reconnect) this.#scheduleReconnect(this.#backoffDelayMs());
      });
    }, delayMs);
  }

  /** opamp-go sends a message when the interval passes without one; any message restarts the wait. */
  #armHeartbeat(): void {
    clearTimeout(this.#heartbeatTimer);
    const enabled = this.#heartbeatMs > 0 && this.#can(AgentCapabilities.AgentCapabilities_ReportsHeartbeat);
    if (!enabled || this.#stopped || !this.isConnected) return;
    this.#heartbeatTimer = setTimeout(() => {
      if (this.isConnected) this.send();
    }, this.#heartbeatMs);
  }

  #onFrame(data: Uint8Array | undefined): void {
    let msg: ServerToAgent;
    try {
      if (data === undefined) throw new Error('server sent a text frame; OpAMP uses binary frames');
      msg = decodeWsFrameOf(ServerToAgentSchema, data, this.#maxBytes);
    } catch (error) {
      this.protocolErrors.push(error instanceof Error ? error : new Error(String(error)));
      // opamp-go's receive loop ends on an unreadable message: the connection is dropped and
      // (there always, here if enabled) re-established.
      void this.#closeSocket(false).then(() => {
        if (!this.#stopped && this.#reconnect) this.#scheduleReconnect(this.#backoffDelayMs());
      });
      return;
    }
    this.received.push(msg);
    this.#handle(msg);
  }

  /** The order follows opamp-go's received-message processing; changes go out in one message. */
  #handle(msg: ServerToAgent): void {
    if (msg.errorResponse) {
      this.#onErrorResponse(msg.errorResponse);
      return;
    }
    const newUid = msg.agentIdentification?.newInstanceUid;
    if (newUid) this.#onNewInstanceUid(newUid);
    if (hasBit(msg.flags, ServerToAgentFlags.ServerToAgentFlags_ReportFullState)) this.#pending.markAll();
    if (msg.remoteConfig && this.#can(AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig)) {
      this.#config.receive(msg.remoteConfig);
    }
    this.#flush();
    if (msg.connectionSettings) this.#onOffers(msg.connectionSettings);
  }

  #onErrorResponse(error: ServerErrorResponse): void {
    // BadRequest: the message must not be re-sent; nothing else to do.
    if (error.type !== ServerErrorResponseType.ServerErrorResponseType_Unavailable) return;
    if (error.details.case !== 'retryInfo') return;
    const delayMs = Number(error.details.value.retryAfterNanoseconds / 1_000_000n);
    void this.#closeSocket(false).then(() => {
      if (!this.#stopped) this.#scheduleReconnect(delayMs);
    });
  }

  #onNewInstanceUid(uid: Uint8Array): void {
    if (uid.length !== 16) {
      this.rejectedOffers.push(`new_instance_uid of ${uid.length} bytes ignored (must be 16)`);
      return;
    }
    // The supervisor persists it and resends the description (service.instance.id changes).
    this.#uid = uid;
    this.#pending.mark('agentDescription');
  }

  #onOffers(offers: ConnectionSettingsOffers): void {
    // opamp-go skips an offer whose non-empty hash equals the last processed one.
    if (offers.hash.length > 0) {
      if (this.#lastOffersHash && Buffer.from(offers.hash).equals(this.#lastOffersHash)) return;
      this.#lastOffersHash = offers.hash;
    }
    const decision = decideOffers(offers, this.#capabilities);
    if (decision.ownMetrics) this.ownMetricsOffers.push(decision.ownMetrics.offer);
    if (decision.rejection !== undefined) this.rejectedOffers.push(decision.rejection);
    if (decision.heartbeatIntervalMs !== undefined) {
      this.#heartbeatMs = decision.heartbeatIntervalMs;
      this.#armHeartbeat();
    }
    if (decision.reconnectTo) void this.#switchServer(decision.reconnectTo.url, decision.reconnectTo.headers);
  }

  /**
   * The supervisor stops its OpAMP client and starts a new one with only what was offered
   * (headers replace the old ones; a new client numbers its messages from 1 again). If the new
   * connection fails it falls back to the previous settings.
   */
  async #switchServer(url: string, headers: Record<string, string>): Promise<void> {
    const previous = { url: this.#url, headers: this.#headers };
    await this.#closeSocket(true);
    if (this.#stopped) return;
    this.#url = url;
    this.#headers = headers;
    this.#nextSeq = 1n;
    try {
      await this.#open();
    } catch {
      this.#url = previous.url;
      this.#headers = previous.headers;
      this.#open().catch(() => {
        if (!this.#stopped && this.#reconnect) this.#scheduleReconnect(this.#backoffDelayMs());
      });
    }
  }

  #can(capability: AgentCapabilities): boolean {
    return hasBit(this.#capabilities, capability);
  }

  /** Sends the pending status fields in one message, if any and if connected (else they wait). */
  #flush(): void {
    if (this.#pending.isEmpty || !this.isConnected) return;
    const fields = this.#pending.take();
    this.send({
      ...(fields.has('agentDescription')
        ? { agentDescription: describeAgent(this.instanceUidText, this.#host) }
        : {}),
      ...(fields.has('health') ? { health: this.#health } : {}),
      ...(fields.has('effectiveConfig')
        ? { effectiveConfig: effectiveConfig(this.#config.effectiveYaml) }
        : {}),
      ...(fields.has('remoteConfigStatus') ? { remoteConfigStatus: this.#config.status } : {}),
    });
  }
}
