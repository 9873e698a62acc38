import type { FleetDefaultConfig } from '../domain/collector-config/fleet-default-config.ts';
import type { PipelineObjectsService } from '../domain/pipelines/pipeline-objects.service.ts';
import type { Logger } from '../platform/logger.ts';

/**
 * How often a replica re-reads the desired config other replicas may have changed (the fleet
 * default and the pipeline objects). Until changes travel over PostgreSQL LISTEN/NOTIFY, this bounds how long a
 * collector connected to another replica runs the old config.
 */
export const desiredConfigRefreshIntervalMs = 5_000;

export function startDesiredConfigRefresh(deps: {
  fleetDefault: FleetDefaultConfig;
  pipelineObjects: PipelineObjectsService;
  logger: Logger;
}): {
  stop(): void;
  /** One refresh now (tests); resolves true when the desired config changed. */
  refresh(): Promise<boolean>;
} {
  const refresh = async () => {
    try {
      const defaultChanged = await deps.fleetDefault.refresh();
      if (defaultChanged)
        deps.logger.info('jobs.desired_config: fleet default changed elsewhere; pushed to agents');
      const objectsChanged = await deps.pipelineObjects.refresh();
      if (objectsChanged)
        deps.logger.info('jobs.desired_config: pipeline objects changed elsewhere; pushed to agents');
      return defaultChanged || objectsChanged;
    } catch (error) {
      deps.logger.warn({ err: error }, 'jobs.desired_config: refresh failed');
      return false;
    }
  };
  const timer = setInterval(() => void refresh(), desiredConfigRefreshIntervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), refresh };
}
