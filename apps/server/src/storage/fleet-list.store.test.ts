import assert from 'node:assert/strict';
import { deriveStatus } from '../domain/fleet/collector-health.ts';
import type { CollectorStatus } from '../domain/fleet/collector.types.ts';
import type { FleetQuery } from '../domain/fleet/fleet-list.types.ts';
import { FleetService } from '../domain/fleet/fleet.service.ts';
import { ManualClock } from '../domain/shared/clock.ts';
import type { Storage } from '../domain/shared/storage.port.ts';
import { aPoint, aResource } from '../domain/telemetry/metric-point.fixtures.ts';
import { ratesAsOf } from '../domain/telemetry/rate-summary.ts';
import { SelfTelemetryIngest } from '../domain/telemetry/self-telemetry.ingest.ts';
import { ThroughputQuery } from '../domain/telemetry/throughput.query.ts';
import { operatorContext, uniqueName } from '../testing/factories.ts';
import { describeStorage } from '../testing/storage-harness.ts';
import { openStorage } from './open-storage.ts';

/** Cumulative counters of one push: an OTLP receiver and an otlphttp exporter, logs. */
interface Counters {
  accepted: number;
  refused?: number;
  sent: number;
  sendFailed?: number;
}

describeStorage('fleet list: rates, health, search, filters, sorting', (suite) => {
  const clock = new ManualClock(Date.UTC(2026, 10, 1));
  const fleet = () => new FleetService(suite.storage(), clock);
  const ingestOn = (storage: Storage) =>
    new SelfTelemetryIngest(
      storage,
      clock,
      () => Promise.resolve(true),
      { commitDelayMs: 0, maxBufferedPushes: 1000 },
      {
        flushed: () => undefined,
        failed: (error) => {
          throw error;
        },
      },
    );

  /** Every collector of a test carries this label, so queries see only the test's own. */
  async function aCollector(
    run: string,
    overrides: {
      name?: string;
      runtime?: 'otelcol' | 'alloy';
      status?: CollectorStatus;
      hostname?: string;
      version?: string;
      labels?: Record<string, string>;
      instanceUid?: string;
    } = {},
  ): Promise<string> {
    const created = await fleet().createCollector(operatorContext, {
      name: overrides.name ?? uniqueName('c'),
      runtime: overrides.runtime ?? 'otelcol',
    });
    await suite.storage().collectors.update(created.id, {
      status: overrides.status ?? 'connected',
      labels: { run, ...overrides.labels },
      ...(overrides.hostname === undefined ? {} : { hostname: overrides.hostname }),
      ...(overrides.version === undefined ? {} : { version: overrides.version }),
      ...(overrides.instanceUid === undefined ? {} : { instanceUid: overrides.instanceUid }),
    });
    clock.advanceMs(1);
    return created.id;
  }

  /** One self-telemetry push received now, committed before it resolves. */
  async function push(
    ingest: SelfTelemetryIngest,
    collectorId: string,
    counters: Counters,
    startTimeUnixMs = Date.UTC(2026, 9, 1),
  ): Promise<void> {
    const timeUnixMs = clock.nowMs();
    const point = (name: string, value: number, attributes: Record<string, string>) =>
      aPoint({ name, value, timeUnixMs, startTimeUnixMs, attributes });
    const accepted = ingest.accept(collectorId, {
      resources: [
        aResource([
          point('otelcol_receiver_accepted_log_records', counters.accepted, { receiver: 'otlp' }),
          point('otelcol_receiver_refused_log_records', counters.refused ?? 0, { receiver: 'otlp' }),
          point('otelcol_exporter_sent_log_records', counters.sent, { exporter: 'otlphttp/x' }),
          point('otelcol_exporter_send_failed_log_records', counters.sendFailed ?? 0, {
            exporter: 'otlphttp/x',
          }),
        ]),
      ],
      ignoredPointCount: 0,
      rejectedPointCount: 0,
      rejectionMessages: [],
    });
    await ingest.flush();
    await accepted;
  }

  const query = (run: string, overrides: Partial<FleetQuery> = {}): FleetQuery => ({
    limit: 100,
    asOfMs: clock.nowMs(),
    labels: [{ key: 'run', value: run }],
    sort: 'createdAt',
    order: 'asc',
    ...overrides,
  });
  const itemOf = async (id: string) => fleet().fleetItem(id, clock.nowMs());

  suite.test('the ingest keeps per-collector rates equal to the throughput API’s current rates', async () => {
    const run = uniqueName('rates');
    const id = await aCollector(run);
    const ingest = ingestOn(suite.storage());
    await push(ingest, id, { accepted: 0, sent: 0 });
    assert.equal((await itemOf(id)).rates.missingReason, 'needs_two_samples');
    clock.advanceMs(30_000);
    await push(ingest, id, { accepted: 3000, refused: 30, sent: 2400, sendFailed: 600 });
    clock.advanceMs(30_000);
    await push(ingest, id, { accepted: 9000, refused: 30, sent: 6000, sendFailed: 3000 });

    const components = await new ThroughputQuery(suite.storage(), clock).components(id, {
      windowMs: 15 * 60_000,
      buckets: 10,
    });
    const sum = (kind: string, field: 'recordsPerSec' | 'errorsPerSec') =>
      components.filter((c) => c.kind === kind).reduce((total, c) => total + (c[field] ?? 0), 0);
    const { rates, status, statusReason } = await itemOf(id);
    assert.equal(rates.recordsInPerSec, sum('receiver', 'recordsPerSec'));
    assert.equal(rates.recordsInPerSec, 200);
    assert.equal(rates.recordsOutPerSec, sum('exporter', 'recordsPerSec'));
    assert.equal(rates.recordsOutPerSec, 120);
    assert.equal(rates.errorsPerSec, sum('receiver', 'errorsPerSec') + sum('exporter', 'errorsPerSec'));
    assert.equal(rates.errorsPerSec, 80);
    assert.equal(status, 'error');
    assert.equal(statusReason, 'exporter otlphttp/x failing at 80/s');
  });

  suite.test('error from failing exporters clears once send_failed stops rising', async () => {
    const run = uniqueName('clears');
    const id = await aCollector(run);
    const ingest = ingestOn(suite.storage());
    await push(ingest, id, { accepted: 0, sent: 0, sendFailed: 0 });
    clock.advanceMs(30_000);
    await push(ingest, id, { accepted: 30_000, sent: 9000, sendFailed: 21_000 });
    assert.deepEqual(
      { status: (await itemOf(id)).status, reason: (await itemOf(id)).statusReason },
      { status: 'error', reason: 'exporter otlphttp/x failing at 700/s' },
    );
    clock.advanceMs(30_000);
    await push(ingest, id, { accepted: 60_000, sent: 39_000, sendFailed: 21_000 });
    const recovered = await itemOf(id);
    assert.equal(recovered.status, 'connected');
    assert.equal(recovered.statusReason, null);
    assert.equal(recovered.rates.errorsPerSec, 0);
  });

  suite.test('rates older than a few push intervals read as absent, and so does their error', async () => {
    const run = uniqueName('stale');
    const id = await aCollector(run);
    const ingest = ingestOn(suite.storage());
    await push(ingest, id, { accepted: 0, sent: 0, sendFailed: 0 });
    clock.advanceMs(30_000);
    await push(ingest, id, { accepted: 3000, sent: 0, sendFailed: 3000 });
    assert.equal((await itemOf(id)).status, 'error');
    clock.advanceMs(3 * 30_000);
    const later = await itemOf(id);
    assert.deepEqual(later.rates, {
      recordsInPerSec: null,
      recordsOutPerSec: null,
      errorsPerSec: null,
      topError: null,
      exporterRates: [],
      missingReason: 'stale',
    });
    assert.equal(later.status, 'connected', 'no current rates, no error from rates');
    const errors = await fleet().listFleet(query(run, { statuses: ['error'] }));
    assert.deepEqual(errors, [], 'the SQL filter judges expiry the same way');
  });

  suite.test('pushes alternating between two replicas are rated against each other', async () => {
    const run = uniqueName('replicas');
    const id = await aCollector(run);
    const second = (await openStorage(suite.target())).storage;
    try {
      const [a, b] = [ingestOn(suite.storage()), ingestOn(second)];
      await push(a, id, { accepted: 0, sent: 0 });
      clock.advanceMs(30_000);
      await push(b, id, { accepted: 600, sent: 300 });
      assert.equal((await itemOf(id)).rates.recordsInPerSec, 20);
      clock.advanceMs(30_000);
      await push(a, id, { accepted: 1500, sent: 1200 });
      const rates = (await new FleetService(second, clock).fleetItem(id, clock.nowMs())).rates;
      assert.equal(rates.recordsInPerSec, 30);
      assert.equal(rates.recordsOutPerSec, 30);
    } finally {
      await second.close();
    }
  });

  suite.test(
    'a failed apply of the version the collector should run is error until a later one applies',
    async () => {
      const run = uniqueName('config');
      const id = await aCollector(run);
      const configs = suite.storage().configVersions;
      await configs.setCurrent(id, 1, 'render-1');
      await configs.setApply(id, {
        status: 'FAILED',
        version: 1,
        error: "unknown type: 'otlphttpx'",
        atMs: 1,
      });
      const failed = await itemOf(id);
      assert.deepEqual(
        { status: failed.status, reason: failed.statusReason },
        { status: 'error', reason: "config failed: unknown type: 'otlphttpx'" },
      );
      await configs.setCurrent(id, 2, 'render-2');
      assert.equal(
        (await itemOf(id)).status,
        'connected',
        'a new version is applying: the failure is history',
      );
      await configs.setApply(id, { status: 'FAILED', version: 1, error: 'late report', atMs: 2 });
      assert.equal((await itemOf(id)).status, 'connected', 'a failure of an older version does not count');
      await configs.setApply(id, { status: 'APPLIED', version: 2, error: null, atMs: 3 });
      assert.equal((await itemOf(id)).status, 'connected');
    },
  );

  suite.test(
    'an OpAMP agent that reports itself unhealthy with an error is error; its first {healthy:false} is not',
    async () => {
      const run = uniqueName('health');
      const uid = `0190f5d2-${String(Date.now()).slice(-4)}-7000-8000-${String(process.hrtime.bigint()).slice(-12)}`;
      const id = await aCollector(run, { instanceUid: uid });
      const agent = (healthy: boolean, lastError: string) => ({
        instanceUid: uid,
        collectorId: id,
        capabilities: 0,
        description: { identifying: {}, nonIdentifying: {} },
        effectiveConfig: null,
        health: { healthy, status: '', lastError, startTimeUnixMs: 0, components: {} },
        remoteConfigStatus: null,
        transport: 'ws' as const,
        firstSeenAtMs: 1,
        lastMessageAtMs: 1,
      });
      await suite.storage().opampAgents.upsert(agent(false, ''));
      assert.equal((await itemOf(id)).status, 'connected', 'the supervisor starts with {healthy:false}');
      await suite
        .storage()
        .opampAgents.upsert(agent(false, 'Agent process PID=7 exited unexpectedly, exit code=1'));
      const unhealthy = await itemOf(id);
      assert.equal(unhealthy.status, 'error');
      assert.equal(
        unhealthy.statusReason,
        'agent reports unhealthy: Agent process PID=7 exited unexpectedly, exit code=1',
      );
      await suite.storage().opampAgents.upsert(agent(true, ''));
      assert.equal((await itemOf(id)).status, 'connected');
    },
  );

  suite.test(
    'filters by status in SQL exactly as the domain derives it; disconnected keeps precedence',
    async () => {
      const run = uniqueName('precedence');
      const ingest = ingestOn(suite.storage());
      const failing = await aCollector(run);
      const failingButGone = await aCollector(run);
      for (const id of [failing, failingButGone])
        await push(ingest, id, { accepted: 0, sent: 0, sendFailed: 0 });
      clock.advanceMs(30_000);
      for (const id of [failing, failingButGone])
        await push(ingest, id, { accepted: 10, sent: 0, sendFailed: 300 });
      await suite.storage().collectors.update(failingButGone, { status: 'disconnected' });
      const quiet = await aCollector(run);
      const pending = await aCollector(run, { status: 'pending' });
      const stale = await aCollector(run, { status: 'stale' });

      const all = await fleet().listFleet(query(run));
      const derived = new Map(all.map((item) => [item.collector.id, item.status]));
      assert.deepEqual(
        [failing, failingButGone, quiet, pending, stale].map((id) => derived.get(id)),
        ['error', 'disconnected', 'connected', 'pending', 'stale'],
      );
      for (const item of all) {
        const domain = deriveStatus(item.collector.status, {
          configFailure: null,
          unhealthy: null,
          rates: item.rates,
        });
        assert.equal(item.status, domain.status);
      }
      for (const status of ['error', 'disconnected', 'connected', 'pending', 'stale'] as const) {
        const filtered = await fleet().listFleet(query(run, { statuses: [status] }));
        assert.deepEqual(
          filtered.map((item) => item.collector.id),
          all.filter((item) => item.status === status).map((item) => item.collector.id),
          `status=${status}`,
        );
      }
      assert.deepEqual(await fleet().countFleetByStatus(query(run)), {
        error: 1,
        disconnected: 1,
        connected: 1,
        pending: 1,
        stale: 1,
      });
    },
  );

  suite.test(
    'searches name, hostname, id, instance uid and labels, with LIKE wildcards taken literally',
    async () => {
      const run = uniqueName('search');
      const edge = await aCollector(run, { name: 'Edge-Gateway-1', hostname: 'ip-10-0-0-1.eu-west-1' });
      const percent = await aCollector(run, { name: '100%_done', labels: { env: 'prod', team: 'a=b' } });
      const other = await aCollector(run, {
        name: 'other',
        instanceUid: 'abcdef-uid-search',
        labels: { env: 'dev' },
      });
      const ids = async (text: string) =>
        (await fleet().listFleet(query(run, { text }))).map((item) => item.collector.id);
      assert.deepEqual(await ids('edge-gateway'), [edge], 'case-insensitive name');
      assert.deepEqual(await ids('EU-WEST'), [edge], 'hostname');
      assert.deepEqual(await ids(percent.slice(4, 16)), [percent], 'id');
      assert.deepEqual(await ids('uid-search'), [other], 'instance uid');
      assert.deepEqual(await ids('env=prod'), [percent], 'label key=value, exact');
      assert.deepEqual(await ids('team=a=b'), [percent], 'the first = splits key from value');
      assert.deepEqual(await ids('%'), [percent], '% is a character, not a wildcard');
      assert.deepEqual(await ids('%_d'), [percent], '_ is a character');
      assert.deepEqual(await ids('1__'), [], '_ matches no other character');
      assert.deepEqual(await ids("'; drop table collectors; --"), []);
      assert.equal((await fleet().listFleet(query(run))).length, 3, 'the table is still there');
    },
  );

  suite.test('filters by runtime, mode, version and labels, ANDed', async () => {
    const run = uniqueName('filters');
    const alloy = await aCollector(run, { runtime: 'alloy', version: 'v1.9.0', labels: { env: 'prod' } });
    const otel = await aCollector(run, { version: '0.120.0', labels: { env: 'prod' } });
    const dev = await aCollector(run, { version: '0.120.0', labels: { env: 'dev' } });
    const ids = async (overrides: Partial<FleetQuery>) =>
      (await fleet().listFleet(query(run, overrides))).map((item) => item.collector.id);
    assert.deepEqual(await ids({ runtimes: ['alloy'] }), [alloy]);
    assert.deepEqual(await ids({ modes: ['opamp'] }), [otel, dev]);
    assert.deepEqual(await ids({ versions: ['0.120.0'] }), [otel, dev]);
    assert.deepEqual(
      await ids({
        labels: [
          { key: 'run', value: run },
          { key: 'env', value: 'prod' },
        ],
        versions: ['0.120.0'],
      }),
      [otel],
    );
    assert.deepEqual(await ids({ runtimes: ['otelcol'], modes: ['alloy-remotecfg'] }), []);
  });

  suite.test(
    'sorts by records out per second, absent rates last, and pages without gaps or repeats',
    async () => {
      const run = uniqueName('sort');
      const ingest = ingestOn(suite.storage());
      const rated: string[] = [];
      for (let i = 0; i < 5; i += 1) rated.push(await aCollector(run, { name: `n-${i}` }));
      const silent = await aCollector(run, { name: 'n-silent' });
      const once = await aCollector(run, { name: 'n-once' });
      for (const id of [...rated, once]) await push(ingest, id, { accepted: 0, sent: 0 });
      clock.advanceMs(30_000);
      // Out rates 10, 30, 30, 0, 50 records/s.
      const sent = [300, 900, 900, 0, 1500];
      for (const [i, id] of rated.entries()) await push(ingest, id, { accepted: 100, sent: sent[i] ?? 0 });

      const full = await fleet().listFleet(query(run, { sort: 'recordsOutPerSec', order: 'desc' }));
      const tiedFirst = [rated[1], rated[2]].sort() as string[];
      assert.deepEqual(
        full.map((item) => item.collector.id),
        [rated[4], ...tiedFirst, rated[0], rated[3], ...[silent, once].sort()],
        'desc by rate, ties by id, no rate last',
      );
      const ascending = await fleet().listFleet(query(run, { sort: 'recordsOutPerSec', order: 'asc' }));
      assert.deepEqual(
        ascending.slice(-2).map((item) => item.collector.id),
        [silent, once].sort(),
        'still last',
      );

      for (const order of ['asc', 'desc'] as const) {
        const whole = await fleet().listFleet(query(run, { sort: 'recordsOutPerSec', order }));
        const paged: string[] = [];
        let after: FleetQuery['after'];
        for (let pages = 0; pages < 10; pages += 1) {
          const page = await fleet().listFleet(
            query(run, { sort: 'recordsOutPerSec', order, limit: 2, ...(after ? { after } : {}) }),
          );
          paged.push(...page.map((item) => item.collector.id));
          const last = page.at(-1);
          if (page.length < 2 || !last) break;
          after = { value: last.sortValue, id: last.collector.id };
        }
        assert.deepEqual(
          paged,
          whole.map((item) => item.collector.id),
          `paged ${order}`,
        );
      }
      const item = full[0];
      assert.ok(item);
      assert.equal(ratesAsOf(undefined, 0).missingReason, 'no_self_telemetry');
      assert.equal(full.find((i) => i.collector.id === silent)?.rates.missingReason, 'no_self_telemetry');
      assert.equal(full.find((i) => i.collector.id === once)?.rates.missingReason, 'needs_two_samples');
    },
  );

  suite.test('sorts names case-insensitively and statuses by severity', async () => {
    const run = uniqueName('order');
    const b = await aCollector(run, { name: 'beta' });
    const a = await aCollector(run, { name: 'Alpha', status: 'stale' });
    const c = await aCollector(run, { name: 'charlie', status: 'disconnected' });
    const d = await aCollector(run, { name: 'Delta', status: 'pending' });
    const ids = async (overrides: Partial<FleetQuery>) =>
      (await fleet().listFleet(query(run, overrides))).map((item) => item.collector.id);
    assert.deepEqual(await ids({ sort: 'name', order: 'asc' }), [a, b, c, d]);
    assert.deepEqual(await ids({ sort: 'name', order: 'desc' }), [d, c, b, a]);
    assert.deepEqual(
      await ids({ sort: 'status', order: 'asc' }),
      [c, a, d, b],
      'disconnected, stale, pending, connected',
    );
  });
});
