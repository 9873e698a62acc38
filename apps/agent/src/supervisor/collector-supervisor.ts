import { spawn, type ChildProcess } from 'node:child_process';
import type { Log } from '../platform/log.ts';
import { recentStartsLimit, type CollectorStart } from '../state/agent-state.ts';
import { RestartBackoff, type BackoffPolicy } from './restart-backoff.ts';

export interface CollectorExit {
  readonly code: number | null;
  readonly signal: string | null;
  readonly atMs: number;
}

/** What the supervisor knows right now (reports and the state file are built from it). */
export interface CollectorSnapshot {
  readonly pid: number | null;
  readonly running: boolean;
  readonly startedAtMs: number | null;
  readonly restartCount: number;
  readonly plannedRestarts: number;
  readonly lastExit: CollectorExit | null;
  readonly nextStartAtMs: number | null;
  readonly recentStarts: readonly CollectorStart[];
}

export interface SupervisorOptions {
  readonly binary: string;
  readonly args: readonly string[];
  readonly backoff: BackoffPolicy;
  readonly stopTimeoutMs: number;
  readonly log: Log;
  /** Called after every start and exit (the agent writes its state file and reports). */
  readonly onChange: (change: 'started' | 'exited') => void;
}

/**
 * Runs the collector as a child with inherited stdio (its logs land in the agent unit's
 * journal), restarts it with exponential back-off when it exits by itself, and stops it with
 * SIGTERM, then SIGKILL after `stopTimeoutMs`.
 */
export class CollectorSupervisor {
  private child: ChildProcess | null = null;
  private childExited: Promise<void> = Promise.resolve();
  private startedAtMs: number | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private nextStartAtMs: number | null = null;
  private restartCount = 0;
  private plannedRestarts = 0;
  private lastExit: CollectorExit | null = null;
  private readonly recentStarts: CollectorStart[] = [];
  private readonly backoff: RestartBackoff;
  /** Set while the agent itself stops the child: that exit must not schedule a restart. */
  private stoppingChild = false;
  private stopped = false;

  constructor(private readonly options: SupervisorOptions) {
    this.backoff = new RestartBackoff(options.backoff);
  }

  /** The first start. */
  start(): void {
    this.spawnChild();
  }

  /**
   * A planned restart (new bearer in the bootstrap file): SIGTERM, wait, start again at once —
   * no back-off and not counted in `restartCount`. While the collector is backing off after a
   * crash nothing is done: its next start reads the new file anyway.
   */
  async restartNow(reason: string): Promise<void> {
    if (this.child === null || this.stopped) return;
    this.options.log('agent.collector', 'restarting', { reason });
    await this.stopChild();
    if (this.isStopped()) return; // the agent began shutting down while the collector stopped
    this.plannedRestarts += 1;
    this.spawnChild();
  }

  /** Final stop (the agent is shutting down): no restart afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.nextStartAtMs = null;
    await this.stopChild();
  }

  /** A method, not a field read: `stop()` may run while `restartNow` awaits. */
  isStopped(): boolean {
    return this.stopped;
  }

  snapshot(): CollectorSnapshot {
    return {
      pid: this.child?.pid ?? null,
      running: this.child !== null,
      startedAtMs: this.child === null ? null : this.startedAtMs,
      restartCount: this.restartCount,
      plannedRestarts: this.plannedRestarts,
      lastExit: this.lastExit,
      nextStartAtMs: this.nextStartAtMs,
      recentStarts: this.recentStarts.map((start) => ({ ...start })),
    };
  }

  private spawnChild(): void {
    this.nextStartAtMs = null;
    const startedAtMs = Date.now();
    const child = spawn(this.options.binary, [...this.options.args], { stdio: 'inherit' });
    const record: CollectorStart = {
      pid: child.pid ?? null,
      startedAt: new Date(startedAtMs).toISOString(),
      exitedAt: null,
      exitCode: null,
      exitSignal: null,
      restartDelayMs: null,
      planned: false,
    };
    this.recentStarts.push(record);
    if (this.recentStarts.length > recentStartsLimit) this.recentStarts.shift();
    this.child = child;
    this.startedAtMs = startedAtMs;
    this.childExited = new Promise((resolve) => {
      let ended = false;
      const onEnd = (code: number | null, signal: string | null, error?: string) => {
        if (ended) return;
        ended = true;
        this.handleExit(record, { code, signal, atMs: Date.now() }, error);
        resolve();
      };
      // A binary that cannot be spawned (ENOENT, EACCES) gets 'error' and maybe no 'exit'.
      child.once('error', (error: NodeJS.ErrnoException) => onEnd(null, null, error.code ?? error.message));
      child.once('exit', (code, signal) => onEnd(code, signal));
    });
    if (child.pid !== undefined) {
      this.options.log('agent.collector', 'started', { pid: child.pid, binary: this.options.binary });
      this.options.onChange('started');
    }
  }

  private handleExit(record: CollectorStart, exit: CollectorExit, spawnError: string | undefined): void {
    this.child = null;
    this.lastExit = exit;
    record.exitedAt = new Date(exit.atMs).toISOString();
    record.exitCode = exit.code;
    record.exitSignal = exit.signal;
    const uptimeMs = exit.atMs - (this.startedAtMs ?? exit.atMs);
    const planned = this.stoppingChild || this.stopped;
    record.planned = planned;
    if (planned) {
      this.options.log('agent.collector', 'stopped', {
        code: exit.code,
        signal: exit.signal,
        uptime_ms: uptimeMs,
      });
    } else {
      const delayMs = this.backoff.nextDelayMs(uptimeMs);
      record.restartDelayMs = delayMs;
      this.nextStartAtMs = exit.atMs + delayMs;
      this.options.log('agent.collector', spawnError === undefined ? 'exited' : 'start failed', {
        code: exit.code,
        signal: exit.signal,
        error: spawnError,
        uptime_ms: uptimeMs,
        restart_in_ms: delayMs,
      });
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        this.restartCount += 1;
        this.spawnChild();
      }, delayMs);
    }
    this.options.onChange('exited');
  }

  /** SIGTERM, then SIGKILL after `stopTimeoutMs`; resolves once the child is gone. */
  private async stopChild(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.stoppingChild = true;
    try {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => {
        this.options.log('agent.collector', 'did not stop in time, killing', {
          pid: child.pid,
          stop_timeout_ms: this.options.stopTimeoutMs,
        });
        child.kill('SIGKILL');
      }, this.options.stopTimeoutMs);
      await this.childExited;
      clearTimeout(killTimer);
    } finally {
      this.stoppingChild = false;
    }
  }
}
