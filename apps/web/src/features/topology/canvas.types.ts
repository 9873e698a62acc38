import type { TopologyFlag, TopologySignal } from '@linkmesh/contracts/topology-api';

/**
 * What the canvas draws, apart from how: the API views map to these (canvas.map.ts,
 * fleet-canvas.map.ts), the components only render them. Rates are records (spans, metric
 * points, log records) per second; `null` is a number the server could not compute, and then
 * `missing` says why.
 */

export type CanvasNodeKind = 'source' | 'processor' | 'destination' | 'collector' | 'shared-destination';

/** Colour of an element: errors rising, a queue filling, numbers flowing, or none yet. */
export type CanvasTone = 'error' | 'warn' | 'ok' | 'idle';

export interface QueueFacts {
  size: number | null;
  capacity: number | null;
  /** size ÷ capacity, clamped to 0…1; null without both numbers. */
  fraction: number | null;
}

export interface NodeFacts {
  id: string;
  kind: CanvasNodeKind;
  name: string;
  /** The component type (`batch`, `otlphttp` …) or, for a collector, its runtime. */
  type: string;
  /** As self-telemetry names it, or the collector's ID. */
  componentId: string;
  signals: TopologySignal[];
  /** The element's main rate: accepted (sources), what left (steps), sent (destinations). */
  recordsPerSec: number | null;
  errorsPerSec: number | null;
  /** Processor steps: what entered; drop % = (in − out) ÷ in as the collector counts drops. */
  incomingPerSec: number | null;
  dropPercent: number | null;
  /** Destinations only. */
  queue: QueueFacts | null;
  sparkline: readonly (number | null)[];
  errorSparkline: readonly (number | null)[];
  flags: readonly TopologyFlag[];
  tone: CanvasTone;
  /** Why `recordsPerSec` is null (null when it is not). */
  missing: string | null;
  /** Fleet view: the collector's page. */
  href: string | null;
  /** Fleet view, collectors: records/s their receivers accepted (`recordsPerSec` is what left). */
  inPerSec: number | null;
  /** Fleet view, collectors: the fleet list's status. */
  status: string | null;
}

export interface RouteEdgeFacts {
  /** What the source offered the route: its accepted rate on this edge. */
  offeredPerSec: number | null;
  /** What the route's first step passed on. */
  matchedPerSec: number | null;
}

/** One drawn edge per pair of elements; its signals' rates are summed. */
export interface EdgeFacts {
  id: string;
  from: string;
  to: string;
  signals: TopologySignal[];
  recordsPerSec: number | null;
  errorsPerSec: number | null;
  sparkline: readonly (number | null)[];
  /** Set on the edge from a source into a route's first step. */
  route: RouteEdgeFacts | null;
  tone: CanvasTone;
  missing: string | null;
  /** The element whose counters give the edge its number (the side panel opens on it). */
  measuredAt: string;
}

export interface CanvasModel {
  /**
   * Names the graph's shape (elements and connections, not numbers): the layout is computed
   * again only when it changes.
   */
  shapeKey: string;
  nodes: NodeFacts[];
  edges: EdgeFacts[];
}

/** Size of every element box on the canvas, in CSS pixels; the layout reserves exactly this. */
export const nodeWidthPx = 248;
export const nodeHeightPx = 112;
