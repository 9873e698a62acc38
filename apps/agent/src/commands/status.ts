import { resolve } from 'node:path';
import { loadAgentConfig, type AgentConfig } from '../config/agent-config.ts';
import { resolveConfigPath } from '../config/paths.ts';
import { exitCodes } from '../platform/exit-codes.ts';
import { tokenPrefix } from '../platform/log.ts';
import { readAgentState, type AgentState } from '../state/agent-state.ts';

/** What `status --json` prints (stable keys for scripts). */
export interface StatusReport {
  configPath: string;
  server: string;
  collectorId: string;
  hostname: string;
  bearerPrefix: string;
  collectorBinary: string;
  alloyConfigPath: string;
  stateFile: string;
  agent: { pid: number | null; running: boolean };
  collector: {
    pid: number | null;
    running: boolean;
    version: string | null;
    restartCount: number;
    plannedRestarts: number;
    lastExit: { code: number | null; signal: string | null; at: string } | null;
    nextStartAt: string | null;
  };
  lastReport: { at: string; ok: boolean; status: number | null; message: string } | null;
  lastRotation: { at: string; ok: boolean; message: string } | null;
  stateError: string | null;
}

/** `linkmesh-agent status`: exit 0 whether or not the agent runs; 2 without a config. */
export function statusCommand(options: { config?: string; json: boolean }): Promise<number> {
  const configPath = resolve(resolveConfigPath(options.config));
  const config = loadAgentConfig(configPath);
  const report = buildStatus(configPath, config);
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
  return Promise.resolve(exitCodes.ok);
}

function buildStatus(configPath: string, config: AgentConfig): StatusReport {
  let state: AgentState | null = null;
  let stateError: string | null = null;
  try {
    state = readAgentState(config.stateFile);
  } catch (error) {
    stateError = error instanceof Error ? error.message : String(error);
  }
  // A state file left by a killed agent says "running"; the pid decides.
  const agentRunning = state !== null && state.agentRunning && isAlive(state.agentPid);
  const collectorRunning = agentRunning && state?.collector.running === true && isAlive(state.collector.pid);
  return {
    configPath,
    server: config.server,
    collectorId: config.collectorId,
    hostname: config.hostname,
    bearerPrefix: tokenPrefix(config.collectorToken),
    collectorBinary: config.collector.binary,
    alloyConfigPath: config.collector.configPath,
    stateFile: config.stateFile,
    agent: { pid: state?.agentPid ?? null, running: agentRunning },
    collector: {
      pid: collectorRunning ? (state?.collector.pid ?? null) : null,
      running: collectorRunning,
      version: state?.collector.version ?? null,
      restartCount: state?.collector.restartCount ?? 0,
      plannedRestarts: state?.collector.plannedRestarts ?? 0,
      lastExit: state?.collector.lastExit ?? null,
      nextStartAt: agentRunning ? (state?.collector.nextStartAt ?? null) : null,
    },
    lastReport: state?.lastReport ?? null,
    lastRotation: state?.lastRotation ?? null,
    stateError,
  };
}

function formatStatus(s: StatusReport): string {
  const exit = s.collector.lastExit;
  const report = s.lastReport;
  const rows: Array<[string, string]> = [
    ['config', s.configPath],
    ['server', s.server],
    ['collector id', s.collectorId],
    ['hostname', s.hostname],
    ['bearer', s.bearerPrefix],
    ['collector', `${s.collectorBinary}${s.collector.version === null ? '' : ` (${s.collector.version})`}`],
    ['alloy config', s.alloyConfigPath],
    ['agent', s.agent.running ? `running (pid ${String(s.agent.pid)})` : 'not running'],
    [
      'collector process',
      s.collector.running
        ? `running (pid ${String(s.collector.pid)})`
        : s.collector.nextStartAt !== null
          ? `restarting at ${s.collector.nextStartAt}`
          : 'not running',
    ],
    [
      'restarts',
      `${s.collector.restartCount} after exits, ${s.collector.plannedRestarts} planned (rotation)`,
    ],
    [
      'last exit',
      exit === null ? 'never' : `${exit.at} code=${String(exit.code)} signal=${String(exit.signal)}`,
    ],
    [
      'last report',
      report === null
        ? 'never'
        : `${report.at} ${report.ok ? 'ok' : 'failed'}${report.status === null ? '' : ` status=${report.status}`}${report.ok ? '' : ` ${report.message}`}`,
    ],
  ];
  if (s.lastRotation !== null)
    rows.push([
      'last rotation',
      `${s.lastRotation.at} ${s.lastRotation.ok ? 'ok' : 'failed'} ${s.lastRotation.message}`,
    ]);
  if (s.stateError !== null) rows.push(['state', s.stateError]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`).join('\n') + '\n';
}

function isAlive(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else (status run without root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
