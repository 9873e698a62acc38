import { Command, InvalidArgumentError } from 'commander';
import { AlloyFleet } from './alloy-fleet.ts';
import { FleetRunner, percentile, provisionCollectors } from './fleet.ts';
import { SimOpampAgent } from './opamp-agent.ts';

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
};
const ratio = (value: string) => {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be between 0 and 1');
  return n;
};

const program = new Command('linkmesh-sim')
  .description(
    'Simulates a fleet of otelcol-contrib collectors pushing their self-telemetry to a LinkMesh server.',
  )
  .requiredOption('--server <url>', 'LinkMesh server base URL, e.g. http://127.0.0.1:8080')
  .requiredOption(
    '--token <lmsat>',
    'an Admin or Operator service-account token (creates the collectors); default: $LINKMESH_TOKEN, which keeps it off the command line npm echoes',
    process.env.LINKMESH_TOKEN,
  )
  .option(
    '--mode <mode>',
    'opamp-ws (default) / opamp-http: supervisor-like agents enrol over OpAMP as a real otelcol-contrib does (host, version, events), take their bearer, apply config and push; alloy: Alloy remotecfg pollers (GetConfig / RegisterCollector) pushing Alloy-shaped self-telemetry; otlp: collectors pre-created over the API that only push self-telemetry (a load test of the ingest path)',
    'opamp-ws',
  )
  .option('--collectors <n>', 'how many collectors', positiveInt, 20)
  .option('--interval-seconds <n>', 'push interval of each collector', positiveInt, 30)
  .option('--duration-seconds <n>', 'stop after this long', positiveInt, 300)
  .option('--concurrency <n>', 'requests in flight at most', positiveInt, 64)
  .option(
    '--failing-exporter-ratio <r>',
    'share of collectors whose exporter goes through outages',
    ratio,
    0.1,
  )
  .option('--restart-probability <r>', 'chance per push that a collector restarted', ratio, 0.002)
  .option(
    '--old-naming-ratio <r>',
    'share of collectors naming metrics without otelcol_ (< v0.106)',
    ratio,
    0.1,
  )
  .option(
    '--items-per-second <n>',
    'average items/s of a busy (OTLP) source; other source types produce a share of it',
    positiveInt,
    500,
  )
  .option('--poll-seconds <n>', 'alloy: remotecfg poll_frequency (jittered ±10 %)', positiveInt, 60)
  .option(
    '--alloy-fail-ratio <r>',
    'alloy: share of collectors that fail to load the served config (report FAILED)',
    ratio,
    0.05,
  );

program.parse();
const o = program.opts<{
  mode: string;
  server: string;
  token: string;
  collectors: number;
  intervalSeconds: number;
  durationSeconds: number;
  concurrency: number;
  failingExporterRatio: number;
  restartProbability: number;
  oldNamingRatio: number;
  itemsPerSecond: number;
  pollSeconds: number;
  alloyFailRatio: number;
}>();

const server = o.server.replace(/\/+$/, '');
if (o.mode === 'opamp-ws' || o.mode === 'opamp-http') await runOpamp(o.mode);
else if (o.mode === 'alloy') await runAlloy();
else if (o.mode !== 'otlp') program.error(`--mode must be otlp, opamp-ws, opamp-http or alloy`);
process.stderr.write(`Provisioning ${o.collectors} collectors on ${server} …\n`);
const collectors = await provisionCollectors(server, o.token, o.collectors, {
  namePrefix: `sim-${Date.now().toString(36)}`,
});
const fleet = new FleetRunner({
  serverUrl: server,
  collectors,
  intervalMs: o.intervalSeconds * 1000,
  concurrency: o.concurrency,
  failingExporterRatio: o.failingExporterRatio,
  restartProbability: o.restartProbability,
  oldNamingRatio: o.oldNamingRatio,
  baseItemsPerSec: o.itemsPerSecond,
});
fleet.start();
process.stderr.write(`Pushing every ${o.intervalSeconds}s for ${o.durationSeconds}s (Ctrl-C stops) …\n`);
const report = () => {
  const s = fleet.stats;
  process.stderr.write(
    `pushes ${s.pushes}  failures ${s.failures}  late ${s.late}  p50 ${percentile(s.latenciesMs, 50).toFixed(1)} ms  p99 ${percentile(s.latenciesMs, 99).toFixed(1)} ms  statuses ${JSON.stringify(Object.fromEntries(s.statuses))}\n`,
  );
  s.latenciesMs.length = 0;
};
const every = setInterval(report, 10_000);
const finish = async () => {
  clearInterval(every);
  await fleet.stop();
  report();
  process.exit(0);
};
process.on('SIGINT', () => void finish());
setTimeout(() => void finish(), o.durationSeconds * 1000);

/** Supervisor-like OpAMP agents: each enrols with its own enrollment token. */
async function runOpamp(mode: 'opamp-ws' | 'opamp-http'): Promise<never> {
  process.stderr.write(`Starting ${o.collectors} ${mode} agents against ${server} …\n`);
  const agents: SimOpampAgent[] = [];
  for (let i = 0; i < o.collectors; i++) {
    const response = await fetch(`${server}/api/v1/enrollment-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    if (!response.ok)
      program.error(`minting an enrollment token failed: ${response.status} ${await response.text()}`);
    const { token } = (await response.json()) as { token: string };
    const agent = new SimOpampAgent({
      url: `${mode === 'opamp-ws' ? server.replace(/^http/, 'ws') : server}/v1/opamp`,
      enrollmentToken: token,
      hostName: `sim-${mode}-${i}`,
      heartbeatMs: 30_000,
      ownMetricsIntervalMs: o.intervalSeconds * 1000,
      seed: i + 1,
      baseItemsPerSec: o.itemsPerSecond,
    });
    agents.push(agent);
    await agent.start();
  }
  const report = () => {
    const sum = (key: keyof SimOpampAgent['stats']) => agents.reduce((n, a) => n + a.stats[key], 0);
    process.stderr.write(
      `agents ${agents.length}  messages ${sum('messages')}  configs applied ${sum('applied')}  pushes ${sum('pushes')}  push failures ${sum('pushFailures')}\n`,
    );
  };
  const every = setInterval(report, 10_000);
  const finish = async () => {
    clearInterval(every);
    await Promise.all(agents.map((agent) => agent.stop()));
    report();
    process.exit(0);
  };
  process.on('SIGINT', () => void finish());
  setTimeout(() => void finish(), o.durationSeconds * 1000);
  return new Promise<never>(() => undefined);
}

/** Alloy remotecfg pollers: collectors created (runtime alloy) and given their bearer first. */
async function runAlloy(): Promise<never> {
  const namePrefix = `sim-alloy-${Date.now().toString(36)}`;
  process.stderr.write(`Provisioning ${o.collectors} Alloy collectors on ${server} …\n`);
  const collectors = await provisionCollectors(server, o.token, o.collectors, {
    namePrefix,
    runtime: 'alloy',
  });
  const fleet = new AlloyFleet({
    serverUrl: server,
    collectors,
    namePrefix,
    pollMs: o.pollSeconds * 1000,
    telemetryIntervalMs: o.intervalSeconds * 1000,
    failRatio: o.alloyFailRatio,
    failingExporterRatio: o.failingExporterRatio,
    restartProbability: o.restartProbability,
    maxSockets: o.concurrency,
    baseItemsPerSec: o.itemsPerSecond,
  });
  await fleet.start();
  process.stderr.write(
    `Polling every ~${o.pollSeconds}s for ${o.durationSeconds}s (Ctrl-C unregisters and stops) …\n`,
  );
  const report = () => {
    const s = fleet.totals();
    process.stderr.write(
      `alloys ${fleet.pollers.length}  GetConfig ${s.getConfigCalls} (not_modified ${s.notModified}, new content ${s.configsReceived}, notify ${s.notifyCalls})  applied ${s.applied}  failed ${s.failed}  call errors ${s.callErrors}  restarts ${s.restarts}  pushes ${s.pushes}  push failures ${s.pushFailures}  unregistered ${s.unregistered}\n`,
    );
  };
  const every = setInterval(report, 10_000);
  const finish = async () => {
    clearInterval(every);
    await fleet.stop();
    report();
    process.exit(0);
  };
  process.on('SIGINT', () => void finish());
  setTimeout(() => void finish(), o.durationSeconds * 1000);
  return new Promise<never>(() => undefined);
}
