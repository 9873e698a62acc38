import type { VersionWindow } from './version.ts';

/**
 * The upstream component names LinkMesh renders, as data, with the versions that ship them. The
 * renderers refuse a component the collector's version does not ship, and the structural checks
 * fail a render that names anything not listed here.
 *
 * otelcol-contrib: read from `distributions/otelcol-contrib/manifest.yaml` of
 * open-telemetry/opentelemetry-collector-releases at every release tag v0.90.0 … v0.159.0
 * (snapshot of 2026-08-20). The key is the component *type* (the name in the YAML), the comment the
 * Go module it comes from. Windows start open: "since" is only set where the component appeared
 * after v0.90.0, the oldest tag read. Notably the `loki` exporter left the distribution twice:
 * absent from v0.122.0 (re-added in v0.123.0) and removed for good in v0.131.0.
 *
 * Grafana Alloy: the reference pages under `docs/sources/reference/components` of grafana/alloy
 * (snapshot of 2026-08-21, latest release v1.18.1); "since" is the first v1.x.0 release tag that
 * contains the page. `otelcol.processor.redaction` is only in the v1.19.0 release candidates.
 */

export const otelcolContribSource = {
  repository: 'open-telemetry/opentelemetry-collector-releases',
  file: 'distributions/otelcol-contrib/manifest.yaml',
  tagsRead: 'v0.90.0 … v0.159.0',
  snapshot: '2026-08-20',
} as const;

/** The otelcol-contrib version assumed when a collector reports none (the newest release read). */
export const currentOtelcolVersion = '0.159.0';

export type OtelComponentKind = 'receiver' | 'processor' | 'exporter' | 'extension';

const always: readonly VersionWindow[] = [{}];

export const otelcolContribComponents: Readonly<
  Record<OtelComponentKind, Readonly<Record<string, readonly VersionWindow[]>>>
> = {
  receiver: {
    otlp: always, // go.opentelemetry.io/collector/receiver/otlpreceiver
    syslog: always, // receiver/syslogreceiver
    filelog: always, // receiver/filelogreceiver
    journald: always, // receiver/journaldreceiver
    prometheus: always, // receiver/prometheusreceiver
    hostmetrics: always, // receiver/hostmetricsreceiver
    kafka: always, // receiver/kafkareceiver
    nop: [{ since: '0.98.0' }], // go.opentelemetry.io/collector/receiver/nopreceiver
  },
  processor: {
    batch: always, // go.opentelemetry.io/collector/processor/batchprocessor
    memory_limiter: always, // go.opentelemetry.io/collector/processor/memorylimiterprocessor
    filter: always, // processor/filterprocessor
    transform: always, // processor/transformprocessor
    redaction: always, // processor/redactionprocessor
    attributes: always, // processor/attributesprocessor
    resource: always, // processor/resourceprocessor
    probabilistic_sampler: always, // processor/probabilisticsamplerprocessor
  },
  exporter: {
    otlp: always, // go.opentelemetry.io/collector/exporter/otlpexporter
    otlphttp: always, // go.opentelemetry.io/collector/exporter/otlphttpexporter
    loki: [{ until: '0.122.0' }, { since: '0.123.0', until: '0.131.0' }], // exporter/lokiexporter
    prometheusremotewrite: always, // exporter/prometheusremotewriteexporter
    kafka: always, // exporter/kafkaexporter
    clickhouse: always, // exporter/clickhouseexporter
    awss3: always, // exporter/awss3exporter
    debug: always, // go.opentelemetry.io/collector/exporter/debugexporter
    nop: [{ since: '0.98.0' }], // go.opentelemetry.io/collector/exporter/nopexporter
  },
  extension: {},
};

export const alloySource = {
  repository: 'grafana/alloy',
  directory: 'docs/sources/reference/components',
  latestRelease: 'v1.18.1',
  snapshot: '2026-08-21',
} as const;

/** The Alloy version assumed when a collector reports none (the newest release read). */
export const currentAlloyVersion = '1.18.1';

export const alloyComponents: Readonly<Record<string, readonly VersionWindow[]>> = {
  'otelcol.receiver.otlp': always,
  'otelcol.receiver.syslog': [{ since: '1.6.0' }],
  'otelcol.receiver.filelog': [{ since: '1.7.0' }],
  'otelcol.receiver.kafka': always,
  'otelcol.receiver.loki': always,
  'otelcol.receiver.prometheus': always,
  'otelcol.processor.batch': always,
  'otelcol.processor.memory_limiter': always,
  'otelcol.processor.filter': always,
  'otelcol.processor.transform': always,
  'otelcol.processor.redaction': [{ since: '1.19.0' }],
  'otelcol.processor.attributes': always,
  'otelcol.processor.probabilistic_sampler': always,
  'otelcol.exporter.otlp': always,
  'otelcol.exporter.otlphttp': always,
  'otelcol.exporter.loki': always,
  'otelcol.exporter.prometheus': always,
  'otelcol.exporter.kafka': [{ since: '1.2.0' }],
  'otelcol.exporter.awss3': [{ since: '1.2.0' }],
  'otelcol.exporter.debug': [{ since: '1.3.0' }],
  'otelcol.auth.bearer': always,
  'loki.source.journal': always,
  'loki.write': always,
  'prometheus.remote_write': always,
  'prometheus.scrape': always,
  'prometheus.exporter.unix': always,
  'prometheus.exporter.self': always,
};
