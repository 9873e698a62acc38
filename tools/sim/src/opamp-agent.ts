import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import {
  AgentToServerSchema,
  RemoteConfigStatuses,
  ServerToAgentSchema,
  type AgentToServer,
  type ServerToAgent,
} from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { SimCollector } from './sim-collector.ts';
import type { SimAgentEvents } from './sim-events.ts';

/** What the supervisor advertises with LinkMesh's install script (0x3D47). */
const supervisorCapabilities = 0x1n | 0x2n | 0x4n | 0x40n | 0x100n | 0x400n | 0x800n | 0x1000n | 0x2000n;

export interface SimOpampAgentOptions {
  /** `ws(s)://…/v1/opamp` for WebSocket, `http(s)://…/v1/opamp` for plain HTTP polling. */
  readonly url: string;
  readonly enrollmentToken: string;
  readonly hostName: string;
  readonly heartbeatMs: number;
  /** How often the collector pushes its own metrics once it has the own_metrics offer. */
  readonly ownMetricsIntervalMs: number;
  readonly seed: number;
  /** Average items/s a busy source of its pipeline produces (default 200). */
  readonly baseItemsPerSec?: number;
}

/**
 * A supervisor-like OpAMP agent for the simulator: enrols with an enrollment token, switches to
 * the offered bearer (reconnecting with exactly the offered headers), applies remote config
 * (APPLYING → APPLIED, effective config updated), resends its full state when asked, heartbeats,
 * and — once it has the own_metrics offer — pushes its collector's self-telemetry there. The
 * collector runs the pipeline of the last remote config it was pushed (until then a default
 * one), so its self-telemetry names the components LinkMesh rendered for it.
 */
export class SimOpampAgent {
  private readonly uid = randomBytes(16);
  private sequence = 0n;
  private headers: Record<string, string>;
  private url: string;
  private socket: WebSocket | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private pushTimer: NodeJS.Timeout | undefined;
  private effectiveConfig = 'receivers: {}\n';
  private remoteStatus: { hash: Uint8Array; status: RemoteConfigStatuses } | undefined;
  private readonly collector: SimCollector;
  private stopped = false;
  readonly stats = { messages: 0, applied: 0, pushes: 0, pushFailures: 0, reconnects: 0 };
  /** `offer`, `pipeline` and `push` (see SimAgentEvents). */
  readonly events = new EventEmitter<SimAgentEvents>();
  ownMetrics: { endpoint: string; headers: Record<string, string> } | undefined;

  constructor(private readonly options: SimOpampAgentOptions) {
    this.url = options.url;
    this.headers = { Authorization: `Bearer ${options.enrollmentToken}` };
    this.collector = new SimCollector(
      {
        baseItemsPerSec: options.baseItemsPerSec ?? 200,
        failingExporter: options.seed % 10 === 0,
        restartProbability: 0,
        withoutPrefix: false,
        instanceId: uuidText(this.uid),
        hostName: options.hostName,
        seed: options.seed,
      },
      Date.now(),
    );
  }

  get transport(): 'ws' | 'http' {
    return this.url.startsWith('ws') ? 'ws' : 'http';
  }

  async start(): Promise<void> {
    if (this.transport === 'ws') await this.openSocket();
    else await this.poll(this.fullState());
    this.heartbeat = setInterval(() => void this.send(this.message()), this.options.heartbeatMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearInterval(this.pushTimer);
    await this.send(this.message({ agentDisconnect: {} })).catch(() => undefined);
    this.socket?.close(1000);
  }

  private message(fields: MessageInitShape<typeof AgentToServerSchema> = {}): AgentToServer {
    this.sequence += 1n;
    return create(AgentToServerSchema, {
      instanceUid: this.uid,
      sequenceNum: this.sequence,
      capabilities: supervisorCapabilities,
      ...fields,
    });
  }

  private fullState(): AgentToServer {
    const text = (key: string, value: string) => ({
      key,
      value: { value: { case: 'stringValue' as const, value } },
    });
    return this.message({
      agentDescription: {
        identifyingAttributes: [
          text('service.instance.id', uuidText(this.uid)),
          text('service.name', 'otelcol-contrib'),
          text('service.version', '0.135.0'),
        ],
        nonIdentifyingAttributes: [
          text('host.name', this.options.hostName),
          text('os.type', 'linux'),
          text('host.arch', 'amd64'),
        ],
      },
      health: { healthy: true, status: 'StatusOK', startTimeUnixNano: BigInt(Date.now()) * 1_000_000n },
      effectiveConfig: { configMap: { configMap: { '': { body: Buffer.from(this.effectiveConfig) } } } },
      ...(this.remoteStatus
        ? {
            remoteConfigStatus: {
              lastRemoteConfigHash: this.remoteStatus.hash,
              status: this.remoteStatus.status,
            },
          }
        : {}),
    });
  }

  private async openSocket(): Promise<void> {
    const socket = new WebSocket(this.url, { headers: this.headers, perMessageDeflate: false });
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused: ${response.statusCode}`)),
      );
    });
    socket.on(
      'message',
      (data: Buffer) => void this.receive(fromBinary(ServerToAgentSchema, new Uint8Array(data).subarray(1))),
    );
    socket.on('close', () => {
      if (this.socket === socket && !this.stopped) this.socket = undefined;
    });
    await this.send(this.fullState());
  }

  private async send(message: AgentToServer): Promise<void> {
    if (this.transport === 'http') return this.poll(message);
    const socket = this.socket;
    if (socket?.readyState !== WebSocket.OPEN) return;
    const body = toBinary(AgentToServerSchema, message);
    const frame = new Uint8Array(body.length + 1);
    frame.set(body, 1);
    socket.send(frame);
  }

  private async poll(message: AgentToServer): Promise<void> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/x-protobuf' },
      body: toBinary(AgentToServerSchema, message),
    });
    if (!response.ok) throw new Error(`OpAMP POST → ${response.status}`);
    await this.receive(fromBinary(ServerToAgentSchema, new Uint8Array(await response.arrayBuffer())));
  }

  private async receive(reply: ServerToAgent): Promise<void> {
    this.stats.messages += 1;
    const offers = reply.connectionSettings;
    if (offers?.ownMetrics) {
      this.ownMetrics = {
        endpoint: offers.ownMetrics.destinationEndpoint,
        headers: Object.fromEntries((offers.ownMetrics.headers?.headers ?? []).map((h) => [h.key, h.value])),
      };
      this.startPushing();
      this.events.emit('offer');
    }
    const offeredOpamp = offers?.opamp && {
      headers: Object.fromEntries((offers.opamp.headers?.headers ?? []).map((h) => [h.key, h.value])),
      url: offers.opamp.destinationEndpoint,
    };
    // Plain HTTP: every later request already carries the offered settings.
    if (offeredOpamp && this.transport === 'http') {
      this.headers = offeredOpamp.headers;
      this.url = offeredOpamp.url;
    }
    if (reply.remoteConfig) {
      const hash = reply.remoteConfig.configHash;
      this.remoteStatus = { hash, status: RemoteConfigStatuses.RemoteConfigStatuses_APPLYING };
      await this.send(
        this.message({
          remoteConfigStatus: { lastRemoteConfigHash: hash, status: this.remoteStatus.status },
        }),
      );
      const file = reply.remoteConfig.config?.configMap[''];
      this.effectiveConfig = file ? Buffer.from(file.body).toString('utf8') : this.effectiveConfig;
      // The collector loads it at its next step (see SimCollector.deliver).
      this.collector.deliver(this.effectiveConfig);
      this.remoteStatus = { hash, status: RemoteConfigStatuses.RemoteConfigStatuses_APPLIED };
      this.stats.applied += 1;
      await this.send(
        this.message({
          remoteConfigStatus: { lastRemoteConfigHash: hash, status: this.remoteStatus.status },
          effectiveConfig: { configMap: { configMap: { '': { body: Buffer.from(this.effectiveConfig) } } } },
        }),
      );
    }
    if (offeredOpamp && this.transport === 'ws') {
      // Like the supervisor: restart the client with exactly what was offered (after reporting
      // the config status over the connection that delivered it).
      this.headers = offeredOpamp.headers;
      this.url = offeredOpamp.url;
      const previous = this.socket;
      this.stats.reconnects += 1;
      await this.openSocket();
      previous?.close(1000);
    }
    if ((reply.flags & 1n) === 1n) await this.send(this.fullState());
  }

  /** The components whose series its pushes carry now. */
  get componentIds(): string[] {
    return this.collector.reportingComponentIds;
  }

  private startPushing(): void {
    if (this.pushTimer) return;
    const push = async () => {
      const offer = this.ownMetrics;
      if (!offer) return;
      const nowMs = Date.now();
      const running = this.collector.pipeline;
      this.collector.advance(nowMs);
      const componentIds = this.collector.reportingComponentIds;
      if (this.collector.pipeline !== running) this.events.emit('pipeline', componentIds);
      const response = await fetch(offer.endpoint, {
        method: 'POST',
        headers: { ...offer.headers, 'content-type': 'application/x-protobuf' },
        body: this.collector.encode(nowMs),
      }).catch(() => undefined);
      if (response?.ok) this.stats.pushes += 1;
      else this.stats.pushFailures += 1;
      await response?.arrayBuffer();
      this.events.emit('push', { ok: response?.ok === true, componentIds });
    };
    void push();
    this.pushTimer = setInterval(() => void push(), this.options.ownMetricsIntervalMs);
  }
}

/** Canonical UUID text of 16 bytes (the supervisor's `service.instance.id` form). */
function uuidText(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
