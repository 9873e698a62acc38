import { renderServedConfig } from '@linkmesh/alloy/render';
import { attr, block, printComponent, ref, type AlloyComponent, type AlloyNode } from './alloy-writer.ts';
import { isRefused, type AlloyDestination, type Refused } from './catalogue/types.ts';
import { configHashHex } from './hash.ts';
import { alloyHas, alloyMissing } from './known-lookup.ts';
import type { Refusal, RenderInput, RenderResult } from './render-input.ts';
import { planRender, routeRef, type PlannedRoute } from './resolve.ts';
import { allSignals, type Signal } from './signals.ts';

/**
 * Alloy syntax for an Alloy collector: the remotecfg content, i.e. the self-telemetry pipeline
 * (with its host source) from `@linkmesh/alloy`, then one component group per source, one
 * processor chain per route and one exporter group per destination. Alloy has no pipelines: each
 * component's `output` lists where each signal goes, so a source used by two routes lists both
 * routes' first steps, and a destination used by two routes is one component fed by both.
 */

/** An Alloy comment line naming an object (operator text, kept on one line). */
const comment = (text: string) => `// ${text.replace(/[\r\n]+/g, ' ')}`;

function outputBlock(targets: ReadonlyMap<Signal, readonly string[]>): AlloyNode {
  return block(
    'output',
    allSignals.flatMap((s) => {
      const list = [...new Set(targets.get(s) ?? [])].sort();
      return list.length > 0 ? [attr(s, list.map(ref))] : [];
    }),
  );
}

export function renderAlloyConfig(input: RenderInput): RenderResult {
  if (input.collector.runtime !== 'alloy') {
    return {
      ok: false,
      refusals: input.routes.map((r) => ({
        routeId: r.id,
        message: `${routeRef(r)}: the collector runs otelcol, not Alloy`,
      })),
    };
  }
  const { plan, refusals } = planRender(input);
  if (refusals.length > 0) return { ok: false, refusals };

  const problems: Refusal[] = [];
  const routes = new Map(plan.routes.map((r) => [r.id, r]));
  /** Checks a fragment: refused, or naming a component this Alloy version lacks. */
  function accept<T>(
    routeIds: readonly string[],
    what: string,
    rendered: T | Refused,
    components: (t: T) => readonly AlloyComponent[],
  ): T | undefined {
    const fail = (reason: string): undefined => {
      for (const id of routeIds) {
        const route = routes.get(id);
        if (route) problems.push({ routeId: id, message: `${routeRef(route)}: ${what}: ${reason}` });
      }
      return undefined;
    };
    if (isRefused(rendered)) return fail(rendered.refused);
    const missing = components(rendered).filter((c) => !alloyHas(c.component, plan.version));
    if (missing.length > 0) {
      return fail(
        `cannot run on Alloy ${plan.version.join('.')}: ${missing.map((c) => alloyMissing(c.component)).join('; ')}`,
      );
    }
    return rendered;
  }
  const alloyOf = <R>(entry: { type: string; alloy?: R | undefined }): R => {
    if (entry.alloy === undefined) throw new Error(`internal: ${entry.type} has no Alloy rendering`);
    return entry.alloy;
  };

  const destinationInputs = new Map<string, string>();
  const destinationGroups: string[][] = [];
  for (const d of plan.destinations) {
    const ctx = { label: d.label, version: plan.version, signals: d.signals };
    const what = `destination "${d.object.name}" (${d.object.type})`;
    const rendered = accept<AlloyDestination>(
      d.routeIds,
      what,
      alloyOf(d.entry).render(d.config, ctx),
      (r) => r.components,
    );
    if (!rendered) continue;
    destinationInputs.set(d.object.id, rendered.input);
    destinationGroups.push([
      comment(what),
      ...rendered.components.flatMap((c) => ['', ...printComponent(c)]).slice(1),
    ]);
  }

  /** Per route, where each of its signals enters it. */
  const firstHops = new Map<string, Map<Signal, string[]>>();
  const routeGroups: string[][] = [];
  for (const route of plan.routes) {
    const toDestinations = new Map(
      route.signals.map(
        (s) =>
          [s, (route.destinationsBySignal.get(s) ?? []).map((d) => destinationInputs.get(d) ?? '')] as const,
      ),
    );
    const lines = chainLines(route, toDestinations);
    if (lines === undefined) continue;
    firstHops.set(route.id, lines.entry);
    if (lines.text.length > 0) routeGroups.push([comment(`route "${route.name}"`), ...lines.text]);
  }

  function chainLines(
    route: PlannedRoute,
    exit: Map<Signal, string[]>,
  ): { entry: Map<Signal, string[]>; text: string[] } | undefined {
    let next = exit;
    const printed: string[][] = [];
    // Last step first: each step's output is the next step's input.
    for (const step of [...route.steps].reverse()) {
      const ctx = {
        label: step.label,
        version: plan.version,
        signals: route.signals,
        output: outputBlock(next),
      };
      const rendered = accept<AlloyComponent>(
        [route.id],
        step.description,
        alloyOf(step.entry).render(step.config, ctx),
        (c) => [c],
      );
      if (!rendered) return undefined;
      printed.unshift(printComponent(rendered));
      const input = `${rendered.component}.${rendered.label}.input`;
      next = new Map(route.signals.map((s) => [s, [input]] as const));
    }
    return { entry: next, text: printed.flatMap((c) => ['', ...c]).slice(1) };
  }

  const sourceGroups: string[][] = [];
  for (const s of plan.sources) {
    const targets = new Map<Signal, string[]>();
    for (const routeId of s.routeIds) {
      for (const [signal, hops] of firstHops.get(routeId) ?? [])
        targets.set(signal, [...(targets.get(signal) ?? []), ...hops]);
    }
    const ctx = { label: s.label, version: plan.version, signals: s.signals, output: outputBlock(targets) };
    const what = `source "${s.object.name}" (${s.object.type})`;
    const rendered = accept<readonly AlloyComponent[]>(
      s.routeIds,
      what,
      alloyOf(s.entry).render(s.config, ctx),
      (r) => r,
    );
    if (!rendered) continue;
    sourceGroups.push([comment(what), ...rendered.flatMap((c) => ['', ...printComponent(c)]).slice(1)]);
  }
  if (problems.length > 0) return { ok: false, refusals: problems };

  const routeLines = [...sourceGroups, ...routeGroups, ...destinationGroups]
    .flatMap((g) => ['', ...g])
    .slice(1);
  const text = renderServedConfig({
    collectorId: input.collector.id,
    externalUrl: input.selfTelemetry.externalUrl,
    bearerToken: input.selfTelemetry.bearerToken,
    routeLines,
  });
  return { ok: true, text, hashHex: configHashHex(text) };
}
