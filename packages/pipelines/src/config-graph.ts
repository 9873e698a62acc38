import { alloyComponents, parseAlloy, type AlloyExpr, type AlloyStatement } from '@linkmesh/alloy/syntax';
import { parseComponentId, type ParsedComponentId } from './component-ids.ts';
import { parse as parseYaml } from 'yaml';

/**
 * The shape of a collector's pipelines, read from config text (issue #12 item 1): what LinkMesh
 * rendered for it, or, for a collector it did not configure, the effective config it reports.
 * Nodes are the components self-telemetry names (otelcol `receiver` / `processor` / `exporter`
 * attributes, Alloy `component_id`), so rates join on `componentId`; edges follow
 * `service.pipelines` (OTel) or the component references (Alloy `forward_to` / `output`).
 * LinkMesh's own self-telemetry and host components are left out: they are not the operator's.
 */

export type GraphNodeKind = 'source' | 'processor' | 'destination';
export type Signal = 'traces' | 'metrics' | 'logs';

export interface GraphNode {
  /** The component ID as self-telemetry names it (`otlp/src_<t>`, `otelcol.exporter.otlphttp.dst_<t>`). */
  readonly componentId: string;
  readonly kind: GraphNodeKind;
  /** The component type (`otlp`, `batch`, `otelcol.exporter.otlphttp`). */
  readonly type: string;
  /** What the ID maps back to through the component-ID scheme (unknown for hand-written configs). */
  readonly parsed: ParsedComponentId;
  readonly signals: readonly Signal[];
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly signal: Signal;
}

export interface ConfigGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

const signals: readonly Signal[] = ['traces', 'metrics', 'logs'];
const isInternal = (id: string) => parseComponentId(id).kind === 'internal';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** Builds nodes and edges while de-duplicating both (a receiver shared by pipelines is one node). */
class GraphBuilder {
  private readonly nodes = new Map<string, { node: Omit<GraphNode, 'signals'>; signals: Set<Signal> }>();
  private readonly edges = new Map<string, GraphEdge>();

  node(componentId: string, kind: GraphNodeKind, type: string, signal: Signal): void {
    const existing = this.nodes.get(componentId);
    if (existing) existing.signals.add(signal);
    else
      this.nodes.set(componentId, {
        node: { componentId, kind, type, parsed: parseComponentId(componentId) },
        signals: new Set([signal]),
      });
  }

  edge(from: string, to: string, signal: Signal): void {
    this.edges.set(`${from}>${to}>${signal}`, { from, to, signal });
  }

  build(): ConfigGraph {
    const nodes = [...this.nodes.values()].map(({ node, signals: s }) => ({
      ...node,
      signals: signals.filter((x) => s.has(x)),
    }));
    return sorted(nodes, [...this.edges.values()]);
  }
}

/** Nodes by component ID, edges by ends and signal: the same config always gives the same graph. */
function sorted(nodes: GraphNode[], edges: GraphEdge[]): ConfigGraph {
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    nodes: nodes.sort((a, b) => order(a.componentId, b.componentId)),
    edges: edges.sort((a, b) => order(a.from, b.from) || order(a.to, b.to) || order(a.signal, b.signal)),
  };
}

/**
 * The graph of an OTel Collector config: per pipeline in `service.pipelines`, each receiver →
 * processor 1 → … → each exporter. Connectors (a component that is an exporter of one pipeline
 * and a receiver of another) come out as a destination and a source with the same ID.
 */
export function otelConfigGraph(yaml: string): ConfigGraph {
  const doc: unknown = parseYaml(yaml);
  const pipelines = isRecord(doc) && isRecord(doc.service) ? doc.service.pipelines : undefined;
  const graph = new GraphBuilder();
  if (!isRecord(pipelines)) return graph.build();
  for (const [pipelineId, pipeline] of Object.entries(pipelines)) {
    const signal = signals.find((s) => pipelineId === s || pipelineId.startsWith(`${s}/`));
    if (signal === undefined || !isRecord(pipeline) || isInternal(pipelineId)) continue;
    const receivers = strings(pipeline.receivers).filter((id) => !isInternal(id));
    const processors = strings(pipeline.processors).filter((id) => !isInternal(id));
    const exporters = strings(pipeline.exporters).filter((id) => !isInternal(id));
    const typeOf = (id: string) => id.split('/')[0] ?? id;
    for (const id of receivers) graph.node(id, 'source', typeOf(id), signal);
    for (const id of processors) graph.node(id, 'processor', typeOf(id), signal);
    for (const id of exporters) graph.node(id, 'destination', typeOf(id), signal);
    const heads = processors.length > 0 ? [processors[0] as string] : exporters;
    for (const from of receivers) for (const to of heads) graph.edge(from, to, signal);
    for (let i = 1; i < processors.length; i++)
      graph.edge(processors[i - 1] as string, processors[i] as string, signal);
    const last = processors.at(-1);
    if (last !== undefined) for (const to of exporters) graph.edge(last, to, signal);
  }
  return graph.build();
}

/**
 * The graph of an Alloy config: each component that references another's `input` / `receiver`
 * (in `forward_to`, `output { logs = […] }` …) sends to it. A component nothing sends to is a
 * source; one that sends to nothing is a destination; the rest are processors. An `output`
 * block names the signal; a `forward_to` carries what its component emits (logs for `loki.*`,
 * metrics for `prometheus.*`).
 */
export function alloyConfigGraph(text: string): ConfigGraph {
  const components = alloyComponents(parseAlloy(text));
  const sends = new Map<string, Array<{ to: string; signal: Signal }>>();
  for (const [id, block] of components) {
    if (isInternal(id)) continue;
    const targets: Array<{ to: string; signal: Signal }> = [];
    collectTargets(block.body, signalOfComponent(block.name), (ref, signal) => {
      const to = componentOf(ref, components);
      if (to !== undefined && to !== id && !isInternal(to)) targets.push({ to, signal });
    });
    sends.set(id, targets);
  }
  const received = new Set([...sends.values()].flatMap((t) => t.map((x) => x.to)));
  const graph = new GraphBuilder();
  const kindOf = (id: string): GraphNodeKind =>
    !received.has(id) ? 'source' : (sends.get(id)?.length ?? 0) === 0 ? 'destination' : 'processor';
  const typeOf = (id: string) => components.get(id)?.name ?? id;
  for (const [from, targets] of sends) {
    for (const { to, signal } of targets) {
      graph.node(from, kindOf(from), typeOf(from), signal);
      graph.node(to, kindOf(to), typeOf(to), signal);
      graph.edge(from, to, signal);
    }
  }
  return mergeObjectComponents(graph.build());
}

/**
 * Alloy renders some sources and destinations as several components under one label (a
 * `prometheus.scrape` in front of `otelcol.receiver.prometheus`, `otelcol.exporter.loki` in
 * front of `loki.write`): one object, so one node — named by its `otelcol.*` component, the one
 * whose self-telemetry carries the numbers — with the edges between them folded away.
 */
function mergeObjectComponents(graph: ConfigGraph): ConfigGraph {
  const groups = new Map<string, GraphNode[]>();
  for (const node of graph.nodes) {
    const p = node.parsed;
    if (p.kind !== 'source' && p.kind !== 'destination') continue;
    const key = `${p.kind}:${p.objectId}`;
    groups.set(key, [...(groups.get(key) ?? []), node]);
  }
  const representativeOf = new Map<string, GraphNode>();
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const chosen = members.find((m) => m.componentId.startsWith('otelcol.')) ?? members[0];
    if (chosen === undefined) continue;
    const merged: GraphNode = {
      ...chosen,
      kind: chosen.parsed.kind === 'source' ? 'source' : 'destination',
      signals: signals.filter((s) => members.some((m) => m.signals.includes(s))),
    };
    for (const member of members) representativeOf.set(member.componentId, merged);
  }
  if (representativeOf.size === 0) return graph;
  const idOf = (componentId: string) => representativeOf.get(componentId)?.componentId ?? componentId;
  const nodes = new Map<string, GraphNode>();
  for (const node of graph.nodes)
    nodes.set(idOf(node.componentId), representativeOf.get(node.componentId) ?? node);
  const edges = new Map<string, GraphEdge>();
  for (const edge of graph.edges) {
    const [from, to] = [idOf(edge.from), idOf(edge.to)];
    if (from !== to) edges.set(`${from}>${to}>${edge.signal}`, { from, to, signal: edge.signal });
  }
  return sorted([...nodes.values()], [...edges.values()]);
}

function signalOfComponent(name: string): Signal | undefined {
  if (name.startsWith('loki.')) return 'logs';
  if (name.startsWith('prometheus.')) return 'metrics';
  return undefined;
}

/** Calls `found` for every reference in the block, with the signal its position implies. */
function collectTargets(
  body: readonly AlloyStatement[],
  inherited: Signal | undefined,
  found: (ref: string, signal: Signal) => void,
): void {
  for (const statement of body) {
    if (statement.kind === 'block') {
      collectTargets(statement.body, inherited, found);
      continue;
    }
    const signal =
      signals.find((s) => s === statement.name) ?? (statement.name === 'forward_to' ? inherited : undefined);
    if (signal === undefined) continue;
    visitRefs(statement.value, (ref) => found(ref, signal));
  }
}

function visitRefs(expr: AlloyExpr, found: (ref: string) => void): void {
  if (expr.kind === 'ref') found(expr.path.join('.'));
  else if (expr.kind === 'array') expr.items.forEach((item) => visitRefs(item, found));
}

/** `otelcol.exporter.otlphttp.dst_x.input` → `otelcol.exporter.otlphttp.dst_x` when that component exists. */
function componentOf(ref: string, components: ReadonlyMap<string, unknown>): string | undefined {
  const dot = ref.lastIndexOf('.');
  const id = dot > 0 ? ref.slice(0, dot) : ref;
  return components.has(id) ? id : undefined;
}
