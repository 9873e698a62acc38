import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RemoteConfigStatuses as AlloyStatuses } from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import type { DestinationView, RenderPreviewView, RouteView } from '@linkmesh/contracts/pipelines-api';
import { destinationLabel, sourceLabel } from '@linkmesh/pipelines/component-ids';
import { alloyClient } from '../../../testing/alloy-client.ts';
import { startOpampClientAgent } from '../../../testing/opamp-client-agent.ts';
import { startTestServer, type TestServer } from '../../../testing/server-harness.ts';

/** A credential no API answer or log line may ever hold. */
const secret = 'dest-secret-Zq7wX9vT3kLm';

interface ConfigView {
  rendered: { format: string; version: number; content: string; hash: string } | null;
  applyStatus: { status: string; version: number; hash: string; errorMessage: string | null } | null;
}

/**
 * Pipelines end to end (issue #11): objects made over the REST API, one route targeting a group
 * by label, delivered to a real OpAMP client (`@elastic/opamp-client-node`) pushed at once and
 * to a `@connectrpc/connect-node` Alloy poller on its next poll; APPLIED and FAILED as events
 * naming the version; rollback; a secret that never shows; deletes in use and stale revisions
 * refused; refusals surfaced.
 */
describe('pipelines: objects, routes, rendering and delivery', () => {
  let t: TestServer;
  const answers: string[] = [];
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the answer's shape
  const api = async <T = unknown>(
    path: string,
    init?: RequestInit & { json?: unknown },
  ): Promise<{ status: number; body: T }> => {
    const response = await t.api(path, init);
    const text = await response.text();
    answers.push(text);
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  };
  const create = async <T = { id: string; revision: number }>(kind: string, json: unknown) => {
    const { status, body } = await api<T>(`/api/v1/${kind}`, { method: 'POST', json });
    assert.equal(status, 201, `creating ${kind}: ${JSON.stringify(body)}`);
    return body;
  };
  const waitUntil = async <T>(
    what: string,
    read: () => Promise<T>,
    ok: (v: T) => boolean,
    timeoutMs = 10_000,
  ) => {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
      const value = await read();
      if (ok(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`timed out waiting for ${what}`);
  };

  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
  });

  it('delivers one route targeting a group to an OpAMP agent and an Alloy poller, with versions, events and rollback', async () => {
    const source = await create('sources', { name: 'app OTLP', type: 'otlp', config: {} });
    const destination = await create<DestinationView>('destinations', {
      name: 'vendor',
      type: 'otlphttp',
      config: { endpoint: 'https://otlp.vendor.example', bearerToken: secret },
    });
    assert.equal(destination.config.bearerToken, '********');
    assert.deepEqual(
      destination.secrets.find((s) => s.path === 'bearerToken'),
      { path: 'bearerToken', hasValue: true },
    );
    const pipeline = await create('pipelines', {
      name: 'batched',
      processors: [
        { type: 'memory_limiter', config: {} },
        { type: 'batch', config: {} },
      ],
    });
    const group = await create('groups', {
      name: 'prod',
      matchers: [{ label: 'env', op: '=', value: 'prod' }],
    });
    const route = await create<RouteView>('routes', {
      name: 'app to vendor',
      sourceId: source.id,
      pipelineId: pipeline.id,
      destinationIds: [destination.id],
      target: { groupIds: [group.id] },
    });
    assert.equal(route.targetedCollectors, 0, 'no collector is in the group yet');

    // An OpAMP agent (real client) that fails any config carrying a debug exporter.
    const { token } = (
      await api<{ token: string }>('/api/v1/enrollment-tokens', { method: 'POST', json: {} })
    ).body;
    const agent = startOpampClientAgent({
      url: t.url,
      enrollmentToken: token,
      hostname: 'pipelines-agent',
      verdict: (body) =>
        body.includes('debug/dst_')
          ? `debug exporter not allowed on this host (exporter headers: X-Vendor-Key=${secret})`
          : undefined,
    });
    const received = agent.received;
    try {
      const otelId = await waitUntil(
        'the OpAMP collector',
        async () =>
          (
            await api<{ items: Array<{ id: string; hostname: string | null }> }>('/api/v1/collectors')
          ).body.items.find((c) => c.hostname === 'pipelines-agent')?.id,
        (id) => id !== undefined,
      );
      assert.ok(otelId);
      const config = async (id: string) => (await api<ConfigView>(`/api/v1/collectors/${id}/config`)).body;
      await waitUntil(
        'the baseline applied',
        () => config(otelId),
        (c) => c.applyStatus?.status === 'APPLIED',
      );
      assert.ok(!received.some((r) => r.body.includes('otlphttp/dst_')), 'not in the group: no route yet');

      // Labelling it puts it in the group: the route's config is pushed at once.
      const labels = await api<{ effective: Record<string, string> }>(`/api/v1/collectors/${otelId}/labels`, {
        method: 'PUT',
        json: { labels: { env: 'prod' } },
      });
      assert.equal(labels.body.effective.env, 'prod');
      const routed = await waitUntil(
        'the routed config',
        () =>
          Promise.resolve(
            received.find((r) => r.body.includes(`otlphttp/${destinationLabel(destination.id)}`)),
          ),
        (r) => r !== undefined,
      );
      assert.ok(routed);
      assert.match(routed.body, new RegExp(`otlp/${sourceLabel(source.id)}:`), 'the source is rendered');
      assert.match(routed.body, /batch\/rt_\w+_2:/, 'the second step is the batch processor');
      assert.ok(routed.body.includes(`Bearer ${secret}`), 'the secret is rendered into the delivered config');
      const applied = await waitUntil(
        'the routed config applied',
        () => config(otelId),
        (c) => c.applyStatus?.status === 'APPLIED' && c.rendered?.version === 2,
      );
      assert.equal(applied.rendered?.hash, Buffer.from(routed.hash).toString('hex'));
      assert.ok(!applied.rendered.content.includes(secret), 'the API shows the template, secret masked');
      assert.match(applied.rendered.content, /Bearer \*{8}/);
      const events = async (id: string) =>
        (await api<{ items: Array<{ type: string; detail: string }> }>(`/api/v1/collectors/${id}/events`))
          .body.items;
      assert.ok(
        (await events(otelId)).some((e) => e.type === 'config_applied' && e.detail.includes('config v2')),
      );
      assert.equal(
        (await api<RouteView>(`/api/v1/routes/${route.id}`)).body.targetedCollectors,
        1,
        'the route reaches the labelled collector',
      );
      const members = await api<{ items: Array<{ id: string }> }>(`/api/v1/groups/${group.id}/collectors`);
      assert.deepEqual(
        members.body.items.map((m) => m.id),
        [otelId],
      );

      // The same route for an Alloy collector in the group, on its next poll.
      const alloy = (
        await api<{ id: string }>('/api/v1/collectors', {
          method: 'POST',
          json: { name: 'edge', runtime: 'alloy' },
        })
      ).body;
      const bearer = (
        await api<{ token: string }>(`/api/v1/collectors/${alloy.id}/token`, { method: 'POST' })
      ).body.token;
      await api(`/api/v1/collectors/${alloy.id}/labels`, {
        method: 'PUT',
        json: { labels: { env: 'prod' } },
      });
      const served = await alloyClient(t.url, bearer).getConfig({ id: 'edge', hash: '' });
      assert.ok(
        served.content.includes(`otelcol.exporter.otlphttp "${destinationLabel(destination.id)}"`),
        served.content,
      );
      assert.ok(served.content.includes(`otelcol.receiver.otlp "${sourceLabel(source.id)}"`));
      assert.ok(served.content.includes(secret), 'the Alloy rendering carries the secret too');
      assert.match(
        served.content,
        /prometheus\.exporter\.self "linkmesh"/,
        'beside the self-telemetry pipeline',
      );
      await alloyClient(t.url, bearer).getConfig({
        id: 'edge',
        hash: served.hash,
        remoteConfigStatus: { status: AlloyStatuses.RemoteConfigStatuses_APPLIED, errorMessage: '' },
      });
      assert.equal((await config(alloy.id)).applyStatus?.status, 'APPLIED');

      // A second destination the OpAMP agent refuses: FAILED with its message, as an event.
      const debug = await create('destinations', { name: 'debug', type: 'debug', config: {} });
      const updated = await api<RouteView>(`/api/v1/routes/${route.id}`, {
        method: 'PUT',
        headers: { 'if-match': `"${route.revision}"` },
        json: {
          name: 'app to vendor',
          sourceId: source.id,
          pipelineId: pipeline.id,
          destinationIds: [destination.id, debug.id],
          target: { groupIds: [group.id] },
        },
      });
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      assert.equal(updated.body.revision, 2);
      const failed = await waitUntil(
        'the failed apply',
        () => config(otelId),
        (c) => c.applyStatus?.status === 'FAILED',
      );
      assert.equal(failed.applyStatus?.version, 3);
      assert.match(failed.applyStatus.errorMessage ?? '', /debug exporter not allowed/);
      assert.match(failed.applyStatus.errorMessage ?? '', /X-Vendor-Key=\[redacted\]/, 'redacted by value');
      assert.ok(
        (await events(otelId)).some((e) => e.type === 'config_failed' && e.detail.includes('config v3')),
        'config_failed names the version',
      );

      // A stale revision is refused; so is deleting a destination a route uses.
      const stale = await api<{ error: { code: string; message: string } }>(`/api/v1/routes/${route.id}`, {
        method: 'PUT',
        headers: { 'if-match': '1' },
        json: { name: 'x', sourceId: source.id, destinationIds: [destination.id] },
      });
      assert.equal(stale.status, 409);
      assert.match(stale.body.error.message, /revision 2, not 1/);
      const inUse = await api<{ error: { message: string } }>(`/api/v1/destinations/${debug.id}`, {
        method: 'DELETE',
      });
      assert.equal(inUse.status, 409);
      assert.match(inUse.body.error.message, /route "app to vendor"/);

      // Rollback to v2 re-delivers its exact bytes.
      const from = received.length;
      const rolled = await api<{ version: number; hash: string }>(
        `/api/v1/collectors/${otelId}/config/rollback`,
        {
          method: 'POST',
          json: { version: 2 },
        },
      );
      assert.equal(rolled.status, 200);
      assert.equal(rolled.body.hash, applied.rendered.hash, 'the previous hash is restored');
      await waitUntil(
        'the rolled-back config',
        () => Promise.resolve(received.slice(from)),
        (r) => r.some((x) => Buffer.from(x.hash).toString('hex') === applied.rendered?.hash),
      );
      await waitUntil(
        'applied again',
        () => config(otelId),
        (c) => c.applyStatus?.status === 'APPLIED',
      );

      // Updating the destination without its secret keeps it.
      const kept = await api<DestinationView>(`/api/v1/destinations/${destination.id}`, {
        method: 'PUT',
        json: {
          name: 'vendor (eu)',
          type: 'otlphttp',
          config: { endpoint: 'https://otlp.vendor.example', bearerToken: '********' },
        },
      });
      assert.equal(kept.status, 200);
      assert.deepEqual(kept.body.secrets.find((s) => s.path === 'bearerToken')?.hasValue, true);
      const again = await alloyClient(t.url, bearer).getConfig({ id: 'edge', hash: '' });
      assert.ok(again.content.includes(secret), 'the kept secret is still rendered');
    } finally {
      await agent.shutdown();
    }
  });

  it('validation names the field; preview renders unsaved changes and surfaces refusals', async () => {
    const bad = await api<{ error: { code: string; field: string; message: string } }>(
      '/api/v1/destinations',
      {
        method: 'POST',
        json: { name: 'x', type: 'otlphttp', config: { endpoint: 'not a url' } },
      },
    );
    assert.equal(bad.status, 400);
    assert.deepEqual([bad.body.error.code, bad.body.error.field], ['invalid', 'config.endpoint']);
    const unknownSource = await api<{ error: { field: string } }>('/api/v1/routes', {
      method: 'POST',
      json: { name: 'r', sourceId: 'nope', destinationIds: ['nope'] },
    });
    assert.equal(unknownSource.status, 400);
    assert.equal(unknownSource.body.error.field, 'sourceId');

    const alloy = (
      await api<{ id: string }>('/api/v1/collectors', {
        method: 'POST',
        json: { name: 'preview-edge', runtime: 'alloy' },
      })
    ).body;
    const sink = await create('destinations', { name: 'sink', type: 'debug', config: {} });
    const preview = await api<RenderPreviewView>('/api/v1/render/preview', {
      method: 'POST',
      json: {
        collectorId: alloy.id,
        changes: [
          {
            kind: 'source',
            object: { name: 'journal', type: 'journald', config: { units: ['my unit.service'] } },
          },
          {
            kind: 'route',
            object: {
              name: 'journal out',
              sourceId: 'preview-0',
              destinationIds: [sink.id],
              target: { collectorIds: [alloy.id] },
            },
          },
        ],
      },
    });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.equal(preview.body.content, null);
    assert.match(preview.body.refusals[0]?.message ?? '', /whitespace on Alloy/);

    const ok = await api<RenderPreviewView>('/api/v1/render/preview', {
      method: 'POST',
      json: {
        collectorId: alloy.id,
        changes: [
          {
            kind: 'source',
            object: { name: 'journal', type: 'journald', config: { units: ['app.service'] } },
          },
          {
            kind: 'route',
            object: {
              name: 'journal out',
              sourceId: 'preview-0',
              destinationIds: [sink.id],
              target: { collectorIds: [alloy.id] },
            },
          },
        ],
      },
    });
    assert.equal(ok.body.routed, true);
    assert.match(ok.body.content ?? '', /loki\.source\.journal/);
    assert.match(ok.body.diff, /^\+.*loki\.source\.journal/m, JSON.stringify(ok.body).slice(0, 3000));
    assert.equal(
      (await api<{ items: unknown[] }>('/api/v1/sources')).body.items.length,
      1,
      'nothing was saved',
    );
  });

  it('lets Pipeline Engineers and Admins write, Operators and Viewers only read; every write is audited with its actor', async () => {
    const tokenFor = async (role: string) => {
      const account = await create<{ id: string }>('service-accounts', {
        name: `sa-${role.toLowerCase().replace(' ', '-')}`,
        role,
      });
      return (
        await api<{ token: string }>(`/api/v1/service-accounts/${account.id}/tokens`, {
          method: 'POST',
          json: {},
        })
      ).body.token;
    };
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const body = { name: 'by role', type: 'otlp', config: {} };
    const engineer = await tokenFor('Pipeline Engineer');
    const operator = await tokenFor('Operator');
    const viewer = await tokenFor('Viewer');
    const made = await api<{ id: string }>('/api/v1/sources', {
      method: 'POST',
      headers: as(engineer),
      json: body,
    });
    assert.equal(made.status, 201);
    for (const [who, token] of [
      ['Operator', operator],
      ['Viewer', viewer],
    ] as const) {
      for (const kind of ['sources', 'destinations', 'pipelines', 'routes', 'groups']) {
        assert.equal(
          (await api(`/api/v1/${kind}`, { headers: as(token) })).status,
          200,
          `${who} reads ${kind}`,
        );
        assert.equal(
          (await api(`/api/v1/${kind}`, { method: 'POST', headers: as(token), json: {} })).status,
          403,
          `${who} may not create ${kind}`,
        );
      }
      assert.equal(
        (await api(`/api/v1/sources/${made.body.id}`, { method: 'DELETE', headers: as(token) })).status,
        403,
      );
    }
    const audit = await api<{ items: Array<{ actor: string; action: string; target: string }> }>(
      '/api/v1/audit',
    );
    const entry = audit.body.items.find(
      (e) => e.action === 'source.created' && e.target === `source:${made.body.id}`,
    );
    assert.match(entry?.actor ?? '', /^service-account:sa-pipeline-engineer/);
  });

  it('never shows the secret in an API answer or a log line', () => {
    assert.ok(answers.length > 10);
    for (const text of answers)
      assert.ok(!text.includes(secret), `an API answer holds the secret: ${text.slice(0, 200)}`);
    for (const line of t.logs)
      assert.ok(!line.includes(secret), `a log line holds the secret: ${line.slice(0, 200)}`);
  });
});
