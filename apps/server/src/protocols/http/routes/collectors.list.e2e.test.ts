import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type {
  CollectorListPage,
  CollectorTokenMinted,
  CollectorView,
  ErrorBody,
} from '@linkmesh/contracts/api';
import { SdkCollector } from '../../../testing/otel-sdk-collector.ts';
import { startTestServer, type TestServer } from '../../../testing/server-harness.ts';

/** `GET /api/v1/collectors` over real HTTP: health in status, rates per row, search, filters, sorting. */
describe('GET /api/v1/collectors: health, rates, search, filters, sorting', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  async function enrol(name: string): Promise<{ collector: CollectorView; bearer: string }> {
    const created = await server.api('/api/v1/collectors', {
      method: 'POST',
      json: { name, runtime: 'otelcol' },
    });
    assert.equal(created.status, 201);
    const collector = (await created.json()) as CollectorView;
    const minted = (await (
      await server.api(`/api/v1/collectors/${collector.id}/token`, { method: 'POST' })
    ).json()) as CollectorTokenMinted;
    return { collector, bearer: minted.token };
  }

  async function list(query: string): Promise<CollectorListPage> {
    const response = await server.api(`/api/v1/collectors?${query}`);
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as CollectorListPage;
  }

  it('shows a collector whose exporter fails as error with the reason, and its rates per row', async () => {
    const { collector, bearer } = await enrol('http-failing-exporter');
    const quiet = await enrol('http-quiet');
    const failing = new SdkCollector({ url: `${server.url}/v1/metrics`, bearer, encoding: 'protobuf' });
    const healthy = new SdkCollector({
      url: `${server.url}/v1/metrics`,
      bearer: quiet.bearer,
      encoding: 'json',
    });
    try {
      // The SDK exports a counter once it was added to: send_failed must exist in both samples
      // for a rate (the throughput API's rule), as it does in a collector that failed before.
      failing.record({ accepted: 100, sent: 100, sendFailed: 1 });
      healthy.record({ accepted: 100, sent: 100 });
      for (const sdk of [failing, healthy]) await sdk.push();
      await server.server.flushTelemetry();
      const first = (await list('q=http-failing-exporter')).items[0];
      assert.equal(first?.status, 'connected');
      assert.equal(first.recordsInPerSec, null);
      assert.equal(first.ratesMissingReason, 'needs_two_samples');

      // A second push a moment later: send_failed rose by 500 while 10 records went out.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      failing.record({ accepted: 10, sent: 10, sendFailed: 500 });
      healthy.record({ accepted: 2000, sent: 2000 });
      for (const sdk of [failing, healthy]) await sdk.push();
      await server.server.flushTelemetry();

      const row = (await list('q=http-failing-exporter')).items[0];
      assert.ok(row);
      assert.equal(row.id, collector.id);
      assert.equal(row.status, 'error');
      assert.match(row.statusReason ?? '', /^exporter otlphttp\/backend failing at [\d.,]+\/s$/);
      assert.ok((row.errorsPerSec ?? 0) > 0);
      assert.ok((row.recordsOutPerSec ?? 0) > 0);
      assert.equal(row.ratesMissingReason, null);

      const detail = (await (await server.api(`/api/v1/collectors/${collector.id}`)).json()) as CollectorView;
      assert.equal(detail.status, 'error', 'the detail page derives the same status');
      assert.equal(detail.statusReason, row.statusReason);

      const errors = await list('status=error&counts=true&q=http-');
      assert.deepEqual(
        errors.items.map((item) => item.name),
        ['http-failing-exporter'],
      );
      assert.deepEqual(errors.statusCounts, { error: 1, connected: 1 }, 'counts ignore the status filter');
      const byOut = await list('q=http-&sort=recordsOutPerSec');
      assert.deepEqual(
        byOut.items.map((item) => item.name),
        ['http-quiet', 'http-failing-exporter'],
        'recordsOutPerSec sorts descending by default',
      );
    } finally {
      await failing.shutdown();
      await healthy.shutdown();
    }
  });

  it('pages a sorted list with its cursor, without gaps or repeats', async () => {
    for (let i = 0; i < 5; i += 1) await enrol(`page-sort-${'edcba'[i]}`);
    const names: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages += 1) {
      const page: CollectorListPage = await list(
        `q=page-sort-&sort=name&order=desc&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
      );
      names.push(...page.items.map((item) => item.name));
      cursor = page.nextCursor;
      if (cursor === null) break;
    }
    assert.deepEqual(names, ['page-sort-e', 'page-sort-d', 'page-sort-c', 'page-sort-b', 'page-sort-a']);
    const first = await list('q=page-sort-&sort=name&order=desc&limit=2');
    const mismatched = await server.api(`/api/v1/collectors?sort=name&order=asc&cursor=${first.nextCursor}`);
    assert.equal(mismatched.status, 400);
    assert.equal(((await mismatched.json()) as ErrorBody).error.field, 'cursor');
    const unsorted = await list('q=page-sort-&limit=2');
    assert.ok(unsorted.nextCursor, 'the default order keeps its cursor');
    const second = await list(`q=page-sort-&limit=2&cursor=${unsorted.nextCursor}`);
    assert.deepEqual(
      second.items.map((item) => item.name),
      ['page-sort-c', 'page-sort-b'],
    );
  });

  it('answers 400 naming the field for a bad filter, sort, order or an overlong search', async () => {
    const cases: Array<[string, string]> = [
      ['status=broken', 'status'],
      ['status=error,nope', 'status'],
      ['runtime=vector', 'runtime'],
      ['mode=ssh', 'mode'],
      ['sort=cpu', 'sort'],
      ['order=sideways', 'order'],
      ['label=novalue', 'label'],
      [`q=${'x'.repeat(201)}`, 'q'],
      ['limit=0', 'limit'],
    ];
    for (const [query, field] of cases) {
      const response = await server.api(`/api/v1/collectors?${query}`);
      assert.equal(response.status, 400, query);
      const body = (await response.json()) as ErrorBody;
      assert.equal(body.error.code, 'invalid', query);
      assert.equal(body.error.field, field, query);
      assert.ok(body.error.message.startsWith(`${field}:`), body.error.message);
    }
    assert.equal((await list(`q=${encodeURIComponent('%_\\')}`)).items.length, 0);
  });
});
