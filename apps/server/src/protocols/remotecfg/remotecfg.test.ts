import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { Code, ConnectError, createClient, type Interceptor } from '@connectrpc/connect';
import { compressionGzip, createConnectTransport } from '@connectrpc/connect-node';
import {
  CollectorService,
  RemoteConfigStatuses,
  type GetConfigResponse,
} from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import Fastify, { type FastifyInstance } from 'fastify';
import { alloyComponents, parseAlloy } from '@linkmesh/alloy/syntax';
import { BearerCache } from '../../domain/fleet/bearer-cache.ts';
import { CollectorAuthenticator } from '../../domain/fleet/collector-auth.ts';
import { AlloyPollingService } from '../../domain/remotecfg/alloy-polling.service.ts';
import { aCollectorConfig, aThrottle } from '../../testing/factories.ts';
import { CollectorCache } from '../../domain/fleet/collector-cache.ts';
import { FleetService } from '../../domain/fleet/fleet.service.ts';
import { systemClock } from '../../domain/shared/clock.ts';
import type { RequestContext } from '../../domain/shared/request-context.ts';
import { createLogger } from '../../platform/logger.ts';
import { openStorage } from '../../storage/open-storage.ts';
import type { SqlStorage } from '../../storage/sql-storage.ts';
import { registerRemotecfgRoutes } from './remotecfg.routes.ts';

const operator: RequestContext = { actor: 'user:admin', sourceIp: '127.0.0.1' };

/** The client surface used here (typed by hand: see the protobuf-copy note in the routes). */
interface CollectorClient {
  getConfig(request: {
    id: string;
    hash?: string;
    localAttributes?: Record<string, string>;
    attributes?: Record<string, string>;
    remoteConfigStatus?: { status: RemoteConfigStatuses; errorMessage?: string };
    effectiveConfig?: { configMap: { configMap: Record<string, { body: Uint8Array; contentType: string }> } };
  }): Promise<GetConfigResponse>;
  registerCollector(request: {
    id: string;
    name?: string;
    localAttributes?: Record<string, string>;
  }): Promise<unknown>;
  unregisterCollector(request: { id: string }): Promise<unknown>;
}

describe('Alloy remotecfg (Connect CollectorService)', () => {
  let dir: string;
  let storage: SqlStorage;
  let fleet: FleetService;
  let app: FastifyInstance;
  let baseUrl: string;
  const logs: string[] = [];
  const externalUrl = 'https://fleet.example.com';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linkmesh-remotecfg-'));
    ({ storage } = await openStorage({ kind: 'sqlite', file: join(dir, 'db.sqlite') }));
    fleet = new FleetService(storage, systemClock);
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    app = Fastify();
    const collectorCache = new CollectorCache(fleet, systemClock, { ttlMs: 0, maxEntries: 10 });
    registerRemotecfgRoutes(app, {
      // No caching here: every call reads the database, so the assertions see each write.
      auth: new CollectorAuthenticator(
        new BearerCache(fleet, systemClock, { verifiedTtlMs: 0, liveTtlMs: 0, maxEntries: 10 }),
        aThrottle(systemClock),
      ),
      polling: new AlloyPollingService(
        fleet,
        collectorCache,
        systemClock,
        aCollectorConfig(storage, fleet, systemClock, externalUrl),
      ),
      maxBodyBytes: 8 * 1024 * 1024,
      maxJsonDepth: 64,
      logger: createLogger('info', sink),
    });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = address;
  });

  after(async () => {
    await app.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function client(bearer: string | undefined, useBinaryFormat: boolean, gzip = false): CollectorClient {
    const auth: Interceptor = (next) => (request) => {
      if (bearer !== undefined) request.header.set('authorization', `Bearer ${bearer}`);
      return next(request);
    };
    const transport = createConnectTransport({
      baseUrl,
      httpVersion: '1.1',
      useBinaryFormat,
      interceptors: [auth],
      ...(gzip ? { sendCompression: compressionGzip, compressMinBytes: 0 } : {}),
    });
    return createClient(
      CollectorService as unknown as Parameters<typeof createClient>[0],
      transport,
    ) as unknown as CollectorClient;
  }

  async function newAlloy(): Promise<{ id: string; bearer: string }> {
    const collector = await fleet.createCollector(operator, { name: 'edge', runtime: 'alloy' });
    return { id: collector.id, bearer: await fleet.mintBearer(operator, collector.id) };
  }

  async function eventTypes(collectorId: string): Promise<string[]> {
    const events = await fleet.listEvents(collectorId, { sinceMs: 0, limit: 100 });
    return events.map((e) => e.type);
  }

  async function rejectedWith(promise: Promise<unknown>, reason: string): Promise<void> {
    const before = logs.length;
    await assert.rejects(promise, (error: unknown) => {
      assert.ok(error instanceof ConnectError);
      assert.equal(error.code, Code.Unauthenticated);
      return true;
    });
    assert.ok(
      logs.slice(before).some((line) => line.includes(`remotecfg.auth: rejected reason=${reason}`)),
      `no log for ${reason}`,
    );
  }

  for (const binary of [true, false]) {
    describe(binary ? 'binary codec' : 'JSON codec', () => {
      it('registers, serves the pipeline, answers not_modified, records status and attributes', async () => {
        const alloy = await newAlloy();
        const rpc = client(alloy.bearer, binary);

        await rpc.registerCollector({
          id: 'alloy-seed-1',
          name: 'edge-01',
          localAttributes: { env: 'prod' },
        });
        let collector = await fleet.get(alloy.id);
        assert.equal(collector.status, 'connected');
        assert.equal(collector.instanceUid, 'alloy-seed-1');
        assert.deepEqual(collector.labels, { env: 'prod' });

        const first = await rpc.getConfig({
          id: 'alloy-seed-1',
          hash: '',
          localAttributes: { env: 'prod', 'collector.os': 'linux', 'collector.version': 'v1.9.0' },
        });
        assert.equal(first.notModified, false);
        assert.match(first.hash, /^[0-9a-f]{64}$/);
        const components = alloyComponents(parseAlloy(first.content));
        assert.ok(components.has('otelcol.exporter.otlphttp.linkmesh'));
        assert.ok(first.content.includes(`endpoint = "${externalUrl}"`));
        collector = await fleet.get(alloy.id);
        assert.equal(collector.os, 'linux');
        assert.equal(collector.version, 'v1.9.0');

        const second = await rpc.getConfig({
          id: 'alloy-seed-1',
          hash: first.hash,
          remoteConfigStatus: { status: RemoteConfigStatuses.RemoteConfigStatuses_APPLIED },
          effectiveConfig: {
            configMap: {
              configMap: { '': { body: new TextEncoder().encode(first.content), contentType: 'text/plain' } },
            },
          },
        });
        assert.equal(second.notModified, true);
        assert.equal(second.content, '');
        const stored = (await fleet.reportedEffectiveConfig(alloy.id))?.text ?? '';
        assert.ok(stored.includes('prometheus.exporter.self'), 'the reported effective config is kept');
        assert.ok(!stored.includes(alloy.bearer), 'with the bearer redacted');
        // The notify burst: the same status again records nothing new.
        await rpc.getConfig({
          id: 'alloy-seed-1',
          hash: first.hash,
          remoteConfigStatus: { status: RemoteConfigStatuses.RemoteConfigStatuses_APPLIED },
        });

        await rpc.getConfig({
          id: 'alloy-seed-1',
          hash: first.hash,
          remoteConfigStatus: {
            status: RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
            errorMessage: 'boom',
          },
        });
        const types = await eventTypes(alloy.id);
        assert.equal(types.filter((t) => t === 'registered').length, 1);
        assert.equal(types.filter((t) => t === 'config_applied').length, 1);
        assert.equal(types.filter((t) => t === 'config_failed').length, 1);
        assert.equal(types.filter((t) => t === 'connected').length, 1);

        await rpc.unregisterCollector({ id: 'alloy-seed-1' });
        assert.equal((await fleet.get(alloy.id)).status, 'disconnected');
      });

      it('GetConfig before RegisterCollector is first contact; a different id is identity_changed', async () => {
        const alloy = await newAlloy();
        const rpc = client(alloy.bearer, binary);
        await rpc.getConfig({ id: 'first-id', attributes: { legacy: 'yes' } });
        await rpc.registerCollector({ id: 'first-id' });
        await rpc.getConfig({ id: 'other-id' });
        await rpc.getConfig({ id: 'other-id' });
        const types = await eventTypes(alloy.id);
        assert.equal(types.filter((t) => t === 'registered').length, 1);
        assert.equal(types.filter((t) => t === 'identity_changed').length, 1);
        const collector = await fleet.get(alloy.id);
        assert.equal(collector.instanceUid, 'first-id');
        assert.deepEqual(collector.labels, { legacy: 'yes' });
      });

      it('rejects missing, unknown and deregistered bearers with Unauthenticated', async () => {
        const alloy = await newAlloy();
        await rejectedWith(client(undefined, binary).getConfig({ id: 'x' }), 'missing_or_malformed_bearer');
        await rejectedWith(
          client('lmct_notarealtokenatallnotarealtokenatall', binary).getConfig({ id: 'x' }),
          'token_unknown_or_revoked_or_expired',
        );
        await client(alloy.bearer, binary).getConfig({ id: 'x' });
        await fleet.deregister(operator, alloy.id);
        // Deregistration revokes the bearers, so the bearer check already refuses it.
        await rejectedWith(
          client(alloy.bearer, binary).registerCollector({ id: 'x' }),
          'token_unknown_or_revoked_or_expired',
        );
      });

      it('rejects a still-valid bearer of a deregistered collector (collector_deregistered)', async () => {
        const alloy = await newAlloy();
        // Marked deregistered without the bearer revocation (a race with deregistration).
        await storage.collectors.markDeregistered(alloy.id, Date.now());
        await rejectedWith(client(alloy.bearer, binary).getConfig({ id: 'x' }), 'collector_deregistered');
      });
    });
  }

  it('accepts gzip-compressed requests', async () => {
    const alloy = await newAlloy();
    const response = await client(alloy.bearer, true, true).getConfig({ id: 'gz', hash: '' });
    assert.ok(response.content.includes('prometheus.exporter.self "linkmesh"'));
  });

  it('answers a raw unauthenticated Connect call with HTTP 401 and Connect error JSON', async () => {
    const response = await fetch(`${baseUrl}/collector.v1.CollectorService/GetConfig`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'connect-protocol-version': '1' },
      body: '{"id":"x"}',
    });
    assert.equal(response.status, 401);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await response.json()) as { code: string };
    assert.equal(body.code, 'unauthenticated');
  });

  describe('GetConfig speaks the Connect unary protocol itself: bad requests get the right status and error JSON', () => {
    const url = () => `${baseUrl}/collector.v1.CollectorService/GetConfig`;
    const call = async (init: {
      headers?: Record<string, string>;
      body?: string | Uint8Array;
      method?: string;
    }) => {
      const alloy = await newAlloy();
      return fetch(url(), {
        method: init.method ?? 'POST',
        headers: {
          authorization: `Bearer ${alloy.bearer}`,
          'connect-protocol-version': '1',
          ...init.headers,
        },
        ...(init.body === undefined ? {} : { body: init.body }),
      });
    };
    const errorCode = async (response: Response) => ((await response.json()) as { code: string }).code;

    it('415 with Accept-Post for an unsupported content type', async () => {
      const response = await call({ headers: { 'content-type': 'text/plain' }, body: 'hello' });
      assert.equal(response.status, 415);
      assert.equal(response.headers.get('accept-post'), 'application/json, application/proto');
    });

    it('400 invalid_argument for bytes that are not a GetConfigRequest, in either codec', async () => {
      const proto = await call({
        headers: { 'content-type': 'application/proto' },
        body: new Uint8Array([0x0a, 0xff]),
      });
      assert.equal(proto.status, 400);
      assert.equal(await errorCode(proto), 'invalid_argument');
      const json = await call({ headers: { 'content-type': 'application/json' }, body: '{"id":' });
      assert.equal(json.status, 400);
      assert.equal(await errorCode(json), 'invalid_argument');
      const unknownField = await call({
        headers: { 'content-type': 'application/json' },
        body: '{"nope":1}',
      });
      assert.equal(unknownField.status, 400);
    });

    it('400 for a body claiming gzip that is not, 405 for GET; the server keeps serving', async () => {
      const badGzip = await call({
        headers: { 'content-type': 'application/proto', 'content-encoding': 'gzip' },
        body: new Uint8Array([1, 2, 3]),
      });
      assert.equal(badGzip.status, 400);
      assert.equal(await errorCode(badGzip), 'invalid_argument');
      const get = await call({ method: 'GET' });
      assert.equal(get.status, 405);
      assert.equal(get.headers.get('allow'), 'POST');
      const fine = await call({ headers: { 'content-type': 'application/json' }, body: '{"id":"ok"}' });
      assert.equal(fine.status, 200);
      assert.match(fine.headers.get('content-type') ?? '', /^application\/json/);
      assert.ok(((await fine.json()) as { content: string }).content.includes('prometheus.exporter.self'));
    });
  });
  describe('RegisterCollector and UnregisterCollector: the bearer is checked before the body is read (issue #9)', () => {
    const url = (method: string) => `${baseUrl}/collector.v1.CollectorService/${method}`;
    const errorCode = async (response: Response) => ((await response.json()) as { code: string }).code;
    const bomb = gzipSync(Buffer.alloc(32 * 1024 * 1024), { level: 9 });

    it('answers an unauthenticated gzip bomb with 401 without inflating or decoding it', async () => {
      for (const method of ['RegisterCollector', 'UnregisterCollector', 'GetConfig']) {
        const response = await fetch(url(method), {
          method: 'POST',
          headers: { 'content-type': 'application/proto', 'content-encoding': 'gzip' },
          body: bomb,
        });
        assert.equal(response.status, 401, method);
        assert.equal(await errorCode(response), 'unauthenticated');
      }
    });

    it('answers a malformed body from an authenticated collector with 400 invalid_argument, not 500', async () => {
      const alloy = await newAlloy();
      for (const [contentType, body] of [
        ['application/proto', new Uint8Array([0x0a, 0xff, 0xff])],
        ['application/json', '{"id": '],
        ['application/json', '['.repeat(1000)],
      ] as const) {
        const response = await fetch(url('RegisterCollector'), {
          method: 'POST',
          headers: { authorization: `Bearer ${alloy.bearer}`, 'content-type': contentType },
          body,
        });
        assert.equal(response.status, 400, contentType);
        assert.equal(await errorCode(response), 'invalid_argument');
      }
    });

    it('stops an authenticated gzip bomb at the body cap with 413 resource_exhausted', async () => {
      const alloy = await newAlloy();
      const response = await fetch(url('RegisterCollector'), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${alloy.bearer}`,
          'content-type': 'application/proto',
          'content-encoding': 'gzip',
        },
        body: bomb,
      });
      assert.equal(response.status, 413);
      assert.equal(await errorCode(response), 'resource_exhausted');
    });
  });
});
