/** Options and public value types of {@link OpampWsAgent} (opamp-ws-agent.ts). */
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { ComponentHealthSchema } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { AgentHost, ConfigJudge } from './opamp-agent.state.ts';

export interface OpampWsAgentOptions {
  /** ws:// or wss:// URL of the OpAMP endpoint. */
  url: string;
  /** Sent on the upgrade request, e.g. `{ Authorization: 'Bearer …' }`. Replaced by an OpAMP offer. */
  headers?: Readonly<Record<string, string>>;
  /** 16 bytes; default a new UUIDv7. */
  instanceUid?: Uint8Array;
  /** Default SUPERVISOR_CAPABILITIES (0x3947). Heartbeats need ReportsHeartbeat. */
  capabilities?: bigint;
  /** Default 30 000; 0 turns heartbeats off. */
  heartbeatIntervalMs?: number;
  host?: Partial<AgentHost>;
  /** Reported as the effective config until a remote config is applied. */
  effectiveConfigYaml?: string;
  /** Default: healthy since construction. */
  health?: MessageInitShape<typeof ComponentHealthSchema>;
  /** Decides whether a remote config "works"; default accepts everything. */
  judgeConfig?: ConfigJudge;
  /** Time between APPLYING and APPLIED/FAILED (the supervisor waits for a healthy collector). Default 0. */
  applyDelayMs?: number;
  /** Reconnect with exponential back-off when the socket drops. Default: off. */
  reconnect?: ReconnectOptions;
  /** Largest ServerToAgent accepted (also the ws maxPayload). Default 64 MiB. */
  maxMessageBytes?: number;
}

/** Delay before reconnect attempt n (from 0) = min(maxDelayMs, initialDelayMs · 2ⁿ). */
export interface ReconnectOptions {
  initialDelayMs: number;
  maxDelayMs: number;
}

/** Where and how the server asked the collector to push its own metrics. */
export interface OwnMetricsOffer {
  endpoint: string;
  headers: Record<string, string>;
}

/** A connection that opened and later closed. */
export interface ClosedConnection {
  code: number;
  reason: string;
}

/** The WebSocket could not be opened; `status` is set when the server answered the upgrade with HTTP. */
export class OpampConnectError extends Error {
  override readonly name = 'OpampConnectError';

  constructor(
    message: string,
    readonly status?: number,
    readonly retryAfter?: string,
  ) {
    super(message);
  }
}
