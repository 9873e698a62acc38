import { HostMetricsAccumulator, mergeHostSamples } from './host-metrics.ts';
import type { HostSample } from './host-metrics.ts';
import type { MetricPoint, ResourcePoints } from './metric-point.ts';
import { GAUGE_COUNTERS, classifyMetricName, firstAttribute, parseSignal } from './self-metric-names.ts';
import type { ComponentKind, ComponentMetricClass, CounterName, Signal } from './self-metric-names.ts';

/**
 * The raw counters of one component for one signal at one collection time: one ComponentThroughput
 * row. Counters are cumulative as received (summed over attributes such as `transport` or
 * `error.type`); `queueSize` / `queueCapacity` are gauges.
 */
export interface ComponentSample {
  readonly kind: ComponentKind;
  /** `component_id` for Alloy (`otelcol.receiver.otlp.default`), else the otelcol id (`otlp/2`). */
  readonly componentId: string;
  /** `''` when the collector did not say (queue gauges before ~v0.110). */
  readonly signal: Signal;
  readonly counters: Partial<Record<CounterName, number>>;
  /** Earliest non-zero start of the cumulative counters; 0 when the sender set none (Alloy ≥ 1.14). */
  readonly startTimeUnixMs: number;
  /** Latest point time in the sample. */
  readonly timeUnixMs: number;
}

/** Why points were left out of a translation. */
export interface IgnoredPointCounts {
  /** Names LinkMesh does not use (the decoder normally skips these already). */
  readonly unknownName: number;
  /**
   * Sums with delta temporality. Rows keep raw cumulative counters and rates come from the
   * difference of consecutive values; a delta is a per-interval increment that would need
   * server-side accumulation across pushes (and silently undercount after a lost push).
   * Collectors push cumulative by default, so these only appear when an operator asked for delta.
   */
  readonly deltaTemporality: number;
  /** Component metrics with neither `component_id` nor the kind's attribute (`receiver` …). */
  readonly missingComponentId: number;
}

/** What one push of self-metrics becomes. */
export interface Translation {
  /** Ordered by kind, component id, signal, then time. */
  readonly components: ComponentSample[];
  readonly host: HostSample | undefined;
  /** Distinct `service.instance.id` resource attributes: the join key with the OpAMP instance uid. */
  readonly serviceInstanceIds: string[];
  readonly ignored: IgnoredPointCounts;
  /** Sum of `ignored`. */
  readonly ignoredPointCount: number;
}

/**
 * Points of one component and signal whose times lie this close together belong to one
 * collection. The Go SDK reads the clock once per instrument, so one collection's points differ
 * by microseconds; distinct collections are at least one push interval (≥ 1 s) apart.
 */
const SAME_COLLECTION_TOLERANCE_MS = 1000;

interface SampleDraft {
  readonly kind: ComponentKind;
  readonly componentId: string;
  readonly signal: Signal;
  readonly counters: Partial<Record<CounterName, number>>;
  /** Counters whose value so far came only from legacy (pre-v0.111 processor) metrics. */
  readonly legacyCounters: Set<CounterName>;
  readonly firstTimeUnixMs: number;
  startTimeUnixMs: number;
  timeUnixMs: number;
}

function addToDraft(draft: SampleDraft, metric: ComponentMetricClass, point: MetricPoint): void {
  const { counter } = metric;
  const current = draft.counters[counter];
  if (metric.legacy) {
    // v0.110 emits both generations; the current counter is authoritative.
    if (current !== undefined && !draft.legacyCounters.has(counter)) return;
    draft.legacyCounters.add(counter);
    draft.counters[counter] = (current ?? 0) + point.value;
  } else if (draft.legacyCounters.delete(counter) || current === undefined) {
    draft.counters[counter] = point.value;
  } else {
    draft.counters[counter] = current + point.value;
  }
  if (!GAUGE_COUNTERS.has(counter) && point.startTimeUnixMs > 0) {
    draft.startTimeUnixMs =
      draft.startTimeUnixMs === 0
        ? point.startTimeUnixMs
        : Math.min(draft.startTimeUnixMs, point.startTimeUnixMs);
  }
  draft.timeUnixMs = Math.max(draft.timeUnixMs, point.timeUnixMs);
}

function compareSamples(a: ComponentSample, b: ComponentSample): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.componentId !== b.componentId) return a.componentId < b.componentId ? -1 : 1;
  if (a.signal !== b.signal) return a.signal < b.signal ? -1 : 1;
  return a.timeUnixMs - b.timeUnixMs;
}

/**
 * Turns the decoded points of one self-metrics push into per-component samples and host metrics.
 * Pure: the collector identity, storage and rate computation live elsewhere.
 *
 * @example
 * translateSelfMetrics([{ resourceAttributes: { 'service.instance.id': 'abc' }, points: [
 *   { name: 'otelcol_receiver_accepted_spans', kind: 'sum', monotonic: true, temporality: 2,
 *     startTimeUnixMs: 1000, timeUnixMs: 61_000, value: 42, attributes: { receiver: 'otlp', transport: 'grpc' } },
 * ] }]);
 * // → { components: [{ kind: 'receiver', componentId: 'otlp', signal: 'traces',
 * //      counters: { accepted: 42 }, startTimeUnixMs: 1000, timeUnixMs: 61_000 }],
 * //    host: undefined, serviceInstanceIds: ['abc'], ignored: { … 0 }, ignoredPointCount: 0 }
 */
export function translateSelfMetrics(resources: readonly ResourcePoints[]): Translation {
  const drafts = new Map<string, SampleDraft[]>();
  const hostSamples: HostSample[] = [];
  const serviceInstanceIds = new Set<string>();
  let unknownName = 0;
  let deltaTemporality = 0;
  let missingComponentId = 0;

  for (const resource of resources) {
    const instanceId = resource.resourceAttributes['service.instance.id'];
    if (instanceId) serviceInstanceIds.add(instanceId);
    const host = new HostMetricsAccumulator();

    for (const point of resource.points) {
      const metric = classifyMetricName(point.name);
      if (!metric) {
        unknownName += 1;
        continue;
      }
      if (point.kind === 'sum' && point.temporality === 1) {
        deltaTemporality += 1;
        continue;
      }
      if (metric.type === 'host') {
        host.add(metric.metric, point);
        continue;
      }
      const componentId = firstAttribute(point.attributes, metric.componentIdAttributes);
      if (componentId === '') {
        missingComponentId += 1;
        continue;
      }
      const signal = metric.signal || parseSignal(firstAttribute(point.attributes, metric.signalAttributes));
      const key = `${metric.kind}\u0000${componentId}\u0000${signal}`;
      let series = drafts.get(key);
      if (!series) {
        series = [];
        drafts.set(key, series);
      }
      let draft = series.find(
        (d) => Math.abs(d.firstTimeUnixMs - point.timeUnixMs) <= SAME_COLLECTION_TOLERANCE_MS,
      );
      if (!draft) {
        draft = {
          kind: metric.kind,
          componentId,
          signal,
          counters: {},
          legacyCounters: new Set(),
          firstTimeUnixMs: point.timeUnixMs,
          startTimeUnixMs: 0,
          timeUnixMs: point.timeUnixMs,
        };
        series.push(draft);
      }
      addToDraft(draft, metric, point);
    }

    const hostSample = host.finish();
    if (hostSample) hostSamples.push(hostSample);
  }

  const components: ComponentSample[] = [];
  for (const series of drafts.values()) {
    for (const d of series) {
      components.push({
        kind: d.kind,
        componentId: d.componentId,
        signal: d.signal,
        counters: d.counters,
        startTimeUnixMs: d.startTimeUnixMs,
        timeUnixMs: d.timeUnixMs,
      });
    }
  }
  components.sort(compareSamples);

  return {
    components,
    host: mergeHostSamples(hostSamples),
    serviceInstanceIds: [...serviceInstanceIds],
    ignored: { unknownName, deltaTemporality, missingComponentId },
    ignoredPointCount: unknownName + deltaTemporality + missingComponentId,
  };
}
