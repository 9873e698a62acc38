import { renderServedConfig } from '@linkmesh/alloy/render';
import {
  hostPipeline,
  hostPipelineId,
  hostReceiverConfig,
  hostReceiverId,
  selfExporterConfig,
  selfExporterId,
} from '@linkmesh/pipelines/otel-host';
import { renderAlloyConfig } from '@linkmesh/pipelines/render-alloy';
import type { Refusal, RenderResult, SelfTelemetryTarget } from '@linkmesh/pipelines/render-input';
import { renderOtelConfig } from '@linkmesh/pipelines/render-otel';
import { LRUCache } from 'lru-cache';
import { isMap, parseDocument } from 'yaml';
import type { Collector } from '../fleet/collector.types.ts';
import type { TelemetryTokens } from '../fleet/telemetry-token.ts';
import { baselineOtelConfig } from '../opamp/baseline-config.ts';
import { effectiveLabels } from '../pipelines/effective-labels.ts';
import type { ObjectSnapshot } from '../pipelines/object-snapshot.ts';
import type { RenderedTemplate } from './collector-config.service.ts';
import { secretPlaceholder } from './config-template.ts';
import type { ConfigFormat } from './config-version.types.ts';

/** The secret every rendered config carries: the collector's telemetry token. */
const telemetryTokenSecret = 'telemetry-token';
/**
 * Rendered in place of the collector's id so one render serves every collector with the same
 * inputs; made of characters every renderer writes through as they are.
 */
const collectorIdStandIn = 'linkmesh-collector-id-stand-in';
const plainId = /^[A-Za-z0-9._:-]+$/;

export interface CollectorRendererDeps {
  readonly tokens: TelemetryTokens;
  readonly externalUrl: () => string;
  /** The operator's fleet-default OTel YAML, or undefined for the built-in baseline. */
  readonly fleetDefaultYaml: () => string | undefined;
  readonly objects: { snapshot(): Promise<ObjectSnapshot> };
  /** Counts what each routed template cost (the server's metrics); nothing when omitted. */
  readonly counters?: RenderCounters;
}

/** Where a routed collector's template came from: a render, or a render of the same inputs. */
export interface RenderCounters {
  /** The pipeline renderer ran (a distinct input set, or a collector whose id cannot be shared). */
  rendered(): void;
  /** Served from the render of the same input set: the collector's id swapped in. */
  reused(): void;
}

/** A render without delivery: for the preview, against any snapshot. */
export interface TemplateRender {
  readonly format: ConfigFormat;
  /** False when no route targets the collector (it runs the fleet default / served pipeline). */
  readonly routed: boolean;
  /** Undefined when a route is refused. */
  readonly template: string | undefined;
  readonly refusals: readonly Refusal[];
}

/**
 * What each collector should run, from the routes that target it (issue #11 item 4): the
 * pipeline renderers for its runtime and version, plus LinkMesh's self-telemetry and host source;
 * with no route, otelcol gets the fleet default (or the baseline) and Alloy the served
 * self-telemetry pipeline. Secrets stay placeholders in the template.
 *
 * A change that touches 10,000 collectors must not render 10,000 times: renders are kept per
 * distinct input set (objects generation, routes, runtime, version, external URL) with the
 * collector's id as a stand-in, so each further collector costs a string replace.
 */
export class CollectorRenderer {
  private readonly renders = new LRUCache<string, RenderResult>({ max: 2_000 });
  /** Route id → collector id → why the last render refused it there. */
  private readonly refused = new Map<string, Map<string, string>>();

  constructor(private readonly deps: CollectorRendererDeps) {}

  /** For `CollectorConfigService`. */
  readonly render = async (collector: Collector): Promise<RenderedTemplate> => {
    const snapshot = await this.deps.objects.snapshot();
    const token = await this.deps.tokens.tokenFor(collector.id);
    const secrets = new Map(snapshot.secrets);
    secrets.set(telemetryTokenSecret, token);
    const result = this.templateFor(collector, snapshot, true);
    this.recordRefusals(collector.id, result.refusals);
    if (result.template !== undefined) return { format: result.format, template: result.template, secrets };
    return {
      format: result.format,
      template: this.unrouted(collector),
      secrets,
      refusals: result.refusals,
    };
  };

  /** The template for a collector against `snapshot` (a preview's, say), nothing recorded. */
  preview(collector: Collector, snapshot: ObjectSnapshot): TemplateRender {
    return this.templateFor(collector, snapshot, false);
  }

  /** Collectors on which the last render refused this route, with the reason. */
  refusalsOf(routeId: string): ReadonlyMap<string, string> {
    return this.refused.get(routeId) ?? new Map();
  }

  private templateFor(collector: Collector, snapshot: ObjectSnapshot, cached: boolean): TemplateRender {
    const format: ConfigFormat = collector.runtime === 'alloy' ? 'alloy' : 'otel-yaml';
    const { routes, key } = snapshot.resolveFor({ id: collector.id, labels: effectiveLabels(collector) });
    if (routes.length === 0)
      return { format, routed: false, template: this.unrouted(collector), refusals: [] };
    const shared = cached && plainId.test(collector.id);
    const id = shared ? collectorIdStandIn : collector.id;
    const cacheKey = [collector.runtime, collector.version ?? '', this.deps.externalUrl(), key].join('|');
    let result = shared ? this.renders.get(cacheKey) : undefined;
    if (result === undefined) {
      const input = {
        collector: { id, runtime: collector.runtime, version: collector.version ?? undefined },
        routes,
        selfTelemetry: this.target(),
      };
      result = collector.runtime === 'alloy' ? renderAlloyConfig(input) : renderOtelConfig(input);
      if (cached) this.deps.counters?.rendered();
      if (shared) this.renders.set(cacheKey, result);
    } else {
      this.deps.counters?.reused();
    }
    if (!result.ok) return { format, routed: true, template: undefined, refusals: result.refusals };
    const template = shared ? result.text.replaceAll(collectorIdStandIn, collector.id) : result.text;
    return { format, routed: true, template, refusals: [] };
  }

  /** What a collector no route targets runs. */
  private unrouted(collector: Collector): string {
    const target = this.target();
    if (collector.runtime === 'alloy')
      return renderServedConfig({
        collectorId: collector.id,
        externalUrl: target.externalUrl,
        bearerToken: target.bearerToken,
      });
    const fleetDefault = this.deps.fleetDefaultYaml();
    return fleetDefault === undefined
      ? baselineOtelConfig(collector.id, target)
      : withOtelHostSource(fleetDefault, target);
  }

  private target(): SelfTelemetryTarget {
    return { externalUrl: this.deps.externalUrl(), bearerToken: secretPlaceholder(telemetryTokenSecret) };
  }

  private recordRefusals(collectorId: string, refusals: readonly Refusal[]): void {
    for (const [routeId, byCollector] of this.refused) {
      byCollector.delete(collectorId);
      if (byCollector.size === 0) this.refused.delete(routeId);
    }
    for (const refusal of refusals) {
      const byCollector = this.refused.get(refusal.routeId) ?? new Map<string, string>();
      byCollector.set(collectorId, refusal.message);
      this.refused.set(refusal.routeId, byCollector);
    }
  }
}

/**
 * The operator's fleet default with LinkMesh's host source added (the same components the
 * pipeline renderer puts in every config, from `@linkmesh/pipelines/otel-host`). The collector's
 * own metrics keep flowing through the supervisor's own_metrics reader; this pipeline adds the
 * host, which that reader cannot. The operator's text is left as written apart from that.
 */
export function withOtelHostSource(yaml: string, target: SelfTelemetryTarget): string {
  const doc = parseDocument(yaml);
  if (!isMap(doc.contents)) throw new Error('the OTel config is not a YAML mapping');
  doc.setIn(['receivers', hostReceiverId], hostReceiverConfig());
  doc.setIn(['exporters', selfExporterId], selfExporterConfig(target));
  doc.setIn(['service', 'pipelines', hostPipelineId], {
    receivers: [...hostPipeline.receivers],
    exporters: [...hostPipeline.exporters],
  });
  return doc.toString({ lineWidth: 0 });
}
