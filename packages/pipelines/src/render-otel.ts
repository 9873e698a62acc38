import { isRefused, type OtelComponent } from './catalogue/types.ts';
import { otelComponentId, routePipelineId } from './component-ids.ts';
import { configHashHex } from './hash.ts';
import { otelcolHas, otelcolMissing } from './known-lookup.ts';
import {
  hostPipeline,
  hostPipelineId,
  hostReceiverConfig,
  hostReceiverId,
  selfExporterConfig,
  selfExporterId,
} from './otel-host.ts';
import { otelYaml, type OtelSections } from './otel-yaml.ts';
import type { Refusal, RenderInput, RenderResult, SelfTelemetryTarget } from './render-input.ts';
import { planRender, routeRef } from './resolve.ts';
import type { OtelComponentKind } from './known-components.ts';

/**
 * OTel collector YAML for an otelcol collector: one receiver per source, one processor chain per
 * route, one exporter per destination, one pipeline per route and signal (`logs/rt_<t>`), plus
 * LinkMesh's host source. A collector no enabled route targets gets the baseline. Never emits
 * `service::telemetry` (see otel-host.ts).
 */

/** planRender refuses every route whose objects lack an otelcol rendering, so this never throws. */
function otelcolOf<R>(entry: { type: string; otelcol?: R | undefined }): R {
  if (entry.otelcol === undefined) throw new Error(`internal: ${entry.type} has no otelcol rendering`);
  return entry.otelcol;
}

const safeId = (id: string) => id.replace(/[^A-Za-z0-9._:-]/g, '_');

/** The baseline: the `nop` pipeline LinkMesh always sent, plus the host source. */
export function renderOtelBaseline(input: {
  collectorId: string;
  selfTelemetry?: SelfTelemetryTarget | undefined;
}): string {
  const host = input.selfTelemetry;
  return otelYaml(
    [
      `Rendered by LinkMesh for collector ${safeId(input.collectorId)}.`,
      'Baseline: no pipeline targets this collector yet.',
    ],
    {
      receivers: { nop: {}, ...(host ? { [hostReceiverId]: hostReceiverConfig() } : {}) },
      processors: {},
      exporters: { nop: {}, ...(host ? { [selfExporterId]: selfExporterConfig(host) } : {}) },
      pipelines: {
        'metrics/linkmesh-baseline': { receivers: ['nop'], processors: [], exporters: ['nop'] },
        ...(host ? { [hostPipelineId]: hostPipeline } : {}),
      },
    },
  );
}

export function renderOtelConfig(input: RenderInput): RenderResult {
  if (input.collector.runtime !== 'otelcol') {
    return {
      ok: false,
      refusals: input.routes.map((r) => ({
        routeId: r.id,
        message: `${routeRef(r)}: the collector runs Alloy, not otelcol`,
      })),
    };
  }
  const { plan, refusals } = planRender(input);
  if (refusals.length > 0) return { ok: false, refusals };
  if (plan.routes.length === 0) {
    const text = renderOtelBaseline({ collectorId: input.collector.id, selfTelemetry: input.selfTelemetry });
    return { ok: true, text, hashHex: configHashHex(text) };
  }

  const problems: Refusal[] = [];
  const routeNames = new Map(plan.routes.map((r) => [r.id, r]));
  const place = (
    kind: OtelComponentKind,
    routeIds: readonly string[],
    what: string,
    rendered: OtelComponent | { refused: string },
  ): OtelComponent | undefined => {
    const fail = (reason: string): undefined => {
      for (const id of routeIds) {
        const route = routeNames.get(id);
        if (route) problems.push({ routeId: id, message: `${routeRef(route)}: ${what}: ${reason}` });
      }
      return undefined;
    };
    if (isRefused(rendered)) return fail(rendered.refused);
    if (!otelcolHas(kind, rendered.type, plan.version)) {
      return fail(
        `cannot run on otelcol-contrib ${plan.version.join('.')}: ${otelcolMissing(kind, rendered.type)}`,
      );
    }
    return rendered;
  };

  const receivers: Record<string, unknown> = {};
  const receiverIds = new Map<string, string>();
  for (const s of plan.sources) {
    const ctx = { label: s.label, version: plan.version, signals: s.signals };
    const c = place(
      'receiver',
      s.routeIds,
      `source "${s.object.name}" (${s.object.type})`,
      otelcolOf(s.entry).render(s.config, ctx),
    );
    if (!c) continue;
    const id = otelComponentId(c.type, s.label);
    receivers[id] = c.config;
    receiverIds.set(s.object.id, id);
  }
  const exporters: Record<string, unknown> = {};
  const exporterIds = new Map<string, string>();
  for (const d of plan.destinations) {
    const ctx = { label: d.label, version: plan.version, signals: d.signals };
    const what = `destination "${d.object.name}" (${d.object.type})`;
    const c = place('exporter', d.routeIds, what, otelcolOf(d.entry).render(d.config, ctx));
    if (!c) continue;
    const id = otelComponentId(c.type, d.label);
    exporters[id] = c.config;
    exporterIds.set(d.object.id, id);
  }
  const processors: Record<string, unknown> = {};
  const pipelines: Record<string, OtelSections['pipelines'][string]> = {};
  for (const route of plan.routes) {
    const chain: string[] = [];
    for (const step of route.steps) {
      const ctx = { label: step.label, version: plan.version, signals: route.signals };
      const c = place(
        'processor',
        [route.id],
        step.description,
        otelcolOf(step.entry).render(step.config, ctx),
      );
      if (!c) continue;
      const id = otelComponentId(c.type, step.label);
      processors[id] = c.config;
      chain.push(id);
    }
    for (const signal of route.signals) {
      pipelines[routePipelineId(route.id, signal)] = {
        receivers: [receiverIds.get(route.sourceId) ?? ''],
        processors: chain,
        exporters: (route.destinationsBySignal.get(signal) ?? []).map((d) => exporterIds.get(d) ?? ''),
      };
    }
  }
  if (problems.length > 0) return { ok: false, refusals: problems };

  receivers[hostReceiverId] = hostReceiverConfig();
  exporters[selfExporterId] = selfExporterConfig(input.selfTelemetry);
  pipelines[hostPipelineId] = hostPipeline;
  const text = otelYaml(
    [
      `Rendered by LinkMesh for collector ${safeId(input.collector.id)}.`,
      `Routes: ${plan.routes.length}; component IDs: docs/component-ids.md.`,
    ],
    { receivers, processors, exporters, pipelines },
  );
  return { ok: true, text, hashHex: configHashHex(text) };
}
