/**
 * The one component-ID scheme (docs/component-ids.md): every receiver, processor and exporter
 * LinkMesh renders is named after the LinkMesh object it comes from, so that each `receiver` /
 * `processor` / `exporter` attribute of otelcol self-telemetry and each Alloy `component_id` maps
 * back to exactly one object. Both directions live here; the renderers and the topology import them.
 *
 * Labels (the part after `type/` in OTel, the block label in Alloy), `<t>` = {@link objectToken}:
 *
 * | Object                      | Label         | OTel example               | Alloy example                              |
 * | --------------------------- | ------------- | -------------------------- | ------------------------------------------ |
 * | source                      | `src_<t>`     | `otlp/src_<t>`             | `otelcol.receiver.otlp.src_<t>`            |
 * | destination                 | `dst_<t>`     | `otlphttp/dst_<t>`         | `otelcol.exporter.otlphttp.dst_<t>`        |
 * | route step n (1-based)      | `rt_<t>_<n>`  | `batch/rt_<t>_1`           | `otelcol.processor.batch.rt_<t>_1`         |
 * | route output filter         | `rt_<t>_out`  | `filter/rt_<t>_out`        | `otelcol.processor.filter.rt_<t>_out`      |
 * | route pipeline (OTel only)  | `rt_<t>`      | `logs/rt_<t>`              | —                                          |
 * | LinkMesh's own              | `linkmesh…`   | `otlphttp/linkmesh`        | `otelcol.receiver.prometheus.linkmesh`     |
 *
 * A source or destination that needs helper components in Alloy (a scrape in front of a
 * receiver, `loki.write` behind `otelcol.exporter.loki`) gives them all the same label: every one
 * of them parses back to that object.
 */

import type { Signal } from './signals.ts';

/** Reserved label prefix of LinkMesh's own components (self-telemetry, host source, baseline). */
export const internalPrefix = 'linkmesh';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The reversible form of an object ID inside a label. Alloy identifiers allow only
 * `[A-Za-z0-9_]` and `_` separates the label's parts, so a token never contains `_`:
 * - a lowercase UUID (what the server mints, `domain/shared/ids.ts`) → its 32 hex digits;
 * - any other ID → `x` followed by the hex of its UTF-8 bytes (never 32 bare hex digits, so the
 *   two forms cannot collide).
 *
 * @example objectToken('3f2a0c1e-7b6d-4e8f-9a0b-1c2d3e4f5a6b') // '3f2a0c1e7b6d4e8f9a0b1c2d3e4f5a6b'
 * @example objectToken('web-1') // 'x7765622d31'
 */
export function objectToken(objectId: string): string {
  if (uuidPattern.test(objectId)) return objectId.replaceAll('-', '');
  let hex = 'x';
  for (const byte of new TextEncoder().encode(objectId)) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** The inverse of {@link objectToken}; undefined for a token it could not have produced. */
export function objectIdFromToken(token: string): string | undefined {
  if (/^[0-9a-f]{32}$/.test(token)) {
    return `${token.slice(0, 8)}-${token.slice(8, 12)}-${token.slice(12, 16)}-${token.slice(16, 20)}-${token.slice(20)}`;
  }
  if (!/^x(?:[0-9a-f]{2})+$/.test(token)) return undefined;
  const bytes = new Uint8Array((token.length - 1) / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(token.slice(1 + 2 * i, 3 + 2 * i), 16);
  try {
    const id = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    // Only canonical tokens: a UUID is always written in its short form.
    return objectToken(id) === token ? id : undefined;
  } catch {
    return undefined;
  }
}

export const sourceLabel = (sourceId: string): string => `src_${objectToken(sourceId)}`;
export const destinationLabel = (destinationId: string): string => `dst_${objectToken(destinationId)}`;
/** Processor step `stepIndex` (1-based, in pipeline order) of a route's chain. */
export const routeStepLabel = (routeId: string, stepIndex: number): string =>
  `rt_${objectToken(routeId)}_${stepIndex}`;
/** The route's output filter, always the last processor of its chain. */
export const routeOutputFilterLabel = (routeId: string): string => `rt_${objectToken(routeId)}_out`;
/** The OTel pipeline of one signal of a route: `logs/rt_<t>`. */
export const routePipelineId = (routeId: string, signal: Signal): string =>
  `${signal}/rt_${objectToken(routeId)}`;

/** `type/label`, the OTel component ID. */
export const otelComponentId = (type: string, label: string): string => `${type}/${label}`;
/** `component.name.label`, the Alloy component ID. */
export const alloyComponentId = (component: string, label: string): string => `${component}.${label}`;

/** What a component ID from a rendered config (or its self-telemetry) stands for. */
export type ParsedComponentId =
  | { readonly kind: 'source'; readonly objectId: string }
  | { readonly kind: 'destination'; readonly objectId: string }
  /** A processor step of a route; `stepIndex` is 1-based into the route pipeline's processors. */
  | {
      readonly kind: 'processor';
      readonly objectId: string;
      readonly routeId: string;
      readonly stepIndex: number;
    }
  /** The route's output filter (the pipeline's `outputFilter`), after every step. */
  | { readonly kind: 'output_filter'; readonly objectId: string; readonly routeId: string }
  /** An OTel pipeline (`logs/rt_<t>`), e.g. the `otelcol.pipeline.id` scope attribute. */
  | { readonly kind: 'route'; readonly objectId: string; readonly routeId: string; readonly signal: Signal }
  /** LinkMesh's own components: self-telemetry, the host source, the baseline's `nop`. */
  | { readonly kind: 'internal' }
  | { readonly kind: 'unknown' };

const signals: readonly string[] = ['logs', 'metrics', 'traces'];

/**
 * Parses an otelcol `receiver` / `processor` / `exporter` attribute value (`otlp/src_<t>`), an
 * OTel pipeline ID (`logs/rt_<t>`), an Alloy `component_id` (`otelcol.exporter.otlphttp.dst_<t>`)
 * or the upstream attribute Alloy's otelcol components carry (`otlphttp/otelcol.exporter.otlphttp.dst_<t>`).
 *
 * @example parseComponentId('batch/rt_x7231_2') // { kind: 'processor', objectId: 'r1', routeId: 'r1', stepIndex: 2 }
 * @example parseComponentId('otelcol.receiver.prometheus.linkmesh') // { kind: 'internal' }
 * @example parseComponentId('otlp') // { kind: 'unknown' }
 */
export function parseComponentId(value: string): ParsedComponentId {
  if (value === 'nop') return { kind: 'internal' };
  const slash = value.indexOf('/');
  if (slash >= 0) {
    const type = value.slice(0, slash);
    const name = value.slice(slash + 1);
    // Alloy's otelcol components report `<otel type>/<Alloy component_id>`.
    if (name.includes('.')) return parseAlloyComponentId(name);
    return parseLabel(name, signals.includes(type) ? (type as Signal) : undefined);
  }
  return parseAlloyComponentId(value);
}

function parseAlloyComponentId(value: string): ParsedComponentId {
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return { kind: 'unknown' };
  return parseLabel(value.slice(dot + 1), undefined);
}

function parseLabel(label: string, pipelineSignal: Signal | undefined): ParsedComponentId {
  if (
    label === internalPrefix ||
    label.startsWith(`${internalPrefix}_`) ||
    label.startsWith(`${internalPrefix}-`)
  ) {
    return { kind: 'internal' };
  }
  const parts = label.split('_');
  const [prefix, token, step, ...rest] = parts;
  const objectId = token === undefined ? undefined : objectIdFromToken(token);
  if (objectId === undefined || rest.length > 0) return { kind: 'unknown' };
  if (pipelineSignal !== undefined) {
    return prefix === 'rt' && step === undefined
      ? { kind: 'route', objectId, routeId: objectId, signal: pipelineSignal }
      : { kind: 'unknown' };
  }
  if (step === undefined) {
    if (prefix === 'src') return { kind: 'source', objectId };
    if (prefix === 'dst') return { kind: 'destination', objectId };
    return { kind: 'unknown' };
  }
  if (prefix !== 'rt') return { kind: 'unknown' };
  if (step === 'out') return { kind: 'output_filter', objectId, routeId: objectId };
  if (!/^[1-9][0-9]*$/.test(step)) return { kind: 'unknown' };
  return { kind: 'processor', objectId, routeId: objectId, stepIndex: Number(step) };
}
