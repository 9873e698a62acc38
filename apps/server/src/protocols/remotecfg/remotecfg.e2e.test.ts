import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { CollectorService, RemoteConfigStatuses } from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import { parseAlloy } from '@linkmesh/alloy/syntax';
import { ManualClock } from '../../domain/shared/clock.ts';
import { alloyClient } from '../../testing/alloy-client.ts';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

/**
 * Alloy's remotecfg against the real server (all routes, hooks and the not-found handler), with
 * a `@connectrpc/connect-node` client in both codecs, as Alloy's connect-go client calls it.
 */
describe('Alloy remotecfg through the full server', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.close());

  const clientFor = (bearer: string, useBinaryFormat: boolean) => alloyClient(t.url, bearer, useBinaryFormat);

  for (const useBinaryFormat of [true, false]) {
    it(`serves the self-telemetry pipeline, not_modified, and records status (${useBinaryFormat ? 'binary' : 'JSON'})`, async () => {
      const created = (await (
        await t.api('/api/v1/collectors', {
          method: 'POST',
          json: { name: `alloy-${String(useBinaryFormat)}`, runtime: 'alloy' },
        })
      ).json()) as { id: string };
      const minted = (await (
        await t.api(`/api/v1/collectors/${created.id}/token`, { method: 'POST' })
      ).json()) as {
        token: string;
        remotecfgSnippet: string;
      };
      parseAlloy(minted.remotecfgSnippet);
      const client = clientFor(minted.token, useBinaryFormat);
      await client.registerCollector({
        id: 'host-a',
        name: 'edge',
        localAttributes: { env: 'prod', 'collector.os': 'linux' },
      });
      const first = await client.getConfig({ id: 'host-a', hash: '' });
      assert.equal(first.notModified, false);
      parseAlloy(first.content);
      assert.match(first.content, /prometheus\.exporter\.self/);
      assert.match(first.content, /otelcol\.exporter\.otlphttp/);
      assert.ok(first.content.includes(t.server.externalUrl));
      const again = await client.getConfig({
        id: 'host-a',
        hash: first.hash,
        remoteConfigStatus: { status: RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, errorMessage: '' },
      });
      assert.equal(again.notModified, true);

      const collector = (await (await t.api(`/api/v1/collectors/${created.id}`)).json()) as {
        labels: Record<string, string>;
        status: string;
      };
      assert.deepEqual(collector.labels, { env: 'prod' });
      assert.equal(collector.status, 'connected');
      const types = (
        (await (await t.api(`/api/v1/collectors/${created.id}/events`)).json()) as {
          items: Array<{ type: string }>;
        }
      ).items.map((e) => e.type);
      assert.ok(types.includes('registered') && types.includes('config_applied'), types.join(','));

      await assert.rejects(
        clientFor('lmct_nope', useBinaryFormat).getConfig({ id: 'x', hash: '' }),
        (error: unknown) => error instanceof ConnectError && error.code === Code.Unauthenticated,
      );
    });
  }

  it('answers 401 with Connect error JSON for a bad bearer, and leaves other routes alone', async () => {
    const response = await fetch(`${t.url}/collector.v1.CollectorService/GetConfig`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'connect-protocol-version': '1',
        authorization: 'Bearer lmct_nope',
      },
      body: JSON.stringify({ id: 'x' }),
    });
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { code: string }).code, 'unauthenticated');
    assert.ok(
      t.logs.some((line) =>
        line.includes('"msg":"remotecfg.auth: rejected reason=token_unknown_or_revoked_or_expired"'),
      ),
    );
    assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
    assert.equal((await t.api('/api/v1/no-such-route')).status, 404);
  });
});

/** Liveness, rotation and throttling of polling Alloys, on a manual clock. */
describe('Alloy remotecfg: polling liveness, rotation and failed-auth throttle', () => {
  const clock = new ManualClock(Date.now());
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      clock,
      cacheTtls: { verifiedTtlMs: 0, liveTtlMs: 0 },
      env: { LINKMESH_AUTH_FAILURES_PER_WINDOW: '30' },
    });
  });
  after(async () => t.close());

  const clientFor = (bearer: string) => alloyClient(t.url, bearer);

  async function alloyCollector(name: string): Promise<{ id: string; token: string }> {
    const created = (await (
      await t.api('/api/v1/collectors', { method: 'POST', json: { name, runtime: 'alloy' } })
    ).json()) as { id: string };
    const minted = (await (
      await t.api(`/api/v1/collectors/${created.id}/token`, { method: 'POST' })
    ).json()) as {
      token: string;
    };
    return { id: created.id, token: minted.token };
  }

  const view = async (id: string) =>
    (await (await t.api(`/api/v1/collectors/${id}`)).json()) as { status: string; lastSeenAt: string | null };

  it('every poll refreshes lastSeenAt; silence makes it stale, then disconnected; a poll reconnects it', async () => {
    const alloy = await alloyCollector('liveness');
    const client = clientFor(alloy.token);
    const first = await client.getConfig({ id: 'a1', hash: '' });
    const seenAt = Date.parse((await view(alloy.id)).lastSeenAt ?? '');
    clock.advanceMs(60_000);
    assert.equal((await client.getConfig({ id: 'a1', hash: first.hash })).notModified, true);
    assert.equal(Date.parse((await view(alloy.id)).lastSeenAt ?? '') - seenAt, 60_000);

    clock.advanceMs(181_000);
    await t.server.sweepPollingLiveness();
    assert.equal((await view(alloy.id)).status, 'stale');
    clock.advanceMs(420_000);
    await t.server.sweepPollingLiveness();
    assert.equal((await view(alloy.id)).status, 'disconnected');
    await client.getConfig({ id: 'a1', hash: first.hash });
    assert.equal((await view(alloy.id)).status, 'connected');
    const events = (await (await t.api(`/api/v1/collectors/${alloy.id}/events`)).json()) as {
      items: Array<{ type: string; detail: string }>;
    };
    assert.deepEqual(
      events.items.slice(0, 3).map((e) => e.type),
      ['connected', 'disconnected', 'disconnected'],
    );
    assert.match(events.items[2]?.detail ?? '', /no poll or agent report for 181 s/);
  });

  it('the served pipeline carries the telemetry token, never the presenting bearer; rotation renews it', async () => {
    const alloy = await alloyCollector('rotation');
    const before = await clientFor(alloy.token).getConfig({ id: 'r1', hash: '' });
    assert.ok(!before.content.includes(alloy.token), 'the control bearer is never rendered into content');
    const telemetryToken = /token = "(lmtt_[A-Za-z0-9_-]+)"/.exec(before.content)?.[1];
    assert.ok(telemetryToken, 'the served pipeline authenticates with the telemetry token');
    const again = await clientFor(alloy.token).getConfig({ id: 'r1', hash: before.hash });
    assert.equal(again.notModified, true);
    const rotated = (await (
      await t.api(`/api/v1/collectors/${alloy.id}/rotate-token`, { method: 'POST' })
    ).json()) as { delivery: string; token: string; remotecfgSnippet: string };
    assert.equal(rotated.delivery, 'shown-once');
    assert.ok(rotated.remotecfgSnippet.includes(rotated.token));
    const after = await clientFor(rotated.token).getConfig({ id: 'r1', hash: before.hash });
    assert.equal(after.notModified, false, 'the telemetry token rotates with the bearer');
    assert.ok(!after.content.includes(rotated.token) && !after.content.includes(telemetryToken));
    assert.match(after.content, /token = "lmtt_[A-Za-z0-9_-]+"/);

    // The old telemetry token still pushes self-telemetry during the grace, and does nothing else.
    const push = await fetch(`${t.url}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${telemetryToken}`, 'content-type': 'application/json' },
      body: '{"resourceMetrics":[]}',
    });
    assert.equal(push.status, 200);
    await assert.rejects(clientFor(telemetryToken).getConfig({ id: 'r1', hash: '' }), /unauthenticated/i);
    // That refusal counted as a failed authentication: let the throttle window pass for the next test.
    clock.advanceMs(10 * 60_000);
  });

  it('throttles an address for the rest of the minute after 30 failed authentications', async () => {
    const alloy = await alloyCollector('throttle');
    const good = clientFor(alloy.token);
    await good.getConfig({ id: 't1', hash: '' });
    const bad = clientFor('lmct_wrong');
    for (let i = 0; i < 30; i += 1) {
      await assert.rejects(
        bad.getConfig({ id: 'x', hash: '' }),
        (e: unknown) => ConnectError.from(e).code === Code.Unauthenticated,
      );
    }
    const throttled = await fetch(`${t.url}/collector.v1.CollectorService/GetConfig`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'connect-protocol-version': '1',
        authorization: 'Bearer lmct_wrong',
      },
      body: '{"id":"x"}',
    });
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get('retry-after')) > 0);
    assert.equal(((await throttled.json()) as { code: string }).code, 'resource_exhausted');
    // A fresh minute lets the address in again.
    clock.advanceMs(61_000);
    assert.equal((await good.getConfig({ id: 't1', hash: '' })).notModified, false);
  });
});

/** The raw fast path on the main server: the protocol's edges and the metrics it still feeds. */
describe('Alloy remotecfg: GetConfig on the raw fast path of the full server', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.close());

  const url = () => `${t.url}/collector.v1.CollectorService/GetConfig`;
  const errorCode = async (response: Response) => ((await response.json()) as { code: string }).code;

  async function bearer(): Promise<string> {
    const created = (await (
      await t.api('/api/v1/collectors', { method: 'POST', json: { name: 'raw', runtime: 'alloy' } })
    ).json()) as { id: string };
    return (
      (await (await t.api(`/api/v1/collectors/${created.id}/token`, { method: 'POST' })).json()) as {
        token: string;
      }
    ).token;
  }

  it('answers bad requests with the right status and Connect error JSON, and keeps serving', async () => {
    const token = await bearer();
    const headers = { authorization: `Bearer ${token}`, 'connect-protocol-version': '1' };
    const unsupported = await fetch(url(), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/plain' },
      body: 'x',
    });
    assert.equal(unsupported.status, 415);
    assert.equal(unsupported.headers.get('accept-post'), 'application/json, application/proto');
    const garbage = await fetch(url(), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/proto' },
      body: new Uint8Array([0x0a, 0xff]),
    });
    assert.equal(garbage.status, 400);
    assert.equal(await errorCode(garbage), 'invalid_argument');
    const get = await fetch(url(), { headers });
    assert.equal(get.status, 405);
    const oversized = await fetch(url(), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/proto' },
      body: new Uint8Array(8 * 1024 * 1024 + 1),
    });
    assert.equal(oversized.status, 413);
    assert.equal(await errorCode(oversized), 'resource_exhausted');
    const noAuth = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(noAuth.status, 401);
    assert.equal(await errorCode(noAuth), 'unauthenticated');

    const client = createClient(
      CollectorService,
      createConnectTransport({
        baseUrl: t.url,
        httpVersion: '1.1',
        interceptors: [
          (next) => (request) => {
            request.header.set('Authorization', `Bearer ${token}`);
            return next(request);
          },
        ],
      }),
    );
    const first = await client.getConfig({ id: 'raw-1', hash: '' });
    // Steady polls (the synchronous path) keep answering not_modified.
    for (let i = 0; i < 5; i += 1)
      assert.equal((await client.getConfig({ id: 'raw-1', hash: first.hash })).notModified, true);
  });

  it('counts GetConfig in linkmesh_http_requests_total and its own latency histogram', async () => {
    const token = await bearer();
    await fetch(url(), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"id":"m"}',
    });
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    const requests =
      /linkmesh_http_requests_total\{method="POST",route="\/collector\.v1\.CollectorService\/GetConfig",status="200"\} (\d+)/.exec(
        metrics,
      );
    assert.ok(requests && Number(requests[1]) >= 1, 'GetConfig requests counted');
    assert.match(
      metrics,
      /linkmesh_http_fast_path_request_duration_seconds_count\{method="POST",route="\/collector\.v1\.CollectorService\/GetConfig"\} \d+/,
    );
    assert.match(
      metrics,
      /linkmesh_http_fast_path_request_duration_seconds_bucket\{method="POST",route="\/collector\.v1\.CollectorService\/GetConfig",le="\+Inf"\} \d+/,
    );
  });
});
