import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RemoteConfigStatuses } from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import { alloyClient } from '../../../testing/alloy-client.ts';
import { OpampWsAgent } from '../../../testing/opamp/opamp-ws-agent.ts';
import { startTestServer, type TestServer } from '../../../testing/server-harness.ts';

interface ConfigView {
  rendered: { format: string; version: number; content: string; hash: string } | null;
  applyStatus: {
    status: string;
    version: number;
    hash: string;
    current: boolean;
    errorMessage: string | null;
  } | null;
}
interface VersionView {
  version: number;
  hash: string;
  author: string;
  reason: string;
  current: boolean;
  diff: string;
}

/**
 * Config versions per collector, the same for both runtimes (issues #10 item 10, #11 item 5):
 * the rendered content (secrets masked), version, hash and apply status for OpAMP and Alloy;
 * a new version with a diff for each change; rollback; and the telemetry token the configs
 * carry — rendered, never shown, never stored in the clear, rotated with the bearer.
 */
describe('collector config versions', () => {
  let t: TestServer;
  const answers: string[] = [];
  const api = async (path: string, init?: RequestInit & { json?: unknown }) => {
    const response = await t.api(path, init);
    const text = await response.text();
    answers.push(text);
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  const config = async (id: string) => (await api(`/api/v1/collectors/${id}/config`)).body as ConfigView;
  const versions = async (id: string) =>
    ((await api(`/api/v1/collectors/${id}/config/versions`)).body as { items: VersionView[] }).items;
  const until = async <T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean) => {
    for (let i = 0; i < 100; i++) {
      const value = await read();
      if (ok(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(`timed out waiting for ${what}`);
  };
  const telemetryTokens = new Set<string>();
  const tokenIn = (text: string) => {
    const token = /lmtt_[A-Za-z0-9_-]{43}/.exec(text)?.[0];
    assert.ok(token, 'the delivered config carries a telemetry token');
    telemetryTokens.add(token);
    return token;
  };

  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
  });

  it('an OpAMP collector: versions with diffs, apply status, and a rollback that holds until the next change', async () => {
    const { token } = (await api('/api/v1/enrollment-tokens', { method: 'POST', json: {} })).body as {
      token: string;
    };
    const agent = new OpampWsAgent({
      url: `${t.url.replace(/^http/, 'ws')}/v1/opamp`,
      headers: { Authorization: `Bearer ${token}` },
      heartbeatIntervalMs: 0,
    });
    try {
      await agent.connect();
      const first = await agent.waitFor((m) => m.remoteConfig !== undefined, { timeoutMs: 5000 });
      const body = (m: typeof first) =>
        Buffer.from(m.remoteConfig?.config?.configMap['']?.body ?? new Uint8Array()).toString();
      tokenIn(body(first));
      assert.match(body(first), /hostmetrics\/linkmesh/);
      const list = (await api('/api/v1/collectors')).body as {
        items: Array<{ id: string; instanceUid: string | null }>;
      };
      const id = list.items.find((c) => c.instanceUid === agent.instanceUidText)?.id ?? '';

      const v1 = await until(
        'v1 applied',
        () => config(id),
        (c) => c.applyStatus?.status === 'APPLIED',
      );
      assert.equal(v1.rendered?.version, 1);
      assert.equal(v1.rendered.format, 'otel-yaml');
      assert.match(v1.rendered.content, /Authorization: Bearer \*{8}/, 'the token is masked');
      assert.equal(v1.rendered.hash, Buffer.from(first.remoteConfig?.configHash ?? []).toString('hex'));
      assert.deepEqual(
        { version: v1.applyStatus?.version, current: v1.applyStatus?.current },
        { version: 1, current: true },
      );

      const yaml =
        'receivers:\n  otlp:\n    protocols:\n      http: {}\nexporters:\n  debug: {}\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [debug]\n';
      const from = agent.received.length;
      assert.equal(
        (await api('/api/v1/settings/otel-default-config', { method: 'PUT', json: { yaml } })).status,
        204,
      );
      const second = await agent.waitFor((m) => m.remoteConfig !== undefined, {
        fromIndex: from,
        timeoutMs: 5000,
      });
      assert.match(body(second), /otlp:/);
      const v2 = await until(
        'v2 applied',
        () => config(id),
        (c) => c.rendered?.version === 2 && c.applyStatus?.status === 'APPLIED',
      );
      assert.equal(v2.applyStatus?.version, 2);
      const [latest, earlier] = await versions(id);
      assert.deepEqual(
        [latest?.version, latest?.current, earlier?.version, earlier?.current],
        [2, true, 1, false],
      );
      assert.match(latest?.reason ?? '', /changed/);
      assert.match(latest?.diff ?? '', /^\+ {2}otlp:$/m, 'the diff shows the added receiver');
      assert.match(latest?.diff ?? '', /^- {2}nop: \{\}$/m, 'and the removed baseline one');

      const rollbackFrom = agent.received.length;
      const rolled = (
        await api(`/api/v1/collectors/${id}/config/rollback`, { method: 'POST', json: { version: 1 } })
      ).body as { version: number; hash: string; reason: string };
      assert.deepEqual([rolled.version, rolled.reason], [3, 'rollback to v1']);
      assert.equal(rolled.hash, v1.rendered.hash, 'v1 re-delivered byte for byte');
      const third = await agent.waitFor((m) => m.remoteConfig !== undefined, {
        fromIndex: rollbackFrom,
        timeoutMs: 5000,
      });
      assert.equal(Buffer.from(third.remoteConfig?.configHash ?? []).toString('hex'), v1.rendered.hash);
      assert.equal((await config(id)).rendered?.version, 3, 'the rollback holds on later reads');
      const events = (
        (await api(`/api/v1/collectors/${id}/events`)).body as {
          items: Array<{ type: string; detail: string }>;
        }
      ).items;
      assert.ok(events.some((e) => e.type === 'config_rolled_back' && /v3 re-delivers v1/.test(e.detail)));
      assert.ok(events.some((e) => e.type === 'config_applied' && /config v2 \(/.test(e.detail)));

      // The next change to what targets the collector renders again: v4.
      assert.equal(
        (
          await api('/api/v1/settings/otel-default-config', {
            method: 'PUT',
            json: {
              yaml: yaml.replace('debug: {}', 'debug:\n    verbosity: basic'),
            },
          })
        ).status,
        204,
      );
      assert.equal((await config(id)).rendered?.version, 4);
      // Back to the baseline: the same content as v3 (= v1), so no new version.
      assert.equal((await api('/api/v1/settings/otel-default-config', { method: 'DELETE' })).status, 204);
      const back = await config(id);
      assert.deepEqual([back.rendered?.version, back.rendered?.hash], [5, v1.rendered.hash]);
      assert.equal((await api(`/api/v1/collectors/${id}/config/versions/9`)).status, 404);
      assert.equal(
        (await api(`/api/v1/collectors/${id}/config/rollback`, { method: 'POST', json: { version: 9 } }))
          .status,
        404,
      );
    } finally {
      agent.terminate();
    }
  });

  it('an Alloy collector: served content, hash and apply status; rotation renders a new telemetry token', async () => {
    const { id } = (
      await api('/api/v1/collectors', { method: 'POST', json: { name: 'edge', runtime: 'alloy' } })
    ).body as { id: string };
    const { token } = (await api(`/api/v1/collectors/${id}/token`, { method: 'POST' })).body as {
      token: string;
    };
    const alloy = (bearer: string) => alloyClient(t.url, bearer);
    const served = await alloy(token).getConfig({ id: 'edge', hash: '' });
    const oldTelemetryToken = tokenIn(served.content);
    const shown = await config(id);
    assert.deepEqual([shown.rendered?.format, shown.rendered?.version], ['alloy', 1]);
    assert.equal(shown.rendered?.hash, served.hash);
    assert.match(shown.rendered.content, /token = "\*{8}"/);
    assert.equal(shown.applyStatus, null, 'nothing reported yet');

    await alloy(token).getConfig({
      id: 'edge',
      hash: served.hash,
      remoteConfigStatus: {
        status: RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
        errorMessage: 'bad block',
      },
    });
    const failed = await config(id);
    assert.deepEqual(
      [failed.applyStatus?.status, failed.applyStatus?.version, failed.applyStatus?.errorMessage],
      ['FAILED', 1, 'bad block'],
    );
    await alloy(token).getConfig({
      id: 'edge',
      hash: served.hash,
      remoteConfigStatus: { status: RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, errorMessage: '' },
    });
    assert.equal((await config(id)).applyStatus?.status, 'APPLIED');

    const rotated = (await api(`/api/v1/collectors/${id}/rotate-token`, { method: 'POST' })).body as {
      token: string;
    };
    const next = await alloy(rotated.token).getConfig({ id: 'edge', hash: served.hash });
    assert.equal(next.notModified, false, 'the rotated telemetry token makes new content');
    const newTelemetryToken = tokenIn(next.content);
    assert.notEqual(newTelemetryToken, oldTelemetryToken);
    const [latest] = await versions(id);
    assert.equal(latest?.version, 2);
    assert.ok(!latest.diff.includes('@@'), 'the template did not change, only its secret');
    assert.match(latest.reason, /secrets only/);
    for (const telemetryToken of [oldTelemetryToken, newTelemetryToken]) {
      const push = await fetch(`${t.url}/v1/metrics`, {
        method: 'POST',
        headers: { authorization: `Bearer ${telemetryToken}`, 'content-type': 'application/json' },
        body: '{"resourceMetrics":[]}',
      });
      assert.equal(push.status, 200, 'both push during the rotation grace');
    }
  });

  it('never shows a telemetry token in an API answer or keeps one in the clear at rest', async () => {
    assert.ok(telemetryTokens.size >= 3);
    await t.server.flushTelemetry();
    const dataDir = t.server.config.dataDir;
    const files = readdirSync(dataDir).filter((name) => name.includes('sqlite') || name.endsWith('.db'));
    assert.ok(files.length > 0, `database files in ${dataDir}`);
    const atRest = files.map((name) => readFileSync(join(dataDir, name)).toString('latin1')).join('\n');
    for (const token of telemetryTokens) {
      assert.ok(!answers.some((answer) => answer.includes(token)), 'not in any API answer');
      assert.ok(!atRest.includes(token), 'not in the database files');
      assert.ok(!t.logs.some((line) => line.includes(token)), 'not in the logs');
    }
  });
});
