import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnrollmentService } from '../enrollment/enrollment.service.ts';
import type { FleetService } from '../fleet/fleet.service.ts';
import type { ThroughputQuery } from '../telemetry/throughput.query.ts';
import type { Storage, StorageOf } from './storage.port.ts';

/** The storage a class takes as its first constructor argument. */
type StorageOfClass<C> = C extends abstract new (storage: infer S, ...rest: never[]) => unknown ? S : never;

/**
 * Each service is handed only the stores it uses (issue #10 item 5). The checks are in the
 * types: `npm run typecheck` fails when a service's storage grows back to every store (the
 * `@ts-expect-error` lines would then be unused). The test below keeps the file in the suite.
 */
describe('Storage port per service', () => {
  it('narrows what each service can reach', () => {
    // Never called: the bodies exist for the type checker.
    const typeChecks = () => {
      const full = {} as Storage;
      const throughputOnly: StorageOf<'throughput'> = full;
      // @ts-expect-error — a service handed only the throughput store cannot reach credentials
      const throughputOnlyCredentials: unknown = throughputOnly.credentials;
      const query = {} as StorageOfClass<typeof ThroughputQuery>;
      // @ts-expect-error — ThroughputQuery reads throughput rows, nothing else
      const queryUsers: unknown = query.users;
      const fleet = {} as StorageOfClass<typeof FleetService>;
      // @ts-expect-error — the fleet service has no business with operator sessions' users
      const fleetUsers: unknown = fleet.users;
      const enrollment = {} as StorageOfClass<typeof EnrollmentService>;
      // @ts-expect-error — enrolment never touches OpAMP agent records
      const enrollmentOpampagents: unknown = enrollment.opampAgents;
      return [throughputOnlyCredentials, queryUsers, fleetUsers, enrollmentOpampagents];
    };
    assert.equal(typeof typeChecks, 'function');
  });
});
