import type { z } from 'zod';
import type { AlloyComponent, AlloyNode } from '../alloy-writer.ts';
import type { Signal } from '../signals.ts';
import type { Version } from '../version.ts';

/**
 * The shape of one catalogue entry: a source, processor or destination type, named after its
 * OTel component type, with what it carries, how it is configured (a zod schema with defaults,
 * which the web UI turns into a form), which config fields are secrets, and how each runtime
 * renders it. A runtime whose entry is absent cannot run the type; a route using it there is
 * refused. Which collector *versions* can run it follows from the upstream components the
 * fragment names (known-components.ts), so version bounds are data, not code.
 */

export type ObjectKind = 'source' | 'processor' | 'destination';
export type Runtime = 'otelcol' | 'alloy';

/** What a fragment renderer knows about where it renders. */
export interface FragmentContext {
  /** The component label from component-ids.ts (`src_<t>`, `rt_<t>_2`, `dst_<t>`). */
  readonly label: string;
  /** The collector's version (the current release when it reported none). */
  readonly version: Version;
  /** The signals this component is wired for on this collector (union over its routes). */
  readonly signals: readonly Signal[];
}

/** A renderer's answer when the type cannot be rendered for this collector. */
export interface Refused {
  readonly refused: string;
}

export const refuse = (message: string): Refused => ({ refused: message });
export const isRefused = (value: unknown): value is Refused =>
  typeof value === 'object' && value !== null && 'refused' in value;

/** One OTel component: its type and its config (plain JSON values). */
export interface OtelComponent {
  readonly type: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export interface OtelRendering<C> {
  render(config: C, context: FragmentContext): OtelComponent | Refused;
}

export interface AlloySourceContext extends FragmentContext {
  /** The `output { … }` block the renderer places in the component that emits OTLP data. */
  readonly output: AlloyNode;
}
export interface AlloySourceRendering<C> {
  render(config: C, context: AlloySourceContext): readonly AlloyComponent[] | Refused;
}
export interface AlloyProcessorRendering<C> {
  render(config: C, context: AlloySourceContext): AlloyComponent | Refused;
}
export interface AlloyDestination {
  readonly components: readonly AlloyComponent[];
  /** The `otelcol.Consumer` expression upstream components send to. */
  readonly input: string;
}
export interface AlloyDestinationRendering<C> {
  render(config: C, context: FragmentContext): AlloyDestination | Refused;
}

interface EntryBase<K extends ObjectKind, C> {
  readonly kind: K;
  /** The OTel component type name (`otlp`, `memory_limiter`, `prometheusremotewrite` …). */
  readonly type: string;
  readonly title: string;
  /** Signals it can carry; a route carries only what its source, steps and destinations share. */
  readonly signals: readonly Signal[];
  /** Validates and fills defaults; errors carry the field path. */
  readonly configSchema: z.ZodType<C>;
  /**
   * Dotted paths of secret fields in the config (`*` matches every key of a map), so the server
   * encrypts them at rest and the API masks them.
   */
  readonly secretFields: readonly string[];
}

export interface SourceEntry<C = never> extends EntryBase<'source', C> {
  readonly otelcol?: OtelRendering<C>;
  readonly alloy?: AlloySourceRendering<C>;
}
export interface ProcessorEntry<C = never> extends EntryBase<'processor', C> {
  readonly otelcol?: OtelRendering<C>;
  readonly alloy?: AlloyProcessorRendering<C>;
}
export interface DestinationEntry<C = never> extends EntryBase<'destination', C> {
  readonly otelcol?: OtelRendering<C>;
  readonly alloy?: AlloyDestinationRendering<C>;
}
