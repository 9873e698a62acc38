import type {
  DiagnosisCode,
  TopologyDiagnosis,
  TopologyEdgeView,
  TopologyFlag,
  TopologyNodeView,
  TopologySignal,
  TopologyView,
} from '@linkmesh/contracts/topology-api';
import type { CanvasModel, CanvasTone, EdgeFacts, NodeFacts, QueueFacts } from './canvas.types.ts';

/**
 * Maps a collector's {@link TopologyView} to what the canvas draws. Pure: no React, no DOM.
 *
 * @example const model = toCanvasModel(view); model.nodes[0].missing // "one sample so far …"
 */
export function toCanvasModel(view: TopologyView): CanvasModel {
  // `diagnosis` is new in the contract; a server without it still draws, without the reasons.
  const diagnosis = (view.diagnosis as TopologyDiagnosis | undefined) ?? null;
  const byId = new Map(view.nodes.map((node) => [node.id, node]));
  const nodes = view.nodes.map((node) => nodeFacts(node, diagnosis));
  const edges = mergeEdges(view.edges).map((group) => edgeFacts(group, byId, diagnosis));
  return { shapeKey: shapeKeyOf(nodes, edges), nodes, edges };
}

/** The elements and connections, sorted, without any number. */
export function shapeKeyOf(
  nodes: readonly Pick<NodeFacts, 'id' | 'kind'>[],
  edges: readonly Pick<EdgeFacts, 'from' | 'to'>[],
): string {
  const n = nodes.map((node) => `${node.kind}:${node.id}`).sort();
  const e = edges.map((edge) => `${edge.from}>${edge.to}`).sort();
  return `${n.join('|')}#${e.join('|')}`;
}

/** Short reasons, one per diagnosis, for a number the whole canvas lacks. */
const reasonOf: Record<Exclude<DiagnosisCode, 'ok'>, string> = {
  no_pipelines: 'no pipeline LinkMesh can read',
  no_own_metrics_offer: 'no own_metrics offer sent to this collector yet',
  no_push_received: 'no self-telemetry push has reached the server',
  no_component_metrics: 'pushes arrive but carry no component metrics',
  pipeline_idle: 'pipeline idle: no records have flowed',
  one_sample_only: 'one sample so far; a rate needs two, ~30 s apart',
  naming_mismatch: 'self-telemetry names components this config lacks',
  counters_reset: 'counters reset (restart); numbers resume on the next push',
};

/**
 * Why an element has no rate: the collector-wide diagnosis when no element has numbers, else
 * what the element's own flags say.
 */
export function missingReason(flags: readonly TopologyFlag[], diagnosis: TopologyDiagnosis | null): string {
  if (diagnosis !== null && diagnosis.numbers === 'none' && diagnosis.code !== 'ok') {
    return reasonOf[diagnosis.code];
  }
  if (flags.includes('restarted')) return reasonOf.counters_reset;
  if (diagnosis?.code === 'one_sample_only') return reasonOf.one_sample_only;
  return 'no self-telemetry for this component in the window';
}

/** Red when refused / send_failed rise, amber for a filling queue, grey without numbers. */
export function toneOf(flags: readonly TopologyFlag[], errorsPerSec: number | null): CanvasTone {
  if (flags.includes('errors') || (errorsPerSec ?? 0) > 0) return 'error';
  if (flags.includes('backpressure')) return 'warn';
  if (flags.includes('no_data')) return 'idle';
  return 'ok';
}

export function queueOf(size: number | null, capacity: number | null): QueueFacts {
  const fraction =
    size !== null && capacity !== null && capacity > 0 ? Math.min(1, Math.max(0, size / capacity)) : null;
  return { size, capacity, fraction };
}

/**
 * The component type without the runtime's family prefix, as an operator names it.
 *
 * @example displayType('otelcol.exporter.otlphttp') // 'otlphttp'
 */
export const displayType = (type: string): string =>
  type.replace(/^otelcol\.(?:receiver|processor|exporter|connector)\./, '');

function nodeFacts(node: TopologyNodeView, diagnosis: TopologyDiagnosis | null): NodeFacts {
  return {
    id: node.id,
    kind: node.kind === 'collector' ? 'collector' : node.kind,
    name: node.name,
    type: displayType(node.type),
    componentId: node.componentId,
    signals: [...node.signals],
    recordsPerSec: node.recordsPerSec,
    errorsPerSec: node.errorsPerSec,
    incomingPerSec: node.incomingPerSec ?? null,
    dropPercent: node.dropPercent ?? null,
    queue: node.kind === 'destination' ? queueOf(node.queueSize ?? null, node.queueCapacity ?? null) : null,
    sparkline: node.sparkline,
    errorSparkline: node.errorSparkline,
    flags: node.flags,
    tone: toneOf(node.flags, node.errorsPerSec),
    missing: node.recordsPerSec === null ? missingReason(node.flags, diagnosis) : null,
    href: null,
    inPerSec: null,
    status: null,
  };
}

/** Null only when every value is null. */
export function sumKnown(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

/** Bucket-wise sum; a bucket is null only when every series is null there. */
export function sumSeries(series: readonly (readonly (number | null)[])[]): (number | null)[] {
  const length = Math.max(0, ...series.map((s) => s.length));
  return Array.from({ length }, (_, i) => sumKnown(series.map((s) => s[i] ?? null)));
}

/** The per-signal edges of one pair of elements, in the order the API listed them. */
function mergeEdges(edges: readonly TopologyEdgeView[]): TopologyEdgeView[][] {
  const groups = new Map<string, TopologyEdgeView[]>();
  for (const edge of edges) {
    const key = `${edge.from}>${edge.to}`;
    const group = groups.get(key);
    if (group) group.push(edge);
    else groups.set(key, [edge]);
  }
  return [...groups.values()];
}

/**
 * One drawn edge: what its upstream element passed on along it. The API measures an edge into a
 * destination at the destination (what it sent of that signal), which repeats the destination's
 * total on every route that reaches it; what the upstream step passed on is this edge's own flow
 * (a component hands all of its output to each element it feeds), so that is drawn instead and
 * the destination's failures stay on the destination, tinting the edges into it.
 */
function edgeFacts(
  group: readonly TopologyEdgeView[],
  byId: ReadonlyMap<string, TopologyNodeView>,
  diagnosis: TopologyDiagnosis | null,
): EdgeFacts {
  const [first] = group;
  if (first === undefined) throw new Error('an edge group is never empty');
  const from = byId.get(first.from);
  const to = byId.get(first.to);
  const base = {
    id: `${first.from}>${first.to}`,
    from: first.from,
    to: first.to,
    signals: [...new Set<TopologySignal>(group.map((e) => e.signal))],
    measuredAt: first.from,
  };
  if (to?.kind === 'destination' && from !== undefined) {
    const recordsPerSec = from.recordsPerSec;
    const failing = to.flags.includes('errors');
    return {
      ...base,
      recordsPerSec,
      errorsPerSec: null,
      sparkline: from.sparkline,
      route: null,
      tone: failing ? 'error' : recordsPerSec === null ? 'idle' : 'ok',
      missing: recordsPerSec === null ? missingReason(from.flags, diagnosis) : null,
    };
  }
  const recordsPerSec = sumKnown(group.map((e) => e.recordsPerSec));
  const errorsPerSec = sumKnown(group.map((e) => e.errorsPerSec));
  const intoRoute = from?.kind === 'source' && to?.kind === 'processor' && to.routeId !== undefined;
  return {
    ...base,
    recordsPerSec,
    errorsPerSec,
    sparkline: sumSeries(group.map((e) => e.sparkline)),
    route: intoRoute ? { offeredPerSec: recordsPerSec, matchedPerSec: to.recordsPerSec } : null,
    tone: (errorsPerSec ?? 0) > 0 ? 'error' : recordsPerSec === null ? 'idle' : 'ok',
    missing: recordsPerSec === null ? missingReason(from?.flags ?? ['no_data'], diagnosis) : null,
  };
}
