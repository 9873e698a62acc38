/**
 * `npm run bench:remotecfg` — Alloy `remotecfg` polling: `GetConfig` requests/s when every answer
 * is `not_modified` (the steady state of an Alloy fleet), against the full server.
 *
 * Starts the real server (separate process, SQLite) and, as the baseline in the same run, a bare
 * `node:http` server (separate process) answering every POST with a constant 200
 * `application/proto` body of the same bytes as a `not_modified` answer. N Alloy collectors are
 * created through the API, each with its own bearer; each fetches its config once (hash "") and
 * registers. Then one closed-loop generator (C keep-alive HTTP/1.1 connections, one request in
 * flight each, pre-encoded requests: Connect binary codec with Alloy's headers and the hash it
 * got) drives first the server, then the baseline with byte-identical requests. Prints req/s,
 * p50/p99 latency, server and generator CPU, the ratio server ÷ bare, and the machine.
 *
 * Options (env): BENCH_COLLECTORS (200), BENCH_CONCURRENCY (64), BENCH_SECONDS (10),
 * BENCH_WARMUP_SECONDS (3); BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof")
 * is passed to the server's node.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  GetConfigRequestSchema,
  GetConfigResponseSchema,
  RegisterCollectorRequestSchema,
} from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, provisionCollectors } from '../tools/sim/src/fleet.ts';
import { runLoad, type LoadResult } from './http-load.ts';

const collectorCount = Number(process.env.BENCH_COLLECTORS ?? 200);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 64);
const measureSeconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const adminToken = 'lmsat_' + 'd'.repeat(43);
const getConfigPath = '/collector.v1.CollectorService/GetConfig';
const alloyVersion = 'v1.11.3';

/** Headers connect-go sends for Alloy (protocols.md §3.2), before Host and Authorization. */
const connectHeaders = {
  'content-type': 'application/proto',
  'connect-protocol-version': '1',
  'accept-encoding': 'gzip',
  'user-agent': `Alloy/${alloyVersion} (linux; binary)`,
} as const;

/** CPU seconds (user + system) of a process, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime + stime in clock ticks (USER_HZ, 100 on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Starts a child process and resolves with the URL it prints (matched by `pattern`). */
function startChild(
  args: string[],
  env: NodeJS.ProcessEnv,
  pattern: RegExp,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match?.[1]) resolve({ child, url: match[1] });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
}

interface PollingAlloy {
  readonly bearer: string;
  /** GetConfigRequest as Alloy sends it each poll: id, the hash it holds, its attributes. */
  readonly body: Uint8Array;
}

/** Alloy's start for one collector (GetConfig with hash "", RegisterCollector); its poll body. */
async function startAlloy(serverUrl: string, bearer: string, index: number): Promise<PollingAlloy> {
  const id = randomUUID();
  const localAttributes = {
    env: index % 2 === 0 ? 'prod' : 'staging',
    cluster: `eu${index % 4}`,
    'collector.os': 'linux',
    'collector.version': alloyVersion,
  };
  const call = async (method: string, body: Uint8Array) => {
    const response = await fetch(`${serverUrl}/collector.v1.CollectorService/${method}`, {
      method: 'POST',
      headers: { ...connectHeaders, authorization: `Bearer ${bearer}` },
      body,
    });
    if (response.status !== 200) throw new Error(`${method} → ${response.status}: ${await response.text()}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  const first = fromBinary(
    GetConfigResponseSchema,
    await call(
      'GetConfig',
      toBinary(GetConfigRequestSchema, create(GetConfigRequestSchema, { id, localAttributes })),
    ),
  );
  await call(
    'RegisterCollector',
    toBinary(
      RegisterCollectorRequestSchema,
      create(RegisterCollectorRequestSchema, { id, name: `alloy-${index}`, localAttributes }),
    ),
  );
  const poll = create(GetConfigRequestSchema, { id, hash: first.hash, localAttributes });
  return { bearer, body: toBinary(GetConfigRequestSchema, poll) };
}

/** One complete HTTP/1.1 request per Alloy, for the given target (only `Host` differs). */
function encodeRequests(alloys: readonly PollingAlloy[], url: URL): Buffer[] {
  return alloys.map(({ bearer, body }) => {
    const head =
      `POST ${getConfigPath} HTTP/1.1\r\n` +
      `host: ${url.host}\r\n` +
      `authorization: Bearer ${bearer}\r\n` +
      Object.entries(connectHeaders)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('') +
      `content-length: ${body.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  });
}

interface Measured {
  readonly load: LoadResult;
  readonly serverCpuPercent: number;
  readonly generatorCpuPercent: number;
}

async function measure(
  pid: number,
  url: string,
  requests: Buffer[],
  expectedBody: Buffer,
): Promise<Measured> {
  const target = new URL(url);
  const warmupDone = new Promise<{ server: number; generator: NodeJS.CpuUsage }>((resolve) =>
    setTimeout(
      () => resolve({ server: cpuSeconds(pid), generator: process.cpuUsage() }),
      warmupSeconds * 1000,
    ),
  );
  const loaded = runLoad({
    host: target.hostname,
    port: Number(target.port),
    requests,
    connections: concurrency,
    warmupMs: warmupSeconds * 1000,
    durationMs: measureSeconds * 1000,
    expectedBody,
  });
  const before = await warmupDone;
  const load = await loaded;
  // The window closed before the answers in flight were drained: a little CPU after it is counted.
  const serverCpuPercent = ((cpuSeconds(pid) - before.server) / load.elapsedSeconds) * 100;
  const generator = process.cpuUsage(before.generator);
  const generatorCpuPercent = ((generator.user + generator.system) / 1e6 / load.elapsedSeconds) * 100;
  return { load, serverCpuPercent, generatorCpuPercent };
}

function summary(name: string, { load, serverCpuPercent, generatorCpuPercent }: Measured): string {
  const rate = load.requests / load.elapsedSeconds;
  const perCoreSecond = rate / (serverCpuPercent / 100);
  return (
    `${name}: ${rate.toFixed(0)} req/s, p50 ${percentile(load.latenciesMs, 50).toFixed(2)} ms, ` +
    `p99 ${percentile(load.latenciesMs, 99).toFixed(2)} ms, errors ${load.errors}, unexpected bodies ${load.unexpected}; ` +
    `server CPU ${serverCpuPercent.toFixed(0)}% of one core (${perCoreSecond.toFixed(0)} req per server core-second); ` +
    `generator CPU ${generatorCpuPercent.toFixed(0)}%`
  );
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linkmesh-bench-remotecfg-'));
  const bin = fileURLToPath(new URL('../apps/server/src/bin.ts', import.meta.url));
  const bare = fileURLToPath(new URL('./bare-http.server.ts', import.meta.url));
  const notModified = Buffer.from(
    toBinary(GetConfigResponseSchema, create(GetConfigResponseSchema, { notModified: true })),
  );
  const env = { PATH: process.env.PATH ?? '' };
  const extraArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const server = await startChild(
    [...extraArgs, '--import', 'tsx', bin],
    {
      ...env,
      LINKMESH_DATA_DIR: dataDir,
      LINKMESH_LISTEN: '127.0.0.1:0',
      LINKMESH_ADMIN_TOKEN: adminToken,
      LINKMESH_LOG_LEVEL: 'warn',
    },
    /LinkMesh is running: (http:\/\/\S+)/,
  );
  const baseline = await startChild(
    ['--import', 'tsx', bare],
    { ...env, BENCH_BARE_BODY_HEX: notModified.toString('hex') },
    /listening (http:\/\/\S+)/,
  );
  try {
    process.stderr.write(`server ${server.url}; provisioning ${collectorCount} Alloy collectors …\n`);
    const collectors = await provisionCollectors(server.url, adminToken, collectorCount, {
      parallel: 16,
      runtime: 'alloy',
    });
    const alloys = await Promise.all(collectors.map((c, i) => startAlloy(server.url, c.bearer, i)));

    process.stderr.write(`LinkMesh: ${warmupSeconds} s warm-up, ${measureSeconds} s measured …\n`);
    const linkmesh = await measure(
      server.child.pid!,
      server.url,
      encodeRequests(alloys, new URL(server.url)),
      notModified,
    );
    process.stderr.write(`bare node:http: ${warmupSeconds} s warm-up, ${measureSeconds} s measured …\n`);
    const bareRun = await measure(
      baseline.child.pid!,
      baseline.url,
      encodeRequests(alloys, new URL(baseline.url)),
      notModified,
    );

    const rate = (m: Measured) => m.load.requests / m.load.elapsedSeconds;
    const perCore = (m: Measured) => rate(m) / (m.serverCpuPercent / 100);
    const ratio = rate(linkmesh) / rate(bareRun);
    process.stdout.write(
      [
        `machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, SQLite storage`,
        `load: ${collectorCount} Alloy collectors (own bearer each), ${concurrency} keep-alive HTTP/1.1 connections, one GetConfig in flight each, Connect binary, ${measureSeconds} s measured after ${warmupSeconds} s warm-up; request ${encodeRequests(alloys.slice(0, 1), new URL(server.url))[0]?.length ?? 0} bytes, answer body ${notModified.length} bytes`,
        summary('linkmesh GetConfig (not_modified)', linkmesh),
        summary('baseline (same run): bare node:http', bareRun),
        `ratio: linkmesh ÷ bare = ${ratio.toFixed(3)} req/s (goal ≥ 0.5: ${ratio >= 0.5 ? 'MET' : 'NOT MET'}); per server core-second ${(perCore(linkmesh) / perCore(bareRun)).toFixed(3)}`,
      ].join('\n') + '\n',
    );
  } finally {
    server.child.kill('SIGTERM');
    baseline.child.kill('SIGTERM');
    await Promise.all(
      [server, baseline].map(({ child }) =>
        child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : Promise.resolve(),
      ),
    );
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
