import { renderServedConfig } from '@linkmesh/alloy/render';
import {
  hostPipeline,
  hostPipelineId,
  hostReceiverConfig,
  hostReceiverId,
  selfExporterConfig,
  selfExporterId,
} from '@linkmesh/pipelines/otel-host';
import type { SelfTelemetryTarget } from '@linkmesh/pipelines/render-input';
import { isMap, parseDocument } from 'yaml';
import type { TelemetryTokens } from '../fleet/telemetry-token.ts';
import { baselineOtelConfig } from '../opamp/baseline-config.ts';
import type { CollectorRenderer } from './collector-config.service.ts';
import { secretPlaceholder } from './config-template.ts';

/** The secret every rendered config carries: the collector's telemetry token. */
const telemetryTokenSecret = 'telemetry-token';

export interface CollectorRendererDeps {
  readonly tokens: TelemetryTokens;
  readonly externalUrl: () => string;
  /** The operator's fleet-default OTel YAML, or undefined for the built-in baseline. */
  readonly fleetDefaultYaml: () => string | undefined;
}

/**
 * What each collector runs until pipelines target it: otelcol gets the fleet default (or the
 * baseline) plus LinkMesh's host source; Alloy gets the served self-telemetry pipeline (which
 * carries its host source). Both authenticate with the collector's telemetry token, so the
 * content is the same whichever of a collector's bearers polls, and can be versioned.
 */
export function collectorRenderer(deps: CollectorRendererDeps): CollectorRenderer {
  return async (collector) => {
    const secrets = new Map([[telemetryTokenSecret, await deps.tokens.tokenFor(collector.id)]]);
    const bearerToken = secretPlaceholder(telemetryTokenSecret);
    if (collector.runtime === 'alloy')
      return {
        format: 'alloy',
        template: renderServedConfig({
          collectorId: collector.id,
          externalUrl: deps.externalUrl(),
          bearerToken,
        }),
        secrets,
      };
    const target = { externalUrl: deps.externalUrl(), bearerToken };
    const fleetDefault = deps.fleetDefaultYaml();
    return {
      format: 'otel-yaml',
      template:
        fleetDefault === undefined
          ? baselineOtelConfig(collector.id, target)
          : withOtelHostSource(fleetDefault, target),
      secrets,
    };
  };
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
