import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OpampWsAgent } from '../testing/opamp/opamp-ws-agent.ts';
import { bySize, startServerProcess, watchHealth, type ServerProcess } from './server-process.ts';

/**
 * Issue #9 suite item: thousands of OpAMP agents reconnecting at once after a restart. The
 * server must stay responsive (`/healthz` under 1 s throughout), take every agent back, and
 * settle to the memory it had before. The agents behave like opamp-go in the supervisor: they
 * enrol with an enrollment token, switch to the offered bearer, and reconnect with back-off when
 * the socket drops; all of them lose the server at the same moment, so they come back together.
 */

const agentCount = bySize({ ci: 1500, full: 5000 });
/** Agents enrolling at once (an enrolment is a few writes; the storm is what is measured). */
const enrolConcurrency = 50;
/** Back-off of the agents: all retry within 2 s of the server's return. */
const reconnect = { initialDelayMs: 1000, maxDelayMs: 2000 };
const stormDeadlineMs = bySize({ ci: 90_000, full: 180_000 });
const quietMs = 10_000;
const MiB = 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** TcpExtListenOverflows: connections the kernel dropped because an accept queue was full (host-wide). */
function listenOverflows(): number {
  const [names, values] = readFileSync('/proc/net/netstat', 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('TcpExt:'))
    .map((line) => line.split(/\s+/));
  const index = names?.indexOf('ListenOverflows') ?? -1;
  return index > 0 ? Number(values?.[index]) : Number.NaN;
}

/** The soft open-files limit of a process (ours, or the server's: it inherits ours). */
function openFilesLimit(pid: number | 'self'): number {
  const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
  return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

async function until(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadlineMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * The server's own view of the storm from `/metrics`: the event loop's worst delay since the
 * previous scrape (prom-client resets it on every scrape) and the CPU it has used so far.
 */
async function serverGauges(server: ServerProcess): Promise<{ loopLagMaxMs: number; cpuSeconds: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]);
  return {
    loopLagMaxMs: value('linkmesh_nodejs_eventloop_lag_max_seconds') * 1000,
    cpuSeconds: value('linkmesh_process_cpu_seconds_total'),
  };
}

interface HealthResult {
  readonly worstMs: number;
  readonly probes: number;
  readonly failures: number;
}

/**
 * watchHealth() in a process of its own (health-probe.child.ts), loaded ahead and started on cue:
 * this test process is itself busy with every agent's reconnect, and a probe here would time its
 * own event loop as much as the server's.
 */
async function separateHealthProbe(
  url: string,
): Promise<{ start(): void; stop(): Promise<HealthResult>; kill(): void }> {
  const script = fileURLToPath(new URL('./health-probe.child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, url], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  assert.equal((await lines.next()).value, 'ready');
  return {
    start: () => child.stdin.write('start\n'),
    stop: async () => {
      const exited = once(child, 'exit');
      child.stdin.write('stop\n');
      const line = (await lines.next()).value as string;
      child.stdin.end();
      await exited;
      return JSON.parse(line) as HealthResult;
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}

/** Runs `task` over `items`, `concurrency` at a time. */
async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Statuses of every collector, through the paged REST API. */
async function collectorStatuses(server: ServerProcess): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const response = await server.api(`/api/v1/collectors?limit=5000${query}`);
    assert.equal(response.status, 200);
    const page = (await response.json()) as { items: Array<{ status: string }>; nextCursor: string | null };
    for (const item of page.items) counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return counts;
}

describe('a reconnect storm of OpAMP agents after a restart', () => {
  const agents: OpampWsAgent[] = [];
  const servers: ServerProcess[] = [];
  const probes: Array<{ kill(): void }> = [];
  after(async () => {
    for (const probe of probes) probe.kill();
    for (const agent of agents) agent.terminate();
    for (const server of servers) await server.stop();
    servers[0]?.cleanUp();
  });

  it(`takes back ${agentCount} agents at once with /healthz under 1 s and memory back to its level`, async () => {
    const needFiles = agentCount + 500;
    assert.ok(
      openFilesLimit('self') >= needFiles,
      `needs ulimit -n ≥ ${needFiles} (agents and server each hold one descriptor per connection)`,
    );
    // Every simulated agent connects from 127.0.0.1; a real fleet comes from many addresses.
    const env = { LINKMESH_MAX_CONNECTIONS_PER_ADDRESS: String(agentCount + 500) };
    const first = await startServerProcess({ env });
    servers.push(first);
    assert.ok(openFilesLimit(first.pid) >= needFiles, 'the server inherits the descriptor limit');
    const port = new URL(first.url).port;
    const wsUrl = `${first.url.replace(/^http/, 'ws')}/v1/opamp`;

    const enrolStartedMs = performance.now();
    // Each worker mints a token and enrols one agent with it, so the two overlap.
    await inParallel(
      Array.from({ length: agentCount }, (_, i) => i),
      enrolConcurrency,
      async () => {
        const response = await first.api('/api/v1/enrollment-tokens', { method: 'POST', json: {} });
        assert.equal(response.status, 201);
        const { token } = (await response.json()) as { token: string };
        const agent = new OpampWsAgent({
          url: wsUrl,
          headers: { Authorization: `Bearer ${token}` },
          reconnect,
        });
        agents.push(agent);
        await agent.connect();
        // Enrolled once it has reconnected with its own bearer and been answered on that connection.
        await agent.waitFor((m) => m.connectionSettings !== undefined, { timeoutMs: 30_000 });
        await agent.waitFor(() => agent.connections >= 2, {
          fromIndex: agent.received.length,
          timeoutMs: 30_000,
          description: 'an answer on the connection with its own bearer',
        });
      },
    );
    await until(
      'all collectors connected before the restart',
      async () => (await collectorStatuses(first)).get('connected') === agentCount,
      30_000,
    );
    const enrolMs = performance.now() - enrolStartedMs;
    await sleep(2000);
    const rssBeforeKiB = first.rssKiB();

    // Restart on the same data directory and address; the agents find it by themselves.
    const before = agents.map((agent) => ({
      connections: agent.connections,
      received: agent.received.length,
    }));
    const probe = await separateHealthProbe(first.url);
    probes.push(probe);
    const overflowsBefore = listenOverflows();
    await first.stop('SIGTERM');
    const second = await startServerProcess({
      env,
      dataDir: first.dataDir,
      adminToken: first.adminToken,
      listen: `127.0.0.1:${port}`,
    });
    servers.push(second);
    const listeningAtMs = performance.now();
    probe.start();
    const healthHere = watchHealth(second.url);
    const gaugesAtStart = await serverGauges(second);
    const back = (agent: OpampWsAgent, i: number) =>
      agent.isConnected &&
      agent.connections > (before[i]?.connections ?? 0) &&
      agent.received.length > (before[i]?.received ?? 0);
    try {
      await until('every agent reconnected and answered', () => agents.every(back), stormDeadlineMs);
    } finally {
      const reconnected = agents.filter(back).length;
      if (reconnected < agentCount) console.log(`reconnect storm: only ${reconnected}/${agentCount} back`);
    }
    const stormMs = performance.now() - listeningAtMs;
    const healthz = await probe.stop();
    const healthzHere = await healthHere.stop();
    const overflows = listenOverflows() - overflowsBefore;
    const gaugesAtEnd = await serverGauges(second);
    await until(
      'all collectors connected after the storm',
      async () => (await collectorStatuses(second)).get('connected') === agentCount,
      30_000,
    );
    await sleep(quietMs);
    const rssAfterKiB = second.rssKiB();
    const throttled = agents.reduce(
      (n, agent) => n + agent.connectErrors.items.filter((error) => error.status === 429).length,
      0,
    );
    const refusedUpgrades = agents.reduce(
      (n, agent) => n + agent.connectErrors.items.filter((error) => error.status !== undefined).length,
      0,
    );

    console.log(
      `reconnect storm: agents=${agentCount} enrol=${Math.round(enrolMs)} ms storm=${Math.round(stormMs)} ms ` +
        `healthz worst=${Math.round(healthz.worstMs)} ms (probes=${healthz.probes} failures=${healthz.failures}; ` +
        `from the agents' process ${Math.round(healthzHere.worstMs)} ms) ` +
        `server loop lag max=${Math.round(gaugesAtEnd.loopLagMaxMs)} ms ` +
        `cpu=${(gaugesAtEnd.cpuSeconds - gaugesAtStart.cpuSeconds).toFixed(1)} s ` +
        `rss before=${Math.round(rssBeforeKiB / MiB)} MiB after=${Math.round(rssAfterKiB / MiB)} MiB ` +
        `peak=${Math.round(second.peakRssKiB() / MiB)} MiB upgrades refused=${refusedUpgrades} (429: ${throttled}) ` +
        `listen overflows=${overflows} ulimit -n=${openFilesLimit(second.pid)}`,
    );
    assert.equal(throttled, 0, 'no reconnecting agent hit the failed-authentication throttle');
    assert.ok(healthz.worstMs < 1000, `/healthz worst ${Math.round(healthz.worstMs)} ms during the storm`);
    assert.equal(healthz.failures, 0, '/healthz never failed during the storm');
    const limitKiB = Math.max(rssBeforeKiB * 1.5, rssBeforeKiB + 150 * MiB);
    assert.ok(
      rssAfterKiB <= limitKiB,
      `RSS ${Math.round(rssAfterKiB / MiB)} MiB after the storm, limit ${Math.round(limitKiB / MiB)} MiB`,
    );
    assert.ok(
      agents.every((agent) => agent.isConnected),
      'every agent is still connected',
    );
  });
});
