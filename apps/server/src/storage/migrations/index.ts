import { foundation } from './0001-foundation.ts';
import { componentThroughput } from './0002-component-throughput.ts';
import { opampAgents } from './0003-opamp-agents.ts';
import { collectorReports } from './0004-collector-reports.ts';
import { managedAgents } from './0005-managed-agents.ts';
import { redactReportedSecrets } from './0006-redact-reported-secrets.ts';
import { throughputByReceiveTime } from './0007-throughput-by-receive-time.ts';
import { collectorRateSummary } from './0008-collector-rate-summary.ts';
import { hostCpuSeconds } from './0009-host-cpu-seconds.ts';
import { configVersions } from './0010-config-versions.ts';
import { pipelineObjects } from './0011-pipeline-objects.ts';
import { lastTelemetryAt } from './0012-last-telemetry-at.ts';
import { exporterRates } from './0013-exporter-rates.ts';
import type { Migration } from './migration.ts';

/** Every migration, oldest first. Append only. */
export const migrations: readonly Migration[] = [
  foundation,
  componentThroughput,
  opampAgents,
  collectorReports,
  managedAgents,
  redactReportedSecrets,
  throughputByReceiveTime,
  collectorRateSummary,
  hostCpuSeconds,
  configVersions,
  pipelineObjects,
  lastTelemetryAt,
  exporterRates,
];
