import {
  arch,
  availableParallelism,
  cpus,
  freemem,
  hostname,
  loadavg,
  platform,
  release,
  totalmem,
  uptime,
} from 'node:os';
import type { AgentReportRequest } from '@linkmesh/contracts/agent-api';
import type { CollectorSnapshot } from '../supervisor/collector-supervisor.ts';
import { agentVersion } from '../version.ts';

/** The body of `POST /api/v1/agent/report`: this host now, and the supervised collector. */
export function buildAgentReport(
  collector: { binary: string; version: string | null; snapshot: CollectorSnapshot },
  nowMs: number = Date.now(),
): AgentReportRequest {
  const { snapshot } = collector;
  const cpuList = cpus();
  return {
    agentVersion,
    host: {
      hostname: hostname().slice(0, 253) || 'unknown',
      os: platform(),
      osRelease: release().slice(0, 128),
      arch: arch(),
      // Some containers hide /proc/cpuinfo: cpus() is then empty.
      cpuCount: cpuList.length > 0 ? cpuList.length : availableParallelism(),
      cpuModel: (cpuList[0]?.model ?? '').trim().slice(0, 256),
      memoryTotalBytes: totalmem(),
      memoryFreeBytes: freemem(),
      uptimeSeconds: uptime(),
      loadAverage1m: loadavg()[0] ?? 0,
    },
    collector: {
      binary: collector.binary.slice(0, 4096),
      version: collector.version,
      running: snapshot.running,
      pid: snapshot.running ? snapshot.pid : null,
      restartCount: snapshot.restartCount,
      uptimeSeconds:
        snapshot.running && snapshot.startedAtMs !== null
          ? Math.max(0, (nowMs - snapshot.startedAtMs) / 1000)
          : null,
      lastExitCode: snapshot.lastExit?.code ?? null,
      lastExitSignal: snapshot.lastExit?.signal ?? null,
      lastExitAt: snapshot.lastExit === null ? null : new Date(snapshot.lastExit.atMs).toISOString(),
      nextStartInSeconds:
        snapshot.nextStartAtMs === null ? null : Math.max(0, (snapshot.nextStartAtMs - nowMs) / 1000),
    },
  };
}
