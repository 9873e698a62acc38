import type { ThroughputChartView } from '@linkmesh/contracts/topology-api';
import { useMemo } from 'react';
import { useResource } from '../../api/resource.hook.ts';
import { getThroughputChart } from '../../api/topology.api.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { TimeChart, type TimeSeries } from '../../components/TimeChart.tsx';

/** Buckets of the last day are minutes wide; a new one every few minutes is plenty. */
const refreshSeconds = 120;

/**
 * The last day of the collector's throughput, from the self-telemetry LinkMesh keeps for 24 h:
 * what its receivers accepted, what its exporters sent, and the refused plus send_failed.
 */
export function ThroughputDayChart({ collectorId }: { collectorId: string }) {
  const chart = useResource(
    `throughput-chart:${collectorId}`,
    () => getThroughputChart(collectorId),
    refreshSeconds,
  );
  return (
    <section className="card day-chart" aria-label="Throughput, last 24 hours">
      <h2>Throughput, last 24 hours</h2>
      {chart.state === 'loading' && <p className="muted">Loading…</p>}
      {chart.state === 'error' && <ErrorNotice message={chart.message} onRetry={chart.reload} />}
      {chart.state === 'ready' && <DayChart view={chart.data} />}
    </section>
  );
}

function DayChart({ view }: { view: ThroughputChartView }) {
  const series = useMemo<TimeSeries[]>(
    () => [
      { label: 'in (accepted)', values: view.recordsInPerSec, colorVar: '--accent' },
      { label: 'out (sent)', values: view.recordsOutPerSec, colorVar: '--ok-fg' },
      { label: 'errors', values: view.errorsPerSec, colorVar: '--danger' },
    ],
    [view],
  );
  const empty = series.every((s) => s.values.every((v) => v === null));
  if (empty) {
    return (
      <p className="muted">
        No rate in the last 24 hours: self-telemetry is kept for 24 h, and a rate needs two samples ~30 s
        apart. The Topology tab says what is missing.
      </p>
    );
  }
  return (
    <>
      <TimeChart
        label={`Records/s in, out and errors over the last 24 hours, ${view.bucketSeconds / 60}-minute buckets`}
        startAt={view.startAt}
        bucketSeconds={view.bucketSeconds}
        series={series}
        unit="records/s"
      />
      <p className="hint">
        Records per second (spans, metric points, log records), one point per {view.bucketSeconds / 60}-minute
        bucket; gaps are stretches without a rate.
      </p>
    </>
  );
}
