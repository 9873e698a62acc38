import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../domain/shared/clock.ts';
import { postgresUnavailableReason } from '../../testing/postgres.ts';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

const skipPostgres = await postgresUnavailableReason();

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(
    `REST API over real HTTP [${dialect}]`,
    dialect === 'postgres' && skipPostgres ? { skip: skipPostgres } : {},
    () => {
      const clock = new ManualClock(Date.now());
      let t: TestServer;
      before(async () => {
        t = await startTestServer({ dialect, clock });
      });
      after(async () => t.close());

      async function serviceToken(role: string): Promise<string> {
        const account = (await (
          await t.api('/api/v1/service-accounts', {
            method: 'POST',
            json: { name: `sa-${role.toLowerCase().replace(' ', '-')}-${Date.now()}`, role },
          })
        ).json()) as { id: string };
        const minted = (await (
          await t.api(`/api/v1/service-accounts/${account.id}/tokens`, { method: 'POST', json: {} })
        ).json()) as {
          token: string;
        };
        return minted.token;
      }

      it('answers /healthz, /readyz and /metrics without auth', async () => {
        assert.deepEqual(await (await fetch(`${t.url}/healthz`)).json(), { status: 'ok' });
        const ready = (await (await fetch(`${t.url}/readyz`)).json()) as { status: string; storage: string };
        assert.deepEqual(ready, { status: 'ready', storage: dialect });
        const metrics = await (await fetch(`${t.url}/metrics`)).text();
        for (const family of [
          'linkmesh_process_cpu_seconds_total',
          'linkmesh_http_requests_total',
          'linkmesh_http_request_duration_seconds',
          'linkmesh_storage_queries_total',
          'linkmesh_storage_up',
        ]) {
          assert.ok(metrics.includes(family), `${family} is exported`);
        }
      });

      it('answers 401 JSON on every /api/v1 route without credentials', async () => {
        const routes: Array<[string, string]> = [
          ['GET', '/api/v1/collectors'],
          ['POST', '/api/v1/collectors'],
          ['GET', '/api/v1/collectors/x'],
          ['DELETE', '/api/v1/collectors/x'],
          ['POST', '/api/v1/collectors/x/token'],
          ['GET', '/api/v1/collectors/x/events'],
          ['GET', '/api/v1/enrollment-tokens'],
          ['POST', '/api/v1/enrollment-tokens'],
          ['DELETE', '/api/v1/enrollment-tokens/x'],
          ['GET', '/api/v1/users'],
          ['GET', '/api/v1/roles'],
          ['GET', '/api/v1/service-accounts'],
          ['GET', '/api/v1/audit'],
          ['GET', '/api/v1/auth/me'],
          ['GET', '/api/v1/no-such-route'],
        ];
        for (const [method, path] of routes) {
          for (const authorization of [
            '',
            'Bearer lmsat_wrong',
            'Bearer lmct_notanoperator',
            'Basic YWRtaW46YWRtaW4=',
          ]) {
            const response = await fetch(t.url + path, {
              method,
              headers: authorization ? { authorization } : {},
            });
            assert.equal(response.status, 401, `${method} ${path} with "${authorization}"`);
            const body = (await response.json()) as { error: { code: string } };
            assert.equal(body.error.code, 'unauthenticated');
          }
        }
      });

      it('answers 403 JSON when a Viewer mints an enrollment token, and lets it read', async () => {
        const viewer = await serviceToken('Viewer');
        const headers = { authorization: `Bearer ${viewer}` };
        const minted = await t.api('/api/v1/enrollment-tokens', { method: 'POST', headers, json: {} });
        assert.equal(minted.status, 403);
        assert.deepEqual(await minted.json(), {
          error: { code: 'forbidden', message: 'permission enrollment-tokens:create required' },
        });
        assert.equal((await t.api('/api/v1/collectors', { headers })).status, 200);
        assert.equal((await t.api('/api/v1/users', { headers })).status, 403);
      });

      it('logs an operator in with an HttpOnly SameSite=Strict cookie and out again', async () => {
        const login = await fetch(`${t.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: 'test-admin-password' }),
        });
        assert.equal(login.status, 200);
        const cookie = login.headers.get('set-cookie') ?? '';
        assert.match(cookie, /^lm_session=lms_[A-Za-z0-9_-]+;/);
        assert.match(cookie, /HttpOnly/);
        assert.match(cookie, /SameSite=Strict/);
        assert.doesNotMatch(cookie, /Secure/, 'plain HTTP: no Secure flag');
        const session = cookie.split(';')[0] ?? '';
        const me = (await (
          await fetch(`${t.url}/api/v1/auth/me`, { headers: { cookie: session } })
        ).json()) as {
          principal: { name: string; permissions: string[] };
        };
        assert.equal(me.principal.name, 'admin');
        assert.ok(me.principal.permissions.includes('enrollment-tokens:create'));
        await fetch(`${t.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie: session } });
        assert.equal((await fetch(`${t.url}/api/v1/auth/me`, { headers: { cookie: session } })).status, 401);

        const wrong = await fetch(`${t.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: 'nope' }),
        });
        assert.equal(wrong.status, 401);
      });

      it('mints, lists and revokes enrollment tokens; the token is shown once', async () => {
        const created = await t.api('/api/v1/enrollment-tokens', {
          method: 'POST',
          json: { ttlSeconds: 600 },
        });
        assert.equal(created.status, 201);
        assert.equal(created.headers.get('cache-control'), 'no-store');
        const token = (await created.json()) as { id: string; token: string; expiresAt: string };
        assert.match(token.token, /^lmet_/);
        assert.equal(Date.parse(token.expiresAt), clock.nowMs() + 600_000);
        const list = (await (await t.api('/api/v1/enrollment-tokens')).json()) as {
          items: Array<{ id: string; status: string }>;
        };
        const listed = list.items.find((item) => item.id === token.id);
        assert.equal(listed?.status, 'active');
        assert.ok(!JSON.stringify(list).includes(token.token), 'listing never shows the token');
        assert.equal(
          (await t.api(`/api/v1/enrollment-tokens/${token.id}`, { method: 'DELETE' })).status,
          204,
        );
        const after = (await (await t.api('/api/v1/enrollment-tokens')).json()) as {
          items: Array<{ id: string; status: string }>;
        };
        assert.equal(after.items.find((item) => item.id === token.id)?.status, 'revoked');
        const badTtl = await t.api('/api/v1/enrollment-tokens', { method: 'POST', json: { ttlSeconds: 5 } });
        assert.equal(badTtl.status, 400);
        assert.equal(((await badTtl.json()) as { error: { field: string } }).error.field, 'ttlSeconds');
      });

      it('redeems at /api/v1/bootstrap once: 201, then 410 for another host, 401 when expired', async () => {
        const mint = async () =>
          (
            (await (
              await t.api('/api/v1/enrollment-tokens', { method: 'POST', json: { ttlSeconds: 60 } })
            ).json()) as { token: string }
          ).token;
        const bootstrap = (token: string, hostname: string) =>
          fetch(`${t.url}/api/v1/bootstrap`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ token, hostname, runtime: 'alloy' }),
          });
        const token = await mint();
        const first = await bootstrap(token, 'host-a');
        assert.equal(first.status, 201);
        const body = (await first.json()) as {
          collectorId: string;
          collectorToken: string;
          endpoints: { otlpMetrics: string };
        };
        assert.match(body.collectorToken, /^lmct_/);
        assert.equal(body.endpoints.otlpMetrics, `${t.server.externalUrl}/v1/metrics`);
        const collector = (await (await t.api(`/api/v1/collectors/${body.collectorId}`)).json()) as {
          mode: string;
          status: string;
        };
        assert.equal(collector.mode, 'managed');
        const reused = await bootstrap(token, 'host-b');
        assert.equal(reused.status, 410);
        assert.equal(((await reused.json()) as { error: { code: string } }).error.code, 'gone');

        const expiring = await mint();
        clock.advanceMs(61_000);
        const expired = await bootstrap(expiring, 'host-c');
        assert.equal(expired.status, 401);
      });

      it('creates, lists, pages, mints a bearer for and deregisters collectors, with an audit trail', async () => {
        const created = await t.api('/api/v1/collectors', {
          method: 'POST',
          json: { name: 'edge-01', runtime: 'alloy' },
        });
        assert.equal(created.status, 201);
        const collector = (await created.json()) as { id: string; mode: string; status: string };
        assert.equal(collector.mode, 'alloy-remotecfg');
        assert.equal(collector.status, 'pending');
        const minted = (await (
          await t.api(`/api/v1/collectors/${collector.id}/token`, { method: 'POST' })
        ).json()) as {
          token: string;
          remotecfgSnippet: string;
        };
        assert.match(minted.token, /^lmct_/);
        assert.ok(minted.remotecfgSnippet.includes(`bearer_token   = "${minted.token}"`));
        assert.ok(minted.remotecfgSnippet.includes(`id             = "${collector.id}"`));
        assert.ok(minted.remotecfgSnippet.includes('poll_frequency = "60s"'));

        const page1 = (await (await t.api('/api/v1/collectors?limit=1')).json()) as {
          items: unknown[];
          nextCursor: string | null;
        };
        assert.equal(page1.items.length, 1);
        assert.ok(page1.nextCursor);
        const badCursor = await t.api('/api/v1/collectors?cursor=garbage');
        assert.equal(badCursor.status, 400);

        assert.equal((await t.api(`/api/v1/collectors/${collector.id}`, { method: 'DELETE' })).status, 204);
        const events = (await (await t.api(`/api/v1/collectors/${collector.id}/events`)).json()) as {
          items: Array<{ type: string }>;
        };
        assert.equal(events.items[0]?.type, 'deregistered');
        const audit = (await (await t.api('/api/v1/audit?action=collector.deregistered')).json()) as {
          items: Array<{ target: string; actor: string }>;
        };
        assert.ok(
          audit.items.some(
            (a) => a.target === `collector:${collector.id}` && a.actor === 'service-account:bootstrap-admin',
          ),
        );
        const audited = (await (await t.api('/api/v1/audit?action=token.minted')).json()) as {
          items: unknown[];
        };
        assert.ok(audited.items.length > 0);
        assert.equal((await t.api('/api/v1/collectors/does-not-exist')).status, 404);
      });

      it('gives a clear JSON error for malformed requests', async () => {
        const badJson = await t.api('/api/v1/collectors', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"name": ',
        });
        assert.equal(badJson.status, 400);
        assert.equal(((await badJson.json()) as { error: { code: string } }).error.code, 'invalid');
        const wrongType = await t.api('/api/v1/collectors', {
          method: 'POST',
          headers: { 'content-type': 'text/csv' },
          body: 'a,b',
        });
        assert.equal(wrongType.status, 415);
        const missingField = await t.api('/api/v1/collectors', { method: 'POST', json: { name: 'x' } });
        assert.equal(missingField.status, 400);
        assert.equal(((await missingField.json()) as { error: { field: string } }).error.field, 'runtime');
        const tooBig = await t.api('/api/v1/collectors', {
          method: 'POST',
          json: { name: 'x'.repeat(2 * 1024 * 1024), runtime: 'alloy' },
        });
        assert.equal(tooBig.status, 413);
        assert.equal((await fetch(`${t.url}/healthz`)).status, 200, 'still up');
      });

      it('never writes a token or password into its logs', () => {
        const logs = t.logs.join('\n');
        assert.ok(logs.includes('http.request'), 'requests are logged');
        assert.ok(!logs.includes(t.adminToken), 'admin token absent');
        assert.ok(!logs.includes('test-admin-password'), 'password absent');
        assert.doesNotMatch(logs, /lm(et|ct|sat|s)_[A-Za-z0-9_-]{20,}/, 'no credential of any kind');
      });
    },
  );
}
