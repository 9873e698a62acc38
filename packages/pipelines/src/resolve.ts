import { destinationEntry, processorEntry, sourceEntry } from './catalogue/index.ts';
import { filterProcessor } from './catalogue/processors.ts';
import type { DestinationEntry, ProcessorEntry, Runtime, SourceEntry } from './catalogue/types.ts';
import { destinationLabel, routeOutputFilterLabel, routeStepLabel, sourceLabel } from './component-ids.ts';
import { effectiveVersion } from './known-lookup.ts';
import { fieldErrors } from './model.ts';
import type { Refusal, RenderInput, ResolvedRoute, TypedObject } from './render-input.ts';
import { allSignals, commonSignals, type Signal } from './signals.ts';
import type { Version } from './version.ts';
import type { z } from 'zod';

/**
 * The runtime-neutral part of rendering: validates every object against its catalogue type,
 * works out each route's signals, names every component, and sorts everything by ID so no
 * caller order leaks into the output. Refusals name the route and the object.
 */

export interface PlannedSource {
  readonly object: TypedObject;
  readonly entry: SourceEntry<unknown>;
  readonly config: unknown;
  readonly label: string;
  /** Union of the signals of the routes that use it. */
  readonly signals: Signal[];
  /** IDs of the routes that use it, sorted. */
  readonly routeIds: string[];
}

export interface PlannedDestination {
  readonly object: TypedObject;
  readonly entry: DestinationEntry<unknown>;
  readonly config: unknown;
  readonly label: string;
  readonly signals: Signal[];
  readonly routeIds: string[];
}

export interface PlannedStep {
  readonly entry: ProcessorEntry<unknown>;
  readonly config: unknown;
  readonly label: string;
  /** `step 2 (batch)` or `output filter`, for refusals. */
  readonly description: string;
}

export interface PlannedRoute {
  readonly id: string;
  readonly name: string;
  readonly sourceId: string;
  readonly steps: readonly PlannedStep[];
  /** The route's signals, in allSignals order. */
  readonly signals: readonly Signal[];
  /** Per signal, the IDs (sorted) of the route's destinations that carry it. */
  readonly destinationsBySignal: ReadonlyMap<Signal, readonly string[]>;
}

export interface Plan {
  readonly version: Version;
  readonly sources: readonly PlannedSource[];
  readonly destinations: readonly PlannedDestination[];
  readonly routes: readonly PlannedRoute[];
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const runtimeName = (runtime: Runtime) => (runtime === 'otelcol' ? 'otelcol-contrib' : 'Alloy');

/** `route "name" (id)`, the prefix of every refusal. */
export const routeRef = (route: { id: string; name: string }): string =>
  `route "${route.name}" (${route.id})`;

function parseConfig(
  schema: z.ZodType,
  config: unknown,
): { ok: true; value: unknown } | { ok: false; message: string } {
  const result = schema.safeParse(config);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    message: fieldErrors(result.error)
      .map((e) => `config.${e.field}: ${e.message}`)
      .join('; '),
  };
}

function supports(entry: { otelcol?: unknown; alloy?: unknown }, runtime: Runtime): boolean {
  return (runtime === 'otelcol' ? entry.otelcol : entry.alloy) !== undefined;
}

export function planRender(input: RenderInput): { plan: Plan; refusals: Refusal[] } {
  const runtime = input.collector.runtime;
  const version = effectiveVersion(runtime, input.collector.version);
  const refusals: Refusal[] = [];
  const sources = new Map<string, PlannedSource>();
  const destinations = new Map<string, PlannedDestination>();
  const routes: PlannedRoute[] = [];

  const enabled = input.routes.filter((r) => r.enabled).sort(byId);
  for (const route of enabled) {
    const refuse = (message: string) =>
      refusals.push({ routeId: route.id, message: `${routeRef(route)}: ${message}` });
    const planned = planRoute(route, runtime, refuse);
    if (planned === undefined) continue;
    routes.push(planned.route);
    const source = sources.get(route.source.id) ?? { ...planned.source, signals: [], routeIds: [] };
    source.signals.splice(0, source.signals.length, ...union(source.signals, planned.route.signals));
    source.routeIds.push(route.id);
    sources.set(route.source.id, source);
    for (const destination of planned.destinations) {
      const carried = allSignals.filter((s) =>
        planned.route.destinationsBySignal.get(s)?.includes(destination.object.id),
      );
      const existing = destinations.get(destination.object.id) ?? {
        ...destination,
        signals: [],
        routeIds: [],
      };
      existing.signals.splice(0, existing.signals.length, ...union(existing.signals, carried));
      existing.routeIds.push(route.id);
      destinations.set(destination.object.id, existing);
    }
  }
  return {
    plan: {
      version,
      sources: [...sources.values()].sort((a, b) => byId(a.object, b.object)),
      destinations: [...destinations.values()].sort((a, b) => byId(a.object, b.object)),
      routes,
    },
    refusals,
  };
}

const union = (a: readonly Signal[], b: readonly Signal[]) =>
  allSignals.filter((s) => a.includes(s) || b.includes(s));

function planRoute(
  route: ResolvedRoute,
  runtime: Runtime,
  refuse: (message: string) => void,
):
  | {
      route: PlannedRoute;
      source: Omit<PlannedSource, 'signals' | 'routeIds'>;
      destinations: Omit<PlannedDestination, 'signals' | 'routeIds'>[];
    }
  | undefined {
  const state = { failed: false };
  const fail = (message: string): undefined => {
    state.failed = true;
    refuse(message);
    return undefined;
  };
  const check = <E extends { type: string; configSchema: z.ZodType; otelcol?: unknown; alloy?: unknown }>(
    what: string,
    entry: E | undefined,
    type: string,
    config: unknown,
  ): { entry: E; config: unknown } | undefined => {
    if (entry === undefined) return fail(`${what}: unknown type "${type}"`);
    if (!supports(entry, runtime))
      return fail(`${what} (${type}) cannot run on ${runtimeName(runtime)}: it has no such component`);
    const parsed = parseConfig(entry.configSchema, config);
    if (!parsed.ok) return fail(`${what} (${type}) has an invalid config: ${parsed.message}`);
    return { entry, config: parsed.value };
  };

  const source = check(
    `source "${route.source.name}"`,
    sourceEntry(route.source.type),
    route.source.type,
    route.source.config,
  );
  const steps: PlannedStep[] = [];
  for (const [i, step] of (route.pipeline?.processors ?? []).entries()) {
    const description = `pipeline "${route.pipeline?.name ?? ''}" step ${i + 1}`;
    const checked = check(description, processorEntry(step.type), step.type, step.config);
    if (checked)
      steps.push({
        ...checked,
        label: routeStepLabel(route.id, i + 1),
        description: `${description} (${step.type})`,
      });
  }
  if (route.pipeline?.outputFilter !== undefined) {
    const description = `pipeline "${route.pipeline.name}" output filter`;
    const checked = check(
      description,
      filterProcessor as ProcessorEntry<unknown>,
      'filter',
      route.pipeline.outputFilter,
    );
    if (checked) steps.push({ ...checked, label: routeOutputFilterLabel(route.id), description });
  }
  const dests = [...route.destinations].sort(byId).flatMap((d) => {
    const checked = check(`destination "${d.name}"`, destinationEntry(d.type), d.type, d.config);
    return checked ? [{ object: d, ...checked, label: destinationLabel(d.id) }] : [];
  });
  if (route.destinations.length === 0) fail('it has no destination');
  if (state.failed || source === undefined) return undefined;

  // A route carries what its source and every step carry, and what at least one destination takes.
  const upstream = steps.reduce<readonly Signal[]>(
    (acc, s) => commonSignals(acc, s.entry.signals),
    source.entry.signals,
  );
  const signals = commonSignals(
    upstream,
    union(
      [],
      dests.flatMap((d) => d.entry.signals),
    ),
  );
  if (signals.length === 0) {
    fail(
      `no signal is carried end to end (source ${source.entry.signals.join('/')}, steps ${upstream.join('/') || 'none'}, destinations ${dests.map((d) => d.entry.signals.join('/')).join(', ')})`,
    );
    return undefined;
  }
  const idle = dests.filter((d) => commonSignals(signals, d.entry.signals).length === 0);
  for (const d of idle) {
    fail(
      `destination "${d.object.name}" (${d.object.type}) takes ${d.entry.signals.join('/')}, which this route does not carry (${signals.join('/')})`,
    );
  }
  if (idle.length > 0) return undefined;
  const destinationsBySignal = new Map(
    signals.map(
      (s) => [s, dests.filter((d) => d.entry.signals.includes(s)).map((d) => d.object.id)] as const,
    ),
  );
  return {
    route: {
      id: route.id,
      name: route.name,
      sourceId: route.source.id,
      steps,
      signals,
      destinationsBySignal,
    },
    source: { object: route.source, ...source, label: sourceLabel(route.source.id) },
    destinations: dests,
  };
}
