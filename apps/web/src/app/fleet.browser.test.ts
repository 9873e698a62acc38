import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type {
  CollectorEventView,
  CollectorTokenMinted,
  CollectorView,
  ComponentRateView,
  EnrollmentTokenView,
} from '@linkmesh/contracts/api';
import type { Browser, BrowserContext } from 'playwright-core';
import { chromiumSkip, ensureWebBuilt, launchChromium } from './testing/chromium.ts';
import { SdkCollector } from '../../../server/src/testing/otel-sdk-collector.ts';
import { startTestServer, type TestServer } from '../../../server/src/testing/server-harness.ts';
import { perSecond } from '../components/format.ts';
import { FleetPage } from './testing/fleet.page.ts';

const skip = chromiumSkip;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const statusLabel = (status: CollectorView['status']) => status.charAt(0).toUpperCase() + status.slice(1);

describe('fleet UI in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let fleet: FleetPage;
  const screenshotDir = mkdtempSync(join(tmpdir(), 'linkmesh-web-'));

  /** Creates a collector and mints its bearer through the API, as an operator's automation would. */
  async function enrollCollector(
    name: string,
    runtime: CollectorView['runtime'],
  ): Promise<{ collector: CollectorView; bearer: string }> {
    const response = await server.api('/api/v1/collectors', { method: 'POST', json: { name, runtime } });
    assert.equal(response.status, 201, await response.clone().text());
    const collector = (await response.json()) as CollectorView;
    const minted = await server.api(`/api/v1/collectors/${collector.id}/token`, { method: 'POST' });
    assert.equal(minted.status, 201);
    return { collector, bearer: ((await minted.json()) as CollectorTokenMinted).token };
  }

  async function seedCollector(name: string, runtime: CollectorView['runtime']): Promise<CollectorView> {
    return (await enrollCollector(name, runtime)).collector;
  }

  /** The rates the API itself reports, to compare with what the page shows. */
  async function componentRates(collectorId: string): Promise<ComponentRateView[]> {
    const response = await server.api(`/api/v1/collectors/${collectorId}/components?window=15m&buckets=30`);
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { items: ComponentRateView[] }).items;
  }

  function rateOf(items: ComponentRateView[], kind: ComponentRateView['kind'], componentId: string) {
    const found = items.find((item) => item.kind === kind && item.componentId === componentId);
    assert.ok(found, `no ${kind} ${componentId} in ${JSON.stringify(items)}`);
    return found;
  }

  // Hooks run even when every test is skipped: they do nothing without a browser.
  before(async () => {
    if (skip) return;
    ensureWebBuilt();
    server = await startTestServer();
    browser = await launchChromium();
  });

  beforeEach(async () => {
    if (skip) return;
    context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
    fleet = new FleetPage(await context.newPage());
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
    await browser.close();
    await server.close();
    process.stdout.write(`# fleet UI screenshots: ${screenshotDir}\n`);
  });

  it('shows the server’s message for a wrong password and stays on the login page', { skip }, async () => {
    await fleet.page.goto('/login');
    await fleet.submitLogin('admin', 'not-the-password');
    await fleet.loginError.waitFor();
    assert.equal(await fleet.loginError.innerText(), 'invalid username or password');
    assert.match(fleet.page.url(), /\/login$/);
  });

  it('sends a signed-out visitor to the login page and back to where they were going', { skip }, async () => {
    const collector = await seedCollector('deep-link-target', 'otelcol');
    await fleet.page.goto(`/collectors/${collector.id}`);
    await fleet.page.waitForURL(`**/login?next=${encodeURIComponent(`/collectors/${collector.id}`)}`);
    await fleet.submitLogin('admin', 'test-admin-password');
    await fleet.page.waitForURL(`**/collectors/${collector.id}`);
    await fleet.page.getByRole('heading', { level: 1, name: 'deep-link-target' }).waitFor();
  });

  it('lists the seeded collectors with their status', { skip }, async () => {
    const seeded = [await seedCollector('edge-eu-1', 'alloy'), await seedCollector('edge-us-1', 'otelcol')];
    await fleet.login();
    for (const collector of seeded) {
      await fleet.collectorRow(collector.name).waitFor();
      assert.equal(await fleet.collectorStatus(collector.name), statusLabel(collector.status));
    }
    assert.match(await fleet.collectorRow('edge-eu-1').innerText(), /Grafana Alloy\s+remotecfg/);
    assert.match(await fleet.collectorRow('edge-us-1').innerText(), /otelcol-contrib\s+OpAMP/);
    await fleet.page.screenshot({ path: join(screenshotDir, 'collectors.png'), fullPage: true });
  });

  it('adds a Grafana Alloy collector and shows its remotecfg snippet once', { skip }, async () => {
    await fleet.login();
    const { dialog, snippet } = await fleet.addAlloyCollector('alloy-from-ui');
    assert.match(snippet, /remotecfg \{/);
    assert.match(snippet, /bearer_token\s+= "lm/);
    assert.match(await dialog.getByRole('note').innerText(), /Shown once/);
    await fleet.page.screenshot({ path: join(screenshotDir, 'alloy-snippet.png') });
    await fleet.closeDialog(dialog);
    await fleet.collectorRow('alloy-from-ui').waitFor();
    assert.equal(await fleet.collectorStatus('alloy-from-ui'), 'Pending');
  });

  it('shows the OpAMP one-line installer with a fresh enrollment token', { skip }, async () => {
    await fleet.login();
    const { dialog, command } = await fleet.addOpampCollector();
    assert.match(
      command,
      new RegExp(
        `^curl -fsSL ${server.url}/api/v1/downloads/install-opamp\\.sh \\| sudo sh -s -- --token \\S+$`,
      ),
    );
    await fleet.closeDialog(dialog);
  });

  it('shows the Managed-mode one-line installer with a fresh enrollment token', { skip }, async () => {
    await fleet.login();
    const { dialog, command } = await fleet.addManagedCollector();
    const match = new RegExp(
      `^curl -fsSL ${server.url}/api/v1/downloads/install\\.sh \\| sudo sh -s -- --token (lmet_\\S+)$`,
    ).exec(command);
    assert.ok(match, command);
    await fleet.closeDialog(dialog);
    // The token in the command is a live enrollment token.
    const tokens = (await (await server.api('/api/v1/enrollment-tokens')).json()) as {
      items: EnrollmentTokenView[];
    };
    assert.ok(
      tokens.items.some((t) => t.status === 'active' && match[1]?.startsWith(t.prefix.replace(/…$/, ''))),
    );
  });

  it('deregisters a collector after confirmation and drops it from the list', { skip }, async () => {
    await seedCollector('to-retire', 'otelcol');
    await seedCollector('to-keep', 'otelcol');
    await fleet.login();
    await fleet.collectorRow('to-retire').waitFor();
    await fleet.deregister('to-retire');
    await fleet.collectorRow('to-keep').waitFor();
    const remaining = await server.api('/api/v1/collectors');
    const names = ((await remaining.json()) as { items: CollectorView[] }).items.map((c) => c.name);
    assert.ok(!names.includes('to-retire'), `still listed by the API: ${names.join(', ')}`);
  });

  it('shows a collector’s record and its events newest first', { skip }, async () => {
    const collector = await seedCollector('detail-target', 'alloy');
    const rotated = await server.api(`/api/v1/collectors/${collector.id}/token`, { method: 'POST' });
    assert.equal(rotated.status, 201);
    const response = await server.api(`/api/v1/collectors/${collector.id}/events`);
    const fromApi = ((await response.json()) as { items: CollectorEventView[] }).items;
    assert.ok(
      fromApi.length >= 2,
      `expected at least the two token_minted events, got ${JSON.stringify(fromApi)}`,
    );
    const newestFirst = [...fromApi]
      .sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || b.id - a.id)
      .map(({ type, detail }) => ({ type, detail }));

    await fleet.login();
    await fleet.openCollector('detail-target');
    assert.equal(await fleet.overviewField('Host CPU'), '—');
    assert.equal(await fleet.overviewField('Uptime'), '—');
    assert.equal(await fleet.overviewField('Restarts'), '0');
    await fleet.page.screenshot({ path: join(screenshotDir, 'collector-overview.png') });
    assert.deepEqual(await fleet.events(), newestFirst);
    await fleet.page.screenshot({ path: join(screenshotDir, 'collector-events.png') });
  });

  it('shows what linkmesh-agent reports from a Managed host on the Overview', { skip }, async () => {
    const minted = await server.api('/api/v1/enrollment-tokens', {
      method: 'POST',
      json: { ttlSeconds: 600 },
    });
    const { token } = (await minted.json()) as { token: string };
    const boot = await fetch(`${server.url}/api/v1/bootstrap`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, hostname: 'managed-host-ui', runtime: 'alloy' }),
    });
    assert.equal(boot.status, 201);
    const { collectorToken } = (await boot.json()) as { collectorToken: string };
    const report = await fetch(`${server.url}/api/v1/agent/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${collectorToken}` },
      body: JSON.stringify({
        agentVersion: '0.1.0',
        host: {
          hostname: 'managed-host-ui',
          os: 'linux',
          osRelease: '6.1.0',
          arch: 'x64',
          cpuCount: 8,
          cpuModel: 'Test CPU',
          memoryTotalBytes: 16 * 1024 ** 3,
          memoryFreeBytes: 4 * 1024 ** 3,
          uptimeSeconds: 3600,
          loadAverage1m: 0.5,
        },
        collector: {
          binary: '/usr/bin/alloy',
          version: 'alloy, version v1.11.3',
          running: true,
          pid: 321,
          restartCount: 3,
          uptimeSeconds: 90,
          lastExitCode: 1,
          lastExitSignal: null,
          lastExitAt: new Date().toISOString(),
          nextStartInSeconds: null,
        },
      }),
    });
    assert.equal(report.status, 200, await report.clone().text());

    await fleet.login();
    await fleet.openCollector('managed-host-ui');
    assert.equal(await fleet.overviewField('Mode'), 'managed');
    assert.equal(await fleet.overviewField('Memory'), '12.0 GiB used of 16.0 GiB');
    assert.equal(await fleet.overviewField('Restarts by agent'), '3');
    assert.match(await fleet.overviewField('Process'), /^running, pid 321, up /);
    assert.equal(await fleet.overviewField('Collector'), '/usr/bin/alloy · alloy, version v1.11.3');
    await fleet.page.screenshot({ path: join(screenshotDir, 'collector-managed-host.png') });
  });

  it('shows a collector’s component throughput from its own OTLP self-telemetry', { skip }, async () => {
    const { collector, bearer } = await enrollCollector('telemetry-target', 'otelcol');
    await fleet.login();
    await fleet.openCollector('telemetry-target');
    await fleet.openComponents();
    await fleet.componentsEmpty.waitFor();

    // The real OTLP path: the OpenTelemetry JS SDK pushes protobuf with the collector's bearer.
    // It stays open to the end: shutting it down exports once more (a third, idle sample).
    const sdk = new SdkCollector({ url: `${server.url}/v1/metrics`, bearer, encoding: 'protobuf' });
    try {
      sdk.record({ accepted: 1000, refused: 4, sent: 990, sendFailed: 10, dropped: 5 });
      sdk.queueSize = 100;
      await sdk.push();
      await server.server.flushTelemetry();

      // One sample: the components are known, but a rate needs two samples.
      await fleet.refreshComponents();
      const firstRecords = await fleet.componentCell(fleet.componentRow('Receivers', 'otlp'), 'Records/s');
      await firstRecords.getByText('—', { exact: true }).waitFor();
      assert.match((await firstRecords.locator('[title]').getAttribute('title')) ?? '', /needs two samples/);

      // The data's own clock: the second sample must be measurably later than the first.
      await new Promise((resolve) => setTimeout(resolve, 200));
      sdk.record({ accepted: 600, refused: 3, sent: 560, sendFailed: 40, dropped: 6 });
      sdk.queueSize = 250;
      await sdk.push();
      await server.server.flushTelemetry();
      await assertComponentsShown(collector.id);
    } finally {
      await sdk.shutdown();
    }
  });

  /** The Components tab after two samples, checked against the API's own numbers. */
  async function assertComponentsShown(collectorId: string): Promise<void> {
    const rates = await componentRates(collectorId);
    const receiverRate = rateOf(rates, 'receiver', 'otlp');
    const processorRate = rateOf(rates, 'processor', 'batch');
    const exporterRate = rateOf(rates, 'exporter', 'otlphttp/backend');
    assert.ok((receiverRate.recordsPerSec ?? 0) > 0, JSON.stringify(receiverRate));
    assert.ok((exporterRate.errorsPerSec ?? 0) > 0, JSON.stringify(exporterRate));

    await fleet.refreshComponents();
    const receiver = fleet.componentRow('Receivers', 'otlp');
    const receiverRecords = await fleet.componentCell(receiver, 'Records/s');
    await receiverRecords.getByText(perSecond(receiverRate.recordsPerSec), { exact: true }).waitFor();
    assert.match(await receiverRecords.innerText(), /^[\d.]+[kMG]?\/s$/);

    const exporter = fleet.componentRow('Exporters', 'otlphttp/backend');
    const exporterErrors = await fleet.componentCell(exporter, 'Errors/s');
    assert.equal((await exporterErrors.innerText()).trim(), perSecond(exporterRate.errorsPerSec));
    assert.match((await exporterErrors.getAttribute('class')) ?? '', /\bcell-error\b/);
    const queue = exporter.getByRole('meter', { name: 'Queue of otlphttp/backend' });
    assert.equal(await queue.getAttribute('aria-valuenow'), '250');
    assert.equal(await queue.getAttribute('aria-valuemax'), '1000');
    assert.match(await (await fleet.componentCell(exporter, 'Queue')).innerText(), /250 \/ 1,000/);

    const processorRecords = await fleet.componentCell(
      fleet.componentRow('Processors', 'batch'),
      'Records/s',
    );
    const flow = await processorRecords.innerText();
    assert.match(
      flow,
      new RegExp(
        `${escapeRegExp(perSecond(processorRate.incomingPerSec))}\\s*→\\s*${escapeRegExp(perSecond(processorRate.recordsPerSec))}`,
      ),
    );
    assert.match(flow, /[\d.]+ % dropped/);
    // The SDK's batch processor reports no refused counter: "—" says so instead of "0/s".
    const processorErrors = await fleet.componentCell(fleet.componentRow('Processors', 'batch'), 'Errors/s');
    assert.equal((await processorErrors.innerText()).trim(), '—');
    assert.match((await processorErrors.locator('[title]').getAttribute('title')) ?? '', /^Not reported/);

    const sparklines = fleet.componentsTable.getByRole('img');
    assert.ok((await sparklines.count()) >= 3, 'a sparkline per component');
    assert.match(
      (await receiver.getByRole('img').first().getAttribute('aria-label')) ?? '',
      /^Records\/s, last 15 minutes: min \S+, max \S+, last \S+$/,
    );
    assert.ok((await receiver.locator('svg circle, svg path').count()) > 0, 'the sparkline draws the rate');
    await fleet.page.screenshot({ path: join(screenshotDir, 'collector-components.png'), fullPage: true });

    const raw = await fleet.openRawRows();
    // Lifetime counters, not rates: the receiver's row holds 1000 + 600 accepted records.
    await raw.getByText('accepted=1,600').waitFor();
    await fleet.page.screenshot({
      path: join(screenshotDir, 'collector-components-raw.png'),
      fullPage: true,
    });

    await fleet.pickComponentsWindow('5m', '5 minutes');
    await receiver.waitFor();
  }

  it('mints an enrollment token in Settings, shows it once and revokes it', { skip }, async () => {
    await fleet.login();
    await fleet.openEnrollmentTokens();
    const token = await fleet.createEnrollmentToken();
    const listed = await server.api('/api/v1/enrollment-tokens');
    const view = ((await listed.json()) as { items: EnrollmentTokenView[] }).items.find((t) =>
      token.startsWith(t.prefix.replace(/…$/, '')),
    );
    assert.ok(view, `the API does not list the token ${token.slice(0, 9)}…`);
    await fleet.enrollmentTokenRow(view.prefix).locator('.badge', { hasText: 'Active' }).waitFor();
    await fleet.page.screenshot({ path: join(screenshotDir, 'enrollment-tokens.png'), fullPage: true });
    await fleet.revokeEnrollmentToken(view.prefix);
  });

  it(
    'runs under the server’s Content Security Policy and its own writes pass the CSRF check',
    { skip },
    async () => {
      const loginPage = await fleet.page.goto('/login');
      const csp = (await loginPage?.allHeaders())?.['content-security-policy'] ?? '';
      assert.match(csp, /(^|;)script-src 'self'(;|$)/);
      // Login, JSON writes, a write without a body and the logout, all with the cookie.
      await fleet.submitLogin('admin', 'test-admin-password');
      await fleet.collectorsHeading.waitFor();
      const { dialog } = await fleet.addAlloyCollector('csp-and-csrf');
      await fleet.closeDialog(dialog);
      await fleet.openEnrollmentTokens();
      await fleet.createEnrollmentToken();
      await fleet.signOut();
      const refused = server.logs.filter((line) => line.includes('http.csrf: refused'));
      assert.deepEqual(refused, []);
    },
  );

  it(
    'refuses a forged bearer rotation from another port on the same host, which SameSite=Strict lets through',
    { skip },
    async () => {
      const { collector } = await enrollCollector('forgery-target', 'alloy');
      // Another service on the same host is the same site: the browser sends the session cookie.
      const attacker = createServer((_request, response) => {
        response
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><title>elsewhere</title>');
      });
      await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
      try {
        await fleet.login();
        const rotationsBefore = await rotationCount(collector.id);
        const { port } = attacker.address() as AddressInfo;
        await fleet.page.goto(`http://127.0.0.1:${port}/`);
        const refusedBefore = server.logs.filter((line) => line.includes('http.csrf: refused')).length;
        // A "simple" request: no preflight. Its answer is unreadable either way (opaque, and
        // blocked by Cross-Origin-Resource-Policy), but without the check the rotation happens.
        await fleet.page.evaluate(async (target) => {
          await fetch(target, {
            method: 'POST',
            mode: 'no-cors',
            credentials: 'include',
            headers: { 'content-type': 'text/plain' },
            body: 'x',
          }).catch(() => undefined);
        }, `${server.url}/api/v1/collectors/${collector.id}/rotate-token`);
        const refusals = server.logs
          .filter((line) => line.includes('http.csrf: refused'))
          .slice(refusedBefore);
        assert.equal(refusals.length, 1, 'the forged write was not refused by the CSRF check');
        assert.match(refusals[0] ?? '', /"secFetchSite":"same-site"/);
        assert.equal(await rotationCount(collector.id), rotationsBefore);
      } finally {
        await new Promise((resolve) => attacker.close(resolve));
      }
    },
  );

  async function rotationCount(collectorId: string): Promise<number> {
    const listed = await server.api(`/api/v1/collectors/${collectorId}/events`);
    const { items } = (await listed.json()) as { items: CollectorEventView[] };
    return items.filter((event) => event.type === 'token_rotated').length;
  }

  it('signs out and returns to the login page', { skip }, async () => {
    await fleet.login();
    await fleet.signOut();
    await fleet.page.goto('/collectors');
    await fleet.page.waitForURL('**/login?next=%2Fcollectors');
  });
});
