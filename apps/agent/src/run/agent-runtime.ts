import type { AgentConfig } from '../config/agent-config.ts';
import type { Log } from '../platform/log.ts';
import { buildAgentReport } from '../report/host-context.ts';
import { Reporter, type Rotation } from '../report/reporter.ts';
import { applyRotation } from '../rotation/apply-rotation.ts';
import { StateRecorder } from '../state/state-recorder.ts';
import { CollectorSupervisor } from '../supervisor/collector-supervisor.ts';
import { collectorVersion } from '../supervisor/collector-version.ts';

/** The final report on shutdown waits at most this long (the server may be down). */
const finalReportTimeoutMs = 2_000;
const reportTimeoutMs = 10_000;

/** `run` wired together: supervisor, reporter, rotation and the state file. */
export class AgentRuntime {
  private config: AgentConfig;
  private readonly supervisor: CollectorSupervisor;
  private readonly reporter: Reporter;
  private readonly state: StateRecorder;
  private version: string | null = null;
  /** `rotatedAt` of a rotation whose box did not open: the server offers it on every report; retrying is pointless. */
  private failedRotationAt: string | null = null;

  constructor(
    config: AgentConfig,
    private readonly configPath: string,
    private readonly log: Log,
  ) {
    this.config = config;
    const { supervisor: timings, collector } = config;
    this.supervisor = new CollectorSupervisor({
      binary: collector.binary,
      args: collector.args,
      backoff: {
        initialMs: timings.restartBackoffInitialMs,
        maxMs: timings.restartBackoffMaxMs,
        resetAfterMs: timings.restartBackoffResetAfterMs,
      },
      stopTimeoutMs: timings.stopTimeoutMs,
      log,
      onChange: () => {
        this.state.write();
        this.reporter.trigger();
      },
    });
    this.state = new StateRecorder(
      config.stateFile,
      collector.binary,
      { snapshot: () => this.supervisor.snapshot(), bearer: () => this.config.collectorToken },
      log,
    );
    this.reporter = new Reporter({
      reportIntervalSeconds: config.reportIntervalSeconds,
      requestTimeoutMs: reportTimeoutMs,
      credentials: () => ({ url: this.config.endpoints.agentReport, bearer: this.config.collectorToken }),
      buildReport: () => this.buildReport(),
      onOutcome: (outcome) => this.state.reportOutcome(outcome),
      onRotation: (rotation) => this.rotate(rotation),
      log,
    });
  }

  start(): void {
    this.log('agent.run', 'starting', {
      collector_id: this.config.collectorId,
      server: this.config.server,
      binary: this.config.collector.binary,
    });
    this.state.write();
    this.supervisor.start();
    this.reporter.start();
  }

  /** Stops reporting, stops the collector (SIGTERM, then SIGKILL), reports once more, marks the state stopped. */
  async stop(): Promise<void> {
    await this.reporter.stop();
    await this.supervisor.stop();
    await this.reporter.finalReport(finalReportTimeoutMs);
    this.state.agentStopped();
    this.log('agent.run', 'stopped');
  }

  private async buildReport() {
    this.version = await collectorVersion(this.config.collector.binary);
    this.state.version(this.version);
    return buildAgentReport({
      binary: this.config.collector.binary,
      version: this.version,
      snapshot: this.supervisor.snapshot(),
    });
  }

  private async rotate(rotation: Rotation): Promise<boolean> {
    if (rotation.rotatedAt === this.failedRotationAt) return false;
    const result = applyRotation(rotation, this.config, this.configPath, this.log);
    switch (result.kind) {
      case 'unchanged':
        return false;
      case 'failed':
        if (!result.retriable) this.failedRotationAt = rotation.rotatedAt;
        this.state.rotation(false, result.reason);
        return false;
      case 'applied':
        this.config = result.config;
        this.state.rotation(true, `bearer rotated at ${rotation.rotatedAt}`);
        await this.supervisor.restartNow('rotation');
        return true;
    }
  }
}
