/**
 * The OTel collector YAML LinkMesh sends before any pipeline targets a collector: a minimal valid
 * configuration (the `nop` receiver and exporter ship with otelcol-contrib). It never contains
 * `service::telemetry::metrics`: the supervisor merges remote config last and lists are replaced,
 * so that section would erase the own-metrics reader the own_metrics offer installed.
 */
export function baselineOtelConfig(collectorId: string): string {
  return [
    `# Rendered by LinkMesh for collector ${collectorId}.`,
    '# Baseline: no pipeline targets this collector yet.',
    'receivers:',
    '  nop: {}',
    'exporters:',
    '  nop: {}',
    'service:',
    '  pipelines:',
    '    metrics/linkmesh-baseline:',
    '      receivers: [nop]',
    '      exporters: [nop]',
    '',
  ].join('\n');
}
