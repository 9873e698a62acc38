/** An OpAMP agent's description, as plain attributes (values rendered as strings). */
export interface AgentDescriptionView {
  readonly identifying: Readonly<Record<string, string>>;
  readonly nonIdentifying: Readonly<Record<string, string>>;
}

export type RemoteConfigState = 'UNSET' | 'APPLIED' | 'APPLYING' | 'FAILED';

export interface RemoteConfigStatusView {
  /** Hex of the `last_remote_config_hash` the agent reported. */
  readonly lastRemoteConfigHash: string;
  readonly status: RemoteConfigState;
  readonly errorMessage: string;
}

/** Component health as reported (nested map flattened to a JSON-friendly tree). */
export interface HealthView {
  readonly healthy: boolean;
  readonly status: string;
  readonly lastError: string;
  readonly startTimeUnixMs: number;
  readonly components: Readonly<Record<string, HealthView>>;
}

/** What is kept per instance uid across reconnects and server restarts. */
export interface OpampAgentRecord {
  readonly instanceUid: string;
  readonly collectorId: string;
  /** AgentCapabilities bitmask (all defined bits fit in a double). */
  readonly capabilities: number;
  readonly description: AgentDescriptionView;
  /** Effective config as reported, secrets already redacted. */
  readonly effectiveConfig: string | null;
  readonly health: HealthView | null;
  readonly remoteConfigStatus: RemoteConfigStatusView | null;
  readonly transport: 'ws' | 'http';
  readonly firstSeenAtMs: number;
  readonly lastMessageAtMs: number;
}

export interface OpampAgentStore {
  get(instanceUid: string): Promise<OpampAgentRecord | undefined>;
  forCollector(collectorId: string): Promise<OpampAgentRecord | undefined>;
  upsert(record: OpampAgentRecord): Promise<void>;
}
