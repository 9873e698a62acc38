import type {
  ThroughputChartView,
  TopologyNodeDetailView,
  TopologyView,
} from '@linkmesh/contracts/topology-api';
import type { ParsedComponentId } from '@linkmesh/pipelines/component-ids';
import { alloyConfigGraph, otelConfigGraph, type ConfigGraph } from '@linkmesh/pipelines/config-graph';
import type { CollectorConfigService } from '../collector-config/collector-config.service.ts';
import { contentHash } from '../collector-config/config-template.ts';
import type { Collector, CollectorEvent, CollectorEventType } from '../fleet/collector.types.ts';
import { effectiveLabels } from '../pipelines/effective-labels.ts';
import type { ObjectSnapshot } from '../pipelines/object-snapshot.ts';
import { boundedCache } from '../shared/bounded-cache.ts';
import type { Clock } from '../shared/clock.ts';
import { notFound } from '../shared/errors.ts';
import type { ComponentView } from '../telemetry/throughput.query.ts';
import type { ThroughputRow } from '../telemetry/throughput.store.ts';
import { mismatchesOf, namingGraceMs, namingSettled } from './naming-mismatch.ts';
import { diagnose } from './topology-diagnosis.ts';
import { joinRates, seriesOfNode, sumSeries } from './topology-rates.ts';

export interface TopologyDeps {
  readonly clock: Clock;
  readonly config: Pick<CollectorConfigService, 'current' | 'version' | 'state'>;
  readonly objects: { snapshot(): Promise<ObjectSnapshot> };
  /** What the collector reports it runs (OpAMP effective_config, Alloy's reported content). */
  readonly reportedConfig: (collector: Collector) => Promise<string | undefined>;
  readonly components: (
    collectorId: string,
    filter: { windowMs: number; buckets: number },
  ) => Promise<ComponentView[]>;
  readonly rawRows: (
    collectorId: string,
    filter: { windowMs: number; limit: number },
  ) => Promise<ThroughputRow[]>;
  /** How long after a config is applied before names are held against it (default {@link namingGraceMs}). */
  readonly namingGraceMs?: number;
  /** Newest first. */
  readonly events: (
    collectorId: string,
    filter: { types: readonly CollectorEventType[]; limit: number },
  ) => Promise<CollectorEvent[]>;
}

/** What a collector runs, as a graph, and since when (naming checks wait until it is in force). */
export interface CollectorGraph {
  readonly graph: ConfigGraph;
  readonly source: 'rendered' | 'effective';
  /** The delivered hash of a rendered config; null for a reported one. */
  readonly configHash: string | null;
  /** Names the config for de-duplication: `v<N>`, or `effective:<hash prefix>`. */
  readonly configKey: string;
  /** Server time since which the collector runs it; null while it has not applied it. */
  readonly inForceSinceMs: number | null;
  readonly snapshot: ObjectSnapshot;
}

/** Sparkline buckets of the canvas. */
const canvasBuckets = 30;
/** Buckets of the last-day charts (10 min each over 24 h). */
const chartBuckets = 144;
/** How far back the side panel looks for a series' newest raw counters. */
const rawCountersWindowMs = 15 * 60_000;

/**
 * A collector's topology (issue #12): the graph of what LinkMesh rendered for it when routes
 * target it, else of the config it reports (a fleet default, a hand edit), else of what it was
 * given; joined with read-time rates over the window, with the diagnosis of missing numbers.
 */
export class TopologyService {
  /**
   * Parsed graphs by runtime and content hash, and by collector and delivered hash (each
   * collector's rendered config differs): a config is read and parsed once, not per request.
   */
  private readonly graphs = boundedCache<string, ConfigGraph | 'unreadable'>(20_000);

  constructor(private readonly deps: TopologyDeps) {}

  /** One object per distinct graph: collectors on the same routes share it (the caches hold references). */
  private readonly distinct = boundedCache<string, ConfigGraph>(2_000);

  private parse(runtime: Collector['runtime'], text: string): ConfigGraph | undefined {
    const key = `${runtime}:${contentHash(text)}`;
    let graph = this.graphs.get(key);
    if (graph === undefined) {
      graph = this.interned(parseGraph(runtime, text)) ?? 'unreadable';
      this.graphs.set(key, graph);
    }
    return graph === 'unreadable' ? undefined : graph;
  }

  private interned(graph: ConfigGraph | undefined): ConfigGraph | undefined {
    if (graph === undefined) return undefined;
    const fingerprint = JSON.stringify(graph);
    const known = this.distinct.get(fingerprint);
    if (known) return known;
    this.distinct.set(fingerprint, graph);
    return graph;
  }

  async graphOf(collector: Collector): Promise<CollectorGraph> {
    const snapshot = await this.deps.objects.snapshot();
    const routed =
      snapshot.routesTargeting({ id: collector.id, labels: effectiveLabels(collector) }).length > 0;
    const reported = routed ? undefined : await this.deps.reportedConfig(collector);
    const fromReport = reported === undefined ? undefined : this.parse(collector.runtime, reported);
    if (fromReport && reported !== undefined) {
      return {
        graph: fromReport,
        source: 'effective',
        configHash: null,
        configKey: `effective:${contentHash(reported).slice(0, 16)}`,
        inForceSinceMs: 0,
        snapshot,
      };
    }
    const delivered = await this.deps.config.current(collector);
    // The delivered hash names the version's content: a known one needs neither its text nor a parse.
    const renderedKey = `${collector.id}:${delivered.hashHex}`;
    const [graph, state] = await Promise.all([
      this.graphs.get(renderedKey) ??
        this.deps.config.version(collector.id, delivered.version).then((version) => {
          const parsed = this.parse(collector.runtime, version?.template ?? '') ?? 'unreadable';
          this.graphs.set(renderedKey, parsed);
          return parsed;
        }),
      this.deps.config.state(collector.id),
    ]);
    const applied =
      state?.applyStatus === 'APPLIED' && state.applyVersion === delivered.version
        ? (state.applyUpdatedAtMs ?? 0)
        : null;
    return {
      graph: graph === 'unreadable' ? { nodes: [], edges: [] } : graph,
      source: 'rendered',
      configHash: delivered.hashHex,
      configKey: `v${delivered.version}`,
      inForceSinceMs: applied,
      snapshot,
    };
  }

  async ofCollector(collector: Collector, windowMs: number): Promise<TopologyView> {
    const nowMs = this.deps.clock.nowMs();
    const [current, components, offers, rejections] = await Promise.all([
      this.graphOf(collector),
      this.deps.components(collector.id, { windowMs, buckets: canvasBuckets }),
      this.deps.events(collector.id, { types: ['own_metrics_offered'], limit: 1 }),
      this.deps.events(collector.id, { types: ['telemetry_rejected'], limit: 1 }),
    ]);
    const { nodes, edges, unclaimed } = joinRates(current.graph, components, {
      name: (parsed) => nameOf(current.snapshot, parsed),
    });
    const rejection = rejections[0];
    const diagnosis = diagnose({
      runtime: collector.runtime,
      mode: collector.mode,
      nowMs,
      windowMs,
      ownMetricsOffered: offers.length > 0,
      lastTelemetryAtMs: collector.lastTelemetryAtMs,
      hostMetricsSeen: collector.hostSampledAtMs !== null,
      components,
      nodes,
      mismatches: namingSettled(current, nowMs, this.deps.namingGraceMs ?? namingGraceMs)
        ? mismatchesOf(stillPushed(unclaimed), current.snapshot)
        : [],
      lastAuthRejection: rejection ? { reason: rejection.detail, atMs: rejection.atMs } : null,
    });
    return {
      collectorId: collector.id,
      configHash: current.configHash,
      source: current.source,
      generatedAt: new Date(nowMs).toISOString(),
      windowSeconds: windowMs / 1000,
      nodes,
      edges,
      diagnosis,
    };
  }

  /** One canvas element's last-day series and the newest raw counters behind it (the side panel). */
  async nodeDetail(collector: Collector, nodeId: string, windowMs: number): Promise<TopologyNodeDetailView> {
    const { graph } = await this.graphOf(collector);
    const node = graph.nodes.find((n) => n.componentId === nodeId);
    if (!node) throw notFound(`node ${nodeId} of this collector's topology`);
    const [components, rows] = await Promise.all([
      this.deps.components(collector.id, { windowMs, buckets: chartBuckets }),
      this.deps.rawRows(collector.id, { windowMs: Math.min(windowMs, rawCountersWindowMs), limit: 5_000 }),
    ]);
    const series = seriesOfNode(node, components);
    const newest = new Map<string, ThroughputRow>();
    for (const row of rows) newest.set(`${row.kind}\u0000${row.componentId}\u0000${row.signal}`, row);
    return {
      collectorId: collector.id,
      nodeId,
      ...this.buckets(windowMs),
      recordsPerSec: sumSeries(series.map((s) => s.sparkline)),
      errorsPerSec: sumSeries(series.map((s) => s.errorSparkline)),
      series: series.map((s) => ({
        componentId: s.componentId,
        signal: s.signal,
        lastSampleAt: new Date(s.lastSampleAtMs).toISOString(),
        samples: s.samples,
        restartsInWindow: s.restartsInWindow,
        counters: definedCounters(newest.get(`${s.kind}\u0000${s.componentId}\u0000${s.signal}`)?.counters),
      })),
    };
  }

  /**
   * The collector detail page's chart: the operator's receivers (accepted) in, exporters (sent)
   * out, their refused and send_failed as errors — LinkMesh's own self-telemetry and host
   * components left out, as on the canvas.
   */
  async chart(collector: Collector, windowMs: number): Promise<ThroughputChartView> {
    const { graph } = await this.graphOf(collector);
    const components = await this.deps.components(collector.id, { windowMs, buckets: chartBuckets });
    const ofKind = (kind: 'source' | 'destination') =>
      graph.nodes.filter((n) => n.kind === kind).flatMap((n) => seriesOfNode(n, components));
    const receivers = ofKind('source');
    const exporters = ofKind('destination');
    return {
      collectorId: collector.id,
      ...this.buckets(windowMs),
      recordsInPerSec: sumSeries(receivers.map((s) => s.sparkline)),
      recordsOutPerSec: sumSeries(exporters.map((s) => s.sparkline)),
      errorsPerSec: sumSeries([...receivers, ...exporters].map((s) => s.errorSparkline)),
    };
  }

  private buckets(windowMs: number) {
    const nowMs = this.deps.clock.nowMs();
    return {
      windowSeconds: windowMs / 1000,
      bucketSeconds: windowMs / chartBuckets / 1000,
      startAt: new Date(nowMs - windowMs).toISOString(),
    };
  }
}

function definedCounters(counters: ThroughputRow['counters'] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(counters ?? {}))
    if (typeof value === 'number') out[name] = value;
  return out;
}

/** Series the collector still pushes: those in its newest push (old ones age out of the window). */
function stillPushed(series: readonly ComponentView[]): ComponentView[] {
  const newestMs = Math.max(0, ...series.map((s) => s.lastSampleAtMs));
  return series.filter((s) => s.lastSampleAtMs >= newestMs - stillPushedToleranceMs);
}
/** Samples of one push may carry slightly different times. */
const stillPushedToleranceMs = 10_000;

/** The graph of config text, or undefined when it does not parse (a report LinkMesh cannot read). */
export function parseGraph(runtime: Collector['runtime'], text: string): ConfigGraph | undefined {
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
