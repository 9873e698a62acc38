import { createHash } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import {
  AgentCapabilities,
  AgentRemoteConfigSchema,
  AgentToServerFlags,
  ConnectionSettingsOffersSchema,
  ServerCapabilities,
  ServerErrorResponseType,
  ServerToAgentFlags,
  ServerToAgentSchema,
  type AgentRemoteConfig,
  type AgentToServer,
  type ConnectionSettingsOffers,
  type ServerToAgent,
} from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { Logger } from 'pino';
import type { FleetService } from '../../domain/fleet/fleet.service.ts';
import type { OpampAgentRecord } from '../../domain/opamp/opamp-agent.types.ts';
import {
  OpampAuthError,
  type AgentReport,
  type DesiredConfig,
  type OpampCredential,
  type OpampService,
} from '../../domain/opamp/opamp.service.ts';
import { hasBit, instanceUidToString, newInstanceUid, validateAgentToServer } from './opamp.codec.ts';
import { descriptionView, effectiveConfigText, healthView, remoteConfigStatusView } from './opamp.views.ts';

/** Heartbeats refresh the stored agent state at most this often. */
const storedStateRefreshMs = 60_000;

/** Status + remote config + effective config + connection-settings offers (0x27). */
export const serverCapabilities = BigInt(
  ServerCapabilities.ServerCapabilities_AcceptsStatus |
    ServerCapabilities.ServerCapabilities_OffersRemoteConfig |
    ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig |
    ServerCapabilities.ServerCapabilities_OffersConnectionSettings,
);

export interface SessionDeps {
  readonly opamp: OpampService;
  readonly fleet: FleetService;
  readonly logger: Logger;
  readonly externalUrl: () => string;
  readonly heartbeatIntervalSeconds: number;
  /** Last sequence number seen per instance, shared by every session of this process. */
  readonly sequences: { get(uid: string): bigint | undefined; set(uid: string, sequence: bigint): unknown };
  /** Instance uids with a live WebSocket session in this process (duplicate detection). */
  readonly liveInstances: Map<string, OpampSession>;
  readonly nowMs: () => number;
}

/** What the transport must do besides sending the reply. */
export interface Handled {
  readonly reply: ServerToAgent;
  /** The agent said goodbye (`agent_disconnect`). */
  readonly disconnecting: boolean;
}

/**
 * The OpAMP conversation with one agent over one connection (WebSocket) or one instance
 * (plain HTTP): attaches it to a collector on its first message, keeps its reports, and decides
 * each reply — capabilities first, ReportFullState on a sequence gap, remote config when the
 * agent's hash is stale, connection-settings offers when a bearer was minted.
 */
export class OpampSession {
  collectorId: string | undefined;
  instanceUid: string | undefined;
  /** When the last message arrived (liveness). */
  lastMessageAtMs: number;
  /** Set by the liveness check when the agent went silent. */
  stale = false;
  open = true;
  private sentCapabilities = false;
  private sentConfigHash: string | undefined;
  private lastCapabilities = 0n;
  private lastInstanceUid: Uint8Array = new Uint8Array();
  /** The agent state as last written, and when (see recordUnlessHeartbeat). */
  private stored: OpampAgentRecord | undefined;
  private storedAtMs = 0;
  /** Config pushes begun (configPush); only the latest may send. */
  private pushesStarted = 0;
  /** A rotated bearer waiting for the next reply (plain HTTP cannot push). */
  private pendingBearer: string | undefined;

  constructor(
    private readonly deps: SessionDeps,
    private readonly credential: OpampCredential,
    readonly transport: 'ws' | 'http',
  ) {
    this.lastMessageAtMs = deps.nowMs();
  }

  /**
   * Answers one message. Throws `OpampAuthError` when the first message cannot be attached
   * (the transport closes or answers 401/410).
   */
  async handle(message: AgentToServer): Promise<Handled> {
    const problem = validateAgentToServer(message);
    if (problem !== undefined) {
      this.deps.logger.warn(
        { reason: problem, collectorId: this.collectorId },
        'opamp.message: rejected reason=bad_request',
      );
      return { reply: badRequest(message.instanceUid, problem), disconnecting: false };
    }
    const uid = instanceUidToString(message.instanceUid) ?? '';
    const capabilities = Number(message.capabilities);
    const report: AgentReport = {
      instanceUid: uid,
      capabilities,
      transport: this.transport,
      description: message.agentDescription && descriptionView(message.agentDescription),
      effectiveConfig: message.effectiveConfig && effectiveConfigText(message.effectiveConfig),
      health: message.health && healthView(message.health),
      remoteConfigStatus: message.remoteConfigStatus && remoteConfigStatusView(message.remoteConfigStatus),
    };

    this.lastMessageAtMs = this.deps.nowMs();
    this.lastCapabilities = message.capabilities;
    this.lastInstanceUid = message.instanceUid;
    let newBearer: string | undefined = this.pendingBearer;
    this.pendingBearer = undefined;
    const firstMessage = this.collectorId === undefined;
    // A second live connection presenting an instance uid that is already connected (a cloned
    // VM) is told to take a new one; collector bearers only — an enrollment binds to the uid.
    const other = this.deps.liveInstances.get(uid);
    const duplicate =
      this.transport === 'ws' &&
      this.credential.kind === 'collector' &&
      other !== undefined &&
      other !== this &&
      other.open;
    if (firstMessage || this.instanceUid !== uid) {
      const attachment = await this.deps.opamp.attach(this.credential, report);
      this.collectorId = attachment.collectorId;
      this.instanceUid = uid;
      newBearer ??= attachment.newBearer;
      if (this.transport === 'ws' && !duplicate) this.deps.liveInstances.set(uid, this);
      await this.deps.fleet.setConnectionStatus(
        attachment.collectorId,
        'connected',
        `OpAMP over ${this.transport === 'ws' ? 'WebSocket' : 'HTTP'}`,
      );
    } else if (this.stale) {
      this.stale = false;
      await this.deps.fleet.setConnectionStatus(this.collectorId ?? '', 'connected', 'heard from again');
    }
    const collectorId = this.collectorId ?? '';

    const lastSequence = this.deps.sequences.get(uid);
    const gap = lastSequence === undefined || message.sequenceNum !== lastSequence + 1n;
    this.deps.sequences.set(uid, message.sequenceNum);
    const stored = await this.recordUnlessHeartbeat(collectorId, report);

    const reply = create(ServerToAgentSchema, { instanceUid: message.instanceUid });
    if (!this.sentCapabilities) {
      reply.capabilities = serverCapabilities;
      this.sentCapabilities = true;
    }
    // Status compression: a message after a gap that does not carry the full state asks for it.
    if (gap && message.agentDescription === undefined) {
      reply.flags |= BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportFullState);
    }
    if (duplicate || hasBit(message.flags, AgentToServerFlags.AgentToServerFlags_RequestInstanceUid)) {
      reply.agentIdentification = {
        $typeName: 'opamp.proto.v1.AgentIdentification',
        newInstanceUid: newInstanceUid(),
      };
    }

    if (hasBit(message.capabilities, AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig)) {
      const desired = await this.deps.opamp.desiredConfig(collectorId);
      const reportedHash = stored.remoteConfigStatus?.lastRemoteConfigHash;
      // A fresh status for another hash means the agent is not on the desired config (it
      // restarted from an older one, or rolled back): send it again. A FAILED status for the
      // desired hash is not retried here — that would loop.
      if (report.remoteConfigStatus && report.remoteConfigStatus.lastRemoteConfigHash !== desired.hashHex) {
        this.sentConfigHash = undefined;
      }
      if (reportedHash !== desired.hashHex && this.sentConfigHash !== desired.hashHex) {
        reply.remoteConfig = remoteConfigOf(desired);
        this.sentConfigHash = desired.hashHex;
      }
    }

    if (newBearer !== undefined) {
      const offers = this.offersFor(message.capabilities, newBearer);
      if (offers) {
        reply.connectionSettings = offers;
        if (offers.ownMetrics) {
          await this.deps.fleet.recordEvent(
            collectorId,
            'own_metrics_offered',
            `own_metrics → ${offers.ownMetrics.destinationEndpoint}`,
          );
        }
      }
    }

    const disconnecting = message.agentDisconnect !== undefined;
    if (disconnecting)
      await this.deps.fleet.setConnectionStatus(collectorId, 'disconnected', 'agent_disconnect');
    return { reply, disconnecting };
  }

  /**
   * Stores the report, except for a bare heartbeat (nothing but uid, sequence number and the
   * same capabilities) arriving within a minute of the last write: at fleet scale heartbeats are
   * most OpAMP traffic, and they change nothing but the last-message time, which may lag that much.
   */
  private async recordUnlessHeartbeat(collectorId: string, report: AgentReport): Promise<OpampAgentRecord> {
    const cached = this.stored;
    const heartbeat =
      report.description === undefined &&
      report.effectiveConfig === undefined &&
      report.health === undefined &&
      report.remoteConfigStatus === undefined;
    if (
      heartbeat &&
      cached !== undefined &&
      cached.collectorId === collectorId &&
      cached.instanceUid === report.instanceUid &&
      cached.capabilities === report.capabilities &&
      this.deps.nowMs() - this.storedAtMs < storedStateRefreshMs
    ) {
      return cached;
    }
    const record = await this.deps.opamp.record(collectorId, report);
    this.stored = record;
    this.storedAtMs = this.deps.nowMs();
    return record;
  }

  /** Offers for a freshly minted bearer: the OpAMP connection and the own-metrics destination. */
  offersFor(capabilities: bigint, bearer: string): ConnectionSettingsOffers | undefined {
    const base = this.deps.externalUrl();
    const headers = {
      $typeName: 'opamp.proto.v1.Headers' as const,
      headers: [
        { $typeName: 'opamp.proto.v1.Header' as const, key: 'Authorization', value: `Bearer ${bearer}` },
      ],
    };
    const offers = create(ConnectionSettingsOffersSchema, {});
    if (hasBit(capabilities, AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings)) {
      offers.opamp = {
        $typeName: 'opamp.proto.v1.OpAMPConnectionSettings',
        destinationEndpoint: `${this.transport === 'ws' ? base.replace(/^http/, 'ws') : base}/v1/opamp`,
        headers,
        // Always set: opamp-go applies an offered 0 as "no heartbeats".
        heartbeatIntervalSeconds: BigInt(this.deps.heartbeatIntervalSeconds),
      };
    }
    if (hasBit(capabilities, AgentCapabilities.AgentCapabilities_ReportsOwnMetrics)) {
      offers.ownMetrics = {
        $typeName: 'opamp.proto.v1.TelemetryConnectionSettings',
        destinationEndpoint: `${base}/v1/metrics`,
        headers,
      };
    }
    if (!offers.opamp && !offers.ownMetrics) return undefined;
    // The hash covers every offered setting; opamp-go skips an offer whose hash it already has.
    offers.hash = new Uint8Array(
      createHash('sha256').update(toBinary(ConnectionSettingsOffersSchema, offers)).digest(),
    );
    return offers;
  }

  /** The desired config to push now when it is not what this agent was last sent (config change). */
  async configPush(): Promise<ServerToAgent | undefined> {
    if (
      this.collectorId === undefined ||
      !hasBit(this.lastCapabilities, AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig)
    ) {
      return undefined;
    }
    const push = ++this.pushesStarted;
    const desired = await this.deps.opamp.desiredConfig(this.collectorId);
    // A later push to this agent started while this one looked its config up: that one carries
    // the newer config, so this one must not be sent after it (newest wins).
    if (push !== this.pushesStarted) return undefined;
    if (this.sentConfigHash === desired.hashHex) return undefined;
    this.sentConfigHash = desired.hashHex;
    return create(ServerToAgentSchema, {
      instanceUid: this.lastInstanceUid,
      remoteConfig: remoteConfigOf(desired),
    });
  }

  /**
   * Delivers a rotated bearer: the ServerToAgent to push now (WebSocket), or undefined when it
   * waits for the agent's next poll (plain HTTP) or the agent takes no offers.
   */
  rotate(token: string): ServerToAgent | undefined {
    if (this.transport === 'http') {
      this.pendingBearer = token;
      return undefined;
    }
    const offers = this.offersFor(this.lastCapabilities, token);
    if (!offers) return undefined;
    return create(ServerToAgentSchema, { instanceUid: this.lastInstanceUid, connectionSettings: offers });
  }

  /**
   * The connection ended without `agent_disconnect` (WebSocket closed). The collector becomes
   * `disconnected` when this was its last connection.
   */
  async closed(lastConnection: boolean): Promise<void> {
    this.open = false;
    if (this.instanceUid !== undefined && this.deps.liveInstances.get(this.instanceUid) === this) {
      this.deps.liveInstances.delete(this.instanceUid);
    }
    if (lastConnection && this.collectorId !== undefined) {
      await this.deps.fleet.setConnectionStatus(this.collectorId, 'disconnected', 'connection closed');
    }
  }
}

export function badRequest(instanceUid: Uint8Array, message: string): ServerToAgent {
  return create(ServerToAgentSchema, {
    instanceUid,
    errorResponse: {
      type: ServerErrorResponseType.ServerErrorResponseType_BadRequest,
      errorMessage: message,
    },
  });
}

export { OpampAuthError };

function remoteConfigOf(desired: DesiredConfig): AgentRemoteConfig {
  return create(AgentRemoteConfigSchema, {
    configHash: desired.hash,
    config: { configMap: { '': { body: Buffer.from(desired.yaml, 'utf8'), contentType: 'text/yaml' } } },
  });
}
