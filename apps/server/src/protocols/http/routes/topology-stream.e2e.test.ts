import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../../testing/server-harness.ts';
import { openTopologyStream, type TopologyStream } from '../../../testing/topology-stream.ts';

/**
 * The live topology streams are bounded and never hold the server: past the cap a new one gets
 * 503 with Retry-After (and a freed slot is usable again), an unknown collector is 404 before any
 * stream opens, and shutdown ends open streams instead of waiting out its grace period.
 */
describe('topology streams: bounded, and ended by shutdown', () => {
  let t: TestServer;
  let collectorId: string;
  const open: TopologyStream[] = [];
  before(async () => {
    t = await startTestServer({
      start: { topologyMaxStreams: 1 },
      env: { LINKMESH_SHUTDOWN_GRACE_SECONDS: '30' },
    });
    const response = await t.api('/api/v1/collectors', {
      method: 'POST',
      json: { name: 'a', runtime: 'alloy' },
    });
    collectorId = ((await response.json()) as { id: string }).id;
  });
  after(async () => {
    open.forEach((s) => s.close());
    await t.close();
  });

  it('refuses a stream past the cap with 503, and takes one again once a slot is free', async () => {
    const first = await openTopologyStream(t.url, collectorId, t.adminToken);
    open.push(first);
    await first.next(() => true);
    const refused = await t.api(`/api/v1/collectors/${collectorId}/topology/stream`);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '30');
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'unavailable');
    assert.equal((await t.api('/api/v1/topology/stream')).status, 503, 'the cap covers fleet streams too');
    first.close();
    for (let attempt = 0; ; attempt++) {
      const again = await t.api(`/api/v1/collectors/${collectorId}/topology?window=15m`);
      assert.equal(again.status, 200, 'plain reads are not streams');
      try {
        const second = await openTopologyStream(t.url, collectorId, t.adminToken);
        open.push(second);
        await second.next(() => true);
        break;
      } catch (error) {
        // The server notices the first client left when its socket closes.
        if (attempt > 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });

  it('answers 404 for an unknown collector before opening a stream', async () => {
    const response = await t.api('/api/v1/collectors/00000000-0000-4000-8000-000000000000/topology/stream');
    assert.equal(response.status, 404);
  });

  it('ends open streams when shutdown begins, well inside the grace period', async () => {
    const startedMs = Date.now();
    await t.server.close();
    const tookMs = Date.now() - startedMs;
    assert.ok(tookMs < 10_000, `shutdown waited ${tookMs} ms of its 30 s grace on an open stream`);
  });
});
