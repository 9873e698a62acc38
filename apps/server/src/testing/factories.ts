import { AuthThrottle } from '../domain/shared/auth-throttle.ts';
import type { Clock } from '../domain/shared/clock.ts';
import type { RequestContext } from '../domain/shared/request-context.ts';
import type { Stores } from '../domain/shared/storage.port.ts';
import { FleetService } from '../domain/fleet/fleet.service.ts';

/** Test data factories. */
export const operatorContext: RequestContext = { actor: 'user:test-operator', sourceIp: '127.0.0.1' };

let sequence = 0;
export const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${++sequence}`;

/** A createCollector callback for `EnrollmentService.redeem`, as the OpAMP path would pass it. */
export const enrolOtelcol =
  (fleet: FleetService, hostname = uniqueName('host')) =>
  async (stores: Stores) =>
    (await fleet.enrolCollector(stores, { name: hostname, runtime: 'otelcol', mode: 'opamp', hostname })).id;

/** The failed-auth throttle with the server's defaults, except a 5-minute window. */
export const aThrottle = (clock: Clock) =>
  new AuthThrottle(clock, { failuresPerWindow: 30, windowSeconds: 300, loginFailuresPerUserPerWindow: 10 });
