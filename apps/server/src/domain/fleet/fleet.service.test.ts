import assert from 'node:assert/strict';
import { ManualClock } from '../shared/clock.ts';
import { describeStorage } from '../../testing/storage-harness.ts';
import { operatorContext, uniqueName } from '../../testing/factories.ts';
import { FleetService } from './fleet.service.ts';

describeStorage('fleet', (suite) => {
  const clock = new ManualClock();
  const fleetService = () => new FleetService(suite.storage(), clock);

  suite.test('creates an Alloy collector in alloy-remotecfg mode, pending', async () => {
    const collector = await fleetService().createCollector(operatorContext, {
      name: 'edge-01',
      runtime: 'alloy',
    });
    assert.equal(collector.mode, 'alloy-remotecfg');
    assert.equal(collector.status, 'pending');
    assert.deepEqual(collector.labels, {});
  });

  suite.test(
    'tells listeners of a bearer minted in a transaction only after it commits, never on rollback',
    async () => {
      const storage = suite.storage();
      const fleet = new FleetService(storage, clock);
      const told: Array<{ collectorId: string; committed: boolean }> = [];
      const collector = await fleet.createCollector(operatorContext, {
        name: uniqueName('c'),
        runtime: 'otelcol',
      });
      fleet.addListener({
        bearersRevoked: (collectorId) => {
          told.push({ collectorId, committed: true });
        },
      });
      await assert.rejects(
        storage.transaction(async (tx) => {
          await fleet.mintBearer(operatorContext, collector.id, tx);
          assert.deepEqual(told, [], 'not while the transaction is open');
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.deepEqual(told, [], 'a rolled-back mint tells nobody');
      await storage.transaction(async (tx) => {
        await fleet.mintBearer(operatorContext, collector.id, tx);
        assert.deepEqual(told, [], 'not before the commit');
      });
      assert.deepEqual(told, [{ collectorId: collector.id, committed: true }], 'told once, after the commit');
    },
  );

  suite.test('verifies a minted bearer and names why others fail', async () => {
    const fleet = fleetService();
    const collector = await fleet.createCollector(operatorContext, {
      name: uniqueName('c'),
      runtime: 'otelcol',
    });
    const token = await fleet.mintBearer(operatorContext, collector.id);
    assert.match(token, /^lmct_[A-Za-z0-9_-]{43}$/, 'URL-safe: no quote or backslash');
    const verified = await fleet.verifyBearer(`Bearer ${token}`);
    assert.ok(verified.ok && verified.collectorId === collector.id);
    assert.equal((await fleet.verifyBearer(`bearer ${token}`)).ok, true, 'the scheme is case-insensitive');
    for (const header of [undefined, '', 'Basic abc', 'Bearer', 'Bearer a b']) {
      assert.deepEqual(
        await fleet.verifyBearer(header),
        { ok: false, reason: 'missing_or_malformed_bearer' },
        String(header),
      );
    }
    for (const header of ['Bearer test', `Bearer lmct_${'x'.repeat(43)}`]) {
      assert.deepEqual(await fleet.verifyBearer(header), {
        ok: false,
        reason: 'token_unknown_or_revoked_or_expired',
      });
    }
  });

  suite.test('re-minting a bearer revokes the previous one at once', async () => {
    const fleet = fleetService();
    const collector = await fleet.createCollector(operatorContext, {
      name: uniqueName('c'),
      runtime: 'alloy',
    });
    const old = await fleet.mintBearer(operatorContext, collector.id);
    const fresh = await fleet.mintBearer(operatorContext, collector.id);
    assert.equal((await fleet.verifyBearer(`Bearer ${old}`)).ok, false);
    assert.equal((await fleet.verifyBearer(`Bearer ${fresh}`)).ok, true);
  });

  suite.test(
    'deregistration revokes the bearer, records the event and audit entry, and tells listeners',
    async () => {
      const fleet = fleetService();
      const told: string[] = [];
      fleet.addListener({ collectorDeregistered: (id) => told.push(id) });
      const collector = await fleet.createCollector(operatorContext, {
        name: uniqueName('c'),
        runtime: 'otelcol',
      });
      const token = await fleet.mintBearer(operatorContext, collector.id);
      await fleet.deregister(operatorContext, collector.id);
      assert.deepEqual(await fleet.verifyBearer(`Bearer ${token}`), {
        ok: false,
        reason: 'token_unknown_or_revoked_or_expired',
        // Its own revoked bearer: the refusal can be shown on the collector (telemetry_rejected).
        collectorId: collector.id,
      });
      assert.deepEqual(told, [collector.id]);
      const after = await fleet.get(collector.id);
      assert.equal(after.status, 'deregistered');
      assert.ok(after.deregisteredAtMs !== null);
      const events = await fleet.listEvents(collector.id, { sinceMs: 0, limit: 10 });
      assert.equal(events[0]?.type, 'deregistered');
      const audit = await suite
        .storage()
        .audit.list({ sinceMs: 0, limit: 50, action: 'collector.deregistered' });
      assert.ok(audit.some((a) => a.target === `collector:${collector.id}`));
      await fleet.deregister(operatorContext, collector.id);
      assert.deepEqual(told, [collector.id], 'deregistering twice is a no-op');
      const listed = await fleet.list({ limit: 1000 });
      assert.ok(
        !listed.some((c) => c.id === collector.id),
        'the fleet list leaves deregistered collectors out',
      );
    },
  );

  suite.test('pages through the fleet in creation order', async () => {
    const fleet = fleetService();
    for (let i = 0; i < 5; i++) {
      clock.advanceMs(1);
      await fleet.createCollector(operatorContext, { name: uniqueName('page'), runtime: 'alloy' });
    }
    const all = await fleet.list({ limit: 10_000 });
    const firstPage = await fleet.list({ limit: 2 });
    const last = firstPage.at(-1)!;
    const secondPage = await fleet.list({ limit: 2, after: { createdAtMs: last.createdAtMs, id: last.id } });
    assert.deepEqual(
      [...firstPage, ...secondPage].map((c) => c.id),
      all.slice(0, 4).map((c) => c.id),
    );
  });

  suite.test('de-duplicates events that carry the same key', async () => {
    const fleet = fleetService();
    const collector = await fleet.createCollector(operatorContext, {
      name: uniqueName('c'),
      runtime: 'otelcol',
    });
    const first = await fleet.recordEvent(
      collector.id,
      'component_naming_mismatch',
      'unknown component',
      'otlp/x@v1',
    );
    const second = await fleet.recordEvent(
      collector.id,
      'component_naming_mismatch',
      'unknown component',
      'otlp/x@v1',
    );
    assert.ok(first);
    assert.equal(second, undefined);
    const events = await fleet.listEvents(collector.id, {
      sinceMs: 0,
      limit: 10,
      types: ['component_naming_mismatch'],
    });
    assert.equal(events.length, 1);
  });

  suite.test(
    'sweeps silent polling collectors: connected → stale → disconnected, OpAMP ones untouched',
    async () => {
      const storage = suite.storage();
      const sweepClock = new ManualClock(Date.UTC(2026, 5, 1));
      const fleet = new FleetService(storage, sweepClock);
      const alloy = await fleet.createCollector(operatorContext, { name: uniqueName('a'), runtime: 'alloy' });
      const otel = await fleet.createCollector(operatorContext, {
        name: uniqueName('o'),
        runtime: 'otelcol',
      });
      await fleet.markSeen(alloy.id, 'poll');
      await fleet.setConnectionStatus(otel.id, 'connected', 'opamp');
      const seenAt = (await fleet.get(alloy.id)).lastSeenAtMs;
      sweepClock.advanceMs(10_000);
      await fleet.markSeen(alloy.id, 'poll');
      assert.equal((await fleet.get(alloy.id)).lastSeenAtMs, seenAt, 'no write within 15 s');
      sweepClock.advanceMs(5_000);
      await fleet.markSeen(alloy.id, 'poll');
      assert.equal((await fleet.get(alloy.id)).lastSeenAtMs, (seenAt ?? 0) + 15_000);

      sweepClock.advanceMs(200_000);
      await fleet.sweepSilentPollers(180_000, 600_000);
      assert.equal((await fleet.get(alloy.id)).status, 'stale');
      assert.equal((await fleet.get(otel.id)).status, 'connected', "OpAMP liveness is the transport's");
      sweepClock.advanceMs(400_001);
      await fleet.sweepSilentPollers(180_000, 600_000);
      assert.equal((await fleet.get(alloy.id)).status, 'disconnected');
      await fleet.markSeen(alloy.id, 'poll');
      assert.equal((await fleet.get(alloy.id)).status, 'connected');
    },
  );

  suite.test("keeps a Managed agent's key, last report and pending rotation", async () => {
    const storage = suite.storage();
    const collector = await fleetService().createCollector(operatorContext, {
      name: uniqueName('m'),
      runtime: 'alloy',
    });
    assert.equal(await storage.managedAgents.get(collector.id), undefined);
    await storage.managedAgents.setPublicKey(collector.id, 'k'.repeat(43));
    const pending = {
      sealedToken: {
        alg: 'x25519-hkdf-sha256-aes256gcm' as const,
        ephemeralPublicKey: 'e',
        nonce: 'n',
        ciphertext: 'c',
      },
      credentialId: 'cred-1',
      rotatedAtMs: 1,
      previousValidUntilMs: 2,
    };
    await storage.managedAgents.setPendingRotation(collector.id, pending);
    const stored = await storage.managedAgents.get(collector.id);
    assert.ok(stored);
    assert.equal(stored.publicKey, 'k'.repeat(43));
    assert.deepEqual(stored.pendingRotation, pending);
    assert.equal(stored.report, null);
    await storage.managedAgents.setPendingRotation(collector.id, null);
    assert.equal((await storage.managedAgents.get(collector.id))?.pendingRotation, null);
    assert.equal((await storage.managedAgents.get(collector.id))?.publicKey, 'k'.repeat(43));
  });
});
