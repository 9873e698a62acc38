/**
 * JSON shapes of the topology API (issue #12). Rates are records (spans, metric points, log
 * records) per second, read from two consecutive samples of the collector's own cumulative
 * counters; null when there are not two yet.
 *
 * - `GET /api/v1/collectors/{id}/topology?window=15m` → {@link TopologyView}
 * - `GET /api/v1/collectors/{id}/topology/stream?window=15m` → Server-Sent Events: `event: topology`
 *   with a {@link TopologyView} as `data`, sent at once and again whenever new samples of the
 *   collector land or its config changes (at most every {@link topologyStreamMinGapMs}), plus a
 *   `: keep-alive` comment every 15 s.
 * - `GET /api/v1/collectors/{id}/topology/nodes/{nodeId}?window=24h` → {@link TopologyNodeDetailView}
 *   (the side panel: raw counters and the last-day chart of one element; `nodeId` URL-encoded).
 * - `GET /api/v1/collectors/{id}/throughput/chart?window=24h` → {@link ThroughputChartView}
 *   (the collector detail page's last-day chart).
 * - `GET /api/v1/topology?group=<groupId>&limit=500` → {@link FleetTopologyView} (current rates);
 *   `GET /api/v1/topology/stream?group=…` streams it like the collector stream.
 */

export type TopologyNodeKind = 'source' | 'processor' | 'destination' | 'collector';
export type TopologyFlag = 'errors' | 'backpressure' | 'no_data' | 'restarted';
export type TopologySignal = 'traces' | 'metrics' | 'logs';

export interface TopologyNodeView {
  /** Stable within the config: the component ID, or `collector:<id>` on the fleet view. */
  id: string;
  kind: TopologyNodeKind;
  /** As self-telemetry names it (`otlp/src_<t>`, `otelcol.exporter.otlphttp.dst_<t>`). */
  componentId: string;
  /** The LinkMesh object it maps back to (source, destination, route), when it does. */
  objectId?: string;
  /** For a processor step: the route and the 1-based step (absent for the output filter). */
  routeId?: string;
  stepIndex?: number;
  name: string;
  type: string;
  signals: TopologySignal[];
  /** Receivers: accepted; processors: what left; destinations: sent. */
  recordsPerSec: number | null;
  /** Receivers: refused + failed; processors: refused; destinations: send_failed. */
  errorsPerSec: number | null;
  /** Processors: what entered the step. */
  incomingPerSec?: number | null;
  /** Processors: dropped ÷ incoming × 100. */
  dropPercent?: number | null;
  queueSize?: number | null;
  queueCapacity?: number | null;
  sparkline: (number | null)[];
  errorSparkline: (number | null)[];
  flags: TopologyFlag[];
}

export interface TopologyEdgeView {
  id: string;
  from: string;
  to: string;
  signal: TopologySignal;
  recordsPerSec: number | null;
  errorsPerSec: number | null;
  sparkline: (number | null)[];
}

export interface TopologyView {
  collectorId: string;
  configHash: string | null;
  /** Drawn from what LinkMesh rendered, or from the effective config the collector reported. */
  source: 'rendered' | 'effective';
  generatedAt: string;
  windowSeconds: number;
  nodes: TopologyNodeView[];
  edges: TopologyEdgeView[];
  /** Why numbers are missing (or `ok`): the failing check of the troubleshooting page. */
  diagnosis: TopologyDiagnosis;
}

/**
 * The event a stream sends when it could not render the view this time (`data: {message}`); the
 * stream stays open. Not `error`, which EventSource keeps for its own connection errors.
 */
export const topologyStreamErrorEvent = 'topology_error';

/** Server-Sent Events are not sent closer together than this for one stream. */
export const topologyStreamMinGapMs = 2_000;

/**
 * Each code is one check of the "Self-telemetry troubleshooting" page, in the order the page
 * works through them; the first that fails is the diagnosis.
 */
export const diagnosisCodes = [
  /** No route targets the collector and the config it runs has no pipeline LinkMesh can read. */
  'no_pipelines',
  /** OpAMP collector without an `own_metrics_offered` event (Check 1): re-enrol it. */
  'no_own_metrics_offer',
  /** No OTLP push ever received (Checks 2–3); `lastAuthRejection` says what the server refused. */
  'no_push_received',
  /** Pushes arrive, but none carries component (otelcol_receiver_* …) metrics nor host metrics. */
  'no_component_metrics',
  /** Host metrics arrive but component metrics do not: the pipeline is idle. */
  'pipeline_idle',
  /** Component series exist but each has one sample so far: a rate needs two, ~30 s apart. */
  'one_sample_only',
  /** Self-telemetry names components the config does not have (component_naming_mismatch). */
  'naming_mismatch',
  /** Counters reset in the window (a restart): no rate across it, numbers resume on the next push. */
  'counters_reset',
  /** Numbers are flowing. */
  'ok',
] as const;
export type DiagnosisCode = (typeof diagnosisCodes)[number];

export interface TopologyDiagnosis {
  code: DiagnosisCode;
  /** Whether the canvas has numbers: on every element, on some, or on none. */
  numbers: 'all' | 'some' | 'none';
  /** One sentence: what the server sees. */
  message: string;
  /** One sentence: what the operator should do next (null for `ok`). */
  nextStep: string | null;
  /** The last `otlp.auth` / `otlp.dispatch` refusal seen for this collector's credentials. */
  lastAuthRejection: { reason: string; at: string } | null;
  /** Open `component_naming_mismatch` findings for the current config. */
  mismatches: NamingMismatchView[];
}

export interface NamingMismatchView {
  detail: 'unknown component' | 'orphan throughput';
  kind: 'receiver' | 'processor' | 'exporter';
  componentId: string;
}

/** The side panel of one canvas element. */
export interface TopologyNodeDetailView {
  collectorId: string;
  nodeId: string;
  windowSeconds: number;
  bucketSeconds: number;
  /** Start of the first bucket. */
  startAt: string;
  /** Per bucket, what the node's `recordsPerSec` / `errorsPerSec` mean for its kind. */
  recordsPerSec: (number | null)[];
  errorsPerSec: (number | null)[];
  /** The newest raw cumulative counters of each self-telemetry series that maps to the node. */
  series: {
    componentId: string;
    /** A signal, or '' for queue gauges of collectors that do not say theirs (before ~v0.110). */
    signal: string;
    lastSampleAt: string;
    samples: number;
    restartsInWindow: number;
    counters: Record<string, number>;
  }[];
}

/** The collector detail page's last-day chart: totals per bucket. */
export interface ThroughputChartView {
  collectorId: string;
  windowSeconds: number;
  bucketSeconds: number;
  startAt: string;
  /** Receivers' accepted records/s. */
  recordsInPerSec: (number | null)[];
  /** Exporters' sent records/s. */
  recordsOutPerSec: (number | null)[];
  /** Receivers' refused + exporters' send_failed records/s. */
  errorsPerSec: (number | null)[];
}

/** `GET /api/v1/topology`: the fleet as collectors and the destinations they share. */
export interface FleetTopologyView {
  generatedAt: string;
  /** The group the view is limited to, or null for the whole fleet. */
  groupId: string | null;
  nodes: FleetTopologyNodeView[];
  edges: FleetTopologyEdgeView[];
  /** More collectors matched than the view draws (the busiest are kept). */
  truncated: boolean;
}

export interface FleetTopologyNodeView {
  /** `collector:<id>` or `destination:<objectId>`. */
  id: string;
  kind: 'collector' | 'destination';
  name: string;
  /** Collectors: the runtime (`otelcol`, `alloy`); destinations: the catalogue type. */
  type: string;
  collectorId?: string;
  objectId?: string;
  /** Collectors only: the fleet list's status. */
  status?: string;
  /** Collectors: receivers' accepted; destinations: what all collectors sent to it. */
  recordsInPerSec: number | null;
  /** Collectors: exporters' sent. */
  recordsOutPerSec: number | null;
  errorsPerSec: number | null;
  flags: TopologyFlag[];
}

export interface FleetTopologyEdgeView {
  id: string;
  from: string;
  to: string;
  /** `exports_to`: collector → destination; `forwards_to`: collector → another collector's OTLP source. */
  kind: 'exports_to' | 'forwards_to';
  recordsPerSec: number | null;
}
