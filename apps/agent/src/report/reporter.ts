import type { AgentReportRequest, AgentReportResponse } from '@linkmesh/contracts/agent-api';
import type { Log } from '../platform/log.ts';
import type { HttpFailure } from '../server/http.ts';
import { sendAgentReport } from '../server/report.client.ts';

export type Rotation = NonNullable<AgentReportResponse['rotation']>;

export interface ReportOutcome {
  readonly atMs: number;
  readonly ok: boolean;
  readonly status: number | null;
  readonly message: string;
}

export interface ReporterOptions {
  /** The operator's upper bound; the server's `reportIntervalSeconds` applies when it is shorter. */
  readonly reportIntervalSeconds: number;
  readonly requestTimeoutMs: number;
  /** Read before each report: a rotation changes the bearer. */
  readonly credentials: () => { url: string; bearer: string };
  readonly buildReport: () => Promise<AgentReportRequest>;
  readonly onOutcome: (outcome: ReportOutcome) => void;
  /** Applies a rotation; true when the bearer changed (the agent then reports again at once). */
  readonly onRotation: (rotation: Rotation) => Promise<boolean>;
  readonly log: Log;
}

/**
 * Sends host-context reports: at start, every interval, and whenever `trigger()` is called
 * (collector start or exit). Reports never overlap — a trigger during one queues exactly one
 * more — so a rotation is applied once and the next report carries the new bearer. A server
 * that is down only costs log lines; supervision goes on.
 */
export class Reporter {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private serverIntervalSeconds: number | null = null;
  private lastOk: boolean | null = null;

  constructor(private readonly options: ReporterOptions) {}

  start(): void {
    this.trigger();
  }

  /** Report as soon as possible (after the one in flight, if any). */
  trigger(): void {
    if (this.stopped) return;
    if (this.inFlight !== null) {
      this.again = true;
      return;
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.inFlight = this.cycle().finally(() => {
      this.inFlight = null;
      this.scheduleNext();
    });
  }

  /** Stops the schedule and waits for a report in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /** One last report after `stop()` (the collector detail then shows it stopped); rotations are ignored. */
  async finalReport(timeoutMs: number): Promise<void> {
    await this.stop();
    await this.reportOnce(timeoutMs, false);
  }

  /** Milliseconds between reports: the shorter of the local and the server's interval. */
  intervalMs(): number {
    const seconds = Math.min(this.options.reportIntervalSeconds, this.serverIntervalSeconds ?? Infinity);
    return Math.round(seconds * 1000);
  }

  private async cycle(): Promise<void> {
    for (;;) {
      this.again = false;
      await this.reportOnce(this.options.requestTimeoutMs, true);
      if (!this.repeatWanted()) return;
    }
  }

  /** A method, not a field read: the compiler cannot see that the awaited report may set `again`. */
  private repeatWanted(): boolean {
    return this.again && !this.stopped;
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.trigger();
    }, this.intervalMs());
  }

  private async reportOnce(timeoutMs: number, applyRotation: boolean): Promise<void> {
    try {
      await this.exchange(timeoutMs, applyRotation);
    } catch (error) {
      // A bug here must not end the schedule (or the agent): log it and try again next time.
      this.recordFailure({ kind: 'unreachable', message: `unexpected: ${String(error)}` });
    }
  }

  private async exchange(timeoutMs: number, applyRotation: boolean): Promise<void> {
    const { url, bearer } = this.options.credentials();
    const answer = await sendAgentReport(url, bearer, await this.options.buildReport(), timeoutMs);
    if ('kind' in answer) {
      this.recordFailure(answer);
      return;
    }
    this.serverIntervalSeconds = answer.reportIntervalSeconds;
    if (this.lastOk !== true) this.options.log('agent.report', 'ok', { interval_ms: this.intervalMs() });
    this.lastOk = true;
    this.options.onOutcome({ atMs: Date.now(), ok: true, status: null, message: 'ok' });
    if (applyRotation && answer.rotation !== null && (await this.options.onRotation(answer.rotation)))
      this.again = true;
  }

  private recordFailure(failure: HttpFailure): void {
    this.lastOk = false;
    const status = failure.kind === 'unreachable' ? null : failure.status;
    this.options.log('agent.report', 'failed', { status: status ?? undefined, error: failure.message });
    this.options.onOutcome({ atMs: Date.now(), ok: false, status, message: failure.message });
  }
}
