import type { CollectorListPage, CollectorView } from '@linkmesh/contracts/api';
import { useEffect, useId, useState } from 'react';
import { filterStatuses, type FleetView, toggledStatus } from './fleet-query.ts';
import { modeLabels } from './CollectorTable.tsx';

const statusLabels: Record<(typeof filterStatuses)[number], string> = {
  connected: 'Connected',
  error: 'Error',
  stale: 'Stale',
  disconnected: 'Disconnected',
  pending: 'Pending',
};

/** How long typing pauses before the search goes to the URL (and the server). */
const searchDebounceMs = 200;

interface FleetToolbarProps {
  view: FleetView;
  counts: CollectorListPage['statusCounts'];
  onChange: (view: FleetView) => void;
}

/** Search, status filter (with counts), runtime and mode: every change goes to the URL. */
export function FleetToolbar({ view, counts, onChange }: FleetToolbarProps) {
  const [text, setText] = useState(view.q);
  const searchId = useId();
  // Follow the URL when it changes from elsewhere (back, a shared link, "Clear filters").
  useEffect(() => setText((typed) => (typed.trim() === view.q.trim() ? typed : view.q)), [view.q]);
  useEffect(() => {
    if (text.trim() === view.q.trim()) return;
    const timer = window.setTimeout(() => onChange({ ...view, q: text }), searchDebounceMs);
    return () => window.clearTimeout(timer);
  }, [text, view, onChange]);

  const total = Object.values(counts ?? {}).reduce((sum, n) => sum + n, 0);
  const statusButton = (status: CollectorView['status'] | null, label: string, count: number | undefined) => {
    const pressed = status === null ? view.statuses.length === 0 : view.statuses.includes(status);
    return (
      <button
        key={status ?? 'all'}
        type="button"
        className={`chip${status === null ? '' : ` chip-${status}`}`}
        aria-pressed={pressed}
        onClick={() => onChange(status === null ? { ...view, statuses: [] } : toggledStatus(view, status))}
      >
        {label}
        {count !== undefined && (
          <>
            {' '}
            <span className="chip-count">{count.toLocaleString('en')}</span>
          </>
        )}
      </button>
    );
  };

  return (
    <div className="fleet-toolbar">
      <div className="fleet-toolbar-row">
        <div className="search-field">
          <label htmlFor={searchId} className="visually-hidden">
            Search collectors
          </label>
          <input
            id={searchId}
            type="search"
            placeholder="Search name, host, id or label=value"
            value={text}
            maxLength={200}
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') onChange({ ...view, q: text });
            }}
          />
        </div>
        <label className="inline-field">
          <span>Runtime</span>
          <select
            value={view.runtime ?? ''}
            onChange={(event) =>
              onChange({ ...view, runtime: (event.target.value || null) as FleetView['runtime'] })
            }
          >
            <option value="">Any</option>
            <option value="otelcol">otelcol-contrib</option>
            <option value="alloy">Grafana Alloy</option>
          </select>
        </label>
        <label className="inline-field">
          <span>Mode</span>
          <select
            value={view.mode ?? ''}
            onChange={(event) =>
              onChange({ ...view, mode: (event.target.value || null) as FleetView['mode'] })
            }
          >
            <option value="">Any</option>
            {(Object.keys(modeLabels) as CollectorView['mode'][]).map((mode) => (
              <option key={mode} value={mode}>
                {modeLabels[mode]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="fleet-toolbar-row" role="group" aria-label="Status">
        {statusButton(null, 'All', counts ? total : undefined)}
        {filterStatuses.map((status) =>
          statusButton(status, statusLabels[status], counts?.[status] ?? (counts ? 0 : undefined)),
        )}
      </div>
    </div>
  );
}
