import type { TopologyView } from '@linkmesh/contracts/topology-api';
import type { ParsedComponentId } from '@linkmesh/pipelines/component-ids';
import type { CollectorConfigService } from '../collector-config/collector-config.service.ts';
import type { Collector } from '../fleet/collector.types.ts';
import { effectiveLabels } from '../pipelines/effective-labels.ts';
import type { ObjectSnapshot } from '../pipelines/object-snapshot.ts';
import type { Clock } from '../shared/clock.ts';
import type { ComponentView } from '../telemetry/throughput.query.ts';
import { alloyConfigGraph, otelConfigGraph, type ConfigGraph } from '@linkmesh/pipelines/config-graph';
import { joinRates } from './topology-rates.ts';

export interface TopologyDeps {
  readonly clock: Clock;
  readonly config: Pick<CollectorConfigService, 'current' | 'version'>;
  readonly objects: { snapshot(): Promise<ObjectSnapshot> };
  /** What the collector reports it runs (OpAMP effective_config, Alloy's reported content). */
  readonly reportedConfig: (collector: Collector) => Promise<string | undefined>;
  readonly components: (
    collectorId: string,
    filter: { windowMs: number; buckets: number },
  ) => Promise<ComponentView[]>;
}

/** Sparkline buckets per window. */
const buckets = 30;

/**
 * A collector's topology (issue #12 items 1–2): the graph of what LinkMesh rendered for it when
 * routes target it, else of the config it reports (a fleet default, a hand edit), else of what
 * it was given; joined with read-time rates over the window.
 */
export class TopologyService {
  constructor(private readonly deps: TopologyDeps) {}

  async ofCollector(
    collector: Collector,
    windowMs: number,
  ): Promise<TopologyView & { unclaimed: ComponentView[] }> {
    const snapshot = await this.deps.objects.snapshot();
    const routed =
      snapshot.routesTargeting({ id: collector.id, labels: effectiveLabels(collector) }).length > 0;
    const delivered = await this.deps.config.current(collector);
    const version = await this.deps.config.version(collector.id, delivered.version);
    const reported = routed ? undefined : await this.deps.reportedConfig(collector);
    const fromReport = reported === undefined ? undefined : graphOf(collector.runtime, reported);
    const graph = fromReport ??
      graphOf(collector.runtime, version?.template ?? '') ?? { nodes: [], edges: [] };
    const components = await this.deps.components(collector.id, { windowMs, buckets });
    const { nodes, edges, unclaimed } = joinRates(graph, components, {
      name: (parsed) => nameOf(snapshot, parsed),
    });
    return {
      collectorId: collector.id,
      configHash: fromReport ? null : delivered.hashHex,
      source: fromReport ? 'effective' : 'rendered',
      generatedAt: new Date(this.deps.clock.nowMs()).toISOString(),
      windowSeconds: windowMs / 1000,
      nodes,
      edges,
      unclaimed,
    };
  }
}

/** The graph of config text, or undefined when it does not parse (a report LinkMesh cannot read). */
function graphOf(runtime: Collector['runtime'], text: string): ConfigGraph | undefined {
  if (text.trim() === '') return undefined;
  try {
    return runtime === 'alloy' ? alloyConfigGraph(text) : otelConfigGraph(text);
  } catch {
    return undefined;
  }
}

function nameOf(snapshot: ObjectSnapshot, parsed: ParsedComponentId): string | undefined {
  if (parsed.kind === 'source' || parsed.kind === 'destination') {
    const object = snapshot.get(parsed.objectId);
    return object?.value.name;
  }
  if (parsed.kind === 'processor' || parsed.kind === 'output_filter') {
    const route = snapshot.get(parsed.routeId);
    if (route?.kind !== 'route') return undefined;
    const pipeline = route.value.pipelineId === undefined ? undefined : snapshot.get(route.value.pipelineId);
    if (pipeline?.kind !== 'pipeline') return undefined;
    if (parsed.kind === 'output_filter') return `${pipeline.value.name}: output filter`;
    const step = pipeline.value.processors[parsed.stepIndex - 1];
    return step ? `${pipeline.value.name}: ${parsed.stepIndex}. ${step.type}` : undefined;
  }
  return undefined;
}
