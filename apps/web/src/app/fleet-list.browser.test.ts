import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { CollectorTokenMinted, CollectorView } from '@linkmesh/contracts/api';
import type { Browser, BrowserContext } from 'playwright-core';
import { chromiumSkip, ensureWebBuilt, launchChromium } from './testing/chromium.ts';
import { ManualClock } from '../../../server/src/domain/shared/clock.ts';
import { SdkCollector } from '../../../server/src/testing/otel-sdk-collector.ts';
import { startTestServer, type TestServer } from '../../../server/src/testing/server-harness.ts';
import { FleetPage } from './testing/fleet.page.ts';

const skip = chromiumSkip;

/** The fleet list in real Chromium: search, status filter, sorting by rate, health with its reason. */
describe('fleet list UI: search, filters, sorting, health', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let fleet: FleetPage;
  const sdks: SdkCollector[] = [];
  /**
   * The server's clock: pushes are received 30 s apart on it, and it does not move on by
   * itself, so the rates stay current however long the suite takes (they expire after three
   * push intervals; the store tests cover that).
   */
  const clock = new ManualClock(Date.now());

  async function enrol(name: string): Promise<{ collector: CollectorView; bearer: string }> {
    const created = await server.api('/api/v1/collectors', {
      method: 'POST',
      json: { name, runtime: 'otelcol' },
    });
    assert.equal(created.status, 201);
    const collector = (await created.json()) as CollectorView;
    const minted = await server.api(`/api/v1/collectors/${collector.id}/token`, { method: 'POST' });
    return { collector, bearer: ((await minted.json()) as CollectorTokenMinted).token };
  }

  /**
   * Three collectors with two pushes each, 30 s apart on the server's clock (the samples' own
   * times are a second apart, which is what rates divide by): `lst-busy` sends 5 000 records,
   * `lst-quiet` 500, `lst-failing` 100 while 3 000 fail (its exporter is failing).
   */
  async function seedFleet(): Promise<void> {
    const plans = [
      { name: 'lst-busy', sent: 5000, sendFailed: 0 },
      { name: 'lst-quiet', sent: 500, sendFailed: 0 },
      { name: 'lst-failing', sent: 100, sendFailed: 3000 },
    ];
    const collectors = [];
    for (const plan of plans) {
      const { bearer } = await enrol(plan.name);
      const sdk = new SdkCollector({ url: `${server.url}/v1/metrics`, bearer, encoding: 'protobuf' });
      sdks.push(sdk);
      // Every counter exists from the first push (a rate needs it in both samples).
      sdk.record({ accepted: 10, sent: 10, sendFailed: 1 });
      await sdk.push();
      collectors.push({ sdk, plan });
    }
    await server.server.flushTelemetry();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    clock.advanceMs(30_000);
    for (const { sdk, plan } of collectors) {
      sdk.record({ accepted: plan.sent + plan.sendFailed, sent: plan.sent, sendFailed: plan.sendFailed });
      await sdk.push();
    }
    await server.server.flushTelemetry();
    await enrol('lst-silent');
  }

  before(async () => {
    if (skip) return;
    ensureWebBuilt();
    server = await startTestServer({ clock });
    browser = await launchChromium();
    await seedFleet();
  });

  beforeEach(async () => {
    if (skip) return;
    context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
    fleet = new FleetPage(await context.newPage());
    await fleet.login();
  });

  afterEach(async () => {
    if (skip) return;
    try {
      fleet.assertNoPolicyViolations();
    } finally {
      await context.close();
    }
  });

  after(async () => {
    if (skip) return;
    for (const sdk of sdks) await sdk.shutdown();
    await browser.close();
    await server.close();
  });

  it('narrows the list as the operator searches, and says when nothing matches', { skip }, async () => {
    await fleet.collectorRow('lst-silent').waitFor();
    await fleet.search('lst-qu');
    await fleet.waitForNames(['lst-quiet']);
    await fleet.search('no-such-collector');
    await fleet.noMatch.waitFor();
    assert.equal(await fleet.collectorsTable.count(), 0);
    assert.equal(await fleet.page.getByText('No collectors yet.').count(), 0, 'not the empty-fleet message');
    await fleet.page.getByRole('button', { name: 'Clear search and filters' }).click();
    await fleet.collectorRow('lst-busy').waitFor();
    assert.equal(await fleet.searchBox.inputValue(), '');
  });

  it('shows a failing collector as Error with the reason, and filters by status', { skip }, async () => {
    const row = fleet.collectorRow('lst-failing');
    await row.waitFor();
    assert.equal(await fleet.collectorStatus('lst-failing'), 'Error');
    const reason = row.locator('.status-reason');
    assert.match(await reason.innerText(), /^exporter otlphttp\/backend failing at [\d.,]+k?\/s$/);
    assert.ok(await reason.isVisible(), 'the reason is on the page, not only in a tooltip');
    assert.equal(await fleet.collectorStatus('lst-quiet'), 'Connected');

    await fleet.toggleStatus('Error');
    await fleet.waitForNames(['lst-failing']);
    assert.equal(new URL(fleet.page.url()).searchParams.get('status'), 'error');
    const chip = fleet.page.getByRole('group', { name: 'Status' }).getByRole('button', { name: /^Error/ });
    assert.equal(await chip.getAttribute('aria-pressed'), 'true');
    assert.match(await chip.innerText(), /1/, 'the chip counts the collectors in error');

    // The filtered view is shareable: the same URL in a new page shows the same list.
    const shared = await context.newPage();
    await shared.goto(fleet.page.url());
    await new FleetPage(shared).waitForNames(['lst-failing']);
    await shared.close();
  });

  it('sorts by records out per second, busiest first, and flips on a second click', { skip }, async () => {
    await fleet.collectorRow('lst-busy').waitFor();
    await fleet.search('lst-');
    await fleet.sortBy('Out/s', 'descending');
    await fleet.waitForNames(['lst-busy', 'lst-quiet', 'lst-failing', 'lst-silent']);
    assert.equal(new URL(fleet.page.url()).searchParams.get('sort'), 'recordsOutPerSec');
    await fleet.sortBy('Out/s', 'ascending');
    await fleet.waitForNames(['lst-failing', 'lst-quiet', 'lst-busy', 'lst-silent']);
    assert.equal(await fleet.columnHeader('Name').getAttribute('aria-sort'), 'none');

    const silentOut = fleet.collectorRow('lst-silent').locator('td.rate-absent').first();
    assert.equal((await silentOut.getAttribute('title')) ?? '', 'No self-telemetry yet');
    const busyOut = await fleet.collectorRow('lst-busy').locator('td.num').nth(1).innerText();
    assert.match(busyOut, /^[\d.]+k?\/s$/);
  });
});
