import type { MetricPoint } from './metric-point.ts';
import type { HostMetricName } from './self-metric-names.ts';

/**
 * Host and collector-process metrics from one push; they land on the Collector record
 * (ARCHITECTURE §4), not on ComponentThroughput. A field is absent when the push did not carry it.
 */
export interface HostSample {
  /** Whole-host CPU busy time, 0–100, averaged over logical CPUs (`system.cpu.utilization`). */
  readonly hostCpuPercent?: number;
  /** Whole-host memory in use, 0–100 (`system.memory.utilization`, state `used`). */
  readonly hostMemoryPercent?: number;
  /** Collector process CPU, 0–100 of all CPUs (`process.cpu.utilization`, states summed). */
  readonly cpuPercent?: number;
  /** Collector resident memory in mebibytes (2^20 bytes), as `top` and `docker stats` show it. */
  readonly memoryMb?: number;
  /** Seconds since the collector process started. */
  readonly uptimeSeconds?: number;
  /** When the collector process started: reported directly (Alloy) or derived as time − uptime. */
  readonly processStartTimeUnixMs?: number;
  /** Cumulative CPU seconds of the collector process; see `processCpuPercentBetween`. */
  readonly cpuSecondsTotal?: number;
  /**
   * Cumulative host CPU seconds summed over logical CPUs, idle and all modes (node_exporter's
   * `node_cpu_seconds_total`); see `hostCpuPercentBetween`.
   */
  readonly hostCpuIdleSecondsTotal?: number;
  readonly hostCpuSecondsTotal?: number;
  /** Latest sample time among the points used. */
  readonly timeUnixMs: number;
}

const BYTES_PER_MEBIBYTE = 1024 * 1024;

/** Start times that differ by less than this are one process: derived starts jitter by clock reads. */
export const PROCESS_START_TOLERANCE_MS = 1000;

/** CPU state attribute: hostmetrics receiver (`state`) and semantic conventions, old and new. */
const CPU_STATE_ATTRIBUTES = ['state', 'cpu.mode', 'system.cpu.state'] as const;
/** Logical CPU attribute: hostmetrics receiver (`cpu`) and semantic conventions, old and new. */
const CPU_NUMBER_ATTRIBUTES = ['cpu', 'cpu.logical_number', 'system.cpu.logical_number'] as const;
const MEMORY_STATE_ATTRIBUTES = ['state', 'system.memory.state'] as const;
/** node_exporter's CPU mode label. */
const NODE_CPU_MODE_ATTRIBUTE = 'mode';

function attributeOf(point: MetricPoint, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = point.attributes[key];
    if (value !== undefined) return value;
  }
  return undefined;
}

function ratioToPercent(ratio: number): number {
  return Math.min(100, Math.max(0, ratio * 100));
}

/**
 * Folds the host points of one OTLP resource into a `HostSample`.
 *
 * @example
 * const host = new HostMetricsAccumulator();
 * host.add('processUptimeSeconds', point); // point: otelcol_process_uptime = 3600
 * host.finish(); // → { uptimeSeconds: 3600, processStartTimeUnixMs: …, timeUnixMs: … }
 */
export class HostMetricsAccumulator {
  /** Per logical CPU: the idle ratio if reported, and the sum of the other states. */
  private readonly cpuByNumber = new Map<string, { idleRatio: number | undefined; busyRatio: number }>();
  private memoryUsedRatio: number | undefined;
  private memoryStatelessRatio: number | undefined;
  private processCpuRatio: number | undefined;
  private processMemoryBytes: number | undefined;
  private uptimeSeconds: number | undefined;
  private uptimeTimeUnixMs = 0;
  private cpuSecondsTotal: number | undefined;
  private startTimeUnixMs: number | undefined;
  private startPointTimeUnixMs = 0;
  private latestTimeUnixMs: number | undefined;
  private hostCpuSeconds: { idle: number; total: number } | undefined;
  private hostMemoryTotalBytes: number | undefined;
  private hostMemoryAvailableBytes: number | undefined;

  add(metric: HostMetricName, point: MetricPoint): void {
    this.latestTimeUnixMs = Math.max(this.latestTimeUnixMs ?? point.timeUnixMs, point.timeUnixMs);
    switch (metric) {
      case 'systemCpuUtilizationRatio':
        this.addCpu(point);
        return;
      case 'systemMemoryUtilizationRatio': {
        const state = attributeOf(point, MEMORY_STATE_ATTRIBUTES);
        if (state === 'used') this.memoryUsedRatio = point.value;
        else if (state === undefined) this.memoryStatelessRatio = point.value;
        return;
      }
      case 'processCpuUtilizationRatio':
        // One point per state (user, system, wait) or a single point without state: the sum is the total.
        this.processCpuRatio = (this.processCpuRatio ?? 0) + point.value;
        return;
      case 'processMemoryBytes':
        this.processMemoryBytes = point.value;
        return;
      case 'processUptimeSeconds':
        this.uptimeSeconds = point.value;
        this.uptimeTimeUnixMs = point.timeUnixMs;
        return;
      case 'processCpuSecondsTotal':
        this.cpuSecondsTotal = point.value;
        return;
      case 'processStartTimeUnixSeconds':
        this.startTimeUnixMs = point.value * 1000;
        this.startPointTimeUnixMs = point.timeUnixMs;
        return;
      case 'hostCpuSecondsTotal': {
        const seconds = (this.hostCpuSeconds ??= { idle: 0, total: 0 });
        seconds.total += point.value;
        if (point.attributes[NODE_CPU_MODE_ATTRIBUTE] === 'idle') seconds.idle += point.value;
        return;
      }
      case 'hostMemoryTotalBytes':
        this.hostMemoryTotalBytes = point.value;
        return;
      case 'hostMemoryAvailableBytes':
        this.hostMemoryAvailableBytes = point.value;
        return;
    }
  }

  private addCpu(point: MetricPoint): void {
    const cpuNumber = attributeOf(point, CPU_NUMBER_ATTRIBUTES) ?? '';
    let cpu = this.cpuByNumber.get(cpuNumber);
    if (!cpu) {
      cpu = { idleRatio: undefined, busyRatio: 0 };
      this.cpuByNumber.set(cpuNumber, cpu);
    }
    if (attributeOf(point, CPU_STATE_ATTRIBUTES) === 'idle') cpu.idleRatio = point.value;
    else cpu.busyRatio += point.value;
  }

  /**
   * Host CPU busy ratio averaged over logical CPUs. 1 − idle is preferred because it also counts
   * states a scraper may not report separately; without an idle point the busy states are summed.
   */
  private hostCpuRatio(): number | undefined {
    if (this.cpuByNumber.size === 0) return undefined;
    let total = 0;
    for (const cpu of this.cpuByNumber.values()) {
      total += cpu.idleRatio === undefined ? cpu.busyRatio : 1 - cpu.idleRatio;
    }
    return total / this.cpuByNumber.size;
  }

  /** The sample, or `undefined` when no host point was added. */
  finish(): HostSample | undefined {
    if (this.latestTimeUnixMs === undefined) return undefined;
    const hostCpuRatio = this.hostCpuRatio();
    const memoryRatio = this.memoryUsedRatio ?? this.memoryStatelessRatio ?? this.nodeMemoryUsedRatio();
    const uptimeSeconds = this.uptimeSeconds ?? this.uptimeFromStart();
    const processStartTimeUnixMs =
      this.startTimeUnixMs ??
      (this.uptimeSeconds === undefined
        ? undefined
        : Math.round(this.uptimeTimeUnixMs - this.uptimeSeconds * 1000));
    return {
      ...(hostCpuRatio === undefined ? {} : { hostCpuPercent: ratioToPercent(hostCpuRatio) }),
      ...(memoryRatio === undefined ? {} : { hostMemoryPercent: ratioToPercent(memoryRatio) }),
      ...(this.processCpuRatio === undefined ? {} : { cpuPercent: ratioToPercent(this.processCpuRatio) }),
      ...(this.processMemoryBytes === undefined
        ? {}
        : { memoryMb: this.processMemoryBytes / BYTES_PER_MEBIBYTE }),
      ...(uptimeSeconds === undefined ? {} : { uptimeSeconds }),
      ...(processStartTimeUnixMs === undefined ? {} : { processStartTimeUnixMs }),
      ...(this.cpuSecondsTotal === undefined ? {} : { cpuSecondsTotal: this.cpuSecondsTotal }),
      ...(this.hostCpuSeconds === undefined
        ? {}
        : {
            hostCpuIdleSecondsTotal: this.hostCpuSeconds.idle,
            hostCpuSecondsTotal: this.hostCpuSeconds.total,
          }),
      timeUnixMs: this.latestTimeUnixMs,
    };
  }

  /** node_exporter reports bytes, not a ratio: used is what is not available (as `free` shows it). */
  private nodeMemoryUsedRatio(): number | undefined {
    const total = this.hostMemoryTotalBytes;
    const available = this.hostMemoryAvailableBytes;
    if (total === undefined || available === undefined || total <= 0) return undefined;
    return 1 - available / total;
  }

  /** Alloy reports a start time, not an uptime: uptime is the start point's own time minus it. */
  private uptimeFromStart(): number | undefined {
    if (this.startTimeUnixMs === undefined || this.startTimeUnixMs <= 0) return undefined;
    return Math.max(0, (this.startPointTimeUnixMs - this.startTimeUnixMs) / 1000);
  }
}

/**
 * Merges the host samples of several resources of one push; later fields win, time is the latest.
 *
 * @example
 * mergeHostSamples([{ uptimeSeconds: 5, timeUnixMs: 1 }, { memoryMb: 80, timeUnixMs: 2 }]);
 * // → { uptimeSeconds: 5, memoryMb: 80, timeUnixMs: 2 }
 */
export function mergeHostSamples(samples: readonly HostSample[]): HostSample | undefined {
  let merged: HostSample | undefined;
  for (const sample of samples) {
    merged = merged
      ? { ...merged, ...sample, timeUnixMs: Math.max(merged.timeUnixMs, sample.timeUnixMs) }
      : sample;
  }
  return merged;
}

/** The part of a host sample that tells one collector process from the next. */
export type ProcessLifeSample = Pick<HostSample, 'uptimeSeconds' | 'processStartTimeUnixMs' | 'timeUnixMs'>;

/**
 * True when `next` comes from a newer collector process than `prev`: the start time moved (beyond
 * jitter) or the uptime went down while time went forward. Use it to count restarts.
 *
 * @example
 * isProcessRestart({ uptimeSeconds: 600, timeUnixMs: 600_000 }, { uptimeSeconds: 20, timeUnixMs: 660_000 }); // → true
 */
export function isProcessRestart(prev: ProcessLifeSample, next: ProcessLifeSample): boolean {
  if (
    prev.processStartTimeUnixMs !== undefined &&
    next.processStartTimeUnixMs !== undefined &&
    prev.processStartTimeUnixMs > 0 &&
    next.processStartTimeUnixMs > 0
  ) {
    return Math.abs(next.processStartTimeUnixMs - prev.processStartTimeUnixMs) > PROCESS_START_TOLERANCE_MS;
  }
  return (
    prev.uptimeSeconds !== undefined &&
    next.uptimeSeconds !== undefined &&
    next.timeUnixMs > prev.timeUnixMs &&
    next.uptimeSeconds < prev.uptimeSeconds
  );
}

/** The part of a host sample that a CPU percentage is derived from. */
export type CpuSecondsSample = ProcessLifeSample & Pick<HostSample, 'cpuSecondsTotal'>;

/**
 * Collector CPU as a percentage of ONE core (like `top`; may exceed 100 on multi-core hosts),
 * from two cumulative CPU-seconds samples. The collector's own metrics and Alloy report CPU only
 * as seconds, so this is the only CPU figure they yield. `undefined` across a restart, a counter
 * decrease or a non-positive interval.
 *
 * @example
 * processCpuPercentBetween({ cpuSecondsTotal: 10, timeUnixMs: 0 }, { cpuSecondsTotal: 13, timeUnixMs: 60_000 }); // → 5
 */
export function processCpuPercentBetween(prev: CpuSecondsSample, next: CpuSecondsSample): number | undefined {
  if (prev.cpuSecondsTotal === undefined || next.cpuSecondsTotal === undefined) return undefined;
  const intervalMs = next.timeUnixMs - prev.timeUnixMs;
  const cpuSeconds = next.cpuSecondsTotal - prev.cpuSecondsTotal;
  if (intervalMs <= 0 || cpuSeconds < 0 || isProcessRestart(prev, next)) return undefined;
  const percent = (cpuSeconds / (intervalMs / 1000)) * 100;
  return Number.isFinite(percent) ? percent : undefined;
}

/** The part of a host sample that a host CPU percentage is derived from. */
export type HostCpuSecondsSample = Pick<HostSample, 'hostCpuIdleSecondsTotal' | 'hostCpuSecondsTotal'>;

/**
 * Whole-host CPU busy percentage (0–100, all CPUs) between two cumulative samples, for hosts that
 * report CPU only as seconds per mode (node_exporter): 1 − Δidle / Δtotal. `undefined` without
 * two samples, across a reboot (a counter went down) or when no time passed.
 *
 * @example
 * hostCpuPercentBetween({ hostCpuIdleSecondsTotal: 90, hostCpuSecondsTotal: 100 },
 *   { hostCpuIdleSecondsTotal: 135, hostCpuSecondsTotal: 160 }); // → 25
 */
export function hostCpuPercentBetween(
  prev: HostCpuSecondsSample,
  next: HostCpuSecondsSample,
): number | undefined {
  const { hostCpuIdleSecondsTotal: idle0, hostCpuSecondsTotal: total0 } = prev;
  const { hostCpuIdleSecondsTotal: idle1, hostCpuSecondsTotal: total1 } = next;
  if (idle0 === undefined || total0 === undefined || idle1 === undefined || total1 === undefined)
    return undefined;
  const total = total1 - total0;
  const idle = idle1 - idle0;
  if (total <= 0 || idle < 0) return undefined;
  return ratioToPercent(1 - idle / total);
}
