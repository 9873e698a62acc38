/**
 * JSON shapes of the topology API (issue #12): `GET /api/v1/collectors/{id}/topology?window=15m`.
 * Rates are records (spans, metric points, log records) per second, read from two consecutive
 * samples of the collector's own cumulative counters; null when there are not two yet.
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
}
