/**
 * Recognises the names of collector self-metrics and says what each one measures.
 *
 * One metric can arrive under many names (protocols.md §3.4, §4.3, §4.4):
 *
 * | Era / path                                   | Example                                          |
 * | -------------------------------------------- | ------------------------------------------------ |
 * | ≤ v0.91 OpenCensus                           | `receiver/accepted_spans`                        |
 * | v0.92–v0.105 OTLP push (no prefix)           | `receiver_accepted_spans`                        |
 * | ≥ v0.106 OTLP push                           | `otelcol_receiver_accepted_spans`                |
 * | Alloy / Prometheus / OpenMetrics             | `otelcol_receiver_accepted_spans_total`          |
 * | scraped with unit suffixes                   | `otelcol_process_uptime_seconds_total`           |
 * | the self-telemetry page's own wording        | `otelcol_receiver_accepted_logs`                 |
 * | host metrics over OTLP (names keep dots)     | `system.cpu.utilization`                         |
 * | node_exporter (Alloy's host source)          | `node_cpu_seconds_total`, `node_memory_MemTotal_bytes` |
 *
 * `self-metric-names.forms.ts` keeps these forms as data, with where each comes from; its test
 * checks every example. Normalisation, in this order: `/` and `.` become `_`, one trailing
 * `_total` is removed, one leading `otelcol_` is removed; the remaining stem is looked up in two
 * static tables, and a host stem once more without one Prometheus unit suffix.
 *
 * Explicitly ignored: the pipeline-telemetry family with dotted `otelcol.` names
 * (`otelcol.receiver.produced.items` …, gate `telemetry.newPipelineTelemetry`). Those points name
 * their component only through *instrumentation-scope* attributes (`otelcol.component.id`), which
 * the decoder does not keep on a `MetricPoint`, so they could never be attributed to a component;
 * the classic counters are still emitted alongside them and carry the same information.
 */

export type ComponentKind = 'receiver' | 'processor' | 'exporter';

/** Telemetry signal of a component series; `''` when the collector did not say (old queue metrics). */
export type Signal = 'traces' | 'metrics' | 'logs' | 'profiles' | '';

/**
 * Counter names as LinkMesh stores them. All are cumulative except the two queue gauges.
 *
 * Mapping of the processor counters removed in v0.111 (`processor_accepted_*`, `_refused_*`,
 * `_dropped_*`): upstream documents `accepted` as "successfully pushed into the next component in
 * the pipeline", which is what `outgoing_items` counts today, so it maps to `outgoing` (not to
 * `incoming`); `refused` ("rejected by the next component") maps to `refused`; `dropped` to
 * `dropped`. The processor's incoming rate for those collectors is derived at read time as
 * outgoing + refused + dropped (see `counter-rates.ts`).
 */
export type CounterName =
  | 'accepted'
  | 'refused'
  | 'failed'
  | 'incoming'
  | 'outgoing'
  | 'dropped'
  | 'sent'
  | 'sendFailed'
  | 'enqueueFailed'
  | 'queueSize'
  | 'queueCapacity';

/** Counters that are gauges: they go up and down freely, so a decrease is not a restart. */
export const GAUGE_COUNTERS: ReadonlySet<CounterName> = new Set<CounterName>(['queueSize', 'queueCapacity']);

/** What a host/process metric measures, with its unit in the name. */
export type HostMetricName =
  | 'systemCpuUtilizationRatio'
  | 'systemMemoryUtilizationRatio'
  | 'processCpuUtilizationRatio'
  | 'processMemoryBytes'
  | 'processUptimeSeconds'
  | 'processCpuSecondsTotal'
  | 'processStartTimeUnixSeconds'
  /** node_exporter's per-CPU, per-mode cumulative seconds (Alloy's `prometheus.exporter.unix`). */
  | 'hostCpuSecondsTotal'
  | 'hostMemoryTotalBytes'
  | 'hostMemoryAvailableBytes';

/** A per-component throughput metric. */
export interface ComponentMetricClass {
  readonly type: 'component';
  readonly kind: ComponentKind;
  readonly counter: CounterName;
  /** Signal implied by the name suffix; `''` when it must be read from `signalAttributes`. */
  readonly signal: Signal;
  /** Data-point attributes that carry the signal, first non-empty wins (empty when `signal` is set). */
  readonly signalAttributes: readonly string[];
  /** Data-point attributes that carry the component id, first non-empty wins (Alloy's `component_id` first). */
  readonly componentIdAttributes: readonly string[];
  /**
   * True for the processor counters removed in v0.111. v0.110 emits them *and* their successors,
   * so a current counter for the same sample replaces a legacy one instead of being added to it.
   */
  readonly legacy: boolean;
}

/** A host or collector-process metric that lands on the Collector record. */
export interface HostMetricClass {
  readonly type: 'host';
  readonly metric: HostMetricName;
}

export type MetricClass = ComponentMetricClass | HostMetricClass;

const SIGNAL_SUFFIXES: readonly (readonly [suffix: string, signal: Exclude<Signal, ''>])[] = [
  ['spans', 'traces'],
  ['metric_points', 'metrics'],
  ['log_records', 'logs'],
  // The product's own self-telemetry page names `otelcol_receiver_accepted_logs` and
  // `otelcol_exporter_sent_logs`: the same counters, accepted as written there.
  ['logs', 'logs'],
  ['profile_samples', 'profiles'],
];

const KNOWN_SIGNALS: ReadonlySet<string> = new Set(SIGNAL_SUFFIXES.map(([, signal]) => signal));

function isSignal(value: string): value is Signal {
  return KNOWN_SIGNALS.has(value);
}

/** `otel.signal` over OTLP; Prometheus label rules turn it into `otel_signal` (Alloy). */
const PROCESSOR_SIGNAL_ATTRIBUTES = ['otel.signal', 'otel_signal'] as const;
/** Queue gauges carry `data_type` since about v0.110; older ones have no signal at all. */
const QUEUE_SIGNAL_ATTRIBUTES = ['data_type'] as const;

const COMPONENT_ID_ATTRIBUTES: Readonly<Record<ComponentKind, readonly string[]>> = {
  receiver: ['component_id', 'receiver'],
  processor: ['component_id', 'processor'],
  exporter: ['component_id', 'exporter'],
};

function buildComponentStems(): ReadonlyMap<string, ComponentMetricClass> {
  const stems = new Map<string, ComponentMetricClass>();
  const perSignal = (kind: ComponentKind, action: string, counter: CounterName, legacy = false): void => {
    for (const [suffix, signal] of SIGNAL_SUFFIXES) {
      stems.set(
        `${kind}_${action}_${suffix}`,
        Object.freeze({
          type: 'component',
          kind,
          counter,
          signal,
          signalAttributes: [],
          componentIdAttributes: COMPONENT_ID_ATTRIBUTES[kind],
          legacy,
        }),
      );
    }
  };
  const fromAttribute = (
    kind: ComponentKind,
    stem: string,
    counter: CounterName,
    signalAttributes: readonly string[],
  ): void => {
    stems.set(
      `${kind}_${stem}`,
      Object.freeze({
        type: 'component',
        kind,
        counter,
        signal: '',
        signalAttributes,
        componentIdAttributes: COMPONENT_ID_ATTRIBUTES[kind],
        legacy: false,
      }),
    );
  };

  perSignal('receiver', 'accepted', 'accepted');
  perSignal('receiver', 'refused', 'refused');
  perSignal('receiver', 'failed', 'failed');
  perSignal('exporter', 'sent', 'sent');
  perSignal('exporter', 'send_failed', 'sendFailed');
  perSignal('exporter', 'enqueue_failed', 'enqueueFailed');
  perSignal('processor', 'accepted', 'outgoing', true);
  perSignal('processor', 'refused', 'refused', true);
  perSignal('processor', 'dropped', 'dropped', true);
  fromAttribute('processor', 'incoming_items', 'incoming', PROCESSOR_SIGNAL_ATTRIBUTES);
  fromAttribute('processor', 'outgoing_items', 'outgoing', PROCESSOR_SIGNAL_ATTRIBUTES);
  fromAttribute('exporter', 'queue_size', 'queueSize', QUEUE_SIGNAL_ATTRIBUTES);
  fromAttribute('exporter', 'queue_capacity', 'queueCapacity', QUEUE_SIGNAL_ATTRIBUTES);
  return stems;
}

const COMPONENT_STEMS = buildComponentStems();

function host(metric: HostMetricName): HostMetricClass {
  return Object.freeze({ type: 'host', metric });
}

/**
 * Host stems after normalisation. Several sources say the same thing, so they share a target:
 * semantic-convention names from a host-metrics receiver (`process.uptime`), the collector's own
 * `otelcol_process_*` (with or without prefix), Alloy's `alloy_resources_process_*` and the Go
 * Prometheus client's standard `process_*` series, which Alloy's `prometheus.exporter.self` also
 * serves. `alloy_resources_machine_*` (network bytes) has no LinkMesh field and is ignored.
 */
const HOST_STEMS: ReadonlyMap<string, HostMetricClass> = new Map([
  ['system_cpu_utilization', host('systemCpuUtilizationRatio')],
  ['system_memory_utilization', host('systemMemoryUtilizationRatio')],
  ['process_cpu_utilization', host('processCpuUtilizationRatio')],
  ['process_memory_usage', host('processMemoryBytes')],
  ['process_memory_rss', host('processMemoryBytes')],
  ['process_resident_memory_bytes', host('processMemoryBytes')],
  ['alloy_resources_process_resident_memory_bytes', host('processMemoryBytes')],
  ['process_uptime', host('processUptimeSeconds')],
  ['process_cpu_seconds', host('processCpuSecondsTotal')],
  ['alloy_resources_process_cpu_seconds', host('processCpuSecondsTotal')],
  ['process_start_time_seconds', host('processStartTimeUnixSeconds')],
  ['alloy_resources_process_start_time_seconds', host('processStartTimeUnixSeconds')],
  // node_exporter (Alloy's host source, `prometheus.exporter.unix`): counters and byte gauges,
  // turned into the same hostCpuPercent / hostMemoryPercent (host-metrics.ts).
  ['node_cpu_seconds', host('hostCpuSecondsTotal')],
  ['node_memory_MemTotal_bytes', host('hostMemoryTotalBytes')],
  ['node_memory_MemAvailable_bytes', host('hostMemoryAvailableBytes')],
]);

/** Prefix of the pipeline-telemetry family, which is ignored (see the file comment). */
const PIPELINE_TELEMETRY_PREFIX = 'otelcol.';

/**
 * Unit suffixes a Prometheus exposition appends (`s` → `_seconds`, `By` → `_bytes`, `1` →
 * `_ratio`). Only host and process metrics carry such units; component counters have curly
 * units (`{span}`), which Prometheus drops.
 */
const PROMETHEUS_UNIT_SUFFIXES = ['_seconds', '_bytes', '_ratio'] as const;

function classifyUncached(name: string): MetricClass | undefined {
  if (name.startsWith(PIPELINE_TELEMETRY_PREFIX)) return undefined;
  let stem = name.replaceAll('/', '_').replaceAll('.', '_');
  if (stem.endsWith('_total')) stem = stem.slice(0, -'_total'.length);
  if (stem.startsWith('otelcol_')) stem = stem.slice('otelcol_'.length);
  const direct = COMPONENT_STEMS.get(stem) ?? HOST_STEMS.get(stem);
  if (direct !== undefined) return direct;
  // `otelcol_process_uptime_seconds_total`, `otelcol_process_memory_rss_bytes`, …: the scraped form.
  const unit = PROMETHEUS_UNIT_SUFFIXES.find((suffix) => stem.endsWith(suffix));
  return unit === undefined ? undefined : HOST_STEMS.get(stem.slice(0, -unit.length));
}

/**
 * Upper bound on memoised names. Real collectors emit a few hundred distinct names at most; the
 * bound only stops a sender that invents names from growing the cache without limit.
 */
const MAX_CACHED_NAMES = 2048;
/** The longest wanted name has 53 characters (`otelcol_exporter_enqueue_failed_profile_samples_total`). */
const MAX_METRIC_NAME_LENGTH = 128;
/** `null` memoises "not wanted" so unknown names are rejected by one map lookup next time. */
const classificationCache = new Map<string, MetricClass | null>();

/**
 * Says what a self-metric name measures, or `undefined` when LinkMesh does not use it.
 * Memoised (bounded, oldest entry evicted first) because it runs for every data point.
 *
 * @example
 * classifyMetricName('otelcol_exporter_send_failed_log_records_total');
 * // → { type: 'component', kind: 'exporter', counter: 'sendFailed', signal: 'logs', … }
 * classifyMetricName('system.cpu.utilization'); // → { type: 'host', metric: 'systemCpuUtilizationRatio' }
 * classifyMetricName('otelcol_http_server_duration'); // → undefined
 */
export function classifyMetricName(name: string): MetricClass | undefined {
  // Every wanted name is far shorter; refusing long ones first keeps the cache's memory bounded too.
  if (name.length > MAX_METRIC_NAME_LENGTH) return undefined;
  const cached = classificationCache.get(name);
  if (cached !== undefined) return cached ?? undefined;
  const result = classifyUncached(name);
  if (classificationCache.size >= MAX_CACHED_NAMES) {
    const oldest = classificationCache.keys().next();
    if (!oldest.done) classificationCache.delete(oldest.value);
  }
  classificationCache.set(name, result ?? null);
  return result;
}

/**
 * True when the translator uses metrics of this name; lets the OTLP decoder skip the rest early.
 *
 * @example
 * wantsMetric('receiver/accepted_spans'); // → true
 * wantsMetric('rpc_server_duration'); // → false
 */
export function wantsMetric(name: string): boolean {
  return classifyMetricName(name) !== undefined;
}

/**
 * Reads a signal from an attribute value, accepting only the four known signals.
 *
 * @example
 * parseSignal('logs'); // → 'logs'
 * parseSignal('LOGS'); // → ''
 */
export function parseSignal(value: string | undefined): Signal {
  return value !== undefined && isSignal(value) ? value : '';
}

/**
 * First non-empty value among `keys` in `attributes`, or `''`.
 *
 * @example
 * firstAttribute({ component_id: 'otelcol.receiver.otlp.default', receiver: 'otlp/x' }, ['component_id', 'receiver']);
 * // → 'otelcol.receiver.otlp.default'
 */
export function firstAttribute(
  attributes: Readonly<Record<string, string>>,
  keys: readonly string[],
): string {
  for (const key of keys) {
    const value = attributes[key];
    if (value !== undefined && value !== '') return value;
  }
  return '';
}
