/**
 * `npm run bench:render` — render and deliver one change to a group of connected collectors
 * (issue #11): 10,000 simulator OpAMP agents (WebSocket) and 20,000 simulator Alloy pollers.
 *
 * The server runs in this process (SQLite), so its event loop is measured where it runs
 * (`perf_hooks.monitorEventLoopDelay`); renders, reused templates and the fan-out walks are read
 * from the server's own metrics (`GET /metrics`, answered in-process); the fleet runs in
 * a forked child (`render-fleet.child.ts`: `SimOpampAgent`s and `SimAlloyPoller`s from
 * tools/sim), which keeps both processes under the descriptor limit. All traffic is loopback.
 *
 * Setup (not measured): the agents enrol (own enrollment token each) and the Alloy collectors are
 * created and start polling (remotecfg attribute `env=bench`); the OpAMP collectors get the
 * operator label `env=bench` (PUT /collectors/{id}/labels); one source, one pipeline (batch), two
 * destinations and a group `env = bench` are created, then a route targeting the group (the
 * warm-up fan-out: every agent gets its first routed config).
 *
 * Each round, in this order:
 * - baseline, "push of an unchanged config": PUT of the route with an identical body. The
 *   revision goes up and every collector's config is rendered again, identical, so the server
 *   walks every connected agent, finds the hash unchanged and pushes nothing. Measured by the
 *   server from the change to the end of that walk (`linkmesh_opamp_config_fanout_duration_seconds`).
 * - change: PUT of the route with the other destination set (one ↔ two destinations), so every
 *   collector's render differs: a new config version each, pushed to every agent (a sliced walk).
 *   Measured from the PUT until every agent has sent APPLIED (seen in the fleet process), and
 *   until the server has recorded APPLIED for the new version of every OpAMP collector (SQL).
 * For each phase: the server's longest event-loop stall, real renders
 * (`linkmesh_config_renders_total`) and per-collector templates (`linkmesh_config_templates_total`:
 * renders + reuses), per second. The ratio change ÷ baseline is printed.
 * After the last round the bench waits one poll interval for the Alloy pollers to pick the change
 * up on their next poll and reports how many applied it and the longest stall meanwhile.
 *
 * Options (env): BENCH_AGENTS (10000), BENCH_POLLERS (20000), BENCH_ROUNDS (3),
 * BENCH_POLL_SECONDS (60, Alloy poll_frequency), BENCH_TELEMETRY_SECONDS (60, self-telemetry push
 * interval of agents and pollers), BENCH_ALLOY_WAIT (1; 0 skips waiting for the Alloy pollers),
 * BENCH_CPU_PROFILE (a file: CPU profile of the server process over the last change round).
 * Flags `--agents N --pollers M` override the first two.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { loadConfig } from '../apps/server/src/config/config.ts';
import { startServer } from '../apps/server/src/main.ts';
import { createLogger } from '../apps/server/src/platform/logger.ts';
import type { FleetChildOptions, FromChild, ToChild, WatchResult } from './render-fleet.child.ts';

const { values: flags } = parseArgs({
  options: { agents: { type: 'string' }, pollers: { type: 'string' } },
  strict: false,
});
const agentCount = Number(flags.agents ?? process.env.BENCH_AGENTS ?? 10_000);
const pollerCount = Number(flags.pollers ?? process.env.BENCH_POLLERS ?? 20_000);
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const pollSeconds = Number(process.env.BENCH_POLL_SECONDS ?? 60);
const telemetrySeconds = Number(process.env.BENCH_TELEMETRY_SECONDS ?? 60);
const waitForAlloy = process.env.BENCH_ALLOY_WAIT !== '0';
const cpuProfileFile = process.env.BENCH_CPU_PROFILE;
const alloyWaitMs = pollSeconds * 1100 + 5000;
const adminToken = 'lmsat_' + 'r'.repeat(43);
const goalAppliedSeconds = 3;
const goalStallMs = 100;

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// --- The server's own metrics (GET /metrics, answered in-process with `inject`). ---

interface ServerCounters {
  /** linkmesh_config_renders_total: pipeline renders run (one per distinct input set). */
  readonly renders: number;
  /** linkmesh_config_templates_total: routed per-collector templates (renders + reuses). */
  readonly templates: number;
  /** linkmesh_opamp_config_fanouts_total: fleet-wide walks ended (done or superseded). */
  readonly fanOuts: number;
  /** linkmesh_opamp_config_fanout_duration_seconds_sum, outcome done. */
  readonly fanOutSeconds: number;
}

/** Sums the samples of one metric family whose labels contain `labels` (text exposition format). */
function metricSum(text: string, name: string, labels = ''): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labels !== '' && !rest.includes(labels)) continue;
    total += Number(rest.slice(rest.lastIndexOf(' ') + 1));
  }
  return total;
}

// --- Fleet process. ---

interface Fleet {
  readonly child: ChildProcess;
  readonly ready: Extract<FromChild, { type: 'ready' }>;
  next<T extends FromChild['type']>(type: T): Promise<Extract<FromChild, { type: T }>>;
  command(message: ToChild): void;
}

function startFleet(options: FleetChildOptions): Promise<Fleet> {
  const child = fork(fileURLToPath(new URL('./render-fleet.child.ts', import.meta.url)), [], {
    // 10,000 agents + 20,000 pollers hold ~5 GB; at Node's default heap limit (~4 GB) the fleet
    // spent its time collecting garbage and the pollers' start-up crawled.
    execArgv: ['--import', 'tsx', '--max-old-space-size=12288'],
    env: { ...process.env, BENCH_FLEET_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting: { type: string; resolve: (m: FromChild) => void; reject: (e: Error) => void }[] = [];
  const queued: FromChild[] = [];
  let failed: ((error: Error) => void) | undefined;
  child.on('message', (message: FromChild) => {
    if (message.type === 'progress') return void process.stderr.write(`fleet: ${message.text}\n`);
    if (message.type === 'error') {
      process.stderr.write(`fleet failed: ${message.message}\n`);
      failed?.(new Error(message.message));
      return;
    }
    const index = waiting.findIndex((w) => w.type === message.type);
    if (index >= 0) waiting.splice(index, 1)[0]?.resolve(message);
    else queued.push(message);
  });
  const next = <T extends FromChild['type']>(type: T) =>
    new Promise<Extract<FromChild, { type: T }>>((resolve, reject) => {
      const index = queued.findIndex((m) => m.type === type);
      if (index >= 0) return resolve(queued.splice(index, 1)[0] as Extract<FromChild, { type: T }>);
      if (child.exitCode !== null || child.signalCode !== null)
        return reject(new Error('the fleet process has exited'));
      waiting.push({ type, resolve: resolve as (m: FromChild) => void, reject });
    });
  child.once('exit', (code, signal) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`the fleet process exited (${code ?? signal})`));
  });
  return new Promise((resolve, reject) => {
    failed = reject;
    child.once('exit', (code) => reject(new Error(`fleet process exited ${code}`)));
    void next('ready').then((ready) =>
      resolve({ child, ready, next, command: (message) => child.send(message) }),
    );
  });
}

// --- Helpers. ---

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function pool(count: number, parallel: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

interface PhaseFigures {
  /** PUT sent → the fleet-wide walk over the connected agents resolved. */
  readonly walkSeconds: number;
  /** PUT sent → every agent sent APPLIED (change only). */
  readonly appliedSeconds?: number;
  readonly appliedP50Seconds?: number;
  readonly appliedCount?: number;
  /** PUT sent → the server recorded APPLIED for the new version of every OpAMP collector. */
  readonly recordedSeconds?: number;
  readonly putMs: number;
  readonly stallMaxMs: number;
  readonly stallP99Ms: number;
  readonly realRenders: number;
  readonly templates: number;
  readonly windowSeconds: number;
  /** Agents that got a remote config during the phase (must be 0 for the baseline). */
  readonly agentsGotConfig: number;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linkmesh-bench-render-'));
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (logLines.length < 200) logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const config = loadConfig({
    env: {
      LINKMESH_LISTEN: '127.0.0.1:0',
      LINKMESH_DATA_DIR: dataDir,
      LINKMESH_ADMIN_TOKEN: adminToken,
      LINKMESH_LOG_LEVEL: 'warn',
      // Every simulated collector connects from 127.0.0.1; a real fleet comes from many addresses.
      LINKMESH_MAX_CONNECTIONS_PER_ADDRESS: '100000',
    },
  });
  const server = await startServer(config, { logger: createLogger('warn', sink) });
  const db = new Database(join(dataDir, 'linkmesh.db'), { readonly: true, fileMustExist: true });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the answer's shape
  const api = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    json?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  };
  const counters = async (): Promise<ServerCounters> => {
    const text = (await server.app.inject({ method: 'GET', url: '/metrics' })).body;
    return {
      renders: metricSum(text, 'linkmesh_config_renders_total'),
      templates: metricSum(text, 'linkmesh_config_templates_total'),
      fanOuts: metricSum(text, 'linkmesh_opamp_config_fanouts_total'),
      fanOutSeconds: metricSum(text, 'linkmesh_opamp_config_fanout_duration_seconds_sum', 'outcome="done"'),
    };
  };
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();

  let fleet: Fleet | undefined;
  let profiler: Session | undefined;
  try {
    process.stderr.write(
      `server ${server.url} (in this process); fleet: ${agentCount} OpAMP agents + ${pollerCount} Alloy pollers (child process) …\n`,
    );
    const setupStarted = performance.now();
    fleet = await startFleet({
      serverUrl: server.url,
      adminToken,
      agents: agentCount,
      pollers: pollerCount,
      pollSeconds,
      telemetrySeconds,
      heartbeatSeconds: 30,
    });
    const f = fleet;

    // Objects, the group, and the operator label on every OpAMP collector.
    const source = (await api<{ id: string }>('POST', '/sources', { name: 'app', type: 'otlp', config: {} }))
      .body;
    const vendor = (
      await api<{ id: string }>('POST', '/destinations', {
        name: 'vendor',
        type: 'otlphttp',
        config: { endpoint: 'https://otlp.example.test' },
      })
    ).body;
    const debug = (
      await api<{ id: string }>('POST', '/destinations', { name: 'debug', type: 'debug', config: {} })
    ).body;
    const pipeline = (
      await api<{ id: string }>('POST', '/pipelines', {
        name: 'batched',
        processors: [{ type: 'batch', config: {} }],
      })
    ).body;
    const group = (
      await api<{ id: string }>('POST', '/groups', {
        name: 'bench',
        matchers: [{ label: 'env', op: '=', value: 'bench' }],
      })
    ).body;
    const otelIds = (
      db.prepare(`SELECT id FROM collectors WHERE runtime = 'otelcol'`).all() as { id: string }[]
    ).map((r) => r.id);
    process.stderr.write(`labelling ${otelIds.length} OpAMP collectors env=bench …\n`);
    await pool(otelIds.length, 16, async (i) => {
      await api('PUT', `/collectors/${otelIds[i]}/labels`, { labels: { env: 'bench' } });
    });

    const routeBody = (destinationIds: string[]) => ({
      name: 'app to vendor',
      sourceId: source.id,
      pipelineId: pipeline.id,
      destinationIds,
      target: { groupIds: [group.id] },
    });
    const destinationSets = [[vendor.id], [vendor.id, debug.id]];

    const stateCount = db.prepare(
      `SELECT COUNT(*) AS n FROM collector_config_state s JOIN collectors c ON c.id = s.collector_id
       WHERE c.runtime = ? AND s.apply_status = 'APPLIED' AND s.apply_version = s.current_version
         AND s.current_version >= ?`,
    );
    const minVersion = db.prepare(
      `SELECT MIN(s.current_version) AS v FROM collector_config_state s JOIN collectors c ON c.id = s.collector_id
       WHERE c.runtime = ?`,
    );
    const recorded = (runtime: string, version: number) =>
      (stateCount.get(runtime, version) as { n: number }).n;
    const otelVersion = () => (minVersion.get('otelcol') as { v: number | null }).v ?? 0;

    let lastStartedAt = 0;
    /** One measured phase: arm the fleet's watch, send the PUT, wait, read the instruments. */
    const phase = async (
      kind: 'baseline' | 'change',
      write: () => Promise<unknown>,
      options: { profile?: boolean; alloyWaitMs?: number } = {},
    ): Promise<PhaseFigures> => {
      await sleep(3000); // let the previous phase's tail (acks, Alloy polls) settle
      const versionBefore = otelVersion();
      f.command({ cmd: 'arm', opampTimeoutMs: 120_000, alloyTimeoutMs: options.alloyWaitMs ?? 1 });
      if (options.alloyWaitMs === undefined) await f.next('watch-alloy'); // not watched: done at once
      const before = await counters();
      if (options.profile) {
        profiler = new Session();
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
        await profiler.post('Profiler.start');
      }
      histogram.reset();
      const startedAt = now();
      await write();
      const putMs = now() - startedAt;
      let opamp: WatchResult | undefined;
      let recordedAt: number | undefined;
      if (kind === 'change') {
        opamp = (await f.next('watch-opamp')).result;
        const target = versionBefore + 1;
        for (let waited = 0; recorded('otelcol', target) < otelIds.length && waited < 60_000; waited += 20)
          await sleep(20);
        recordedAt = now();
      }
      // The walk's end comes from the server's metrics, scraped every 100 ms (a scrape costs ~1 ms).
      let after = await counters();
      for (let waited = 0; after.fanOuts === before.fanOuts && waited < 120_000; waited += 100) {
        await sleep(100);
        after = await counters();
      }
      const endedAt = now();
      const stallMaxMs = histogram.max / 1e6;
      const stallP99Ms = histogram.percentile(99) / 1e6;
      if (profiler) {
        const { profile } = await profiler.post('Profiler.stop');
        if (cpuProfileFile) writeFileSync(cpuProfileFile, JSON.stringify(profile));
        profiler.disconnect();
        profiler = undefined;
      }
      if (kind === 'baseline') {
        await sleep(500);
        f.command({ cmd: 'disarm' });
        opamp = (await f.next('watch-opamp')).result;
      }
      lastStartedAt = startedAt;
      const appliedAt = opamp?.appliedAt ?? [];
      return {
        walkSeconds:
          after.fanOuts === before.fanOuts ? Number.NaN : after.fanOutSeconds - before.fanOutSeconds,
        putMs,
        stallMaxMs,
        stallP99Ms,
        realRenders: after.renders - before.renders,
        templates: after.templates - before.templates,
        windowSeconds: (endedAt - startedAt) / 1000,
        agentsGotConfig: appliedAt.length,
        ...(kind === 'change'
          ? {
              appliedSeconds: ((appliedAt.at(-1) ?? Number.NaN) - startedAt) / 1000,
              appliedP50Seconds: (percentile(appliedAt, 50) - startedAt) / 1000,
              appliedCount: appliedAt.length,
              recordedSeconds: ((recordedAt ?? Number.NaN) - startedAt) / 1000,
            }
          : {}),
      };
    };
    // Warm-up fan-out: the route is created; every agent gets its first routed config.
    process.stderr.write(`creating the route (warm-up fan-out) …\n`);
    let route = { id: '', revision: 0 };
    const warmup = await phase('change', async () => {
      route = (
        await api<{ id: string; revision: number }>('POST', '/routes', routeBody(destinationSets[0] ?? []))
      ).body;
    });
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    let current = 0;
    const put = async (destinationIds: string[]) => {
      const { body } = await api<{ revision: number }>(
        'PUT',
        `/routes/${route.id}`,
        routeBody(destinationIds),
      );
      route = { ...route, revision: body.revision };
    };

    const results: { baseline: PhaseFigures; change: PhaseFigures }[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      process.stderr.write(`round ${round}/${rounds}: baseline (identical PUT), then change …\n`);
      const baseline = await phase('baseline', () => put(destinationSets[current] ?? []));
      current = 1 - current;
      const last = round === rounds;
      const change = await phase('change', () => put(destinationSets[current] ?? []), {
        profile: cpuProfileFile !== undefined && last,
        ...(last && waitForAlloy && pollerCount > 0 ? { alloyWaitMs: alloyWaitMs } : {}),
      });
      results.push({ baseline, change });
    }

    // The Alloy pollers see the last change on their next poll.
    let alloyLine = 'alloy: not waited for (BENCH_ALLOY_WAIT=0)';
    if (waitForAlloy && pollerCount > 0) {
      process.stderr.write(
        `waiting up to ${(alloyWaitMs / 1000).toFixed(0)} s after the last change for the Alloy pollers' next polls …\n`,
      );
      histogram.reset();
      const alloy = (await f.next('watch-alloy')).result;
      const stallMs = histogram.max / 1e6;
      const lastAt = alloy.appliedAt.at(-1);
      const sinceChange = db
        .prepare(
          `SELECT COUNT(*) AS n FROM collector_config_state s
             JOIN collectors c ON c.id = s.collector_id
             JOIN collector_config_versions v ON v.collector_id = s.collector_id AND v.version = s.current_version
           WHERE c.runtime = 'alloy' AND s.apply_status = 'APPLIED' AND s.apply_version = s.current_version
             AND v.created_at >= ?`,
        )
        .get(Math.floor(lastStartedAt)) as { n: number };
      alloyLine =
        `alloy: ${alloy.appliedAt.length} of ${alloy.total} pollers applied the last change on their next poll ` +
        `(poll_frequency ${pollSeconds} s ±10 %), the last ${lastAt === undefined ? '?' : ((lastAt - lastStartedAt) / 1000).toFixed(1)} s after the PUT; ` +
        `server: ${sinceChange.n} Alloy collectors APPLIED on a version rendered after it; ` +
        `longest event-loop stall while they polled ${stallMs.toFixed(1)} ms`;
    }

    f.command({ cmd: 'stats' });
    const stats = await f.next('stats');
    const cpu = os.cpus();
    const fmt = (s: number | undefined) => (s === undefined || Number.isNaN(s) ? '?' : s.toFixed(2));
    const line = (name: string, p: PhaseFigures) =>
      `${name}: ` +
      (p.appliedSeconds !== undefined
        ? `all ${p.appliedCount}/${agentCount} agents APPLIED after ${fmt(p.appliedSeconds)} s (p50 ${fmt(p.appliedP50Seconds)} s), server recorded all after ${fmt(p.recordedSeconds)} s; `
        : `no agent got a config (${p.agentsGotConfig} did); `) +
      `walk over the agents done after ${fmt(p.walkSeconds)} s; PUT answered in ${p.putMs.toFixed(0)} ms; ` +
      `longest stall ${p.stallMaxMs.toFixed(1)} ms (p99 ${p.stallP99Ms.toFixed(1)} ms); ` +
      `${p.realRenders} real renders + ${p.templates} per-collector templates in ${fmt(p.windowSeconds)} s ` +
      `(${(p.realRenders / p.windowSeconds).toFixed(1)} renders/s, ${(p.templates / p.windowSeconds).toFixed(0)} templates/s)`;
    const changeApplied = median(results.map((r) => r.change.appliedSeconds ?? Number.NaN));
    const baselineWalk = median(results.map((r) => r.baseline.walkSeconds));
    const worstStall = Math.max(...results.map((r) => r.change.stallMaxMs));
    const worstApplied = Math.max(...results.map((r) => r.change.appliedSeconds ?? Number.POSITIVE_INFINITY));
    const met = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
    process.stdout.write(
      [
        `machine: ${cpu[0]?.model ?? 'unknown'} × ${cpu.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, SQLite storage; server in the bench process, fleet in a child process, no core pinning`,
        `fleet: ${f.ready.agents} OpAMP agents (tools/sim SimOpampAgent, WebSocket, heartbeat 30 s) + ${f.ready.pollers} Alloy pollers (SimAlloyPoller, poll_frequency ${pollSeconds} s), self-telemetry every ${telemetrySeconds} s, all env=bench, one group, one route (source → batch → 1 or 2 destinations)`,
        `setup (not measured): ${setupSeconds.toFixed(0)} s (enrollment tokens ${f.ready.setupSeconds.tokens.toFixed(0)} s, agents ${f.ready.setupSeconds.agents.toFixed(0)} s, Alloy collectors ${f.ready.setupSeconds.provision.toFixed(0)} s, pollers ${f.ready.setupSeconds.pollers.toFixed(0)} s)`,
        line('warm-up (route created, first routed config)', warmup),
        ...results.flatMap((r, i) => [
          line(`round ${i + 1} baseline (identical PUT, nothing pushed)`, r.baseline),
          line(`round ${i + 1} change (other destination set, pushed)`, r.change),
          `round ${i + 1} ratio: all APPLIED ÷ baseline walk = ${((r.change.appliedSeconds ?? Number.NaN) / r.baseline.walkSeconds).toFixed(2)}`,
        ]),
        alloyLine,
        `fleet totals: opamp ${JSON.stringify(stats.opamp)}; alloy ${JSON.stringify(stats.alloy)}`,
        `result: all OpAMP agents APPLIED after ${fmt(changeApplied)} s (median of ${rounds}; worst ${fmt(worstApplied)} s) vs baseline ${fmt(baselineWalk)} s (unchanged config: walk, render, nothing pushed) = ratio ${(changeApplied / baselineWalk).toFixed(2)}`,
        `goals: all APPLIED < ${goalAppliedSeconds} s: ${met(worstApplied < goalAppliedSeconds)} (worst ${fmt(worstApplied)} s); no stall over ${goalStallMs} ms: ${met(worstStall <= goalStallMs)} (worst ${worstStall.toFixed(1)} ms)`,
        ...(cpuProfileFile ? [`cpu profile of the last change round: ${cpuProfileFile}`] : []),
        ...(logLines.length > 0
          ? [`server warnings (first ${Math.min(5, logLines.length)}):`, ...logLines.slice(0, 5)]
          : []),
      ].join('\n') + '\n',
    );
  } finally {
    histogram.disable();
    fleet?.child.kill('SIGKILL');
    db.close();
    await server.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
