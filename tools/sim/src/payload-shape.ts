import type { Attributes, NumberPoint } from './otlp-encode.ts';
import type { TemplateSlots } from './payload-template.ts';
import type { SimPipeline } from './sim-pipeline.ts';

/**
 * What a payload shape reads from the traffic model. A shape encodes the request once (with
 * sentinel values, see PayloadTemplate); every `slot` records a reader called at each push.
 */
export interface ShapeContext {
  /** The pipeline whose components the payload describes. */
  readonly pipeline: SimPipeline;
  /** A data point whose value is read at every push (`integer` ⇒ `as_int`, else `as_double`). */
  readonly slot: (attributes: Attributes, read: () => number, integer?: boolean) => NumberPoint;
  /** Reader of one cumulative counter of a component (names: `counterName` in sim-collector.ts). */
  readonly counter: (componentId: string, name: string) => () => number;
  /** Reader of an exporter's sending-queue size. */
  readonly queueSizeBatches: (exporterId: string) => () => number;
  readonly cpuSeconds: () => number;
  readonly uptimeSeconds: () => number;
  readonly processStartUnixSeconds: () => number;
  readonly residentMemoryBytes: () => number;
  readonly instanceId: string;
  readonly hostName: string;
}

/**
 * Encodes one collector's self-telemetry request with `slots`' sentinels in place of values and
 * times. otelcol and Alloy describe the same pipeline differently (names, attributes, resource,
 * start times); each is one such function.
 */
export type PayloadShape = (context: ShapeContext, slots: TemplateSlots) => Buffer;
