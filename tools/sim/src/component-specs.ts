import type { Attributes, MetricSpec } from './otlp-encode.ts';
import type { ShapeContext } from './payload-shape.ts';
import {
  counterName,
  queueCapacityBatches,
  signals,
  type ReportKind,
  type SimComponent,
} from './sim-pipeline.ts';

/** How one runtime names its component series (see `otelcol-shape.ts`, `alloy-shape.ts`). */
export interface ComponentNaming {
  /** The metric name of a counter stem (`receiver_accepted_spans`) or gauge stem (`exporter_queue_size`). */
  readonly metricName: (stem: string, kind: 'counter' | 'gauge') => string;
  /** The unit a counter or gauge carries (`{item}`, or `''` once Prometheus dropped it). */
  readonly unit: (kind: 'counter' | 'gauge') => string;
  /** The attributes naming the component. */
  readonly labels: (kind: ReportKind, component: SimComponent) => Attributes;
  /** Where the processor counters carry their signal (`otel.signal`, `otel_signal` once scraped). */
  readonly signalLabel: string;
  /** Integers go out as `as_int` (otelcol), floats as `as_double` (anything scraped). */
  readonly integer: boolean;
}

/**
 * The receiver, processor and exporter series of the pipeline's components, each only for the
 * signals it carries, as the collector's obsreport instruments emit them.
 */
export function componentSpecs(context: ShapeContext, naming: ComponentNaming): MetricSpec[] {
  const { slot, counter, pipeline } = context;
  const of = (kind: ReportKind) => pipeline.components.filter((c) => c.reports === kind);
  const receivers = of('receiver');
  const processors = of('processor');
  const exporters = of('exporter');
  const specs: MetricSpec[] = [];
  const push = (stem: string, kind: 'counter' | 'gauge', points: MetricSpec['points']) => {
    if (points.length > 0)
      specs.push({ name: naming.metricName(stem, kind), unit: naming.unit(kind), kind, points });
  };
  for (const { suffix, signal } of signals) {
    for (const kind of ['accepted', 'refused'] as const) {
      push(
        `receiver_${kind}_${suffix}`,
        'counter',
        receivers
          .filter((r) => r.signals.includes(signal))
          .flatMap((r) =>
            r.transports.map((t) =>
              slot(
                { ...naming.labels('receiver', r), transport: t.name },
                counter(r.id, counterName[kind](suffix, t.name)),
                naming.integer,
              ),
            ),
          ),
      );
    }
    const carrying = exporters.filter((e) => e.signals.includes(signal));
    for (const [stem, name] of [
      ['sent', counterName.sent],
      ['send_failed', counterName.sendFailed],
      ['enqueue_failed', counterName.enqueueFailed],
    ] as const) {
      push(
        `exporter_${stem}_${suffix}`,
        'counter',
        carrying.map((e) => slot(naming.labels('exporter', e), counter(e.id, name(suffix)), naming.integer)),
      );
    }
  }
  for (const kind of ['incoming', 'outgoing'] as const) {
    push(
      `processor_${kind}_items`,
      'counter',
      processors.flatMap((p) =>
        p.signals.map((signal) =>
          slot(
            { ...naming.labels('processor', p), [naming.signalLabel]: signal },
            counter(p.id, counterName[kind](signal)),
            naming.integer,
          ),
        ),
      ),
    );
  }
  // Queue gauges carry the signal as `data_type` (≥ v0.110).
  const perExporterSignal = (read: (exporter: SimComponent) => () => number) =>
    exporters.flatMap((e) =>
      e.signals.map((signal) =>
        slot({ ...naming.labels('exporter', e), data_type: signal }, read(e), naming.integer),
      ),
    );
  push(
    'exporter_queue_size',
    'gauge',
    perExporterSignal((e) => context.queueSizeBatches(e.id)),
  );
  push(
    'exporter_queue_capacity',
    'gauge',
    perExporterSignal(() => () => queueCapacityBatches),
  );
  return specs;
}
