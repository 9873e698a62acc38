import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { renderBootstrapConfig } from '@linkmesh/alloy/render';
import type { AgentReportRequest, BootstrapResponse } from '@linkmesh/contracts/agent-api';
import { CollectorService, RemoteConfigStatuses } from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import pg from 'pg';
import { OpampWsAgent } from '../../testing/opamp/opamp-ws-agent.ts';
import { postgresUnavailableReason } from '../../testing/postgres.ts';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

const skipPostgres = await postgresUnavailableReason();
const alloyCount = 10;

interface ConfigView {
  effectiveConfig: string | null;
  applyStatus: { status: string; errorMessage: string | null } | null;
  health: { lastError: string } | null;
}

/**
 * Issue #9 finding 5 end to end: collectors of every runtime report text that quotes their own
 * live bearer (Alloy's effective config and apply error, an OpAMP agent's effective config,
 * health and apply error, a Managed agent's report), and afterwards no token value is anywhere in
 * the database — the SQLite file and its WAL read byte by byte, or every PostgreSQL row as text.
 */
for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(
    `No live secret at rest [${dialect}]`,
    dialect === 'postgres' && skipPostgres ? { skip: skipPostgres } : {},
    () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'linkmesh-secrets-'));
      let t: TestServer;
      let agent: OpampWsAgent | undefined;
      const secrets: string[] = [];
      const alloyIds: string[] = [];
      let opampId = '';
      let closed = false;
      const close = async () => {
        if (closed) return;
        closed = true;
        agent?.terminate();
        await t.close();
      };

      before(async () => {
        t = await startTestServer({ dialect, dataDir });
      });
      after(async () => {
        await close();
        rmSync(dataDir, { recursive: true, force: true });
      });

      const json = async <T>(response: Response): Promise<T> => {
        assert.ok(response.ok, `${response.status} ${response.url}`);
        return (await response.json()) as T;
      };
      const createCollector = async (name: string, runtime: 'alloy' | 'otelcol') => {
        const { id } = await json<{ id: string }>(
          await t.api('/api/v1/collectors', { method: 'POST', json: { name, runtime } }),
        );
        const { token } = await json<{ token: string }>(
          await t.api(`/api/v1/collectors/${id}/token`, { method: 'POST' }),
        );
        secrets.push(token);
        return { id, token };
      };
      const configOf = (id: string) => t.api(`/api/v1/collectors/${id}/config`).then(json<ConfigView>);

      it(`stores ${alloyCount} Alloys' effective configs and failed apply statuses without their bearers`, async () => {
        await Promise.all(
          Array.from({ length: alloyCount }, async (_, i) => {
            const { id, token } = await createCollector(`alloy-at-rest-${i}`, 'alloy');
            alloyIds.push(id);
            const client = createClient(
              CollectorService,
              createConnectTransport({
                baseUrl: t.url,
                httpVersion: '1.1',
                useBinaryFormat: true,
                interceptors: [
                  (next) => (request) => {
                    request.header.set('Authorization', `Bearer ${token}`);
                    return next(request);
                  },
                ],
              }),
            );
            const effective = [
              renderBootstrapConfig({
                collectorId: id,
                hostname: `edge-${i}`,
                externalUrl: t.url,
                bearerToken: token,
              }),
              'otelcol.exporter.otlphttp "vendor" {',
              '  client {',
              '    endpoint = "https://vendor.example.com"',
              '    headers = {',
              `      "Authorization" = "Bearer ${token}",`,
              '    }',
              '  }',
              '}',
            ].join('\n');
            const answer = await client.getConfig({
              id: `host-${i}`,
              hash: '',
              localAttributes: { env: 'prod', 'collector.os': 'linux' },
              remoteConfigStatus: {
                status: RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
                errorMessage: `remotecfg: bearer_token = "${token}" refused: 401 (Authorization: Bearer ${token})`,
              },
              effectiveConfig: {
                configMap: {
                  configMap: { '': { body: new TextEncoder().encode(effective), contentType: '' } },
                },
              },
            });
            assert.equal(answer.notModified, false, 'the bearer is live: GetConfig answered with content');
          }),
        );

        const first = alloyIds[0] ?? '';
        const view = await configOf(first);
        assert.ok(view.effectiveConfig, 'GET /config shows the effective config Alloy reported');
        assert.match(view.effectiveConfig, /bearer_token {3}= "\[redacted\]"/);
        assert.match(view.effectiveConfig, /token = "\[redacted\]"/);
        assert.match(view.effectiveConfig, /"Authorization" = "\[redacted\]",/);
        assert.match(
          view.effectiveConfig,
          /endpoint = "https:\/\/vendor\.example\.com"/,
          'the rest stays readable',
        );
        const events = await json<{ items: Array<{ type: string; detail: string }> }>(
          await t.api(`/api/v1/collectors/${first}/events`),
        );
        const failed = events.items.find((e) => e.type === 'config_failed');
        assert.ok(failed, JSON.stringify(events.items));
        assert.match(
          failed.detail,
          /bearer_token = "\[redacted\]" refused: 401 \(Authorization: Bearer \[redacted\]\)/,
        );
      });

      it('stores an OpAMP agent’s effective config, health and failed apply status without its bearer', async () => {
        const { id, token } = await createCollector('otelcol-at-rest', 'otelcol');
        opampId = id;
        const nowNanos = BigInt(Date.now()) * 1_000_000n;
        agent = new OpampWsAgent({
          url: `${t.url.replace(/^http/, 'ws')}/v1/opamp`,
          headers: { Authorization: `Bearer ${token}` },
          heartbeatIntervalMs: 0,
          effectiveConfigYaml: [
            'extensions:',
            '  bearertokenauth/linkmesh:',
            `    token: ${token}`,
            'exporters:',
            '  otlphttp/linkmesh:',
            '    endpoint: https://linkmesh.example.com',
            '    headers:',
            `      Authorization: "Bearer ${token}"`,
            '',
          ].join('\n'),
          health: {
            healthy: false,
            startTimeUnixNano: nowNanos,
            statusTimeUnixNano: nowNanos,
            status: 'StatusRecoverableError',
            lastError: `exporter otlphttp/linkmesh: 401 for Bearer ${token}`,
            componentHealthMap: {
              'exporter:otlphttp/linkmesh': {
                healthy: false,
                lastError: `header Authorization=Bearer ${token}`,
              },
            },
          },
          judgeConfig: () => ({ message: `merge failed near token: ${token}`, stage: 'merge' }),
        });
        await agent.connect();
        let view: ConfigView | undefined;
        for (let i = 0; i < 100 && view?.applyStatus?.status !== 'FAILED'; i++) {
          if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
          view = await configOf(id);
        }
        assert.equal(view?.applyStatus?.status, 'FAILED', 'the agent rejected the remote config within 5 s');
        assert.equal(view.applyStatus.errorMessage, 'merge failed near token: [redacted]');
        assert.match(view.effectiveConfig ?? '', /bearertokenauth\/linkmesh:\n {4}token: \[redacted\]/);
        assert.match(view.effectiveConfig ?? '', /Authorization: "\[redacted\]"/);
        assert.equal(view.health?.lastError, 'exporter otlphttp/linkmesh: 401 for Bearer [redacted]');
      });

      it('stores a Managed agent’s report without the bearer its command line carries', async () => {
        const { token: enrollment } = await json<{ token: string }>(
          await t.api('/api/v1/enrollment-tokens', { method: 'POST', json: { ttlSeconds: 600 } }),
        );
        secrets.push(enrollment);
        const boot = await json<BootstrapResponse>(
          await fetch(`${t.url}/api/v1/bootstrap`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              token: enrollment,
              hostname: 'managed-at-rest',
              runtime: 'alloy',
              hostId: 'h-1',
            }),
          }),
        );
        secrets.push(boot.collectorToken);
        const report: AgentReportRequest = {
          agentVersion: '0.1.0',
          host: {
            hostname: 'managed-at-rest',
            os: 'linux',
            osRelease: '6.1.0',
            arch: 'x64',
            cpuCount: 2,
            cpuModel: 'Test CPU',
            memoryTotalBytes: 1024,
            memoryFreeBytes: 512,
            uptimeSeconds: 10,
            loadAverage1m: 0.1,
          },
          collector: {
            binary: `/usr/bin/alloy run --server.token=${boot.collectorToken} /etc/alloy/config.alloy`,
            version: `alloy, version v1.11.3 (auth Bearer ${boot.collectorToken})`,
            running: false,
            pid: null,
            restartCount: 1,
            uptimeSeconds: null,
            lastExitCode: 1,
            lastExitSignal: null,
            lastExitAt: new Date().toISOString(),
            nextStartInSeconds: 5,
          },
        };
        const response = await fetch(`${t.url}/api/v1/agent/report`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${boot.collectorToken}` },
          body: JSON.stringify(report),
        });
        assert.equal(response.status, 200);
        const detail = await json<{ agent: { collector: { binary: string } } | null }>(
          await t.api(`/api/v1/collectors/${boot.collectorId}`),
        );
        assert.equal(
          detail.agent?.collector.binary,
          '/usr/bin/alloy run --server.token=[redacted] /etc/alloy/config.alloy',
        );
      });

      it('keeps destination credentials sealed, and redacts them by value from what Alloy reports', async () => {
        const bearer = 'dst-bearer-9fK2mQx7Lp';
        const headerKey = 'hdr-key-Vw3nR8sYt2';
        secrets.push(bearer, headerKey);
        const source = await json<{ id: string }>(
          await t.api('/api/v1/sources', {
            method: 'POST',
            json: { name: 'otlp', type: 'otlp', config: {} },
          }),
        );
        const destination = await json<{ id: string }>(
          await t.api('/api/v1/destinations', {
            method: 'POST',
            json: {
              name: 'vendor',
              type: 'otlphttp',
              config: {
                endpoint: 'https://vendor.example.com',
                bearerToken: bearer,
                headers: { 'X-Vendor-Key': headerKey },
              },
            },
          }),
        );
        const { id, token } = await createCollector('alloy-routed', 'alloy');
        await json(
          await t.api('/api/v1/routes', {
            method: 'POST',
            json: {
              name: 'r',
              sourceId: source.id,
              destinationIds: [destination.id],
              target: { collectorIds: [id] },
            },
          }),
        );
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
        const served = await client.getConfig({ id: 'routed', hash: '' });
        assert.ok(served.content.includes(headerKey), 'the credentials are rendered for the collector');
        // Alloy echoes its config back, and an apply error quotes the header.
        await client.getConfig({
          id: 'routed',
          hash: served.hash,
          remoteConfigStatus: {
            status: RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
            errorMessage: `exporter refused header X-Vendor-Key: ${headerKey}`,
          },
          effectiveConfig: {
            configMap: {
              configMap: { '': { body: new TextEncoder().encode(served.content), contentType: '' } },
            },
          },
        });
        const view = await configOf(id);
        const effective = view.effectiveConfig ?? '';
        assert.ok(effective.includes('X-Vendor-Key'), 'the effective config is stored');
        assert.ok(!effective.includes(headerKey) && !effective.includes(bearer));
        assert.equal(view.applyStatus?.errorMessage, 'exporter refused header X-Vendor-Key: [redacted]');
      });

      it('leaves no token value anywhere in the database or the server logs', async () => {
        assert.equal(secrets.length, alloyCount + 6);
        assert.ok(opampId !== '' && alloyIds.length === alloyCount, 'the reporting tests ran');
        let stored: string;
        if (dialect === 'postgres') {
          stored = await everyPostgresRowAsText(t.databaseUrl ?? '');
          await close();
        } else {
          await close();
          const files = readdirSync(dataDir).filter((name) => name.startsWith('linkmesh.db'));
          assert.ok(files.includes('linkmesh.db'), files.join(','));
          // latin1 keeps every byte as one character, so an ASCII token is found wherever it sits.
          stored = files.map((name) => readFileSync(join(dataDir, name)).toString('latin1')).join('\n');
        }
        assert.ok(stored.includes('alloy-at-rest-3'), 'the scan reads the stored rows');
        assert.ok(stored.includes('[redacted]'), 'the redacted reports are stored');
        const logs = t.logs.join('\n');
        for (const secret of secrets) {
          const body = secret.slice(secret.indexOf('_') + 1);
          assert.ok(!stored.includes(body), `${secret.slice(0, 9)}… appears at rest`);
          assert.ok(!logs.includes(body), `${secret.slice(0, 9)}… appears in the logs`);
        }
      });
    },
  );
}

/** Every row of every table in the database, cast to text. */
async function everyPostgresRowAsText(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      "select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
    );
    assert.ok(tables.rows.length >= 10, tables.rows.map((r) => r.name).join(','));
    const parts: string[] = [];
    for (const { name } of tables.rows) {
      const rows = await client.query<{ row: string }>(`select t::text as row from "${name}" t`);
      parts.push(...rows.rows.map((r) => r.row));
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}
