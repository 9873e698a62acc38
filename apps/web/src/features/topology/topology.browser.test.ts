import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FleetTopologyView, TopologyView } from '@linkmesh/contracts/topology-api';
import type { Browser, BrowserContext } from 'playwright-core';
import { chromiumSkip, ensureWebBuilt, launchChromium } from '../../app/testing/chromium.ts';
import { startTestServer, type TestServer } from '../../../../server/src/testing/server-harness.ts';
import { FleetPage } from '../../app/testing/fleet.page.ts';
import { TopologyPage } from '../../app/testing/topology.page.ts';
import { compact } from '../../components/format.ts';
import { kindLabel } from './canvas.format.ts';
import {
  addCounters,
  countersAt,
  pushSample,
  readTopology,
  seedScene,
  type Scene,
  type SceneSpec,
  type SignalCounters,
  type Traffic,
} from './testing/topology-seed.ts';

const webDir = fileURLToPath(new URL('../../..', import.meta.url));
const skip = chromiumSkip;
/** Under the repository's gitignored .tmp/, kept after the run for people to look at. */
const screenshotDir = join(webDir, '../../.tmp/web-screenshots/topology');

const routedSpec: SceneSpec = {
  collector: 'edge-eu-1',
  sources: ['app logs', 'edge traces'],
  destinations: [{ name: 'vendor' }, { name: 'archive' }],
  pipelines: [
    { name: 'guarded', processors: ['memory_limiter', 'batch'] },
    { name: 'batched', processors: ['batch'] },
  ],
  routes: [
    { name: 'app to vendor', source: 'app logs', pipeline: 'guarded', destinations: ['vendor', 'archive'] },
    { name: 'traces out', source: 'edge traces', pipeline: 'batched', destinations: ['vendor'] },
  ],
};

/** The traffic of the `k`-th 30-second stretch: a slow wave on the sources, the vendor failing more lately. */
const trafficAt = (k: number): Traffic => ({
  sourcePerSec: (name) => (name === 'app logs' ? 120 : 200) * (1 + 0.3 * Math.sin(k / 2.5)),
  signalOf: (name) => (name === 'edge traces' ? 'traces' : 'logs'),
  dropShare: 0.05,
  failShare: (name) => (name === 'vendor' ? (k > 14 ? 0.04 : 0.005) : 0),
  queueFill: (name) => (name === 'vendor' ? Math.min(0.9, 0.3 + k * 0.03) : 0.1),
});

const stretchSeconds = 30;
/** Samples pushed before the page opens: 10 minutes of history for the sparklines. */
const historySamples = 20;

const emptySpec: SceneSpec = { collector: '', sources: [], destinations: [], pipelines: [], routes: [] };

/** The accessible name the canvas gives an element of the API's view. */
const elementName = (node: TopologyView['nodes'][number]) => `${kindLabel[node.kind]} ${node.name}`;

describe('topology canvas in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let fleet: FleetPage;
  let topology: TopologyPage;
  /** A routed Alloy collector with two samples pushed: numbers on every element. */
  let routed: Scene & { view: TopologyView; processStartMs: number; counters: SignalCounters; atMs: number };

  const shot = (name: string) =>
    topology.page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });

  async function newPage(colorScheme: 'light' | 'dark' = 'light', width = 1440): Promise<void> {
    context = await browser.newContext({
      baseURL: server.url,
      viewport: { width, height: 900 },
      colorScheme,
    });
    const page = await context.newPage();
    fleet = new FleetPage(page);
    topology = new TopologyPage(page);
    await fleet.login();
  }

  before(async () => {
    if (skip) return;
    ensureWebBuilt();
    mkdirSync(screenshotDir, { recursive: true });
    server = await startTestServer();
    const scene = await seedScene(server, routedSpec);
    const view = await readTopology(server, scene.collectorId);
    const nowMs = Date.now();
    const processStartMs = nowMs - (historySamples + 2) * stretchSeconds * 1000;
    let counters: SignalCounters = {};
    let atMs = processStartMs;
    for (let k = 0; k < historySamples; k++) {
      counters = addCounters(counters, countersAt(view, stretchSeconds, trafficAt(k)));
      atMs += stretchSeconds * 1000;
      await pushSample(server, scene.bearer, counters, { processStartMs, atMs });
    }
    routed = {
      ...scene,
      view: await readTopology(server, scene.collectorId),
      processStartMs,
      counters,
      atMs,
    };
    browser = await launchChromium();
  });

  beforeEach(async () => {
    if (skip) return;
    await newPage();
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
    process.stdout.write(`# topology screenshots: ${screenshotDir}\n`);
  });

  it('draws every source, step and destination of the routed collector', { skip }, async () => {
    await topology.openCollectorTab(routed.collectorId, routedSpec.collector);
    const expected = routed.view.nodes.map(elementName).sort();
    await topology.element(expected[0] ?? '').waitFor();
    assert.deepEqual(await topology.elementNames(), expected);
    assert.equal(
      await topology.canvas.locator('.react-flow__edge').count(),
      new Set(routed.view.edges.map((e) => `${e.from}>${e.to}`)).size,
    );
    await topology.setThroughput(false);
    await shot('routes-switch-off');
  });

  it(
    'shows each element’s rate, errors, drop % and queue, and offered vs matched, with the switch on',
    { skip },
    async () => {
      await topology.openCollectorTab(routed.collectorId, routedSpec.collector);
      await topology.setThroughput(false);
      const source = routed.view.nodes.find((n) => n.name === 'app logs');
      assert.ok(source?.recordsPerSec);
      const sourceName = elementName(source);
      await topology.element(sourceName).waitFor();
      assert.doesNotMatch(await topology.element(sourceName).innerText(), /records\/s/);
      assert.equal(await topology.edgeLabels().count(), 0);

      await topology.setThroughput(true);
      await topology.waitForElementText(sourceName, new RegExp(`${compact(source.recordsPerSec)} records/s`));
      for (const node of routed.view.nodes) {
        const text = await topology.element(elementName(node)).innerText();
        assert.match(text, /records\/s/, `${node.name} shows its rate with its unit`);
        if (node.kind === 'processor') assert.match(text, /drop \d+(\.\d)? %/, `${node.name} shows drop %`);
      }
      const vendor = topology.element('Destination vendor');
      const vendorQueue = routed.view.nodes.find((n) => n.name === 'vendor')?.queueSize;
      assert.ok(vendorQueue);
      assert.equal(
        await vendor.getByRole('meter', { name: 'Queue of vendor' }).getAttribute('aria-valuenow'),
        String(vendorQueue),
      );
      assert.match(await vendor.innerText(), /errors\/s/);
      assert.match((await vendor.locator('.element').getAttribute('class')) ?? '', /element-tone-error/);
      const routeEdge = topology.edgeLabels().filter({ hasText: 'offered' });
      assert.equal(await routeEdge.count(), 2, 'one offered → matched label per route');
      assert.match(
        await routeEdge.first().innerText(),
        /offered\s+\S+ records\/s\s+matched\s+\S+ records\/s/,
      );
      await shot('routes-light');

      const legend = await topology.openLegend();
      assert.match(await legend.innerText(), /offered.*matched/s);
      await shot('legend');
      await topology.closeLegend();

      const panel = await topology.openElement('Destination vendor', 'vendor');
      await panel
        .getByRole('table', { name: /^Counters of / })
        .first()
        .waitFor();
      assert.match(await panel.innerText(), /sendFailed/);
      await panel.locator('.time-chart canvas').first().waitFor();
      await shot('side-panel');

      // From the keyboard: Escape closes the panel, Enter on a focused element opens it.
      await topology.page.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached' });
      await topology.element('Source app logs').focus();
      await topology.page.keyboard.press('Enter');
      await topology.page.getByRole('complementary', { name: 'Details of app logs' }).waitFor();

      // An edge's label opens the edge: its numbers, measured at its upstream element.
      await topology.edgeLabels().filter({ hasText: 'offered' }).first().click();
      const edgePanel = topology.page.getByRole('complementary', { name: /^Details of .+ → .+/ });
      await edgePanel.waitFor();
      assert.match(
        await edgePanel.innerText(),
        /offered .+ records\/s, matched .+ records\/s · measured at /,
      );
      await shot('edge-panel');
    },
  );

  it('draws the same canvas in the dark theme', { skip }, async () => {
    await context.close();
    await newPage('dark');
    await topology.openCollectorTab(routed.collectorId, routedSpec.collector);
    await topology.setThroughput(true);
    await topology.element('Destination vendor').getByRole('meter').waitFor();
    await shot('routes-dark');
  });

  it(
    'changes the labels in place when a new sample arrives, without a reload or a new layout',
    { skip },
    async () => {
      await topology.openCollectorTab(routed.collectorId, routedSpec.collector);
      await topology.setThroughput(true);
      await topology.liveStatus.filter({ hasText: /^Live/ }).waitFor();
      const source = routed.view.nodes.find((n) => n.name === 'app logs');
      assert.ok(source?.recordsPerSec);
      await topology.waitForElementText(
        elementName(source),
        new RegExp(`${compact(source.recordsPerSec)} records/s`),
      );
      const before = await topology.elementBox('Destination vendor');
      await topology.page.evaluate(() => ((window as { loadedOnce?: boolean }).loadedOnce = true));

      // Thirty seconds more, the app logs source five times busier.
      const burst: Traffic = {
        ...trafficAt(historySamples),
        sourcePerSec: (name) => (name === 'app logs' ? 600 : 200),
      };
      await pushSample(
        server,
        routed.bearer,
        addCounters(routed.counters, countersAt(routed.view, stretchSeconds, burst)),
        {
          processStartMs: routed.processStartMs,
          atMs: routed.atMs + stretchSeconds * 1000,
        },
      );
      const after = await readTopology(server, routed.collectorId);
      const updated = after.nodes.find((n) => n.id === source.id);
      assert.ok(updated?.recordsPerSec && updated.recordsPerSec > source.recordsPerSec);
      await topology.waitForElementText(
        elementName(source),
        new RegExp(`${compact(updated.recordsPerSec)} records/s`),
      );

      assert.equal(await topology.page.evaluate(() => (window as { loadedOnce?: boolean }).loadedOnce), true);
      assert.deepEqual(await topology.elementBox('Destination vendor'), before, 'the layout did not move');
      const durations = await topology.updateDurationsMs();
      process.stdout.write(
        `# live updates on a ${after.nodes.length}-node canvas: ${durations.map((d) => d.toFixed(1)).join(', ')} ms\n`,
      );
      await shot('routes-after-update');
    },
  );

  it('explains an empty canvas: a collector no route targets has nothing to draw', { skip }, async () => {
    const scene = await seedScene(server, { ...emptySpec, collector: 'unrouted-1' });
    const { diagnosis } = await readTopology(server, scene.collectorId);
    await topology.openCollectorTab(scene.collectorId, 'unrouted-1');
    await topology.emptyState.waitFor();
    const text = await topology.emptyState.innerText();
    assert.ok(text.includes(diagnosis.message), `${text} shows the server's diagnosis`);
    if (diagnosis.nextStep !== null) assert.ok(text.includes(diagnosis.nextStep));
    assert.match(text, /route/);
    await shot('empty-no-pipeline');
  });

  it(
    'explains missing numbers: a routed collector that has not pushed self-telemetry',
    { skip },
    async () => {
      const scene = await seedScene(server, {
        ...emptySpec,
        collector: 'silent-1',
        sources: ['syslog in'],
        destinations: [{ name: 'loki' }],
        pipelines: [{ name: 'plain', processors: ['batch'] }],
        routes: [{ name: 'syslog', source: 'syslog in', pipeline: 'plain', destinations: ['loki'] }],
      });
      const { diagnosis } = await readTopology(server, scene.collectorId);
      assert.notEqual(diagnosis.code, 'ok');
      await topology.openCollectorTab(scene.collectorId, 'silent-1');
      await topology.setThroughput(true);
      await topology.diagnosis.waitFor();
      const text = await topology.diagnosis.innerText();
      assert.ok(text.includes(diagnosis.message), text);
      const missing = await topology.element('Source syslog in').locator('.element-missing').innerText();
      assert.match(missing, /\S/, 'the element says why it has no number');
      assert.match(await topology.element('Source syslog in').innerText(), /— records\/s/);
      await shot('no-numbers');
    },
  );

  it('renders a 200-element canvas and updates it live', { skip }, async () => {
    const destinations = Array.from({ length: 10 }, (_, i) => ({ name: `backend-${i + 1}` }));
    const sources = Array.from({ length: 15 }, (_, i) => `source-${i + 1}`);
    const scene = await seedScene(server, {
      collector: 'big-1',
      sources,
      destinations,
      pipelines: [{ name: 'standard', processors: ['memory_limiter', 'batch'] }],
      routes: Array.from({ length: 30 }, (_, i) => ({
        name: `route-${i + 1}`,
        source: sources[i % sources.length] ?? '',
        pipeline: 'standard',
        destinations: [`backend-${(i % 10) + 1}`, `backend-${((i + 3) % 10) + 1}`],
      })),
    });
    const view = await readTopology(server, scene.collectorId);
    const pairs = new Set(view.edges.map((e) => `${e.from}>${e.to}`)).size;
    assert.ok(view.nodes.length + pairs >= 200, `${view.nodes.length} elements + ${pairs} edges`);
    const traffic = (k: number): Traffic => ({
      ...trafficAt(k),
      sourcePerSec: (_name, i) => 50 + 10 * i + 5 * k,
    });
    const processStartMs = Date.now() - 5 * stretchSeconds * 1000;
    let counters: SignalCounters = {};
    for (let k = 1; k <= 3; k++) {
      counters = addCounters(counters, countersAt(view, stretchSeconds, traffic(k)));
      await pushSample(server, scene.bearer, counters, {
        processStartMs,
        atMs: processStartMs + k * stretchSeconds * 1000,
      });
    }

    const startedMs = Date.now();
    await topology.openCollectorTab(scene.collectorId, 'big-1');
    await topology.page.waitForFunction(
      (n) => document.querySelectorAll('.react-flow__node .element').length === n,
      view.nodes.length,
    );
    const drawnMs = Date.now() - startedMs;
    // A source in view, whose label the live samples below change.
    const watched = (await topology.elementNames()).find((name) => name.startsWith('Source ')) ?? '';
    const watchedName = watched.replace(/^Source /, '');
    await topology.setThroughput(true);
    await topology.liveStatus.filter({ hasText: /^Live/ }).waitFor();
    // Too large to read whole: it opens at its top left, at a readable zoom, every element in the page.
    assert.equal(await topology.drawnElementCount(), view.nodes.length);
    await shot('canvas-200');
    /** Pushes sample `k`, changing every element's numbers, and waits until the canvas shows it. */
    const liveSample = async (k: number) => {
      counters = addCounters(counters, countersAt(view, stretchSeconds, traffic(k * 3)));
      await pushSample(server, scene.bearer, counters, {
        processStartMs,
        atMs: processStartMs + k * stretchSeconds * 1000,
      });
      const source = (await readTopology(server, scene.collectorId)).nodes.find(
        (n) => n.name === watchedName,
      );
      assert.ok(source?.recordsPerSec);
      await topology.waitForElementText(watched, new RegExp(`${compact(source.recordsPerSec)} records/s`));
    };
    await liveSample(4);
    await liveSample(5);
    const atReadableZoom = (await topology.updateDurationsMs()).length;
    // Zoomed out to all of it: compact cards, no edge labels.
    await topology.fitView();
    await topology.page.waitForFunction(
      (n) => document.querySelectorAll('.react-flow__node .element').length === n,
      view.nodes.length,
    );
    await shot('canvas-200-fit');

    await liveSample(6);
    await liveSample(7);
    await liveSample(8);
    const durations = await topology.updateDurationsMs();
    const mapping = await topology.page.evaluate(() =>
      performance.getEntriesByName('topology:map').map((e) => e.duration),
    );
    const layout = await topology.page.evaluate(() =>
      performance.getEntriesByName('topology:layout').map((e) => e.duration),
    );
    process.stdout.write(
      `# ${view.nodes.length} nodes + ${pairs} edges: every element drawn ${drawnMs} ms after navigation (elkjs layout ${layout.map((d) => d.toFixed(0)).join(', ')} ms); live updates ${durations.map((d) => d.toFixed(1)).join(', ')} ms (after the first ${atReadableZoom}, zoomed out to all), of which mapping ${mapping.map((d) => d.toFixed(1)).join(', ')} ms\n`,
    );
  });

  it('shows the last day of throughput on the collector’s Overview', { skip }, async () => {
    await topology.page.goto(`/collectors/${routed.collectorId}`);
    const chart = topology.page.getByRole('region', { name: 'Throughput, last 24 hours' });
    await chart
      .getByRole('img', { name: /^Records\/s in, out and errors/ })
      .locator('canvas')
      .first()
      .waitFor();
    assert.match(await chart.innerText(), /in \(accepted\)/);
    await shot('overview-day-chart');
  });

  it(
    'draws the fleet: collectors, the destinations they share, and opens a collector’s canvas',
    { skip },
    async () => {
      await topology.openFleet();
      const response = await server.api('/api/v1/topology?window=15m');
      assert.equal(response.status, 200);
      const fleetView = (await response.json()) as FleetTopologyView;
      const collector = topology.element(`Collector ${routedSpec.collector}`);
      await collector.waitFor();
      const names = fleetView.nodes.map(
        (n) => `${n.kind === 'collector' ? 'Collector' : 'Destination'} ${n.name}`,
      );
      await topology.fitView();
      await topology.page.waitForFunction(
        (n) => document.querySelectorAll('.react-flow__node .element').length === n,
        names.length,
      );
      assert.deepEqual(await topology.elementNames(), names.sort());
      await shot('fleet');
      const panel = await topology.openElement(`Collector ${routedSpec.collector}`, routedSpec.collector);
      await panel.getByRole('link', { name: 'Open its canvas' }).click();
      await topology.page.waitForURL(`**/collectors/${routed.collectorId}/topology`);
      await topology.page.getByRole('region', { name: `Topology of ${routedSpec.collector}` }).waitFor();
    },
  );
});
