import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  HostMetricsAccumulator,
  hostCpuPercentBetween,
  isProcessRestart,
  mergeHostSamples,
  processCpuPercentBetween,
} from './host-metrics.ts';
import { T0_UNIX_MS, aGauge, aPoint } from './metric-point.fixtures.ts';

void describe('HostMetricsAccumulator', () => {
  void test('yields nothing when no host point was added', () => {
    assert.equal(new HostMetricsAccumulator().finish(), undefined);
  });

  void test('sums the busy states of a CPU when the scraper reports no idle state', () => {
    const host = new HostMetricsAccumulator();
    host.add(
      'systemCpuUtilizationRatio',
      aGauge({ name: 'system.cpu.utilization', value: 0.2, attributes: { cpu: 'cpu0', state: 'user' } }),
    );
    host.add(
      'systemCpuUtilizationRatio',
      aGauge({ name: 'system.cpu.utilization', value: 0.1, attributes: { cpu: 'cpu0', state: 'system' } }),
    );
    assert.ok(Math.abs((host.finish()?.hostCpuPercent ?? NaN) - 30) < 1e-9);
  });

  void test('reads the semantic-convention attribute names cpu.mode and cpu.logical_number', () => {
    const host = new HostMetricsAccumulator();
    for (const [cpu, idle] of [
      ['0', 0.9],
      ['1', 0.7],
    ] as const) {
      host.add(
        'systemCpuUtilizationRatio',
        aGauge({
          name: 'system.cpu.utilization',
          value: idle,
          attributes: { 'cpu.logical_number': cpu, 'cpu.mode': 'idle' },
        }),
      );
    }
    assert.ok(Math.abs((host.finish()?.hostCpuPercent ?? NaN) - 20) < 1e-9);
  });

  void test('treats a single CPU point without attributes as the busy ratio of the whole host', () => {
    const host = new HostMetricsAccumulator();
    host.add('systemCpuUtilizationRatio', aGauge({ name: 'system.cpu.utilization', value: 0.35 }));
    assert.ok(Math.abs((host.finish()?.hostCpuPercent ?? NaN) - 35) < 1e-9);
  });

  void test('clamps utilisation percentages to 0–100', () => {
    const host = new HostMetricsAccumulator();
    host.add(
      'systemMemoryUtilizationRatio',
      aGauge({ name: 'system.memory.utilization', value: 1.2, attributes: { state: 'used' } }),
    );
    host.add('processCpuUtilizationRatio', aGauge({ name: 'process.cpu.utilization', value: -0.1 }));
    assert.deepEqual(host.finish(), { hostMemoryPercent: 100, cpuPercent: 0, timeUnixMs: T0_UNIX_MS });
  });

  void test('uses a memory utilisation point without state when no `used` point exists', () => {
    const host = new HostMetricsAccumulator();
    host.add('systemMemoryUtilizationRatio', aGauge({ name: 'system.memory.utilization', value: 0.5 }));
    assert.equal(host.finish()?.hostMemoryPercent, 50);
  });

  void test('prefers a reported start time over one derived from uptime', () => {
    const host = new HostMetricsAccumulator();
    host.add('processUptimeSeconds', aPoint({ name: 'otelcol_process_uptime', value: 10.0004 }));
    host.add(
      'processStartTimeUnixSeconds',
      aGauge({ name: 'process_start_time_seconds', value: (T0_UNIX_MS - 10_000) / 1000 }),
    );
    assert.deepEqual(host.finish(), {
      uptimeSeconds: 10.0004,
      processStartTimeUnixMs: T0_UNIX_MS - 10_000,
      timeUnixMs: T0_UNIX_MS,
    });
  });
});

void describe('mergeHostSamples', () => {
  void test('lets later resources override fields and keeps the latest time', () => {
    assert.deepEqual(
      mergeHostSamples([
        { uptimeSeconds: 5, memoryMb: 10, timeUnixMs: 3 },
        { memoryMb: 80, timeUnixMs: 2 },
      ]),
      { uptimeSeconds: 5, memoryMb: 80, timeUnixMs: 3 },
    );
    assert.equal(mergeHostSamples([]), undefined);
  });
});

void describe('isProcessRestart', () => {
  const rows = [
    {
      does: 'sees a restart when the start time moved',
      prev: { processStartTimeUnixMs: 1_000_000, timeUnixMs: 2_000_000 },
      next: { processStartTimeUnixMs: 2_010_000, timeUnixMs: 2_060_000 },
      restart: true,
    },
    {
      does: 'ignores start-time jitter below a second (start derived from uptime)',
      prev: { processStartTimeUnixMs: 1_000_000, uptimeSeconds: 1000, timeUnixMs: 2_000_000 },
      next: { processStartTimeUnixMs: 1_000_400, uptimeSeconds: 1059.6, timeUnixMs: 2_060_000 },
      restart: false,
    },
    {
      does: 'sees a restart when uptime went down while time went forward',
      prev: { uptimeSeconds: 600, timeUnixMs: 600_000 },
      next: { uptimeSeconds: 20, timeUnixMs: 660_000 },
      restart: true,
    },
    {
      does: 'does not call a growing uptime a restart',
      prev: { uptimeSeconds: 600, timeUnixMs: 600_000 },
      next: { uptimeSeconds: 660, timeUnixMs: 660_000 },
      restart: false,
    },
    {
      does: 'does not guess without start time or uptime',
      prev: { timeUnixMs: 600_000 },
      next: { timeUnixMs: 660_000 },
      restart: false,
    },
  ];
  for (const row of rows) {
    void test(row.does, () => assert.equal(isProcessRestart(row.prev, row.next), row.restart));
  }
});

void describe('processCpuPercentBetween', () => {
  void test('gives CPU seconds per second as a percentage of one core', () => {
    assert.equal(
      processCpuPercentBetween(
        { cpuSecondsTotal: 10, timeUnixMs: 0 },
        { cpuSecondsTotal: 13, timeUnixMs: 60_000 },
      ),
      5,
    );
    assert.equal(
      processCpuPercentBetween(
        { cpuSecondsTotal: 0, timeUnixMs: 0 },
        { cpuSecondsTotal: 30, timeUnixMs: 10_000 },
      ),
      300,
    );
  });

  void test('gives nothing across a restart, a decrease, a missing value or a non-positive interval', () => {
    assert.equal(
      processCpuPercentBetween(
        { cpuSecondsTotal: 10, uptimeSeconds: 100, timeUnixMs: 0 },
        { cpuSecondsTotal: 11, uptimeSeconds: 5, timeUnixMs: 60_000 },
      ),
      undefined,
    );
    assert.equal(
      processCpuPercentBetween(
        { cpuSecondsTotal: 10, timeUnixMs: 0 },
        { cpuSecondsTotal: 2, timeUnixMs: 60_000 },
      ),
      undefined,
    );
    assert.equal(
      processCpuPercentBetween({ timeUnixMs: 0 }, { cpuSecondsTotal: 2, timeUnixMs: 60_000 }),
      undefined,
    );
    assert.equal(
      processCpuPercentBetween({ cpuSecondsTotal: 1, timeUnixMs: 5 }, { cpuSecondsTotal: 2, timeUnixMs: 5 }),
      undefined,
    );
  });
});

void describe('hostCpuPercentBetween (node_exporter CPU seconds)', () => {
  void test('is 1 − Δidle / Δtotal over all CPUs and modes', () => {
    const prev = { hostCpuIdleSecondsTotal: 1800, hostCpuSecondsTotal: 2000 };
    assert.equal(
      hostCpuPercentBetween(prev, { hostCpuIdleSecondsTotal: 1845, hostCpuSecondsTotal: 2060 }),
      25,
    );
  });
  void test('gives nothing without a previous sample, across a reboot, or when no time passed', () => {
    const next = { hostCpuIdleSecondsTotal: 10, hostCpuSecondsTotal: 12 };
    assert.equal(hostCpuPercentBetween({}, next), undefined);
    assert.equal(
      hostCpuPercentBetween({ hostCpuIdleSecondsTotal: 900, hostCpuSecondsTotal: 1000 }, next),
      undefined,
    );
    assert.equal(hostCpuPercentBetween(next, next), undefined);
  });
  void test('the accumulator sums every CPU and mode, idle apart', () => {
    const host = new HostMetricsAccumulator();
    for (const [cpu, mode, value] of [
      ['0', 'idle', 90],
      ['0', 'user', 10],
      ['1', 'idle', 80],
      ['1', 'iowait', 20],
    ] as const)
      host.add(
        'hostCpuSecondsTotal',
        aPoint({ name: 'node_cpu_seconds_total', value, attributes: { cpu, mode } }),
      );
    const sample = host.finish();
    assert.ok(sample);
    assert.equal(sample.hostCpuIdleSecondsTotal, 170);
    assert.equal(sample.hostCpuSecondsTotal, 200);
    assert.equal(sample.hostCpuPercent, undefined, 'counters alone give no percentage in one push');
  });
});
