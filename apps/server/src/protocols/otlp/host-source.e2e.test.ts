import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

/**
 * The Alloy host source (`prometheus.exporter.unix`, node_exporter names) as Alloy's
 * `otelcol.exporter.otlphttp` pushes it: host memory from one push, host CPU from two (its CPU
 * comes only as cumulative seconds per mode), both on the collector record (issue #10 item 8).
 */
describe('host metrics from the Alloy host source (node_exporter names)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const nowNs = (offsetMs: number) => String(BigInt(Date.now() + offsetMs) * 1_000_000n);
  const cpuPoint = (cpu: string, mode: string, seconds: number, offsetMs: number) => ({
    attributes: [
      { key: 'cpu', value: { stringValue: cpu } },
      { key: 'mode', value: { stringValue: mode } },
      { key: 'job', value: { stringValue: 'integrations/unix' } },
    ],
    startTimeUnixNano: nowNs(-3_600_000),
    timeUnixNano: nowNs(offsetMs),
    asDouble: seconds,
  });
  /** Two CPUs; `busy` seconds split over user and system, the rest of `total` idle. */
  const push = (offsetMs: number, cpuSeconds: { idle: number; user: number; system: number }) => ({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'alloy' } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'node_cpu_seconds_total',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: ['0', '1'].flatMap((cpu) =>
                    Object.entries(cpuSeconds).map(([mode, s]) => cpuPoint(cpu, mode, s, offsetMs)),
                  ),
                },
              },
              {
                name: 'node_memory_MemTotal_bytes',
                gauge: { dataPoints: [{ timeUnixNano: nowNs(offsetMs), asDouble: 8 * 2 ** 30 }] },
              },
              {
                name: 'node_memory_MemAvailable_bytes',
                gauge: { dataPoints: [{ timeUnixNano: nowNs(offsetMs), asDouble: 2 * 2 ** 30 }] },
              },
            ],
          },
        ],
      },
    ],
  });

  it('fills hostMemoryPercent at once and hostCpuPercent from the second push', async () => {
    const { id } = (await (
      await t.api('/api/v1/collectors', { method: 'POST', json: { name: 'edge-alloy', runtime: 'alloy' } })
    ).json()) as { id: string };
    const { token } = (await (await t.api(`/api/v1/collectors/${id}/token`, { method: 'POST' })).json()) as {
      token: string;
    };
    const send = async (body: unknown) => {
      const response = await fetch(`${t.url}/v1/metrics`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 200, await response.text());
      await t.server.flushTelemetry();
      return (await (await t.api(`/api/v1/collectors/${id}`)).json()) as {
        hostCpuPercent: number | null;
        hostMemoryPercent: number | null;
        hostMetricsMissing: string | null;
      };
    };
    const before = (await (await t.api(`/api/v1/collectors/${id}`)).json()) as { hostMetricsMissing: string };
    assert.match(before.hostMetricsMissing, /No self-telemetry received yet/);

    const first = await send(push(-30_000, { idle: 900, user: 60, system: 40 }));
    assert.equal(first.hostMemoryPercent, 75, '1 − 2 GiB available / 8 GiB');
    assert.equal(first.hostCpuPercent, null, 'one CPU-seconds sample gives no percentage');
    assert.match(first.hostMetricsMissing ?? '', /Host CPU needs two samples/, 'and the UI is told why');

    // 30 s later on each of two CPUs: 22.5 s idle, 5 s user, 2.5 s system → 25 % busy.
    const second = await send(push(0, { idle: 922.5, user: 65, system: 42.5 }));
    assert.equal(second.hostCpuPercent, 25);
    assert.equal(second.hostMemoryPercent, 75);
    assert.equal(second.hostMetricsMissing, null);
  });
});
