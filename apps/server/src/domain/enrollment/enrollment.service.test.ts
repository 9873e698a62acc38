import assert from 'node:assert/strict';
import { ManualClock } from '../shared/clock.ts';
import { hashCredential } from '../shared/credentials.ts';
import { DomainError } from '../shared/errors.ts';
import { FleetService } from '../fleet/fleet.service.ts';
import { describeStorage } from '../../testing/storage-harness.ts';
import { aThrottle, enrolOtelcol, operatorContext } from '../../testing/factories.ts';
import { EnrollmentService } from './enrollment.service.ts';

const rejectsWith = (kind: DomainError['kind']) => (error: unknown) =>
  error instanceof DomainError && error.kind === kind;

describeStorage('enrollment tokens', (suite) => {
  const clock = new ManualClock();
  const services = () => {
    const storage = suite.storage();
    return {
      storage,
      fleet: new FleetService(storage, clock),
      enrollment: new EnrollmentService(
        storage,
        clock,
        { defaultTtlSeconds: 900, maxTtlSeconds: 86_400 },
        aThrottle(clock),
      ),
    };
  };

  suite.test('mints an lmet_ token that lives 900 s by default and is stored only as its hash', async () => {
    const { enrollment, storage } = services();
    const minted = await enrollment.mint(operatorContext, {});
    assert.match(minted.token, /^lmet_[A-Za-z0-9_-]{43}$/);
    assert.equal(minted.expiresAtMs, clock.nowMs() + 900_000);
    const record = await storage.credentials.findById(minted.id);
    assert.equal(record?.hash, hashCredential(minted.token));
    assert.ok(!JSON.stringify(record).includes(minted.token), 'the raw token is not stored');
    const audit = await storage.audit.list({ sinceMs: 0, limit: 10, action: 'token.minted' });
    assert.ok(
      audit.some(
        (entry) => entry.target === `enrollment-token:${minted.id}` && entry.actor === operatorContext.actor,
      ),
    );
  });

  suite.test('rejects a TTL outside the allowed range, naming ttlSeconds', async () => {
    const { enrollment } = services();
    for (const ttlSeconds of [0, 59, 86_401, 1.5]) {
      await assert.rejects(
        enrollment.mint(operatorContext, { ttlSeconds }),
        (error: unknown) =>
          error instanceof DomainError && error.kind === 'invalid' && error.field === 'ttlSeconds',
      );
    }
  });

  suite.test('redeems a fresh token once, creating a collector with a registered event', async () => {
    const { enrollment, fleet, storage } = services();
    const { token } = await enrollment.mint(operatorContext, {});
    const redemption = await enrollment.redeem(token, 'instance-a', enrolOtelcol(fleet));
    assert.equal(redemption.created, true);
    const events = await storage.events.list(redemption.collectorId, { sinceMs: 0, limit: 10 });
    assert.deepEqual(
      events.map((e) => e.type),
      ['registered'],
    );
  });

  suite.test('refuses an expired token as unauthenticated', async () => {
    const { enrollment, fleet } = services();
    const { token } = await enrollment.mint(operatorContext, { ttlSeconds: 60 });
    clock.advanceMs(60_001);
    await assert.rejects(
      enrollment.redeem(token, 'instance-b', enrolOtelcol(fleet)),
      rejectsWith('unauthenticated'),
    );
  });

  suite.test('refuses a revoked or unknown token as unauthenticated', async () => {
    const { enrollment, fleet } = services();
    const { id, token } = await enrollment.mint(operatorContext, {});
    await enrollment.revoke(operatorContext, id);
    await assert.rejects(
      enrollment.redeem(token, 'instance-c', enrolOtelcol(fleet)),
      rejectsWith('unauthenticated'),
    );
    await assert.rejects(
      enrollment.redeem('lmet_' + 'x'.repeat(43), 'instance-c', enrolOtelcol(fleet)),
      rejectsWith('unauthenticated'),
    );
    await assert.rejects(
      enrollment.redeem('not-a-token', 'instance-c', enrolOtelcol(fleet)),
      rejectsWith('unauthenticated'),
    );
  });

  suite.test('answers gone when a used token is presented for another collector', async () => {
    const { enrollment, fleet } = services();
    const { token } = await enrollment.mint(operatorContext, {});
    await enrollment.redeem(token, 'instance-d', enrolOtelcol(fleet));
    await assert.rejects(enrollment.redeem(token, 'instance-e', enrolOtelcol(fleet)), rejectsWith('gone'));
  });

  suite.test(
    'accepts the same instance again until its collector uses its own bearer, even after expiry',
    async () => {
      const { enrollment, fleet } = services();
      const { token } = await enrollment.mint(operatorContext, { ttlSeconds: 60 });
      const first = await enrollment.redeem(token, 'instance-f', enrolOtelcol(fleet));
      clock.advanceMs(120_000);
      const again = await enrollment.redeem(token, 'instance-f', enrolOtelcol(fleet));
      assert.deepEqual(again, { collectorId: first.collectorId, created: false });

      const bearer = await fleet.mintBearer(operatorContext, first.collectorId);
      const verified = await fleet.verifyBearer(`Bearer ${bearer}`);
      assert.equal(verified.ok, true);
      await assert.rejects(enrollment.redeem(token, 'instance-f', enrolOtelcol(fleet)), rejectsWith('gone'));
    },
  );

  suite.test('lets exactly one of two racing hosts redeem a token', async () => {
    const { enrollment, fleet, storage } = services();
    const { token } = await enrollment.mint(operatorContext, {});
    const before = await storage.collectors.count();
    const results = await Promise.allSettled([
      enrollment.redeem(token, 'racer-1', enrolOtelcol(fleet)),
      enrollment.redeem(token, 'racer-2', enrolOtelcol(fleet)),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r) => r.status === 'rejected');
    assert.equal(fulfilled.length, 1);
    assert.equal(rejected.length, 1);
    assert.ok(rejectsWith('gone')((rejected[0] as PromiseRejectedResult).reason));
    assert.equal(await storage.collectors.count(), before + 1, 'the loser created no collector');
  });

  suite.test('lists tokens with their status', async () => {
    const { enrollment, fleet } = services();
    const active = await enrollment.mint(operatorContext, {});
    const used = await enrollment.mint(operatorContext, {});
    await enrollment.redeem(used.token, 'instance-g', enrolOtelcol(fleet));
    const revoked = await enrollment.mint(operatorContext, {});
    await enrollment.revoke(operatorContext, revoked.id);
    const statuses = new Map((await enrollment.list(1000)).map((t) => [t.id, t.status]));
    assert.equal(statuses.get(active.id), 'active');
    assert.equal(statuses.get(used.id), 'used');
    assert.equal(statuses.get(revoked.id), 'revoked');
  });
});
