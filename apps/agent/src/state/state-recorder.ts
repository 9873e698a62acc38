import type { Log } from '../platform/log.ts';
import { tokenPrefix } from '../platform/log.ts';
import type { ReportOutcome } from '../report/reporter.ts';
import type { CollectorSnapshot } from '../supervisor/collector-supervisor.ts';
import { writeAgentState, type AgentState } from './agent-state.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Collects what `status` shows and rewrites state.json on every change. */
export class StateRecorder {
  private lastReport: ReportOutcome | null = null;
  private lastRotation: { atMs: number; ok: boolean; message: string } | null = null;
  private collectorVersion: string | null = null;
  private agentRunning = true;
  private writeFailed = false;

  constructor(
    private readonly path: string,
    private readonly binary: string,
    private readonly source: { snapshot: () => CollectorSnapshot; bearer: () => string },
    private readonly log: Log,
  ) {}

  reportOutcome(outcome: ReportOutcome): void {
    this.lastReport = outcome;
    this.write();
  }

  rotation(ok: boolean, message: string): void {
    this.lastRotation = { atMs: Date.now(), ok, message };
    this.write();
  }

  version(version: string | null): void {
    this.collectorVersion = version;
  }

  agentStopped(): void {
    this.agentRunning = false;
    this.write();
  }

  /** Never throws: a full disk must not stop supervision. Logs the first failure of a streak. */
  write(): void {
    try {
      writeAgentState(this.path, this.build());
      this.writeFailed = false;
    } catch (error) {
      if (!this.writeFailed)
        this.log('agent.state', 'write failed', { path: this.path, error: String(error) });
      this.writeFailed = true;
    }
  }

  private build(): AgentState {
    const s = this.source.snapshot();
    return {
      updatedAt: new Date().toISOString(),
      agentPid: process.pid,
      agentRunning: this.agentRunning,
      bearerPrefix: tokenPrefix(this.source.bearer()),
      collector: {
        binary: this.binary,
        version: this.collectorVersion,
        pid: s.pid,
        running: s.running,
        startedAt: iso(s.startedAtMs),
        restartCount: s.restartCount,
        plannedRestarts: s.plannedRestarts,
        lastExit:
          s.lastExit === null
            ? null
            : { code: s.lastExit.code, signal: s.lastExit.signal, at: iso(s.lastExit.atMs) ?? '' },
        nextStartAt: iso(s.nextStartAtMs),
        recentStarts: [...s.recentStarts],
      },
      lastReport:
        this.lastReport === null
          ? null
          : {
              at: iso(this.lastReport.atMs) ?? '',
              ok: this.lastReport.ok,
              status: this.lastReport.status,
              message: this.lastReport.message,
            },
      lastRotation:
        this.lastRotation === null
          ? null
          : {
              at: iso(this.lastRotation.atMs) ?? '',
              ok: this.lastRotation.ok,
              message: this.lastRotation.message,
            },
    };
  }
}
