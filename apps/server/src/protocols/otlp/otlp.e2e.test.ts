import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ComponentRateView, ThroughputRowView } from '@linkmesh/contracts/api';
import { SdkCollector } from '../../testing/otel-sdk-collector.ts';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

/**
 * Self-telemetry end to end: the real OpenTelemetry JS SDK with the OTLP protobuf and JSON
 * exporters pushes collector-shaped metrics over HTTP; the rates read back through the API must
 * equal what was sent, computed from the raw rows' own timestamps.
 */
describe('self-telemetry from the OpenTelemetry JS exporters', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.close());

  async function newCollector(name: string): Promise<{ id: string; bearer: string }> {
    const collector = (await (
      await t.api('/api/v1/collectors', { method: 'POST', json: { name, runtime: 'otelcol' } })
    ).json()) as {
      id: string;
    };
    const minted = (await (
      await t.api(`/api/v1/collectors/${collector.id}/token`, { method: 'POST' })
    ).json()) as { token: string };
    return { id: collector.id, bearer: minted.token };
  }

  async function rows(collectorId: string): Promise<ThroughputRowView[]> {
    await t.server.flushTelemetry();
    return (
      (await (await t.api(`/api/v1/collectors/${collectorId}/throughput?window=1h`)).json()) as {
        items: ThroughputRowView[];
      }
    ).items;
  }

  async function components(collectorId: string): Promise<ComponentRateView[]> {
    await t.server.flushTelemetry();
    return (
      (await (await t.api(`/api/v1/collectors/${collectorId}/components?window=1h`)).json()) as {
        items: ComponentRateView[];
      }
    ).items;
  }

  const find = (list: ComponentRateView[], kind: string, componentId: string) => {
    const found = list.find((c) => c.kind === kind && c.componentId === componentId && c.signal !== '');
    assert.ok(
      found,
      `${kind} ${componentId} is in ${JSON.stringify(list.map((c) => `${c.kind}/${c.componentId}/${c.signal}`))}`,
    );
    return found;
  };

  /** Δcounter / Δt from the last two raw rows of one component, as the server should compute it. */
  function expectedRate(
    all: ThroughputRowView[],
    kind: string,
    componentId: string,
    counter: keyof ThroughputRowView['counters'],
  ) {
    const series = all.filter(
      (r) => r.kind === kind && r.componentId === componentId && r.counters[counter] !== undefined,
    );
    const [previous, latest] = series.slice(-2);
    assert.ok(previous && latest, `two samples of ${kind} ${componentId}`);
    return (
      ((latest.counters[counter] ?? 0) - (previous.counters[counter] ?? 0)) /
      ((Date.parse(latest.time) - Date.parse(previous.time)) / 1000)
    );
  }

  for (const [encoding, gzip] of [
    ['protobuf', false],
    ['json', false],
    ['protobuf', true],
    ['json', true],
  ] as const) {
    it(`reads back the rates that were sent (${encoding}${gzip ? ', gzip' : ''})`, async () => {
      const { id, bearer } = await newCollector(`sdk-${encoding}-${gzip}`);
      const sdk = new SdkCollector({ url: `${t.url}/v1/metrics`, bearer, encoding, gzip });
      try {
        sdk.record({ accepted: 1000, refused: 5, sent: 990, sendFailed: 10, dropped: 2 });
        sdk.queueSize = 10;
        await sdk.push();
        assert.equal(
          (await components(id)).every((c) => c.recordsPerSec === null),
          true,
          'one sample: no rate yet',
        );

        await new Promise((resolve) => setTimeout(resolve, 250));
        sdk.record({ accepted: 500, refused: 5, sent: 480, sendFailed: 20, dropped: 3 });
        sdk.queueSize = 250;
        await sdk.push();

        const raw = await rows(id);
        const view = await components(id);
        const receiver = find(view, 'receiver', 'otlp');
        assert.equal(receiver.signal, 'traces');
        assert.ok(
          Math.abs((receiver.recordsPerSec ?? -1) - expectedRate(raw, 'receiver', 'otlp', 'accepted')) < 1e-6,
        );
        assert.ok(
          Math.abs((receiver.errorsPerSec ?? -1) - expectedRate(raw, 'receiver', 'otlp', 'refused')) < 1e-6,
        );
        const processor = find(view, 'processor', 'batch');
        assert.ok(
          Math.abs((processor.incomingPerSec ?? -1) - expectedRate(raw, 'processor', 'batch', 'incoming')) <
            1e-6,
        );
        assert.ok(
          Math.abs((processor.recordsPerSec ?? -1) - expectedRate(raw, 'processor', 'batch', 'outgoing')) <
            1e-6,
        );
        const exporter = find(view, 'exporter', 'otlphttp/backend');
        assert.ok(
          Math.abs(
            (exporter.recordsPerSec ?? -1) - expectedRate(raw, 'exporter', 'otlphttp/backend', 'sent'),
          ) < 1e-6,
        );
        assert.ok(
          Math.abs(
            (exporter.errorsPerSec ?? -1) - expectedRate(raw, 'exporter', 'otlphttp/backend', 'sendFailed'),
          ) < 1e-6,
        );
        assert.equal(exporter.queueSize, 250, 'gauges show their latest value');
        assert.equal(exporter.queueCapacity, 1000);
        assert.ok((receiver.recordsPerSec ?? 0) > 100, 'the rate reflects the 500 items sent in ~250 ms');

        const latestReceiver = raw.filter((r) => r.kind === 'receiver').at(-1);
        assert.equal(latestReceiver?.counters.accepted, 1500, 'raw rows keep the cumulative counter');

        const collector = (await (await t.api(`/api/v1/collectors/${id}`)).json()) as Record<string, unknown>;
        assert.equal(collector.hostCpuPercent, 25);
        assert.equal(collector.hostMemoryPercent, 40);
        assert.equal(collector.memoryMb, 200);
        assert.equal(typeof collector.uptimeSeconds, 'number');
        // It refuses and fails records right now: connected, but in error, and the list says why.
        assert.equal(collector.status, 'error');
        assert.match(String(collector.statusReason), /failing at|refusing/);
        assert.ok(typeof collector.lastSeenAt === 'string');
      } finally {
        await sdk.shutdown();
      }
    });
  }

  it('accepts names without the otelcol_ prefix (collectors before v0.106)', async () => {
    const { id, bearer } = await newCollector('sdk-old-names');
    const sdk = new SdkCollector({
      url: `${t.url}/v1/metrics`,
      bearer,
      encoding: 'protobuf',
      withoutPrefix: true,
    });
    try {
      sdk.record({ accepted: 10 });
      await sdk.push();
      sdk.record({ accepted: 10 });
      await sdk.push();
      const receiver = find(await components(id), 'receiver', 'otlp');
      assert.ok((receiver.recordsPerSec ?? 0) > 0);
    } finally {
      await sdk.shutdown();
    }
  });

  it('shows no spike and no negative rate across a collector restart, and counts the restart', async () => {
    const { id, bearer } = await newCollector('sdk-restart');
    const first = new SdkCollector({ url: `${t.url}/v1/metrics`, bearer, encoding: 'protobuf' });
    first.record({ accepted: 1_000_000 });
    await first.push();
    await new Promise((resolve) => setTimeout(resolve, 50));
    first.record({ accepted: 100 });
    await first.push();
    await first.shutdown();

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = new SdkCollector({ url: `${t.url}/v1/metrics`, bearer, encoding: 'protobuf' });
    try {
      second.record({ accepted: 7 });
      await second.push();
      const afterRestart = find(await components(id), 'receiver', 'otlp');
      assert.equal(afterRestart.recordsPerSec, null, 'the first sample after a restart yields no rate');
      assert.ok(
        afterRestart.sparkline.every((v) => v === null || (v >= 0 && v < 1_000_000)),
        'no spike, nothing negative',
      );

      await new Promise((resolve) => setTimeout(resolve, 50));
      second.record({ accepted: 20 });
      await second.push();
      const settled = find(await components(id), 'receiver', 'otlp');
      assert.ok((settled.recordsPerSec ?? -1) >= 0 && (settled.recordsPerSec ?? 0) < 10_000);
      const collector = (await (await t.api(`/api/v1/collectors/${id}`)).json()) as { restartCount: number };
      assert.equal(collector.restartCount, 1);
      const events = (await (await t.api(`/api/v1/collectors/${id}/events`)).json()) as {
        items: Array<{ type: string }>;
      };
      assert.ok(events.items.some((e) => e.type === 'restarted'));
    } finally {
      await second.shutdown();
    }
  });

  it('answers 401 with the documented log lines for a missing or unknown bearer', async () => {
    const missing = new SdkCollector({ url: `${t.url}/v1/metrics`, bearer: undefined, encoding: 'protobuf' });
    missing.record({ accepted: 1 });
    await assert.rejects(missing.push());
    await missing.shutdown();
    const curlLike = await fetch(`${t.url}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: 'Bearer test', 'content-type': 'application/x-protobuf' },
    });
    assert.equal(curlLike.status, 401);
    const logs = t.logs.join('\n');
    assert.ok(logs.includes('"msg":"otlp.auth: rejected reason=missing_or_malformed_bearer"'));
    assert.ok(logs.includes('"msg":"otlp.auth: rejected reason=token_unknown_or_revoked_or_expired"'));
    assert.ok(!logs.includes('Bearer test'), 'the presented token is not logged');
  });

  it('refuses the bearer of a deregistered collector at once', async () => {
    const { id, bearer } = await newCollector('sdk-deregistered');
    const sdk = new SdkCollector({ url: `${t.url}/v1/metrics`, bearer, encoding: 'protobuf' });
    try {
      sdk.record({ accepted: 1 });
      await sdk.push();
      assert.equal((await t.api(`/api/v1/collectors/${id}`, { method: 'DELETE' })).status, 204);
      sdk.record({ accepted: 1 });
      await assert.rejects(sdk.push());
      const response = await fetch(`${t.url}/v1/metrics`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(response.status, 401);
      assert.equal((await rows(id)).length, 0, 'its throughput rows went with it');
    } finally {
      await sdk.shutdown();
    }
  });
});
