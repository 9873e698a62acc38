import type { CollectorView } from '@linkmesh/contracts/api';
import { useState } from 'react';
import { useResource } from '../../api/resource.hook.ts';
import { listComponentRates, type ThroughputWindow } from '../../api/throughput.api.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { duration, quantity } from '../../components/format.ts';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import { ComponentTable } from './ComponentTable.tsx';
import { RawThroughputRows } from './RawThroughputRows.tsx';

/** The product promises labels refresh about every 30 s; collectors push every 30–60 s. */
const refreshSeconds = 30;
const sparklineBuckets = 30;

const windows = [
  { key: '5m', label: '5m', long: '5 minutes' },
  { key: '15m', label: '15m', long: '15 minutes' },
  { key: '1h', label: '1h', long: 'hour' },
] as const satisfies readonly { key: ThroughputWindow; label: string; long: string }[];

function WindowPicker({
  value,
  onChange,
}: {
  value: ThroughputWindow;
  onChange: (next: ThroughputWindow) => void;
}) {
  return (
    <div role="group" aria-label="Window" className="segmented">
      {windows.map((option) => (
        <button
          key={option.key}
          type="button"
          aria-pressed={option.key === value}
          title={`Last ${option.long}`}
          onClick={() => onChange(option.key)}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}

/** The collector process itself, from its record (host metrics ride on the same pushes). */
function ProcessStrip({ collector: c }: { collector: CollectorView }) {
  const stats: [string, string][] = [
    ['Uptime', duration(c.uptimeSeconds)],
    ['Restarts', String(c.restartCount)],
    ['Collector CPU', quantity(c.cpuPercent, ' %')],
    ['Collector memory', quantity(c.memoryMb, ' MB', 0)],
    ['Host CPU', quantity(c.hostCpuPercent, ' %')],
    ['Host memory', quantity(c.hostMemoryPercent, ' %')],
  ];
  return (
    <dl className="stat-strip" aria-label="Process">
      {stats.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * The collector's own throughput per pipeline component, from the self-telemetry it pushes over
 * OTLP: records/s, errors/s, exporter queues and a sparkline over the chosen window.
 */
export function CollectorComponents({
  collector,
  onRefreshCollector,
}: {
  collector: CollectorView;
  /** Reloads the collector record too, so the process figures follow a manual refresh. */
  onRefreshCollector?: () => void;
}) {
  const { id } = collector;
  const [span, setSpan] = useState<ThroughputWindow>('15m');
  const rates = useResource(
    `components:${id}:${span}`,
    () => listComponentRates(id, span, sparklineBuckets),
    refreshSeconds,
  );
  const windowLabel = windows.find((option) => option.key === span)?.long ?? span;
  const items = rates.state === 'ready' ? rates.data.items : [];
  const lastSampleAt = items.reduce<string | null>(
    (latest, item) =>
      latest === null || Date.parse(item.lastSampleAt) > Date.parse(latest) ? item.lastSampleAt : latest,
    null,
  );

  return (
    <div className="components">
      <div className="components-toolbar">
        <WindowPicker value={span} onChange={setSpan} />
        <p className="hint">
          {lastSampleAt !== null && (
            <>
              Last sample <RelativeTime iso={lastSampleAt} /> ·{' '}
            </>
          )}
          refreshes about every {refreshSeconds} s
        </p>
        <button
          type="button"
          className="button-small"
          onClick={() => {
            rates.reload();
            onRefreshCollector?.();
          }}
        >
          Refresh
        </button>
      </div>
      <ProcessStrip collector={collector} />
      {rates.state === 'loading' && <p className="muted">Loading components…</p>}
      {rates.state === 'error' && <ErrorNotice message={rates.message} onRetry={rates.reload} />}
      {rates.state === 'ready' &&
        (items.length === 0 ? (
          <div className="empty">
            <p>
              No self-telemetry yet. Collectors push their own metrics every 30–60 s; rates need two samples.
            </p>
            <p className="muted">Nothing arrived in the last {windowLabel}.</p>
          </div>
        ) : (
          <>
            <ComponentTable items={items} windowLabel={windowLabel} />
            <p className="hint">
              Records per second (spans, data points, log records — not bytes), computed from the two latest
              samples. “—” is no rate yet (a rate needs two samples) or a counter the component does not
              report; hover it to see which. Errors/s counts refused and failed-to-send records.
            </p>
          </>
        ))}
      <RawThroughputRows id={id} span={span} />
    </div>
  );
}
