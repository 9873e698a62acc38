import type { TopologyEdgeView, TopologyFlag, TopologyNodeView } from '@linkmesh/contracts/topology-api';
import { parseComponentId, type ParsedComponentId } from '@linkmesh/pipelines/component-ids';
import type { ComponentView } from '../telemetry/throughput.query.ts';
import type { ConfigGraph, GraphNode, GraphNodeKind } from '@linkmesh/pipelines/config-graph';

/**
 * Joins a config graph with read-time rates (issue #12 item 2). A self-telemetry series belongs
 * to a node when both name the same thing: the same object through the component-ID scheme
 * (whichever of the forms otelcol or Alloy reports), or else the same raw component ID.
 */

/** A queue this full (size ÷ capacity) is back-pressure. */
export const backpressureFill = 0.8;

/** The canvas kind of each self-telemetry component kind. */
export const nodeKindOf = { receiver: 'source', processor: 'processor', exporter: 'destination' } as const;

/** The series of `components` that belong to a node (whichever runtime's form names them). */
export function seriesOfNode(
  node: Pick<GraphNode, 'kind' | 'componentId'>,
  components: readonly ComponentView[],
): ComponentView[] {
  const key = matchKey(node.kind, node.componentId);
  return components.filter((c) => matchKey(nodeKindOf[c.kind], c.componentId) === key);
}

/** What a component ID stands for, the same for every form of it. */
export function matchKey(kind: GraphNodeKind, componentId: string): string {
  const parsed = parseComponentId(componentId);
  switch (parsed.kind) {
    case 'source':
    case 'destination':
      return `${kind}:${parsed.objectId}`;
    case 'processor':
      return `${kind}:${parsed.routeId}#${parsed.stepIndex}`;
    case 'output_filter':
      return `${kind}:${parsed.routeId}#out`;
    case 'route':
    case 'internal':
    case 'unknown': {
      // Alloy's otelcol components also report `<otel type>/<component_id>`.
      const slash = componentId.indexOf('/');
      const rest = slash >= 0 ? componentId.slice(slash + 1) : componentId;
      return `${kind}:${rest.includes('.') ? rest : componentId}`;
    }
  }
}

/** Sums per bucket; a bucket is null only when every series is null there. */
export function sumSeries(series: readonly (readonly (number | null)[])[]): (number | null)[] {
  const length = Math.max(0, ...series.map((s) => s.length));
  return Array.from({ length }, (_, i) => {
    const values = series.map((s) => s[i]).filter((v): v is number => typeof v === 'number');
    return values.length === 0 ? null : values.reduce((a, b) => a + b, 0);
  });
}

function sum(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

/**
 * A step's drop %: its `dropped` counter over what came in when the collector has one (before
 * v0.110); else what came in and did not leave (`incoming` − `outgoing`: processorhelper keeps
 * only those two since), never below 0 (a batch may send more than it took in one interval).
 *
 * @example
 * dropPercent(100, 80, null) // 20
 * dropPercent(100, 100, 5)   // 5
 */
export function dropPercent(
  incomingPerSec: number | null,
  outgoingPerSec: number | null,
  droppedPerSec: number | null,
): number | null {
  if (incomingPerSec === null || incomingPerSec <= 0) return null;
  if (droppedPerSec !== null) return (droppedPerSec / incomingPerSec) * 100;
  if (outgoingPerSec === null) return null;
  return Math.max(0, ((incomingPerSec - outgoingPerSec) / incomingPerSec) * 100);
}

export interface NodeNaming {
  /** The operator's name for what the component maps back to, if LinkMesh knows it. */
  name(parsed: ParsedComponentId, node: GraphNode): string | undefined;
}

export function joinRates(
  graph: ConfigGraph,
  components: readonly ComponentView[],
  naming: NodeNaming,
): { nodes: TopologyNodeView[]; edges: TopologyEdgeView[]; unclaimed: ComponentView[] } {
  const byKey = new Map<string, ComponentView[]>();
  for (const view of components) {
    const key = matchKey(nodeKindOf[view.kind], view.componentId);
    byKey.set(key, [...(byKey.get(key) ?? []), view]);
  }
  const claimed = new Set<ComponentView>();
  const viewsOf = new Map<string, ComponentView[]>();
  for (const node of graph.nodes) {
    const views = byKey.get(matchKey(node.kind, node.componentId)) ?? [];
    views.forEach((v) => claimed.add(v));
    viewsOf.set(node.componentId, views);
  }

  const nodes = graph.nodes.map((node): TopologyNodeView => {
    const views = viewsOf.get(node.componentId) ?? [];
    const records = sum(views.map((v) => v.recordsPerSec));
    const errors = sum(views.map((v) => v.errorsPerSec));
    const incoming = sum(views.map((v) => v.incomingPerSec));
    const dropped = sum(views.map((v) => v.droppedPerSec));
    const queueSize = sum(views.map((v) => v.queueSize));
    const queueCapacity = sum(views.map((v) => v.queueCapacity));
    const flags: TopologyFlag[] = [];
    if ((errors ?? 0) > 0) flags.push('errors');
    if (
      queueSize !== null &&
      queueCapacity !== null &&
      queueCapacity > 0 &&
      queueSize / queueCapacity >= backpressureFill
    )
      flags.push('backpressure');
    if (views.length === 0 || records === null) flags.push('no_data');
    if (views.some((v) => v.restartsInWindow > 0)) flags.push('restarted');
    const parsed = node.parsed;
    return {
      id: node.componentId,
      kind: node.kind,
      componentId: node.componentId,
      ...('objectId' in parsed ? { objectId: parsed.objectId } : {}),
      ...('routeId' in parsed ? { routeId: parsed.routeId } : {}),
      ...('stepIndex' in parsed ? { stepIndex: parsed.stepIndex } : {}),
      name: naming.name(parsed, node) ?? node.componentId,
      type: node.type,
      signals: [...node.signals],
      recordsPerSec: records,
      errorsPerSec: errors,
      ...(node.kind === 'processor'
        ? {
            incomingPerSec: incoming,
            dropPercent: dropPercent(incoming, records, dropped),
          }
        : {}),
      ...(node.kind === 'destination' ? { queueSize, queueCapacity } : {}),
      sparkline: sumSeries(views.map((v) => v.sparkline)),
      errorSparkline: sumSeries(views.map((v) => v.errorSparkline)),
      flags,
    };
  });

  const kinds = new Map(graph.nodes.map((n) => [n.componentId, n.kind]));
  const fanIn = new Map<string, number>();
  for (const edge of graph.edges)
    fanIn.set(`${edge.to}>${edge.signal}`, (fanIn.get(`${edge.to}>${edge.signal}`) ?? 0) + 1);
  const edges = graph.edges.map((edge): TopologyEdgeView => {
    // Into a destination fed by this edge alone: what it sent of that signal (and failed to);
    // otherwise what the upstream component passed on — an exporter's counters cannot be split
    // between several routes into it.
    const measured =
      kinds.get(edge.to) === 'destination' && fanIn.get(`${edge.to}>${edge.signal}`) === 1
        ? edge.to
        : edge.from;
    const view = (viewsOf.get(measured) ?? []).find((v) => v.signal === edge.signal);
    return {
      id: `${edge.from}>${edge.to}>${edge.signal}`,
      from: edge.from,
      to: edge.to,
      signal: edge.signal,
      recordsPerSec: view?.recordsPerSec ?? null,
      errorsPerSec: measured === edge.to ? (view?.errorsPerSec ?? null) : null,
      sparkline: [...(view?.sparkline ?? [])],
    };
  });
  return { nodes, edges, unclaimed: components.filter((c) => !claimed.has(c)) };
}
