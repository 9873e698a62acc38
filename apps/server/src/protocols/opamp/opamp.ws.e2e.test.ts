import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OpampWsAgent } from '../../testing/opamp/opamp-ws-agent.ts';
import { SdkCollector } from '../../testing/otel-sdk-collector.ts';
import { assertFleetDefaultWithHostSource } from '../../testing/otel-config-assertions.ts';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

interface EventItem {
  type: string;
  at: string;
  detail: string;
}

/**
 * OpAMP over WebSocket with an agent that behaves like opamp-go inside the supervisor: enrols
 * with an enrollment token, takes the offered bearer, reconnects with it, applies the remote
 * config, and pushes its own metrics to the offered endpoint with the offered header.
 */
describe('OpAMP over WebSocket (opamp-go-like agent)', () => {
  let t: TestServer;
  const agents: OpampWsAgent[] = [];
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    for (const agent of agents) agent.terminate();
    await t.close();
  });

  const wsUrl = () => `${t.url.replace(/^http/, 'ws')}/v1/opamp`;
  const enrollmentToken = async () =>
    (
      (await (await t.api('/api/v1/enrollment-tokens', { method: 'POST', json: {} })).json()) as {
        token: string;
      }
    ).token;
  const events = async (collectorId: string) =>
    (
      (await (await t.api(`/api/v1/collectors/${collectorId}/events`)).json()) as { items: EventItem[] }
    ).items.reverse();
  const collectorOf = async (instanceUid: string) => {
    const list = (await (await t.api('/api/v1/collectors')).json()) as {
      items: Array<{ id: string; instanceUid: string | null }>;
    };
    const found = list.items.find((c) => c.instanceUid === instanceUid);
    assert.ok(found, `a collector for instance ${instanceUid}`);
    return found.id;
  };

  /** An agent connected with `token` that has received its connection-settings offer. */
  const offeredAgent = async (token: string) => {
    const agent = new OpampWsAgent({
      url: wsUrl(),
      headers: { Authorization: `Bearer ${token}` },
      heartbeatIntervalMs: 0,
    });
    agents.push(agent);
    await agent.connect();
    await agent.waitFor((m) => m.connectionSettings !== undefined, { timeoutMs: 5000 });
    return agent;
  };

  /** An agent enrolled with a fresh token that has switched to its offered bearer. */
  const enrolledAgent = async () => {
    const token = await enrollmentToken();
    const agent = await offeredAgent(token);
    await agent
      .waitFor(() => agent.connections >= 2 && agent.isConnected, { timeoutMs: 5000 })
      .catch(() => undefined);
    return { agent, token };
  };

  it('enrols, offers own_metrics within 5 s of registered, delivers config, and takes the offered bearer', async () => {
    const token = await enrollmentToken();
    const agent = await offeredAgent(token);
    const offer = agent.ownMetricsOffer;
    assert.ok(offer, 'own_metrics was offered');
    assert.equal(offer.endpoint, `${t.server.externalUrl}/v1/metrics`);
    assert.match(offer.headers.Authorization ?? '', /^Bearer lmct_[A-Za-z0-9_-]{43}$/);

    // The supervisor reconnects with exactly the offered OpAMP settings.
    await agent
      .waitFor(() => agent.connections >= 2 && agent.isConnected, { timeoutMs: 5000 })
      .catch(() => undefined);
    assert.equal(
      agent.headers.Authorization,
      offer.headers.Authorization,
      'the agent now presents the offered bearer',
    );

    const collectorId = await collectorOf(agent.instanceUidText);
    for (let i = 0; i < 50; i++) {
      if ((await events(collectorId)).some((e) => e.type === 'config_applied')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const history = await events(collectorId);
    const registered = history.find((e) => e.type === 'registered');
    const offered = history.find((e) => e.type === 'own_metrics_offered');
    assert.ok(registered && offered, JSON.stringify(history));
    assert.ok(
      Date.parse(offered.at) - Date.parse(registered.at) <= 5000,
      'own_metrics_offered within 5 s of registered',
    );
    assert.ok(
      history.some((e) => e.type === 'config_applied'),
      `config_applied in ${JSON.stringify(history.map((e) => e.type))}`,
    );
    assert.ok(agent.effectiveConfigYaml.includes('metrics/linkmesh-baseline'));
    assert.ok(
      !agent.effectiveConfigYaml.includes('telemetry'),
      'the remote config never sets service::telemetry',
    );

    const collector = (await (await t.api(`/api/v1/collectors/${collectorId}`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(collector.mode, 'opamp');
    assert.equal(collector.runtime, 'otelcol');
    assert.equal(collector.status, 'connected');

    // Its own metrics, pushed where and how the offer said, become readable throughput.
    const bearer = (offer.headers.Authorization ?? '').replace(/^Bearer /, '');
    const sdk = new SdkCollector({
      url: offer.endpoint,
      bearer,
      encoding: 'protobuf',
      instanceId: agent.instanceUidText,
    });
    try {
      sdk.record({ accepted: 10 });
      await sdk.push();
      sdk.record({ accepted: 30 });
      await sdk.push();
      await t.server.flushTelemetry();
      const rows = (await (await t.api(`/api/v1/collectors/${collectorId}/throughput`)).json()) as {
        items: unknown[];
      };
      assert.ok(rows.items.length > 0);
    } finally {
      await sdk.shutdown();
    }
    await agent.close();
  });

  it('refuses a missing or unknown bearer on the upgrade with 401 and logs why', async () => {
    for (const headers of [{}, { Authorization: 'Bearer lmct_nope' }, { Authorization: 'Basic eDp5' }]) {
      const agent = new OpampWsAgent({ url: wsUrl(), headers, heartbeatIntervalMs: 0 });
      await assert.rejects(agent.connect(), (error: Error & { status?: number }) => error.status === 401);
    }
    const logs = t.logs.join('\n');
    assert.ok(logs.includes('"msg":"opamp.auth: rejected reason=missing_or_malformed_bearer"'));
    assert.ok(logs.includes('"msg":"opamp.auth: rejected reason=token_unknown_or_revoked_or_expired"'));
  });

  it('closes the socket on deregistration and refuses the host when it comes back', async () => {
    const { agent } = await enrolledAgent();
    const collectorId = await collectorOf(agent.instanceUidText);
    assert.equal((await t.api(`/api/v1/collectors/${collectorId}`, { method: 'DELETE' })).status, 204);
    const closed = await agent.closes.waitFor((c) => c.code === 1008, { timeoutMs: 5000 });
    assert.equal(closed.reason, 'collector deregistered');
    const again = new OpampWsAgent({ url: wsUrl(), headers: agent.headers, heartbeatIntervalMs: 0 });
    await assert.rejects(again.connect(), (error: Error & { status?: number }) => error.status === 401);
    assert.ok((await events(collectorId)).some((e) => e.type === 'deregistered'));
  });

  it('answers 410 on the upgrade for an enrollment token whose collector already took its bearer', async () => {
    const { agent: first, token } = await enrolledAgent();
    // The bearer is "taken" once it verifies somewhere (here, the own-metrics push).
    const bearer = first.ownMetricsOffer?.headers.Authorization ?? '';
    await fetch(`${t.url}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: bearer, 'content-type': 'application/json' },
      body: '{}',
    });
    const late = new OpampWsAgent({
      url: wsUrl(),
      headers: { Authorization: `Bearer ${token}` },
      heartbeatIntervalMs: 0,
    });
    await assert.rejects(late.connect(), (error: Error & { status?: number }) => error.status === 410);
    const post = await fetch(`${t.url}/v1/opamp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-protobuf' },
      body: new Uint8Array(),
    });
    assert.equal(post.status, 410);
  });

  it('answers an enrollment token reused by another instance with a close, and the first instance is unaffected', async () => {
    const token = await enrollmentToken();
    const first = await offeredAgent(token);
    const second = new OpampWsAgent({
      url: wsUrl(),
      headers: { Authorization: `Bearer ${token}` },
      heartbeatIntervalMs: 0,
    });
    agents.push(second);
    await second.connect().catch(() => undefined);
    const closed = await second.closes.waitFor(() => true, { timeoutMs: 5000 }).catch(() => undefined);
    const refusedAtUpgrade = second.connectErrors.items.some((e) => e.status === 410 || e.status === 401);
    assert.ok(closed?.code === 1008 || refusedAtUpgrade, 'the second instance is turned away');
    await first.waitFor(() => first.isConnected, { timeoutMs: 5000 });
    assert.ok(first.isConnected, 'the first instance is still connected');
    assert.ok(
      t.logs.some(
        (line) =>
          line.includes('opamp.auth: rejected reason=enrollment_token_reused') ||
          line.includes('opamp.auth: rejected reason=token_unknown_or_revoked_or_expired'),
      ),
    );
  });
});

describe('OpAMP bearer rotation and the config API', () => {
  let t: TestServer;
  let agent: OpampWsAgent;
  let collectorId = '';
  before(async () => {
    t = await startTestServer();
    const token = (
      (await (await t.api('/api/v1/enrollment-tokens', { method: 'POST', json: {} })).json()) as {
        token: string;
      }
    ).token;
    agent = new OpampWsAgent({
      url: `${t.url.replace(/^http/, 'ws')}/v1/opamp`,
      headers: { Authorization: `Bearer ${token}` },
      heartbeatIntervalMs: 0,
    });
    await agent.connect();
    await agent.waitFor((m) => m.connectionSettings !== undefined, { timeoutMs: 5000 });
    await agent
      .waitFor(() => agent.connections >= 2 && agent.isConnected, { timeoutMs: 5000 })
      .catch(() => undefined);
    const list = (await (await t.api('/api/v1/collectors')).json()) as {
      items: Array<{ id: string; instanceUid: string | null }>;
    };
    collectorId = list.items.find((c) => c.instanceUid === agent.instanceUidText)?.id ?? '';
    assert.ok(collectorId);
  });
  after(async () => {
    agent.terminate();
    await t.close();
  });

  it('shows the rendered config, its apply status and the redacted effective config', async () => {
    let config:
      | {
          rendered: { content: string; hash: string };
          applyStatus: { status: string; current: boolean } | null;
          effectiveConfig: string | null;
          health: { healthy: boolean } | null;
          agent: { instanceUid: string; transport: string } | null;
        }
      | undefined;
    for (let i = 0; i < 50; i++) {
      config = (await (await t.api(`/api/v1/collectors/${collectorId}/config`)).json()) as typeof config;
      if (config?.applyStatus?.status === 'APPLIED') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(config);
    assert.match(config.rendered.content, /metrics\/linkmesh-baseline/);
    assert.match(config.rendered.hash, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      config.applyStatus && { status: config.applyStatus.status, current: config.applyStatus.current },
      {
        status: 'APPLIED',
        current: true,
      },
    );
    assert.ok(config.effectiveConfig?.includes('linkmesh-baseline'));
    assert.doesNotMatch(config.effectiveConfig ?? '', /lmct_|lmet_/);
    assert.equal(config.agent?.instanceUid, agent.instanceUidText);
    assert.equal(config.agent.transport, 'ws');
    assert.equal(typeof config.health?.healthy, 'boolean');
  });

  it('rotates the bearer over the live connection and keeps the old one valid for the grace period', async () => {
    const oldHeader = agent.headers.Authorization ?? '';
    const connectionsBefore = agent.connections;
    const response = await t.api(`/api/v1/collectors/${collectorId}/rotate-token`, { method: 'POST' });
    assert.equal(response.status, 201);
    const body = (await response.json()) as { delivery: string; delivered: boolean; token: string | null };
    assert.deepEqual(body, { ...body, delivery: 'opamp', delivered: true, token: null });
    await agent
      .waitFor(() => agent.connections > connectionsBefore && agent.isConnected, { timeoutMs: 5000 })
      .catch(() => undefined);
    const newHeader = agent.headers.Authorization ?? '';
    assert.notEqual(newHeader, oldHeader, 'the agent reconnected with the rotated bearer');
    assert.match(newHeader, /^Bearer lmct_/);
    assert.equal(
      agent.ownMetricsOffer?.headers.Authorization,
      newHeader,
      'own_metrics carries the new bearer too',
    );
    for (const header of [oldHeader, newHeader]) {
      const push = await fetch(`${t.url}/v1/metrics`, {
        method: 'POST',
        headers: { authorization: header, 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(push.status, 200, 'both bearers work during the grace period');
    }
    const types = (
      (await (await t.api(`/api/v1/collectors/${collectorId}/events`)).json()) as {
        items: Array<{ type: string }>;
      }
    ).items.map((e) => e.type);
    assert.ok(types.includes('token_rotated'));
  });
  it('pushes a changed fleet default config to the connected agent, which applies it', async () => {
    const yaml = [
      'receivers:',
      '  otlp:',
      '    protocols:',
      '      grpc: {}',
      'exporters:',
      '  debug: {}',
      'service:',
      '  pipelines:',
      '    traces:',
      '      receivers: [otlp]',
      '      exporters: [debug]',
      '',
    ].join('\n');
    const from = agent.received.length;
    assert.equal(
      (await t.api('/api/v1/settings/otel-default-config', { method: 'PUT', json: { yaml } })).status,
      204,
    );
    const pushed = await agent.waitFor((m) => m.remoteConfig !== undefined, {
      fromIndex: from,
      timeoutMs: 5000,
    });
    assertFleetDefaultWithHostSource(
      Buffer.from(pushed.remoteConfig?.config?.configMap['']?.body ?? new Uint8Array()).toString(),
      yaml,
      t.server.externalUrl,
    );
    type ApplyStatus = { status: string; current: boolean } | null;
    const applyStatus = async (): Promise<ApplyStatus> =>
      (
        (await (await t.api(`/api/v1/collectors/${collectorId}/config`)).json()) as {
          applyStatus: ApplyStatus;
        }
      ).applyStatus;
    let status = await applyStatus();
    for (let i = 0; i < 50 && !(status?.status === 'APPLIED' && status.current); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await applyStatus();
    }
    assert.deepEqual(status && { status: status.status, current: status.current }, {
      status: 'APPLIED',
      current: true,
    });

    for (const [bad, message] of [
      ['- a list', /mapping/],
      ['receivers: [unclosed', /not valid YAML/],
      ['service:\n  telemetry:\n    metrics: {}\n', /service::telemetry/],
    ] as const) {
      const response = await t.api('/api/v1/settings/otel-default-config', {
        method: 'PUT',
        json: { yaml: bad },
      });
      assert.equal(response.status, 400);
      const body = (await response.json()) as { error: { field: string; message: string } };
      assert.equal(body.error.field, 'yaml');
      assert.match(body.error.message, message);
    }
  });
});

describe('OpAMP duplicate instance ids and overload', () => {
  let t: TestServer;
  const opened: OpampWsAgent[] = [];
  before(async () => {
    t = await startTestServer({ env: { LINKMESH_OPAMP_MAX_CONNECTIONS: '2' } });
  });
  after(async () => {
    for (const agent of opened) agent.terminate();
    await t.close();
  });

  it('gives a cloned agent presenting a connected instance uid a new one, and refuses connections beyond the limit', async () => {
    const url = `${t.url.replace(/^http/, 'ws')}/v1/opamp`;
    const token = (
      (await (await t.api('/api/v1/enrollment-tokens', { method: 'POST', json: {} })).json()) as {
        token: string;
      }
    ).token;
    const original = new OpampWsAgent({
      url,
      headers: { Authorization: `Bearer ${token}` },
      heartbeatIntervalMs: 0,
    });
    opened.push(original);
    await original.connect();
    await original.waitFor((m) => m.connectionSettings !== undefined, { timeoutMs: 5000 });
    await original
      .waitFor(() => original.connections >= 2 && original.isConnected, { timeoutMs: 5000 })
      .catch(() => undefined);

    // A clone: same persisted uid and the same bearer.
    const clone = new OpampWsAgent({
      url,
      headers: original.headers,
      instanceUid: original.instanceUid,
      heartbeatIntervalMs: 0,
    });
    opened.push(clone);
    await clone.connect();
    const told = await clone.waitFor((m) => m.agentIdentification !== undefined, { timeoutMs: 5000 });
    assert.equal(told.agentIdentification?.newInstanceUid.length, 16);
    assert.notDeepEqual(clone.instanceUid, original.instanceUid, 'the clone took its new uid');

    const third = new OpampWsAgent({ url, headers: original.headers, heartbeatIntervalMs: 0 });
    await assert.rejects(
      third.connect(),
      (error: Error & { status?: number; retryAfter?: string }) =>
        error.status === 503 && error.retryAfter === '30',
    );
  });
});
