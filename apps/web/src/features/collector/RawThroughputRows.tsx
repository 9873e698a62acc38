import type { ThroughputRowView } from '@linkmesh/contracts/api';
import { throughputCounters } from '@linkmesh/contracts/throughput';
import { useState } from 'react';
import { listThroughputRows, type ThroughputWindow } from '../../api/throughput.api.ts';
import { useResource } from '../../api/resource.hook.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { dateTime, missing } from '../../components/format.ts';

const limit = 200;

/** Time of day to the millisecond: consecutive pushes can be well under a second apart. */
const timeOfDay = new Intl.DateTimeFormat('en', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
  hourCycle: 'h23',
});

const newestFirst = (a: ThroughputRowView, b: ThroughputRowView) =>
  Date.parse(b.time) - Date.parse(a.time) ||
  a.kind.localeCompare(b.kind) ||
  a.componentId.localeCompare(b.componentId);

function RawRowsTable({ id, span }: { id: string; span: ThroughputWindow }) {
  const rows = useResource(`throughput:${id}:${span}`, () => listThroughputRows(id, span, limit), 30);
  if (rows.state === 'loading') return <p className="muted">Loading raw rows…</p>;
  if (rows.state === 'error') return <ErrorNotice message={rows.message} onRetry={rows.reload} />;
  const items = [...rows.data.items].sort(newestFirst);
  if (items.length === 0) return <p className="muted">No rows in this window.</p>;
  return (
    <>
      {items.length >= limit && (
        <p className="hint">
          The server returns the oldest {limit} rows of the window first, so the newest push may be missing
          here: pick a shorter window to reach it.
        </p>
      )}
      <div className="raw-rows-scroll">
        <table className="table table-raw" aria-label="Raw rows">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Component</th>
              <th scope="col">Signal</th>
              <th scope="col">Counters</th>
            </tr>
          </thead>
          <tbody>
            {items.map((row) => (
              <tr key={`${row.time}\u0000${row.kind}\u0000${row.componentId}\u0000${row.signal}`}>
                <td
                  title={`${dateTime(row.time)}; received ${dateTime(row.receivedAt)}; series started ${dateTime(row.startTime)}`}
                >
                  <time dateTime={row.time}>{timeOfDay.format(new Date(row.time))}</time>
                </td>
                <td>
                  <span className="muted">{row.kind}</span> <code>{row.componentId}</code>
                </td>
                <td>{row.signal === '' ? missing : row.signal}</td>
                <td>
                  <ul className="counters">
                    {throughputCounters.map((name) => {
                      const value = row.counters[name];
                      return value === undefined ? null : (
                        <li key={name}>
                          {name}=<strong>{value.toLocaleString('en')}</strong>
                        </li>
                      );
                    })}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/**
 * A disclosure with the raw rows behind the rates: lifetime counters as the collector pushed
 * them. Loaded only while open.
 */
export function RawThroughputRows({ id, span }: { id: string; span: ThroughputWindow }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="raw-rows" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Raw rows</summary>
      <p className="hint">
        Lifetime (cumulative) counters exactly as the collector reported them — not rates. A rate is the
        difference between two consecutive rows divided by the time between them; queueSize and queueCapacity
        are gauges. Newest first, at most {limit}.
      </p>
      {open && <RawRowsTable id={id} span={span} />}
    </details>
  );
}
