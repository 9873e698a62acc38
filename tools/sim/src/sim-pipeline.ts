import {
  alloyConfigGraph,
  otelConfigGraph,
  type ConfigGraph,
  type Signal,
} from '@linkmesh/pipelines/config-graph';
import { internalPrefix } from '@linkmesh/pipelines/component-ids';
import { hostReceiverId, selfExporterId } from '@linkmesh/pipelines/otel-host';

/**
 * The pipeline a simulated collector runs, derived from the config it was delivered (issue #12
 * item 7): OTel YAML for otelcol, Alloy syntax for Alloy, read with the same parser the
 * server's topology uses (`@linkmesh/pipelines/config-graph`). The traffic model
 * (`SimCollector`) flows records along its edges; the payload shapes name each component
 * exactly as the runtime's self-telemetry does, so the numbers land on the canvas nodes.
 * LinkMesh's own components are not in the graph; they are added as `internal` components.
 */

export type { Signal };
export type Flavor = 'otelcol' | 'alloy';
/** Which family of self-telemetry counters a component reports. */
export type ReportKind = 'receiver' | 'processor' | 'exporter';

export const signals = [
  { suffix: 'spans', signal: 'traces' },
  { suffix: 'metric_points', signal: 'metrics' },
  { suffix: 'log_records', signal: 'logs' },
] as const satisfies ReadonlyArray<{ suffix: string; signal: Signal }>;
export type SignalSuffix = (typeof signals)[number]['suffix'];

export const queueCapacityBatches = 1000;

/** Names of the cumulative counters the model keeps per component (one per series it emits). */
export const counterName = {
  accepted: (suffix: SignalSuffix, transport: string) => `accepted_${suffix}@${transport}`,
  refused: (suffix: SignalSuffix, transport: string) => `refused_${suffix}@${transport}`,
  incoming: (signal: string) => `incoming_${signal}`,
  outgoing: (signal: string) => `outgoing_${signal}`,
  sent: (suffix: SignalSuffix) => `sent_${suffix}`,
  sendFailed: (suffix: SignalSuffix) => `send_failed_${suffix}`,
  enqueueFailed: (suffix: SignalSuffix) => `enqueue_failed_${suffix}`,
};

export interface SimTransport {
  /** otelcol's `transport` attribute (`grpc`, `http`, `tcp`, or `''` for file-like receivers). */
  readonly name: string;
  /** Share of the receiver's items that arrive over it (the shares of one receiver sum to 1). */
  readonly share: number;
}

export interface SimComponent {
  /** As self-telemetry names it: the otelcol id (`otlp/src_<t>`) or the Alloy `component_id`. */
  readonly id: string;
  /**
   * The counters it reports, or undefined for a component that reports none LinkMesh reads
   * (Alloy's `loki.*` / `prometheus.*` components: they pass records on but have their own metrics).
   */
  readonly reports: ReportKind | undefined;
  /** The upstream component type (`otlp`, `batch`, `otlphttp`), also for Alloy ids. */
  readonly otelType: string;
  readonly signals: readonly Signal[];
  /** Receivers: the transports items arrive over. */
  readonly transports: readonly SimTransport[];
  /** Processors: the average share of incoming items the step drops (filter, sampler …). */
  readonly dropShare: number;
  /** Items per second a component with no upstream produces, relative to the base rate. */
  readonly sourceWeight: number;
  /** LinkMesh's own (self-telemetry / host pipeline): never drawn, never the outage exporter. */
  readonly internal: boolean;
}

export interface SimEdge {
  readonly from: string;
  readonly to: string;
  readonly signal: Signal;
}

export interface SimPipeline {
  readonly flavor: Flavor;
  /**
   * Alloy's `component_path` of the components: `/remotecfg` for a config served over
   * remotecfg (its controller runs it), `/` for a local file.
   */
  readonly componentPath: string;
  readonly components: readonly SimComponent[];
  readonly edges: readonly SimEdge[];
  /** Per signal, the components that carry it in flow order (upstream before downstream). */
  readonly order: ReadonlyMap<Signal, readonly SimComponent[]>;
  /** The exporter that goes through outages on a collector that has them, if there is one. */
  readonly outageExporter: string | undefined;
  /** Receivers upstream of `outageExporter`: the back-pressure of an outage reaches them. */
  readonly backpressured: ReadonlySet<string>;
}

/** Average share dropped per processor type; types not listed pass everything on. */
const dropShares: Readonly<Record<string, number>> = {
  filter: 0.15,
  probabilistic_sampler: 0.75,
  tail_sampling: 0.8,
  memory_limiter: 0.001,
};

/** What a source of this type produces relative to the base rate (OTLP is the busy one). */
const sourceWeights: Readonly<Record<string, number>> = {
  otlp: 1,
  filelog: 0.4,
  syslog: 0.15,
  journald: 0.2,
  kafka: 0.6,
  hostmetrics: 0.05,
  prometheus: 0.3,
};

const transportsOf: Readonly<Record<string, readonly SimTransport[]>> = {
  otlp: [
    { name: 'grpc', share: 0.6 },
    { name: 'http', share: 0.4 },
  ],
  syslog: [{ name: 'tcp', share: 1 }],
  kafka: [{ name: 'kafka', share: 1 }],
};
const noTransport: readonly SimTransport[] = [{ name: '', share: 1 }];

/** `otelcol.receiver.otlp.src_x` → receiver `otlp`; anything not `otelcol.<kind>.*` reports nothing. */
function alloyReport(id: string): { reports: ReportKind | undefined; otelType: string } {
  const [family, kind, type] = id.split('.');
  if (
    family === 'otelcol' &&
    type !== undefined &&
    (kind === 'receiver' || kind === 'processor' || kind === 'exporter')
  )
    return { reports: kind, otelType: type };
  return { reports: undefined, otelType: id.split('.').slice(0, -1).join('.') };
}

/**
 * LinkMesh's own pipeline, in every config it delivers but left out of the graph: the host
 * source into the self-telemetry exporter (otelcol), Alloy's self-metrics scrape into the
 * OTLP exporter. A real collector reports these components too.
 */
function internalPipeline(flavor: Flavor): { components: SimComponent[]; edges: SimEdge[] } {
  const [receiver, exporter] =
    flavor === 'alloy'
      ? [
          { id: `otelcol.receiver.prometheus.${internalPrefix}`, otelType: 'prometheus' },
          { id: `otelcol.exporter.otlphttp.${internalPrefix}`, otelType: 'otlphttp' },
        ]
      : [
          { id: hostReceiverId, otelType: 'hostmetrics' },
          { id: selfExporterId, otelType: 'otlphttp' },
        ];
  // About what a self scrape of ~1,500 series every 15 s forwards at the default base rate.
  const common = { signals: ['metrics'] as const, dropShare: 0, sourceWeight: 0.5, internal: true };
  return {
    components: [
      {
        ...receiver,
        ...common,
        reports: 'receiver',
        transports: flavor === 'alloy' ? [{ name: 'http', share: 1 }] : noTransport,
      },
      { ...exporter, ...common, reports: 'exporter', transports: noTransport },
    ],
    edges: [{ from: receiver.id, to: exporter.id, signal: 'metrics' }],
  };
}

const graphKindReports = { source: 'receiver', processor: 'processor', destination: 'exporter' } as const;

/**
 * The simulated pipeline of a config graph. otelcol components report by their place in the
 * pipelines; Alloy ones by their name (`otelcol.receiver.*` …), as Alloy's registry does — a
 * `prometheus.scrape` feeding an `otelcol.receiver.prometheus` reports nothing itself.
 *
 * @example
 * simPipelineFromGraph(otelConfigGraph(yaml), 'otelcol').components.map((c) => c.id);
 * // → ['batch/rt_<t>_1', 'otlp/src_<t>', 'otlphttp/dst_<t>', 'hostmetrics/linkmesh', 'otlphttp/linkmesh']
 */
export function simPipelineFromGraph(
  graph: ConfigGraph,
  flavor: Flavor,
  componentPath = '/remotecfg',
): SimPipeline {
  const internal = internalPipeline(flavor);
  const drawn = graph.nodes.map((node): SimComponent => {
    const { reports, otelType } =
      flavor === 'alloy'
        ? alloyReport(node.componentId)
        : { reports: graphKindReports[node.kind], otelType: node.type };
    return {
      id: node.componentId,
      reports,
      otelType,
      signals: node.signals,
      transports: reports === 'receiver' ? (transportsOf[otelType] ?? noTransport) : noTransport,
      dropShare: reports === 'processor' ? (dropShares[otelType] ?? 0) : 0,
      sourceWeight: sourceWeights[otelType] ?? 0.5,
      internal: false,
    };
  });
  const components = [...drawn, ...internal.components];
  const edges = [...graph.edges.map(({ from, to, signal }) => ({ from, to, signal })), ...internal.edges];
  const order = new Map<Signal, SimComponent[]>();
  for (const { signal } of signals) order.set(signal, flowOrder(components, edges, signal));
  const outageExporter = pickOutageExporter(components);
  return {
    flavor,
    componentPath,
    components,
    edges,
    order,
    outageExporter,
    backpressured:
      outageExporter === undefined ? new Set() : receiversUpstreamOf(outageExporter, components, edges),
  };
}

/**
 * The pipeline of delivered config text, or undefined when it does not parse — the collector
 * then keeps the pipeline it runs. A config that parses to nothing LinkMesh draws (the baseline,
 * Alloy's served self-telemetry pipeline) gives an empty pipeline: only LinkMesh's own
 * components report.
 */
export function simPipelineFromConfig(
  text: string,
  flavor: Flavor,
  componentPath = '/remotecfg',
): SimPipeline | undefined {
  try {
    const graph = flavor === 'alloy' ? alloyConfigGraph(text) : otelConfigGraph(text);
    return simPipelineFromGraph(graph, flavor, componentPath);
  } catch {
    return undefined;
  }
}

/** Upstream before downstream (Kahn); a component inside a cycle comes after the rest. */
function flowOrder(
  components: readonly SimComponent[],
  edges: readonly SimEdge[],
  signal: Signal,
): SimComponent[] {
  const carrying = components.filter((c) => c.signals.includes(signal));
  const inDegree = new Map(carrying.map((c) => [c.id, 0]));
  const mine = edges.filter((e) => e.signal === signal && inDegree.has(e.from) && inDegree.has(e.to));
  for (const e of mine) inDegree.set(e.to, (inDegree.get(e.to) ?? 0) + 1);
  const ready = carrying.filter((c) => inDegree.get(c.id) === 0);
  const byId = new Map(carrying.map((c) => [c.id, c]));
  const ordered: SimComponent[] = [];
  for (let next = ready.shift(); next; next = ready.shift()) {
    ordered.push(next);
    for (const e of mine) {
      if (e.from !== next.id) continue;
      const left = (inDegree.get(e.to) ?? 0) - 1;
      inDegree.set(e.to, left);
      const to = byId.get(e.to);
      if (left === 0 && to) ready.push(to);
    }
  }
  return [...ordered, ...carrying.filter((c) => !ordered.includes(c))];
}

/** A network exporter rather than `debug`: OTLP first, as a real backend outage would hit. */
function pickOutageExporter(components: readonly SimComponent[]): string | undefined {
  const exporters = components.filter((c) => c.reports === 'exporter' && !c.internal);
  const rank = (c: SimComponent) => (c.otelType.startsWith('otlp') ? 0 : c.otelType === 'debug' ? 2 : 1);
  return [...exporters].sort((a, b) => rank(a) - rank(b))[0]?.id;
}

function receiversUpstreamOf(
  target: string,
  components: readonly SimComponent[],
  edges: readonly SimEdge[],
): Set<string> {
  const seen = new Set([target]);
  for (let frontier = [target]; frontier.length > 0;) {
    const next: string[] = [];
    for (const e of edges) {
      if (frontier.includes(e.to) && !seen.has(e.from)) {
        seen.add(e.from);
        next.push(e.from);
      }
    }
    frontier = next;
  }
  return new Set(components.filter((c) => c.reports === 'receiver' && seen.has(c.id)).map((c) => c.id));
}

/**
 * What a collector runs before any parseable config reached it (and what `--mode otlp`
 * collectors, which are never delivered one, run): a typical hand-written pipeline — OTLP over
 * gRPC and HTTP, a file tail and syslog, memory_limiter → batch → attributes, and three
 * exporters of which `otlphttp/backend` goes through outages.
 */
const defaultOtelConfig = `
receivers:
  otlp: {protocols: {grpc: {}, http: {}}}
  filelog/app: {include: [/var/log/app/*.log]}
  syslog: {tcp: {listen_address: 0.0.0.0:54526}, protocol: rfc5424}
processors:
  memory_limiter: {check_interval: 1s, limit_percentage: 80}
  batch: {}
  attributes/env: {actions: [{key: env, value: prod, action: upsert}]}
exporters:
  otlphttp/backend: {endpoint: https://backend.example:4318}
  kafka/archive: {brokers: [kafka:9092]}
  debug: {}
service:
  pipelines:
    traces: {receivers: [otlp], processors: [memory_limiter, batch, attributes/env], exporters: [otlphttp/backend, kafka/archive, debug]}
    metrics: {receivers: [otlp], processors: [memory_limiter, batch, attributes/env], exporters: [otlphttp/backend, kafka/archive, debug]}
    logs: {receivers: [otlp, filelog/app, syslog], processors: [memory_limiter, batch, attributes/env], exporters: [otlphttp/backend, kafka/archive, debug]}
`;

/** The same pipeline in Alloy syntax (`otelcol.receiver.otlp.default` …). */
const defaultAlloyConfig = `
otelcol.receiver.otlp "default" {
  grpc {}
  http {}
  output {
    traces  = [otelcol.processor.memory_limiter.default.input]
    metrics = [otelcol.processor.memory_limiter.default.input]
    logs    = [otelcol.processor.memory_limiter.default.input]
  }
}
otelcol.receiver.filelog "app" {
  include = ["/var/log/app/*.log"]
  output {
    logs = [otelcol.processor.memory_limiter.default.input]
  }
}
otelcol.receiver.syslog "default" {
  tcp {
    listen_address = "0.0.0.0:54526"
  }
  output {
    logs = [otelcol.processor.memory_limiter.default.input]
  }
}
otelcol.processor.memory_limiter "default" {
  check_interval   = "1s"
  limit_percentage = 80
  output {
    traces  = [otelcol.processor.batch.default.input]
    metrics = [otelcol.processor.batch.default.input]
    logs    = [otelcol.processor.batch.default.input]
  }
}
otelcol.processor.batch "default" {
  output {
    traces  = [otelcol.processor.attributes.env.input]
    metrics = [otelcol.processor.attributes.env.input]
    logs    = [otelcol.processor.attributes.env.input]
  }
}
otelcol.processor.attributes "env" {
  action {
    key    = "env"
    value  = "prod"
    action = "upsert"
  }
  output {
    traces  = [otelcol.exporter.otlphttp.backend.input, otelcol.exporter.kafka.archive.input, otelcol.exporter.debug.default.input]
    metrics = [otelcol.exporter.otlphttp.backend.input, otelcol.exporter.kafka.archive.input, otelcol.exporter.debug.default.input]
    logs    = [otelcol.exporter.otlphttp.backend.input, otelcol.exporter.kafka.archive.input, otelcol.exporter.debug.default.input]
  }
}
otelcol.exporter.otlphttp "backend" {
  client {
    endpoint = "https://backend.example:4318"
  }
}
otelcol.exporter.kafka "archive" {
  brokers = ["kafka:9092"]
}
otelcol.exporter.debug "default" {}
`;

const defaults = new Map<Flavor, SimPipeline>();

/**
 * The pipeline a collector of `flavor` runs until a parseable config is delivered. Parsed once
 * per flavor and shared (pipelines are never mutated): a bench fleet has tens of thousands.
 */
export function defaultPipeline(flavor: Flavor): SimPipeline {
  const known = defaults.get(flavor);
  if (known) return known;
  const pipeline = simPipelineFromConfig(
    flavor === 'alloy' ? defaultAlloyConfig : defaultOtelConfig,
    flavor,
    '/',
  );
  if (pipeline === undefined) throw new Error(`the default ${flavor} pipeline does not parse`);
  defaults.set(flavor, pipeline);
  return pipeline;
}
