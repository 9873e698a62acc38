export type Runtime = 'otelcol' | 'alloy';
export type ManagementMode = 'opamp' | 'alloy-remotecfg' | 'managed';
export type CollectorStatus = 'connected' | 'disconnected' | 'stale' | 'error' | 'pending' | 'deregistered';

/** Host metrics as last reported by the collector's self-telemetry (ARCHITECTURE §4). */
export interface HostMetrics {
  readonly hostCpuPercent: number | null;
  readonly hostMemoryPercent: number | null;
  readonly cpuPercent: number | null;
  readonly memoryMb: number | null;
  readonly uptimeSeconds: number | null;
  readonly restartCount: number;
  /** When the last push with host or process metrics was sampled (collector clock). */
  readonly hostSampledAtMs: number | null;
  /** The host reports CPU only as cumulative seconds (node_exporter): a percentage needs two pushes. */
  readonly hostCpuFromCounters: boolean;
}

export interface Collector extends HostMetrics {
  readonly id: string;
  readonly name: string;
  readonly runtime: Runtime;
  readonly mode: ManagementMode;
  readonly status: CollectorStatus;
  readonly hostname: string | null;
  readonly os: string | null;
  readonly arch: string | null;
  readonly version: string | null;
  /** What the collector reports (OpAMP description, Alloy attributes), redacted. */
  readonly labels: Readonly<Record<string, string>>;
  /** What operators set (`PUT /collectors/{id}/labels`); these win over reported ones of the same name. */
  readonly operatorLabels: Readonly<Record<string, string>>;
  /** OpAMP instance uid (canonical UUID text) or the remotecfg `id` first seen. */
  readonly instanceUid: string | null;
  readonly createdAtMs: number;
  readonly lastSeenAtMs: number | null;
  readonly deregisteredAtMs: number | null;
  /** Start of the collector process as last seen in its self-telemetry (restart detection). */
  readonly processStartUnixMs: number | null;
  /** When the server last committed a self-telemetry push of it, whatever the push carried. */
  readonly lastTelemetryAtMs: number | null;
}

export type NewCollector = Pick<Collector, 'id' | 'name' | 'runtime' | 'mode' | 'createdAtMs'> &
  Partial<Pick<Collector, 'hostname' | 'os' | 'arch' | 'version' | 'labels' | 'instanceUid' | 'status'>>;

export type CollectorPatch = Partial<Omit<Collector, 'id' | 'runtime' | 'createdAtMs' | 'deregisteredAtMs'>>;

export interface CollectorEvent {
  readonly id: number;
  readonly collectorId: string;
  readonly type: CollectorEventType;
  readonly atMs: number;
  readonly detail: string;
}

/** Event types shown on the Events tab (ARCHITECTURE §7). */
export type CollectorEventType =
  | 'registered'
  | 'own_metrics_offered'
  | 'component_naming_mismatch'
  | 'connected'
  | 'disconnected'
  | 'config_applied'
  | 'config_failed'
  /** A route targets the collector but cannot run on its runtime or version; it keeps its config. */
  | 'config_refused'
  | 'config_rolled_back'
  | 'token_rotated'
  | 'token_minted'
  | 'deregistered'
  | 'restarted'
  | 'identity_changed'
  /** A self-telemetry push refused with one of the collector's own old bearers, or after deregistration. */
  | 'telemetry_rejected';
