import type { ComponentRateView } from '@linkmesh/contracts/api';
import { dateTime, missing, percent, perSecond } from '../../components/format.ts';
import { Sparkline } from '../../components/Sparkline.tsx';
import { QueueFill } from './QueueFill.tsx';

const groups = [
  { kind: 'receiver', title: 'Receivers' },
  { kind: 'processor', title: 'Processors' },
  { kind: 'exporter', title: 'Exporters' },
] as const satisfies readonly { kind: ComponentRateView['kind']; title: string }[];

const columnCount = 6;

/** Why a rate shows "—": rates are computed at read time from two consecutive samples. */
export const noRateYet = 'No rate yet: needs two samples (the first sample after a restart yields none)';
const notReported = 'Not reported: this component sends no counter for it';

const byComponent = (a: ComponentRateView, b: ComponentRateView) =>
  a.componentId.localeCompare(b.componentId) || a.signal.localeCompare(b.signal);

/**
 * The server yields every rate of a component from its latest pair of samples, or none at all
 * (fewer than two samples, or a restart in between). So when some rate is known, a missing one
 * means the component does not report that counter.
 */
const hasRatePair = (item: ComponentRateView) =>
  item.recordsPerSec !== null ||
  item.errorsPerSec !== null ||
  item.incomingPerSec !== null ||
  item.droppedPerSec !== null;

/** A records/s or errors/s value; `null` is "no rate yet" or "not reported", never 0. */
function Rate({ value, paired }: { value: number | null; paired: boolean }) {
  if (value === null) {
    return (
      <span className="no-rate" title={paired ? notReported : noRateYet}>
        {missing}
      </span>
    );
  }
  return <span>{perSecond(value)}</span>;
}

/** A processor's "in → out", with the share that did not come out when both are known. */
function Flow({
  incoming,
  outgoing,
  paired,
}: {
  incoming: number | null;
  outgoing: number | null;
  paired: boolean;
}) {
  if (incoming === null && outgoing === null) return <Rate value={null} paired={paired} />;
  const lost =
    incoming !== null && outgoing !== null && incoming > 0 && outgoing <= incoming
      ? (incoming - outgoing) / incoming
      : undefined;
  return (
    <span className="flow">
      <span className="flow-rates">
        <span title="Records into the processor">
          <Rate value={incoming} paired={paired} />
        </span>{' '}
        →{' '}
        <span title="Records passed on">
          <Rate value={outgoing} paired={paired} />
        </span>
      </span>
      {lost !== undefined && (
        <span
          className={lost > 0 ? 'flow-drop flow-drop-some' : 'flow-drop'}
          title="Share of incoming records that did not come out (dropped, refused, or still held in a batch)"
        >
          {percent(lost)} dropped
        </span>
      )}
    </span>
  );
}

function ComponentRow({ item, windowLabel }: { item: ComponentRateView; windowLabel: string }) {
  const errors = item.errorsPerSec;
  const paired = hasRatePair(item);
  const hasErrorTrend = item.errorSparkline.some((value) => value !== null && value > 0);
  return (
    <tr>
      <th
        scope="row"
        title={`${item.samples} sample${item.samples === 1 ? '' : 's'} in the window, the last at ${dateTime(item.lastSampleAt)}`}
      >
        <code className="component-id">{item.componentId}</code>
        {item.restartsInWindow > 0 && (
          <span
            className="restart-chip"
            title="The counters restarted in this window; the first sample after a restart yields no rate"
          >
            restarted{item.restartsInWindow > 1 ? ` ×${item.restartsInWindow}` : ''}
          </span>
        )}
      </th>
      <td>
        {item.signal === '' ? (
          <span className="muted" title="The collector did not report a signal for this component">
            {missing}
          </span>
        ) : (
          item.signal
        )}
      </td>
      <td className="num">
        {item.kind === 'processor' ? (
          <Flow incoming={item.incomingPerSec} outgoing={item.recordsPerSec} paired={paired} />
        ) : (
          <Rate value={item.recordsPerSec} paired={paired} />
        )}
      </td>
      <td className={errors !== null && errors > 0 ? 'num cell-error' : 'num'}>
        <Rate value={errors} paired={paired} />
      </td>
      <td>
        {item.kind === 'exporter' && (
          <QueueFill name={item.componentId} size={item.queueSize} capacity={item.queueCapacity} />
        )}
      </td>
      <td className="cell-trend">
        <Sparkline
          values={item.sparkline}
          label={`${item.kind === 'processor' ? 'Records out/s' : 'Records/s'}, last ${windowLabel}`}
          format={(value) => perSecond(value)}
        />
        {hasErrorTrend && (
          <Sparkline
            values={item.errorSparkline}
            label={`Errors/s, last ${windowLabel}`}
            format={(value) => perSecond(value)}
            tone="error"
            height={14}
          />
        )}
      </td>
    </tr>
  );
}

/**
 * Components grouped by kind, one row per component and signal: current rates (from the two
 * latest samples), the exporter queue and a sparkline of the window.
 */
export function ComponentTable({ items, windowLabel }: { items: ComponentRateView[]; windowLabel: string }) {
  return (
    <table className="table table-components" aria-label="Components">
      <thead>
        <tr>
          <th scope="col">Component</th>
          <th scope="col">Signal</th>
          <th
            scope="col"
            className="num"
            title="Records (spans, data points, log records) per second — not bytes"
          >
            Records/s
          </th>
          <th
            scope="col"
            className="num"
            title="Records refused (receivers, processors) or failed to send (exporters), per second"
          >
            Errors/s
          </th>
          <th scope="col">Queue</th>
          <th scope="col">Last {windowLabel}</th>
        </tr>
      </thead>
      {groups.map(({ kind, title }) => {
        const rows = items.filter((item) => item.kind === kind).sort(byComponent);
        if (rows.length === 0) return null;
        return (
          <tbody key={kind} aria-label={title}>
            <tr className="group-row">
              <th scope="rowgroup" colSpan={columnCount}>
                {title} <span className="group-count">{rows.length}</span>
              </th>
            </tr>
            {rows.map((item) => (
              <ComponentRow
                key={`${item.componentId}\u0000${item.signal}`}
                item={item}
                windowLabel={windowLabel}
              />
            ))}
          </tbody>
        );
      })}
    </table>
  );
}
