/**
 * The Chromium half of `npm run bench:topology`: the real web UI, served by a real server of its
 * own (SQLite or PostgreSQL, a handful of collectors: what is timed is the page, not the fleet).
 *
 * - Time to first render: from navigation start (the new document's `performance.timeOrigin`) to
 *   the moment a MutationObserver sees every node of a ~200-element canvas in the DOM, and to the
 *   frame after it.
 * - One live update: a new push stored on the server reaches the page over the canvas's
 *   Server-Sent Events stream. An init script wraps the page's `topology` event listener (the app
 *   code is not touched): from the event's dispatch (before its JSON is parsed) to the end of the
 *   listener (the canvas commits synchronously, `flushSync`), and to the frame after it; the
 *   canvas's own `topology:update` measure (map + commit, after parsing) is read alongside.
 * - The baseline, in the same run and alternating with the canvas loads: the same Topology tab of
 *   a collector with nothing to draw (the empty state with the server's diagnosis).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { chromiumPath, launchChromium } from '../apps/web/src/app/testing/chromium.ts';
import type { Dialect } from '../apps/server/src/testing/storage-harness.ts';
import { startTestServer } from '../apps/server/src/testing/server-harness.ts';
import { FleetPage } from '../apps/web/src/app/testing/fleet.page.ts';
import {
  addCounters,
  countersAt,
  pushSample,
  readTopology,
  seedScene,
  type SignalCounters,
  type Traffic,
} from '../apps/web/src/features/topology/testing/topology-seed.ts';
import { percentiles, type Percentiles } from './topology-measure.ts';

export { chromiumPath };
const webDir = fileURLToPath(new URL('../apps/web', import.meta.url));

export interface BrowserFigures {
  readonly elements: number;
  readonly nodes: number;
  /** Navigation start → every node in the DOM, and → the frame after. */
  readonly firstRender: Percentiles;
  readonly firstRenderFrame: Percentiles;
  /** Navigation start → the empty state in the DOM (same tab, nothing to draw). */
  readonly emptyLoad: Percentiles;
  readonly emptyLoadFrame: Percentiles;
  /** Event dispatch → listener done (labels committed to the DOM). */
  readonly update: Percentiles;
  /** Event dispatch → the frame after. */
  readonly updateFrame: Percentiles;
  /** The canvas's own `topology:update` measure (map + commit, JSON already parsed). */
  readonly updateMeasure: Percentiles;
  /** Its mapping part alone (`topology:map`: API view → canvas model); the rest is React's commit. */
  readonly updateMap: Percentiles;
  /** Longest long task (≥ 50 ms) seen during the updates, 0 when none. */
  readonly longestUpdateTaskMs: number;
  readonly distBuiltAt: string;
}

/** The server reads dist/ once at start-up, so the UI must be built before it starts. */
function ensureBuilt(rebuild: boolean): string {
  const index = join(webDir, 'dist/index.html');
  if (rebuild || !existsSync(index)) {
    const vite = join(webDir, '../../node_modules/vite/bin/vite.js');
    const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: webDir,
      stdio: 'inherit',
    });
    if (result.status !== 0) throw new Error('building apps/web failed; run `npm run build:web` to see why');
  }
  return statSync(index).mtime.toISOString();
}

/**
 * Installed before any page script: records when the canvas or the empty state lands, each
 * update, and long tasks. Kept as plain JavaScript text: a function passed to Playwright would be
 * sent as its transpiled source, with helpers (esbuild's `__name`) the page does not have.
 */
const instrumentScript = (wantNodes: number) => `(() => {
  const bench = { drawnAt: null, drawnFrameAt: null, emptyAt: null, emptyFrameAt: null, updates: [], longTasks: [] };
  window.__bench = bench;
  // After the next frame has been produced: a rAF, then a task queued from it.
  const afterNextFrame = (done) => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => done(performance.now());
    channel.port2.postMessage(null);
  });
  new MutationObserver(() => {
    if (bench.drawnAt === null && document.querySelectorAll('.react-flow__node .element').length >= ${wantNodes}) {
      bench.drawnAt = performance.now();
      afterNextFrame((at) => (bench.drawnFrameAt = at));
    }
    if (bench.emptyAt === null && document.querySelector('.canvas-empty')) {
      bench.emptyAt = performance.now();
      afterNextFrame((at) => (bench.emptyFrameAt = at));
    }
  }).observe(document, { childList: true, subtree: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.longTasks.push({ startTime: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const original = EventSource.prototype.addEventListener;
  EventSource.prototype.addEventListener = function (type, listener, options) {
    if (type !== 'topology' || typeof listener !== 'function') return original.call(this, type, listener, options);
    const timed = function (event) {
      const dispatchedAt = performance.now();
      listener.call(this, event);
      const update = { dispatchedAt, committedAt: performance.now(), frameAt: null };
      bench.updates.push(update);
      afterNextFrame((at) => (update.frameAt = at));
    };
    return original.call(this, type, timed, options);
  };
})();`;

interface BenchState {
  drawnAt: number | null;
  drawnFrameAt: number | null;
  emptyAt: number | null;
  emptyFrameAt: number | null;
  updates: { dispatchedAt: number; committedAt: number; frameAt: number | null }[];
  longTasks: { startTime: number; duration: number }[];
}
const state = (page: Page) => page.evaluate(() => (globalThis as unknown as { __bench: BenchState }).__bench);

const stretchSeconds = 30;

export async function measureBrowser(options: {
  dialect: Dialect;
  loads: number;
  updates: number;
  rebuildWeb: boolean;
  log: (line: string) => void;
}): Promise<BrowserFigures> {
  const distBuiltAt = ensureBuilt(options.rebuildWeb);
  const server = await startTestServer({ dialect: options.dialect });
  try {
    // The canvas of the web suite's 200-element test: 15 sources, 10 destinations, 30 routes.
    const sources = Array.from({ length: 15 }, (_, i) => `source-${i + 1}`);
    const big = await seedScene(server, {
      collector: 'big-1',
      sources,
      destinations: Array.from({ length: 10 }, (_, i) => ({ name: `backend-${i + 1}` })),
      pipelines: [{ name: 'standard', processors: ['memory_limiter', 'batch'] }],
      routes: Array.from({ length: 30 }, (_, i) => ({
        name: `route-${i + 1}`,
        source: sources[i % sources.length] ?? '',
        pipeline: 'standard',
        destinations: [`backend-${(i % 10) + 1}`, `backend-${((i + 3) % 10) + 1}`],
      })),
    });
    const empty = await seedScene(server, {
      collector: 'empty-1',
      sources: [],
      destinations: [],
      pipelines: [],
      routes: [],
    });
    const view = await readTopology(server, big.collectorId);
    const elements = view.nodes.length + new Set(view.edges.map((e) => `${e.from}>${e.to}`)).size;
    const traffic = (k: number): Traffic => ({
      sourcePerSec: (_name, i) => 50 + 10 * i + 5 * k,
      signalOf: () => 'logs',
      dropShare: 0.05,
      failShare: (name) => (name === 'backend-1' ? 0.02 : 0),
      queueFill: (name) => (name === 'backend-1' ? 0.5 : 0.1),
    });
    const processStartMs = Date.now() - 10 * stretchSeconds * 1000;
    let counters: SignalCounters = {};
    let k = 1;
    const push = async () => {
      counters = addCounters(counters, countersAt(view, stretchSeconds, traffic(k * 3)));
      await pushSample(server, big.bearer, counters, {
        processStartMs,
        atMs: processStartMs + k * stretchSeconds * 1000,
      });
      k += 1;
    };
    for (let i = 0; i < 3; i++) await push();

    const browser = await launchChromium();
    try {
      const context = await browser.newContext({
        baseURL: server.url,
        viewport: { width: 1440, height: 900 },
      });
      await context.addInitScript({ content: instrumentScript(view.nodes.length) });
      const page = await context.newPage();
      await new FleetPage(page).login();

      const firstRender: number[] = [];
      const firstRenderFrame: number[] = [];
      const emptyLoad: number[] = [];
      const emptyLoadFrame: number[] = [];
      // One untimed load of each first (the bundle into the cache), then alternating.
      for (let i = -1; i < options.loads; i++) {
        await page.goto(`/collectors/${empty.collectorId}/topology`);
        await page.waitForFunction(
          () => (globalThis as unknown as { __bench: BenchState }).__bench.emptyFrameAt !== null,
        );
        const e = await state(page);
        await page.goto(`/collectors/${big.collectorId}/topology`);
        await page.waitForFunction(
          () => (globalThis as unknown as { __bench: BenchState }).__bench.drawnFrameAt !== null,
        );
        const b = await state(page);
        if (i < 0) continue;
        emptyLoad.push(e.emptyAt ?? NaN);
        emptyLoadFrame.push(e.emptyFrameAt ?? NaN);
        firstRender.push(b.drawnAt ?? NaN);
        firstRenderFrame.push(b.drawnFrameAt ?? NaN);
      }

      // The last canvas load stays open: wait for its stream, then push one sample at a time.
      await page
        .getByRole('toolbar', { name: 'Canvas' })
        .getByRole('status')
        .filter({ hasText: /^Live/ })
        .waitFor();
      const baseline = (await state(page)).updates.length;
      for (let i = 0; i < options.updates; i++) {
        await push();
        await page.waitForFunction(
          (n) => {
            const u = (globalThis as unknown as { __bench: BenchState }).__bench.updates;
            return u.length >= n && u[n - 1]?.frameAt !== null;
          },
          baseline + i + 1,
        );
      }
      const after = await state(page);
      const updates = after.updates.slice(baseline);
      const measures = await page.evaluate(
        (n) =>
          performance
            .getEntriesByName('topology:update')
            .slice(-n)
            .map((e) => e.duration),
        updates.length,
      );
      const maps = await page.evaluate(
        (n) =>
          performance
            .getEntriesByName('topology:map')
            .slice(-n)
            .map((e) => e.duration),
        updates.length,
      );
      const firstUpdateAt = updates[0]?.dispatchedAt ?? Infinity;
      const longest = Math.max(
        0,
        ...after.longTasks.filter((t) => t.startTime + t.duration >= firstUpdateAt).map((t) => t.duration),
      );
      await context.close();
      options.log(`browser: ${options.loads} loads of each page, ${updates.length} live updates`);
      return {
        elements,
        nodes: view.nodes.length,
        firstRender: percentiles(firstRender),
        firstRenderFrame: percentiles(firstRenderFrame),
        emptyLoad: percentiles(emptyLoad),
        emptyLoadFrame: percentiles(emptyLoadFrame),
        update: percentiles(updates.map((u) => u.committedAt - u.dispatchedAt)),
        updateFrame: percentiles(updates.map((u) => (u.frameAt ?? NaN) - u.dispatchedAt)),
        updateMeasure: percentiles(measures),
        updateMap: percentiles(maps),
        longestUpdateTaskMs: longest,
        distBuiltAt,
      };
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
  }
}
