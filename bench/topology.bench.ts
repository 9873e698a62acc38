/**
 * `npm run bench:topology` — issue #12's topology figures.
 *
 * A real server in this process (`startTestServer`: SQLite by default, `--postgres` for
 * PostgreSQL) with 10,000 collectors, 1 h of 30 s self-telemetry pushes each and 24 h for 1,000
 * of them (seeded as `topology-fleet.ts` explains: objects and collectors over HTTP, rows through
 * the store's own batch insert). Measured over HTTP on loopback with the admin token, one
 * request in flight:
 *
 * - `GET /collectors/{id}/topology?window=15m` on random collectors and `?window=24h` on random
 *   ones of the 1,000 with a day of data; after each, the same rows read by `listRows` (what the
 *   topology reads: SQL + JSON decode) and by a plain indexed SELECT (the baseline; ratio);
 * - `GET /topology` (the fleet view), next to a plain read of every collector joined with its rate
 *   summary (what the view reads) — or a
 *   line saying the server does not serve it yet;
 * - the store's bytes per collector-day (SQLite: the file's logical size before and after the
 *   rows; PostgreSQL: `pg_total_relation_size('component_throughput')`);
 * - in Chromium (`topology-browser.ts`): time to first render of a ~200-element canvas and the
 *   cost of one live update, next to the same page with nothing to draw.
 *
 * Options: `--collectors N` (BENCH_COLLECTORS, 10000), `--day-collectors N`
 * (BENCH_DAY_COLLECTORS, collectors ÷ 10), `--requests N` (BENCH_REQUESTS, 300: 15 m reads),
 * `--day-requests N` (BENCH_DAY_REQUESTS, 200: 24 h reads, ~1 s each),
 * `--fleet-requests N` (BENCH_FLEET_REQUESTS, 50), `--loads N` (BENCH_LOADS, 10),
 * `--updates N` (BENCH_UPDATES, 10), `--postgres`, `--no-browser`, `--browser-only`, `--rebuild-web`;
 * BENCH_PROFILE_DIR=<dir> writes a CPU profile of each read phase there.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Clock } from '../apps/server/src/domain/shared/clock.ts';
import { startTestServer, type TestServer } from '../apps/server/src/testing/server-harness.ts';
import { chromiumPath, measureBrowser, type BrowserFigures } from './topology-browser.ts';
import { renderedConfig, seedFleet, type SeededFleet } from './topology-fleet.ts';
import {
  measureCollectorReads,
  measureFleetView,
  profiled,
  seededRandom,
  storeBytes,
  type FleetFigures,
  type Percentiles,
  type ReadFigures,
} from './topology-measure.ts';

const { values: args } = parseArgs({
  options: {
    collectors: { type: 'string' },
    'day-collectors': { type: 'string' },
    requests: { type: 'string' },
    'day-requests': { type: 'string' },
    'fleet-requests': { type: 'string' },
    loads: { type: 'string' },
    updates: { type: 'string' },
    postgres: { type: 'boolean', default: false },
    'no-browser': { type: 'boolean', default: false },
    'browser-only': { type: 'boolean', default: false },
    'rebuild-web': { type: 'boolean', default: false },
  },
});
const numberOption = (value: string | undefined, env: string, fallback: number) =>
  Number(value ?? process.env[env] ?? fallback);
const collectorCount = numberOption(args.collectors, 'BENCH_COLLECTORS', 10_000);
const dayCollectors = numberOption(
  args['day-collectors'],
  'BENCH_DAY_COLLECTORS',
  Math.floor(collectorCount / 10),
);
const requests = numberOption(args.requests, 'BENCH_REQUESTS', 300);
const dayRequests = numberOption(args['day-requests'], 'BENCH_DAY_REQUESTS', 200);
/** Reads of each window that also time the in-process breakdown (parse, rate math). */
const breakdownReads = 60;
const fleetRequests = numberOption(args['fleet-requests'], 'BENCH_FLEET_REQUESTS', 50);
const loads = numberOption(args.loads, 'BENCH_LOADS', 10);
const updates = numberOption(args.updates, 'BENCH_UPDATES', 10);
const dialect = args.postgres || process.env.BENCH_POSTGRES === '1' ? 'postgres' : 'sqlite';

const log = (line: string) => process.stderr.write(`# ${line}\n`);
const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(value < 10 ? 2 : 1)} ms` : '—');
const ratio = (a: number, b: number) =>
  b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(a / b < 1 ? 3 : 1)}×` : '—';
const verdict = (value: number, goalMs: number) => (value < goalMs ? 'met' : 'NOT met');

/** Where the fleet view is in git: the commit that added it, or a note that it is not committed. */
function fleetViewCommit(): string {
  try {
    const out = execFileSync(
      'git',
      ['log', '--format=%h', '-S', "'/api/v1/topology'", '--', 'apps/server/src/protocols/http/routes'],
      { encoding: 'utf8' },
    ).trim();
    return out === ''
      ? 'not in git log yet: measured from the working tree'
      : `added in ${out.split('\n').pop()}`;
  } catch {
    return 'git unavailable';
  }
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'}; load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (shared cores: other work moves the figures)`;
}

interface Results {
  fleet: SeededFleet;
  bytesPerCollectorDay: number;
  bytesPerPush: number;
  reads15m: ReadFigures;
  reads24h: ReadFigures | undefined;
  fleetView: FleetFigures | undefined;
  fleetViewNote: string;
  browser: BrowserFigures | undefined;
  browserNote: string;
}

/**
 * The server's clock: wall time, shifted back before each phase so that the newest seeded push is
 * 15 s old when the phase starts, as in a live fleet (seeding takes minutes; without the shift a
 * 15 m window would hold half its pushes and every rate summary would have gone stale).
 */
let clockShiftMs = 0;
const serverClock: Clock = { nowMs: () => Date.now() - clockShiftMs };
const freshAgain = (endMs: number) => (clockShiftMs = Date.now() - (endMs + 15_000));

async function measureServer(t: TestServer): Promise<Omit<Results, 'browser' | 'browserNote'>> {
  const bytesBefore = await storeBytes(t);
  const fleet = await seedFleet(t, { collectors: collectorCount, dayCollectors }, log);
  const bytesAfter = await storeBytes(t);
  const bytes = bytesAfter - (dialect === 'postgres' ? 0 : bytesBefore);

  // The collectors to read, rendered once beforehand (as a delivered config would have been):
  // the first render of a collector writes its version 1, which is not what a read costs.
  const random = seededRandom(12);
  const all = fleet.collectors.map((c) => c.id);
  const day = fleet.collectors.filter((c) => c.pushes > 120).map((c) => c.id);
  const pick = (from: readonly string[], n: number) =>
    Array.from({ length: Math.min(n, from.length) }, () => from[Math.floor(random() * from.length)] ?? '');
  const sample15m = [...new Set(pick(all, requests))];
  const sample24h = [...new Set(pick(day, dayRequests))];
  const primeStarted = performance.now();
  for (const id of new Set([...sample15m, ...sample24h])) await renderedConfig(t, id);
  log(
    `rendered the configs of the sampled collectors in ${((performance.now() - primeStarted) / 1000).toFixed(1)} s`,
  );

  freshAgain(fleet.endMs);
  log(`15 m reads …`);
  const reads15m = await profiled('15m', () =>
    measureCollectorReads(t, sample15m, {
      window: '15m',
      requests,
      warmup: 20,
      seed: 1,
      breakdownReads,
      clock: serverClock,
    }),
  );
  freshAgain(fleet.endMs);
  log(`24 h reads …`);
  const reads24h =
    sample24h.length > 0
      ? await profiled('24h', () =>
          measureCollectorReads(t, sample24h, {
            window: '24h',
            requests: dayRequests,
            warmup: 10,
            seed: 2,
            breakdownReads,
            clock: serverClock,
          }),
        )
      : undefined;
  freshAgain(fleet.endMs);
  log(`fleet view …`);
  const fleetViewNote = fleetViewCommit();
  const fleetView = await profiled('fleet', () =>
    measureFleetView(t, { requests: fleetRequests, warmup: 3, clock: serverClock }),
  );
  return {
    fleet,
    bytesPerCollectorDay: bytes / fleet.collectorDays,
    bytesPerPush: bytes / fleet.pushesWritten,
    reads15m,
    reads24h,
    fleetView,
    fleetViewNote,
  };
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function readRows(name: string, goalMs: number, r: ReadFigures): string[] {
  const p = (x: Percentiles) => `${ms(x.p50)} / ${ms(x.p99)}`;
  return [
    row([
      `${name}: topology over HTTP (p50 / p99)`,
      p(r.topology),
      `p99 < ${goalMs} ms: **${verdict(r.topology.p99, goalMs)}**`,
      `${ratio(r.topology.p50, r.plain.p50)} / ${ratio(r.topology.p99, r.plain.p99)} the plain read`,
    ]),
    row([
      `${name}: in process, rows + rate math (ThroughputQuery.components; first ${r.components.count} reads)`,
      p(r.components),
      '',
      `${ratio(r.components.p50, r.plain.p50)} / ${ratio(r.components.p99, r.plain.p99)}`,
    ]),
    row([
      `${name}: in process, the rows the topology reads (listRows, bucket edges when buckets > 2 min)`,
      `${p(r.edgeRows)} (${r.edgePushesPerRead.toFixed(0)} pushes)`,
      '',
      `${ratio(r.edgeRows.p50, r.plain.p50)} / ${ratio(r.edgeRows.p99, r.plain.p99)}`,
    ]),
    row([
      `${name}: in process, every push of the window (listRows: SQL + decode + unpack)`,
      p(r.listRows),
      '',
      `${ratio(r.listRows.p50, r.plain.p50)} / ${ratio(r.listRows.p99, r.plain.p99)}`,
    ]),
    row([
      `${name}: JSON.parse of every push's sample text alone (first ${r.parse.count} reads)`,
      p(r.parse),
      '',
      `${ratio(r.parse.p50, r.plain.p50)} / ${ratio(r.parse.p99, r.plain.p99)}`,
    ]),
    row([`${name}: plain indexed SELECT of every push of the window (baseline)`, p(r.plain), '', '1×']),
    row([
      `${name}: per read`,
      `${r.pushesPerRead.toFixed(0)} pushes, ${r.rowsPerRead.toFixed(0)} rows, ${r.elements.min}–${r.elements.max} elements (mean ${r.elements.mean.toFixed(1)})`,
      `${r.topology.count} reads, ${r.failures} failed`,
      `${r.renders} config renders`,
    ]),
    row([
      `${name}: every-push reads the 50,000-row limit cuts`,
      `${r.cutReads} of ${r.topology.count}`,
      '',
      `shortest span kept ${r.shortestSpanHours.toFixed(1)} h`,
    ]),
  ];
}

function browserRows(b: BrowserFigures | undefined, note: string): string[] {
  const rows: string[] = [];
  if (b) {
    const p = (x: Percentiles) => `${ms(x.p50)} / ${ms(x.p99)}`;
    rows.push(
      row([
        `Chromium: first render, ${b.nodes} nodes + ${b.elements - b.nodes} edges (p50 / max)`,
        `${p(b.firstRender)}; next frame ${p(b.firstRenderFrame)}`,
        '',
        `${ratio(b.firstRender.p50, b.emptyLoad.p50)} the empty page`,
      ]),
    );
    rows.push(
      row([
        'Chromium: empty page load, same tab (baseline)',
        `${p(b.emptyLoad)}; next frame ${p(b.emptyLoadFrame)}`,
        '',
        '1×',
      ]),
    );
    rows.push(
      row([
        'Chromium: one live update, event → labels committed',
        p(b.update),
        `< 16 ms: **${verdict(b.update.p99, 16)}**`,
        `${ratio(b.update.p50, b.emptyLoad.p50)} the empty page`,
      ]),
    );
    rows.push(
      row([
        'Chromium: one live update, event → next frame',
        p(b.updateFrame),
        '',
        `canvas's own topology:update ${p(b.updateMeasure)}, of which topology:map ${p(b.updateMap)}; longest long task ${ms(b.longestUpdateTaskMs)}`,
      ]),
    );
  } else {
    rows.push(row(['Chromium', note, '', '']));
  }
  return rows;
}

function report(results: Results): string {
  const { fleet } = results;
  const lines: string[] = [];
  lines.push(`machine: ${machine()}`);
  lines.push(
    `fleet: ${fleet.collectors.length.toLocaleString('en')} collectors (${fleet.collectors.filter((c) => c.pushes > 120).length.toLocaleString('en')} with 24 h, the rest 1 h of 30 s pushes), ${fleet.pushesWritten.toLocaleString('en')} pushes = ${fleet.collectorDays.toFixed(0)} collector-days; samples per push by shape ${[...new Set(fleet.samplesPerPush.values())].sort((a, b) => a - b).join(', ')}`,
  );
  lines.push(
    `seeding: objects ${fleet.timings.objectsSec.toFixed(1)} s, collectors over HTTP ${fleet.timings.collectorsSec.toFixed(1)} s, simulation ${fleet.timings.simulateSec.toFixed(1)} s, rows through insertBatches ${fleet.timings.rowsSec.toFixed(1)} s (HTTP ingest bypassed, see bench/README.md)`,
  );
  lines.push('');
  lines.push(row(['figure', 'value', 'goal', 'ratio to the baseline (same run)']));
  lines.push(row(['---', '---', '---', '---']));
  lines.push(...readRows('15 m window', 50, results.reads15m));
  if (results.reads24h) lines.push(...readRows('24 h window', 50, results.reads24h));
  else lines.push(row(['24 h window', 'no collector holds 24 h at this size', '', '']));
  const f = results.fleetView;
  if (f) {
    lines.push(
      row([
        `fleet view GET /topology (p50 / p99)`,
        `${ms(f.view.p50)} / ${ms(f.view.p99)}`,
        `p99 < 300 ms: **${verdict(f.view.p99, 300)}**`,
        `${ratio(f.view.p50, f.plain.p50)} / ${ratio(f.view.p99, f.plain.p99)} the plain read`,
      ]),
    );
    lines.push(
      row([
        `fleet view: in process, the fleet list in ${f.pages} keyset pages (listFleet)`,
        `${ms(f.pagedList.p50)} / ${ms(f.pagedList.p99)}; first page ${ms(f.firstPage.p50)} / ${ms(f.firstPage.p99)}`,
        '',
        `${ratio(f.pagedList.p50, f.plain.p50)} / ${ratio(f.pagedList.p99, f.plain.p99)}`,
      ]),
    );
    lines.push(
      row([
        `fleet view: one plain SELECT of every collector ⟕ the summary columns it reads (baseline)`,
        `${ms(f.plain.p50)} / ${ms(f.plain.p99)}`,
        '',
        '1×',
      ]),
    );
    lines.push(
      row([
        'fleet view: answer',
        `${f.nodes} nodes, ${f.edges} edges, ${(f.bytes / 1024).toFixed(0)} KiB${f.truncated ? ', truncated' : ''}`,
        `${f.view.count} reads`,
        results.fleetViewNote,
      ]),
    );
  } else {
    lines.push(
      row([
        'fleet view GET /topology',
        '**missing**: the server answers 404',
        'p99 < 300 ms: not measured',
        results.fleetViewNote,
      ]),
    );
  }
  lines.push(
    row([
      'store bytes per collector-day',
      `${(results.bytesPerCollectorDay / 2 ** 20).toFixed(2)} MiB (${results.bytesPerPush.toFixed(0)} B per push)`,
      '',
      dialect === 'postgres'
        ? "pg_total_relation_size('component_throughput')"
        : 'SQLite file size after − before the rows',
    ]),
  );
  lines.push(...browserRows(results.browser, results.browserNote));
  lines.push('');
  lines.push(
    'Reads are sequential (one in flight), client and server in one process; percentiles are of the counted reads after a warm-up. Chromium: p99 of 10 is the max.',
  );
  if (results.browser)
    lines.push(`Chromium ${chromiumPath}, web bundle built ${results.browser.distBuiltAt}.`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  log(`machine: ${machine()}`);
  if (args['browser-only']) {
    const b = await measureBrowser({ dialect, loads, updates, rebuildWeb: args['rebuild-web'], log });
    const header = [
      row(['figure', 'value', 'goal', 'ratio to the baseline (same run)']),
      row(['---', '---', '---', '---']),
    ];
    process.stdout.write([`machine: ${machine()}`, '', ...header, ...browserRows(b, ''), ''].join('\n'));
    return;
  }
  log(`seeding ${collectorCount} collectors (${dayCollectors} with 24 h) on ${dialect} …`);
  const started = performance.now();
  const t = await startTestServer({ dialect, clock: serverClock });
  let server: Omit<Results, 'browser' | 'browserNote'>;
  try {
    server = await measureServer(t);
    // The harness keeps every debug log line in memory; they are not needed.
    t.logs.length = 0;
  } finally {
    await t.close();
  }
  let browser: BrowserFigures | undefined;
  let browserNote = 'skipped (--no-browser)';
  if (!args['no-browser']) {
    log('Chromium …');
    browser = await measureBrowser({
      dialect,
      loads,
      updates,
      rebuildWeb: args['rebuild-web'],
      log,
    });
  }
  if (!browser && !args['no-browser']) browserNote = 'failed';
  process.stdout.write(report({ ...server, browser, browserNote }) + '\n');
  log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
