/**
 * `npm run bench:ingest` — self-telemetry ingest under fleet load.
 *
 * Starts the real server (a separate process, SQLite in a temporary directory), provisions
 * simulated otelcol collectors through the API, and lets them push their self-telemetry
 * (~120 points each, protobuf, keep-alive connections) at a target rate. Prints achieved
 * pushes/s and data points/s, p50/p99 latency, the server's CPU and RSS, and — measured in the
 * same run on the same payloads — the decode-only rate (the ceiling), as a ratio.
 *
 * The goal (issue 3): 100,000 collectors at a 30 s interval ≈ 3,400 pushes/s with p99 < 100 ms.
 * Load comes from fewer collectors pushing more often (same pushes/s, same payloads); the
 * generator shares the machine's cores with the server.
 *
 * Options (env): BENCH_TARGET_PUSHES_PER_SEC (3400), BENCH_COLLECTORS (2000),
 * BENCH_SECONDS (20), BENCH_CONCURRENCY (128).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wantsMetric } from '../apps/server/src/domain/telemetry/self-metric-names.ts';
import { decodeMetricsProtobuf } from '../apps/server/src/protocols/otlp/otlp-protobuf.decoder.ts';
import { FleetRunner, percentile, provisionCollectors } from '../tools/sim/src/fleet.ts';
import { SimCollector } from '../tools/sim/src/sim-collector.ts';
import { decodeOnlyRate } from './otlp-decode.bench.ts';

const targetPushesPerSec = Number(process.env.BENCH_TARGET_PUSHES_PER_SEC ?? 3400);
const collectorCount = Number(process.env.BENCH_COLLECTORS ?? 2000);
const measureSeconds = Number(process.env.BENCH_SECONDS ?? 20);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 128);
const warmupSeconds = 5;
const adminToken = 'lmsat_' + 'b'.repeat(43);

interface ProcessSample {
  cpuSeconds: number;
  rssMb: number;
}

/** CPU seconds (user + system) and RSS of a process, from /proc (Linux). */
function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssPages = Number(fields[21]);
  return { cpuSeconds: ticks / 100, rssMb: (rssPages * 4096) / 1024 / 1024 };
}

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const bin = fileURLToPath(new URL('../apps/server/src/bin.ts', import.meta.url));
  const extraArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extraArgs, '--import', 'tsx', bin], {
    env: {
      PATH: process.env.PATH ?? '',
      LINKMESH_DATA_DIR: dataDir,
      LINKMESH_LISTEN: '127.0.0.1:0',
      LINKMESH_ADMIN_TOKEN: adminToken,
      LINKMESH_LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', () => {
      const match = /LinkMesh is running: (http:\/\/\S+)/.exec(stderr);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
  child.stdout.on('data', (chunk: Buffer) => {
    if (process.env.BENCH_SERVER_LOGS) process.stderr.write(chunk);
  });
  return { child, url };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linkmesh-bench-'));
  const { child, url } = await startServer(dataDir);
  try {
    process.stderr.write(`server ${url} (pid ${child.pid}); provisioning ${collectorCount} collectors …\n`);
    const collectors = await provisionCollectors(url, adminToken, collectorCount, { parallel: 16 });
    const intervalMs = (collectorCount / targetPushesPerSec) * 1000;
    const fleet = new FleetRunner({
      serverUrl: url,
      collectors,
      intervalMs,
      concurrency,
      restartProbability: 0.0005,
    });
    fleet.start();
    await new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1000));

    const pid = child.pid!;
    const before = sampleProcess(pid);
    const generatorBefore = process.cpuUsage();
    const statsBefore = { ...fleet.stats, latenciesMs: [] as number[] };
    fleet.stats.latenciesMs.length = 0;
    const startedMs = performance.now();
    let peakRssMb = before.rssMb;
    const rssTimer = setInterval(() => (peakRssMb = Math.max(peakRssMb, sampleProcess(pid).rssMb)), 500);
    await new Promise((resolve) => setTimeout(resolve, measureSeconds * 1000));
    clearInterval(rssTimer);
    const elapsedSec = (performance.now() - startedMs) / 1000;
    const after = sampleProcess(pid);
    const generatorUsage = process.cpuUsage(generatorBefore);
    const generatorCpuPercent = ((generatorUsage.user + generatorUsage.system) / 1e6 / elapsedSec) * 100;
    const pushes = fleet.stats.pushes - statsBefore.pushes;
    const failures = fleet.stats.failures - statsBefore.failures;
    const late = fleet.stats.late - statsBefore.late;
    const latencies = [...fleet.stats.latenciesMs];
    await fleet.stop();

    // The ceiling: decode-only rate of the same kind of payloads, in this process.
    const sim = new SimCollector(
      {
        baseItemsPerSec: 500,
        failingExporter: false,
        restartProbability: 0,
        withoutPrefix: false,
        instanceId: 'x',
        hostName: 'h',
        seed: 1,
      },
      Date.now(),
    );
    const payloads = Array.from({ length: 64 }, (_, i) => {
      sim.advance(Date.now() + i * 1000);
      return sim.encode(Date.now() + i * 1000);
    });
    const pointsPerPush = decodeMetricsProtobuf(payloads[0]!, { wants: () => true }).resources.reduce(
      (n, r) => n + r.points.length,
      0,
    );
    const decode = decodeOnlyRate(payloads, 3, { wants: wantsMetric });

    const achieved = pushes / elapsedSec;
    const serverCpuPercent = ((after.cpuSeconds - before.cpuSeconds) / elapsedSec) * 100;
    const lines = [
      `machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, SQLite storage`,
      `load: ${collectorCount} collectors × every ${intervalMs.toFixed(0)} ms (target ${targetPushesPerSec} pushes/s ≈ ${Math.round(targetPushesPerSec * 30).toLocaleString('en')} collectors at 30 s), concurrency ${concurrency}, ${measureSeconds} s measured after ${warmupSeconds} s warm-up`,
      `ingest: ${achieved.toFixed(0)} pushes/s, ${Math.round(achieved * pointsPerPush).toLocaleString('en')} data points/s (${pointsPerPush} points/push), failures ${failures}, late starts ${late}`,
      `latency: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${percentile(latencies, 100).toFixed(1)} ms`,
      `server: CPU ${serverCpuPercent.toFixed(0)}% of one core, RSS ${after.rssMb.toFixed(0)} MiB (peak ${peakRssMb.toFixed(0)} MiB); load generator CPU ${generatorCpuPercent.toFixed(0)}% of one core`,
      `baseline (same run): decode-only ${decode.payloadsPerSecond.toFixed(0)} pushes/s on one core`,
      `ratio: ingest ÷ decode-only = ${(achieved / decode.payloadsPerSecond).toFixed(3)}; per server core-second ${(achieved / (serverCpuPercent / 100)).toFixed(0)} pushes`,
      `goal: ${achieved >= targetPushesPerSec * 0.98 && percentile(latencies, 99) < 100 ? 'MET' : 'NOT MET'} (≥ ${targetPushesPerSec} pushes/s with p99 < 100 ms)`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
