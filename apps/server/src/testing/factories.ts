import { AuthThrottle } from '../domain/shared/auth-throttle.ts';
import type { Clock } from '../domain/shared/clock.ts';
import type { RequestContext } from '../domain/shared/request-context.ts';
import type { StoresOf } from '../domain/shared/storage.port.ts';
import type { EnrollmentStoreName } from '../domain/enrollment/enrollment.service.ts';
import { randomBytes } from 'node:crypto';
import { CollectorConfigService } from '../domain/collector-config/collector-config.service.ts';
import { CollectorRenderer } from '../domain/collector-config/collector-renderer.ts';
import { PipelineObjectsService } from '../domain/pipelines/pipeline-objects.service.ts';
import { FleetService } from '../domain/fleet/fleet.service.ts';
import { TelemetryTokens } from '../domain/fleet/telemetry-token.ts';
import { SecretBox } from '../domain/shared/secret-box.ts';
import type { Storage } from '../domain/shared/storage.port.ts';

/** Test data factories. */
export const operatorContext: RequestContext = { actor: 'user:test-operator', sourceIp: '127.0.0.1' };

let sequence = 0;
export const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${++sequence}`;

/** A createCollector callback for `EnrollmentService.redeem`, as the OpAMP path would pass it. */
export const enrolOtelcol =
  (fleet: FleetService, hostname = uniqueName('host')) =>
  async (stores: StoresOf<EnrollmentStoreName>) =>
    (await fleet.enrolCollector(stores, { name: hostname, runtime: 'otelcol', mode: 'opamp', hostname })).id;

/** The failed-auth throttle with the server's defaults, except a 5-minute window. */
export const aThrottle = (clock: Clock) =>
  new AuthThrottle(clock, { failuresPerWindow: 30, windowSeconds: 300, loginFailuresPerUserPerWindow: 10 });

/**
 * The config-version service as main.ts wires it (built-in baseline, a fresh server secret),
 * for suites that compose services by hand. `cacheTtlMs: 0` makes every read render again.
 */
export const aCollectorConfig = (
  storage: Storage,
  fleet: FleetService,
  clock: Clock,
  externalUrl: string,
  cacheTtlMs = 0,
) => {
  const box = new SecretBox(randomBytes(32));
  const renderer = new CollectorRenderer({
    tokens: new TelemetryTokens(storage.credentials, box, clock),
    externalUrl: () => externalUrl,
    fleetDefaultYaml: () => undefined,
    objects: new PipelineObjectsService(storage, clock, box),
  });
  return new CollectorConfigService(storage, clock, fleet, renderer.render, {
    cacheTtlMs,
    maxCachedCollectors: 1000,
  });
};
