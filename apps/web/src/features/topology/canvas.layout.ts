import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { nodeHeightPx, nodeWidthPx, type EdgeFacts, type NodeFacts } from './canvas.types.ts';

/** What lays a graph out: elkjs's `ELK` (in a worker in the browser, bundled in tests). */
export interface LayoutEngine {
  layout(graph: ElkNode): Promise<ElkNode>;
}

export type Positions = ReadonlyMap<string, { x: number; y: number }>;

/**
 * Left to right, one layer per step of the pipeline; the gap between layers leaves room for
 * the edge labels (a rate and a sparkline, or offered → matched on a route edge).
 */
const layoutOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.spacing.nodeNode': '28',
  'elk.layered.spacing.nodeNodeBetweenLayers': '168',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.separateConnectedComponents': 'true',
  'elk.spacing.componentComponent': '56',
} as const;

/** Sources in the first column and destinations in the last, however short their chain. */
function layerOf(kind: NodeFacts['kind']): 'FIRST' | 'LAST' | undefined {
  if (kind === 'source') return 'FIRST';
  if (kind === 'destination' || kind === 'shared-destination') return 'LAST';
  return undefined;
}

/**
 * Positions (top-left corners, CSS pixels) of every element of the model's shape. Only the
 * shape is read: call it when `shapeKey` changes, never for a new sample. Edges whose ends are
 * not both drawn are left out rather than failing the whole layout.
 *
 * @example const positions = await layoutCanvas(engine, model); positions.get('otlp/src_x') // { x: 0, y: 12 }
 */
export async function layoutCanvas(
  engine: LayoutEngine,
  model: {
    nodes: readonly Pick<NodeFacts, 'id' | 'kind'>[];
    edges: readonly Pick<EdgeFacts, 'id' | 'from' | 'to'>[];
  },
): Promise<Positions> {
  const ids = new Set(model.nodes.map((node) => node.id));
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: { ...layoutOptions },
    children: model.nodes.map((node) => {
      const layer = layerOf(node.kind);
      const child = { id: node.id, width: nodeWidthPx, height: nodeHeightPx };
      return layer === undefined
        ? child
        : { ...child, layoutOptions: { 'elk.layered.layering.layerConstraint': layer } };
    }),
    edges: model.edges
      .filter((edge) => ids.has(edge.from) && ids.has(edge.to))
      .map((edge) => ({ id: edge.id, sources: [edge.from], targets: [edge.to] })),
  };
  const laidOut = await engine.layout(graph);
  const positions = new Map<string, { x: number; y: number }>();
  for (const child of laidOut.children ?? []) positions.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  return positions;
}
