/**
 * The fleet of `bench:render`, in its own process (forked with IPC): N simulator OpAMP agents
 * (`SimOpampAgent`, WebSocket, each enrolling with its own enrollment token, then reconnecting
 * with the bearer offered) and M simulator Alloy pollers (`SimAlloyPoller`, remotecfg attribute
 * `env=bench`, one keep-alive agent for all). One process per side keeps each under the
 * descriptor limit and lets the server's event loop be measured without the fleet in it.
 *
 * Commands from the parent (IPC): `arm` snapshots every agent's and poller's applied count and
 * watches (every 2 ms) for each to apply one more config, answering `watch-opamp` as soon as
 * all agents have (or at the timeout) and `watch-alloy` when all pollers have (or at their
 * timeout); `disarm` ends the watches early and answers what was seen; `stats` sums the
 * simulators' counters; `stop` exits.
 * Times are absolute (performance.timeOrigin + performance.now(), ms) so the parent can compare
 * them with its own clock.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { SimAlloyPoller } from '../tools/sim/src/alloy-poller.ts';
import { provisionCollectors } from '../tools/sim/src/fleet.ts';
import { SimOpampAgent } from '../tools/sim/src/opamp-agent.ts';

export interface FleetChildOptions {
  readonly serverUrl: string;
  readonly adminToken: string;
  readonly agents: number;
  readonly pollers: number;
  readonly pollSeconds: number;
  readonly telemetrySeconds: number;
  readonly heartbeatSeconds: number;
}

export type ToChild =
  | { readonly cmd: 'arm'; readonly opampTimeoutMs: number; readonly alloyTimeoutMs: number }
  | { readonly cmd: 'disarm' }
  | { readonly cmd: 'stats' }
  | { readonly cmd: 'stop' };

export interface WatchResult {
  readonly kind: 'opamp' | 'alloy';
  readonly total: number;
  /** Absolute ms at which each member was first seen with one more applied config (sorted). */
  readonly appliedAt: number[];
  /** Members that applied more than one config during the watch. */
  readonly extra: number;
}

export type FromChild =
  | { readonly type: 'progress'; readonly text: string }
  | {
      readonly type: 'ready';
      readonly agents: number;
      readonly pollers: number;
      readonly setupSeconds: { tokens: number; agents: number; provision: number; pollers: number };
    }
  | { readonly type: 'watch-opamp'; readonly result: WatchResult }
  | { readonly type: 'watch-alloy'; readonly result: WatchResult }
  | { readonly type: 'stats'; readonly opamp: Record<string, number>; readonly alloy: Record<string, number> }
  | { readonly type: 'error'; readonly message: string };

const now = () => performance.timeOrigin + performance.now();
const send = (message: FromChild) => process.send?.(message);
const progress = (text: string) => send({ type: 'progress', text });

async function pool(count: number, parallel: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/** Connections `fetch` may hold to the server (self-telemetry pushes and API calls). */
const fetchConnections = 512;

/**
 * `fetch` (the simulators' self-telemetry pushes) goes through Node's global undici dispatcher,
 * which opens a connection per concurrent request and keeps each idle one for the server's
 * keep-alive hint (72 s). At 10,000 agents + 20,000 pollers that reached the 20,000-descriptor
 * hard limit of both this process and the server, whose accepts then failed (connections reset)
 * and the pollers' start-up crawled. The dispatcher is replaced by one of the same class bounded
 * to `connections` per origin (Node 20 exports no way to reach undici's `Agent` otherwise).
 */
function boundFetchConnections(connections: number): void {
  const key = Symbol.for('undici.globalDispatcher.1');
  const slots = globalThis as unknown as Record<symbol, { constructor: unknown } | undefined>;
  const current = slots[key];
  if (!current) throw new Error('fetch has not created its global dispatcher yet');
  const Agent = current.constructor as new (options: { connections: number }) => { constructor: unknown };
  slots[key] = new Agent({ connections });
}

/** Agents enrolling at once (each until its bearer reconnect is answered). */
const startParallel = 16;
/** Simulator errors that escaped as unhandled rejections (a failed bearer reconnect). */
const unhandled: string[] = [];
process.on('unhandledRejection', (error: unknown) => {
  unhandled.push(error instanceof Error ? error.message : String(error));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `start` up to 5 times, 1, 2, 3, 4 s apart (an upgrade refused under enrolment load). */
async function withRetries(start: () => Promise<void>, retried: () => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= 5) throw error;
      retried();
      await sleep(1000 * attempt);
    }
  }
}

/**
 * True once the agent has reconnected with its offered bearer and been answered there: four
 * answers at least (enrolment full state, APPLYING, APPLIED, the new socket's full state);
 * false after 30 s.
 */
async function settled(agent: SimOpampAgent): Promise<boolean> {
  for (let waited = 0; waited < 30_000; waited += 10) {
    if (agent.stats.reconnects >= 1 && agent.stats.messages >= 4) return true;
    await sleep(10);
  }
  return false;
}

async function main(options: FleetChildOptions): Promise<void> {
  const { serverUrl, adminToken } = options;
  const api = async (path: string, body: unknown) => {
    const response = await fetch(serverUrl + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${path} → ${response.status}: ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };

  let mark = performance.now();
  const lap = () => {
    const seconds = (performance.now() - mark) / 1000;
    mark = performance.now();
    return seconds;
  };

  progress(`minting ${options.agents} enrollment tokens …`);
  await api('/api/v1/enrollment-tokens', {}); // creates fetch's dispatcher, bounded next
  boundFetchConnections(fetchConnections);
  const tokens = new Array<string>(options.agents);
  await pool(options.agents, 16, async (i) => {
    tokens[i] = String((await api('/api/v1/enrollment-tokens', {})).token);
  });
  const tokensSeconds = lap();

  progress(
    `starting ${options.agents} OpAMP agents (WebSocket; enrol, take the offered bearer, reconnect) …`,
  );
  const wsUrl = `${serverUrl.replace(/^http/, 'ws')}/v1/opamp`;
  const agents = tokens.map(
    (token, i) =>
      new SimOpampAgent({
        url: wsUrl,
        enrollmentToken: token,
        hostName: `bench-otelcol-${i}`,
        heartbeatMs: options.heartbeatSeconds * 1000,
        ownMetricsIntervalMs: options.telemetrySeconds * 1000,
        seed: i + 1,
      }),
  );
  // `start()` resolves once the enrolment socket is open and the full state sent; the agent then
  // reconnects with its offered bearer on its own. Waiting for that second socket's answer keeps
  // at most `startParallel` agents attaching at once — fewer than the server's attach gate (32)
  // — so no upgrade waits behind the gate long enough to be answered 408 (the full-size run
  // failed that way at ~8,000 agents with 64 starts in flight and no wait).
  let startRetries = 0;
  let reconnectRetries = 0;
  await pool(agents.length, startParallel, async (i) => {
    const agent = agents[i];
    if (!agent) return;
    await withRetries(
      () => agent.start(),
      () => (startRetries += 1),
    );
    if (!(await settled(agent))) {
      // Its reconnect with the bearer failed (the simulator reports that as an unhandled
      // rejection, counted below): open the socket again; it carries the offered bearer now.
      reconnectRetries += 1;
      await withRetries(
        () => agent.start(),
        () => (startRetries += 1),
      );
    }
    if ((i + 1) % 2000 === 0) progress(`  ${i + 1} agents started`);
  });
  if (startRetries + reconnectRetries + unhandled.length > 0)
    progress(
      `  agent starts retried: ${startRetries}; reconnects redone: ${reconnectRetries}; simulator errors: ${unhandled.length} (first: ${unhandled[0] ?? '-'})`,
    );
  const agentsSeconds = lap();

  progress(`provisioning ${options.pollers} Alloy collectors through the API …`);
  const collectors = await provisionCollectors(serverUrl, adminToken, options.pollers, {
    namePrefix: 'bench-alloy',
    parallel: 16,
    runtime: 'alloy',
  });
  const provisionSeconds = lap();

  progress(`starting ${options.pollers} Alloy pollers (GetConfig "" + RegisterCollector each) …`);
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const pollers = collectors.map(
    (collector, i) =>
      new SimAlloyPoller({
        serverUrl,
        bearer: collector.bearer,
        id: randomUUID(),
        name: `bench-alloy-${i}`,
        hostName: `bench-alloy-${i}`,
        attributes: { env: 'bench' },
        version: 'v1.11.3',
        pollMs: options.pollSeconds * 1000,
        failsToApply: false,
        telemetryIntervalMs: options.telemetrySeconds * 1000,
        restartProbability: 0,
        failingExporter: false,
        seed: i + 1,
        agent: keepAlive,
      }),
  );
  await pool(pollers.length, 32, async (i) => {
    await pollers[i]?.start();
    if ((i + 1) % 5000 === 0) progress(`  ${i + 1} pollers started`);
  });
  const pollersSeconds = lap();

  send({
    type: 'ready',
    agents: agents.length,
    pollers: pollers.length,
    setupSeconds: {
      tokens: tokensSeconds,
      agents: agentsSeconds,
      provision: provisionSeconds,
      pollers: pollersSeconds,
    },
  });

  /** One watch over a set of members that each count applied configs. */
  class Watch {
    private readonly before: number[];
    private readonly seen: Float64Array;
    private seenCount = 0;
    private timer: NodeJS.Timeout | undefined;
    private deadline: NodeJS.Timeout | undefined;
    private done = false;

    constructor(
      private readonly kind: 'opamp' | 'alloy',
      private readonly members: readonly { stats: { applied: number } }[],
      timeoutMs: number,
    ) {
      this.before = members.map((m) => m.stats.applied);
      this.seen = new Float64Array(members.length);
      if (members.length === 0) {
        this.finish();
        return;
      }
      this.timer = setInterval(() => this.check(), 2);
      this.deadline = setTimeout(() => this.finish(), timeoutMs);
    }

    private check(): void {
      const t = now();
      const finishing = this.done;
      for (let i = 0; i < this.members.length; i++) {
        if (this.seen[i] === 0 && (this.members[i]?.stats.applied ?? 0) > (this.before[i] ?? 0)) {
          this.seen[i] = t;
          this.seenCount += 1;
        }
      }
      if (!finishing && this.seenCount === this.members.length) this.finish();
    }

    finish(): void {
      if (this.done) return;
      this.done = true;
      this.check();
      clearInterval(this.timer);
      clearTimeout(this.deadline);
      const appliedAt = [...this.seen].filter((t) => t > 0).sort((a, b) => a - b);
      const extra = this.members.filter((m, i) => m.stats.applied - (this.before[i] ?? 0) > 1).length;
      const result = { kind: this.kind, total: this.members.length, appliedAt, extra };
      send(this.kind === 'opamp' ? { type: 'watch-opamp', result } : { type: 'watch-alloy', result });
    }
  }

  let watches: Watch[] = [];
  const sum = (members: readonly { stats: object }[]) => {
    const totals: Record<string, number> = {};
    for (const member of members)
      for (const [key, value] of Object.entries(member.stats))
        totals[key] = (totals[key] ?? 0) + Number(value);
    return totals;
  };
  process.on('message', (message: ToChild) => {
    if (message.cmd === 'arm') {
      for (const watch of watches) watch.finish();
      watches = [
        new Watch('opamp', agents, message.opampTimeoutMs),
        new Watch('alloy', pollers, message.alloyTimeoutMs),
      ];
    } else if (message.cmd === 'disarm') {
      for (const watch of watches) watch.finish();
      watches = [];
    } else if (message.cmd === 'stats') {
      send({ type: 'stats', opamp: sum(agents), alloy: sum(pollers) });
    } else {
      process.exit(0);
    }
  });
}

const options = JSON.parse(process.env.BENCH_FLEET_OPTIONS ?? '{}') as FleetChildOptions;
main(options).catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  setTimeout(() => process.exit(1), 100);
});
