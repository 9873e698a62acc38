import type {
  FleetTopologyEdgeView,
  FleetTopologyNodeView,
  FleetTopologyView,
} from '@linkmesh/contracts/topology-api';
import { shapeKeyOf, toneOf } from './canvas.map.ts';
import type { CanvasModel, EdgeFacts, NodeFacts } from './canvas.types.ts';

/** Why a fleet element has no rate: the per-collector diagnosis lives on its own canvas. */
const fleetMissing = 'no rate from its self-telemetry in the window; its Topology tab says why';

/**
 * Maps the fleet view (collectors and the destinations they share) to what the canvas draws.
 * `collectorHref` builds a collector's Topology tab path.
 *
 * @example toFleetCanvasModel(view, (id) => `/collectors/${id}/topology`)
 */
export function toFleetCanvasModel(
  view: FleetTopologyView,
  collectorHref: (collectorId: string) => string,
): CanvasModel {
  const nodes = view.nodes.map((node) => fleetNode(node, collectorHref));
  const edges = view.edges.map(fleetEdge);
  return { shapeKey: shapeKeyOf(nodes, edges), nodes, edges };
}

function fleetNode(node: FleetTopologyNodeView, collectorHref: (id: string) => string): NodeFacts {
  const isCollector = node.kind === 'collector';
  // A collector's main rate is what it sent on; a shared destination's is what all sent to it.
  const recordsPerSec = isCollector ? node.recordsOutPerSec : node.recordsInPerSec;
  return {
    id: node.id,
    kind: isCollector ? 'collector' : 'shared-destination',
    name: node.name,
    type: node.type,
    componentId: node.collectorId ?? node.objectId ?? node.id,
    signals: [],
    recordsPerSec,
    errorsPerSec: node.errorsPerSec,
    incomingPerSec: null,
    dropPercent: null,
    queue: null,
    sparkline: [],
    errorSparkline: [],
    flags: node.flags,
    tone: toneOf(node.flags, node.errorsPerSec),
    missing: recordsPerSec === null ? fleetMissing : null,
    href: isCollector && node.collectorId !== undefined ? collectorHref(node.collectorId) : null,
    inPerSec: isCollector ? node.recordsInPerSec : null,
    status: node.status ?? null,
  };
}

function fleetEdge(edge: FleetTopologyEdgeView): EdgeFacts {
  return {
    id: edge.id,
    from: edge.from,
    to: edge.to,
    signals: [],
    recordsPerSec: edge.recordsPerSec,
    errorsPerSec: null,
    sparkline: [],
    route: null,
    tone: edge.recordsPerSec === null ? 'idle' : 'ok',
    missing: edge.recordsPerSec === null ? fleetMissing : null,
    measuredAt: edge.from,
  };
}
