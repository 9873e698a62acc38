/**
 * The status a simulated opampsupervisor reports, and how it is turned into AgentToServer fields.
 * Pure functions and types only; the socket behaviour is in opamp-ws-agent.ts.
 */
import { create, equals } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  AgentCapabilities,
  RemoteConfigStatusSchema,
  RemoteConfigStatuses,
} from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type {
  AgentConfigFile,
  AgentDescriptionSchema,
  ComponentHealthSchema,
  EffectiveConfigSchema,
  RemoteConfigStatus,
} from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { KeyValueSchema } from '@linkmesh/contracts/gen/opamp/v1/anyvalue_pb';
import { bitmask, hasBit } from '../../protocols/opamp/opamp.codec.ts';

/**
 * What the supervisor advertises with `accepts_remote_config`, `reports_remote_config` and
 * `accepts_opamp_connection_settings` on top of its defaults (protocols.md §2.2): 0x3947.
 */
export const SUPERVISOR_CAPABILITIES = bitmask(
  AgentCapabilities.AgentCapabilities_ReportsStatus,
  AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig,
  AgentCapabilities.AgentCapabilities_ReportsOwnMetrics,
  AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings,
  AgentCapabilities.AgentCapabilities_ReportsHealth,
  AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsHeartbeat,
);

/** opamp-go's default heartbeat interval. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 30_000;

/** A small but complete collector config, reported as the effective config until a remote one applies. */
export const DEFAULT_EFFECTIVE_CONFIG_YAML = `receivers:
  otlp:
    protocols:
      grpc: {}
exporters:
  debug: {}
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [debug]
`;

/** The host facts the collector's opamp extension reports (non-identifying attributes). */
export interface AgentHost {
  serviceVersion: string;
  hostName: string;
  osType: string;
  hostArch: string;
}

export const DEFAULT_HOST: AgentHost = {
  serviceVersion: '0.140.0',
  hostName: 'collector-1',
  osType: 'linux',
  hostArch: 'amd64',
};

/**
 * Why a simulated collector refuses a remote config. `merge`: the supervisor cannot parse/merge it
 * and reports FAILED straight away; `start` (default): it reports APPLYING, restarts the collector,
 * which does not become healthy, then FAILED.
 */
export interface ConfigRejection {
  message: string;
  stage?: 'merge' | 'start';
}

/** How a remote config is answered, decided from the composed YAML. */
export type ConfigJudge = (yaml: string) => ConfigRejection | undefined;

function stringAttribute(key: string, value: string): MessageInitShape<typeof KeyValueSchema> {
  return { key, value: { value: { case: 'stringValue', value } } };
}

/** The AgentDescription the supervisor sends: identifying + non-identifying attributes (§2.3). */
export function describeAgent(
  instanceUidText: string,
  host: AgentHost,
): MessageInitShape<typeof AgentDescriptionSchema> {
  return {
    identifyingAttributes: [
      stringAttribute('service.instance.id', instanceUidText),
      stringAttribute('service.name', 'otelcol-contrib'),
      stringAttribute('service.version', host.serviceVersion),
    ],
    nonIdentifyingAttributes: [
      stringAttribute('os.type', host.osType),
      stringAttribute('host.arch', host.hostArch),
      stringAttribute('host.name', host.hostName),
    ],
  };
}

/** A healthy collector that started at `startedAtMs`, as the opamp extension reports it. */
export function healthyCollector(startedAtMs: number): MessageInitShape<typeof ComponentHealthSchema> {
  const nanos = BigInt(startedAtMs) * 1_000_000n;
  return { healthy: true, startTimeUnixNano: nanos, status: 'StatusOK', statusTimeUnixNano: nanos };
}

/** The supervisor's effective-config report: one entry, key "", YAML body, empty content type (§2.6). */
export function effectiveConfig(yaml: string): MessageInitShape<typeof EffectiveConfigSchema> {
  return { configMap: { configMap: { '': { body: new TextEncoder().encode(yaml), contentType: '' } } } };
}

/**
 * The YAML a remote config map contributes, in the supervisor's order: named files alphabetically,
 * then the "" entry. The real supervisor deep-merges them with its own sections; this simulation
 * only concatenates them, which is exact for the usual single-file config.
 */
export function composeRemoteConfig(files: Readonly<Record<string, AgentConfigFile>>): string {
  const names = Object.keys(files)
    .filter((name) => name !== '')
    .sort();
  if ('' in files) names.push('');
  const decoder = new TextDecoder();
  return names.map((name) => decoder.decode(files[name]?.body)).join('\n');
}

/** A RemoteConfigStatus message. */
export function remoteConfigStatus(
  status: RemoteConfigStatuses,
  lastRemoteConfigHash: Uint8Array = new Uint8Array(0),
  errorMessage = '',
): RemoteConfigStatus {
  return create(RemoteConfigStatusSchema, { status, lastRemoteConfigHash, errorMessage });
}

/** The status before any remote config arrived. */
export function unsetRemoteConfigStatus(): RemoteConfigStatus {
  return remoteConfigStatus(RemoteConfigStatuses.RemoteConfigStatuses_UNSET);
}

/** opamp-go only sends a RemoteConfigStatus that differs from the previous one. */
export function sameRemoteConfigStatus(a: RemoteConfigStatus, b: RemoteConfigStatus): boolean {
  return equals(RemoteConfigStatusSchema, a, b);
}

/** The AgentToServer status fields subject to status compression. */
export type StatusField = 'agentDescription' | 'health' | 'effectiveConfig' | 'remoteConfigStatus';

/**
 * Which status fields still have to be sent. Fields the capabilities do not allow are never
 * pending (opamp-go refuses e.g. a RemoteConfigStatus without ReportsRemoteConfig).
 */
export class PendingStatus {
  readonly #allowed: ReadonlySet<StatusField>;
  readonly #pending = new Set<StatusField>();

  constructor(capabilities: bigint) {
    const allowed = new Set<StatusField>(['agentDescription']);
    if (hasBit(capabilities, AgentCapabilities.AgentCapabilities_ReportsHealth)) allowed.add('health');
    if (hasBit(capabilities, AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig)) {
      allowed.add('effectiveConfig');
    }
    if (hasBit(capabilities, AgentCapabilities.AgentCapabilities_ReportsRemoteConfig)) {
      allowed.add('remoteConfigStatus');
    }
    this.#allowed = allowed;
  }

  get isEmpty(): boolean {
    return this.#pending.size === 0;
  }

  mark(field: StatusField): void {
    if (this.#allowed.has(field)) this.#pending.add(field);
  }

  /** Full state: everything the capabilities allow. */
  markAll(): void {
    for (const field of this.#allowed) this.#pending.add(field);
  }

  /** The pending fields; afterwards nothing is pending. */
  take(): ReadonlySet<StatusField> {
    const taken = new Set(this.#pending);
    this.#pending.clear();
    return taken;
  }
}
