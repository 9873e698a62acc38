import type { CollectorListPage, CollectorSort, CollectorView } from '@linkmesh/contracts/api';
import { useCallback, useRef, useState } from 'react';
import { deregisterCollector, listCollectors } from '../../api/collectors.api.ts';
import { useResource } from '../../api/resource.hook.ts';
import { navigate, useSearch } from '../../app/router.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { AddCollectorDialog } from './AddCollectorDialog.tsx';
import { CollectorTable } from './CollectorTable.tsx';
import {
  apiQueryOf,
  defaultView,
  type FleetView,
  isFiltered,
  searchOf,
  sortedBy,
  viewFromSearch,
} from './fleet-query.ts';
import { FleetToolbar } from './FleetToolbar.tsx';

/** Status changes arrive from the collectors themselves, so the list re-polls. */
const pollSeconds = 15;
/** Rows per request; "Show more" adds as many, up to the API's limit. */
const pageRows = 500;
const maxRows = 5000;

/** The fleet: search, filters and sorting in the URL, every collector's health and rates. */
export function CollectorsPage() {
  const search = useSearch();
  const view = viewFromSearch(search);
  const [limit, setLimit] = useState(pageRows);
  const apiQuery = apiQueryOf(view, limit);
  const collectors = useResource(`collectors?${apiQuery}`, () => listCollectors(apiQuery), pollSeconds);
  // The whole fleet's size, for "12 of 300 shown" (the page's counts follow its search).
  const fleetSize = useResource('fleet-size', () => listCollectors('limit=1&counts=true'), pollSeconds);
  // While another view loads, keep showing the last list instead of a blank page.
  const shown = useRef<CollectorListPage | undefined>(undefined);
  if (collectors.state === 'ready') shown.current = collectors.data;
  const page = shown.current;
  const [adding, setAdding] = useState(false);
  const [deregistering, setDeregistering] = useState<CollectorView>();

  const setView = useCallback((next: FleetView) => {
    setLimit(pageRows);
    navigate(`/collectors${searchOf(next)}`, { replace: true });
  }, []);
  const onSort = useCallback((sort: CollectorSort) => setView(sortedBy(view, sort)), [setView, view]);

  const countAll = (counts: CollectorListPage['statusCounts']) =>
    Object.values(counts ?? {}).reduce((sum, n) => sum + n, 0);
  const total = fleetSize.state === 'ready' ? countAll(fleetSize.data.statusCounts) : undefined;
  const searched = page ? countAll(page.statusCounts) : 0;
  const matching = page
    ? view.statuses.length === 0
      ? searched
      : view.statuses.reduce((sum, s) => sum + (page.statusCounts?.[s] ?? 0), 0)
    : 0;

  return (
    <section aria-labelledby="collectors-title">
      <div className="page-header">
        <h1 id="collectors-title">Collectors</h1>
        {page && (
          <p className="page-summary muted" aria-live="polite">
            {isFiltered(view)
              ? `${matching.toLocaleString('en')}${total === undefined ? '' : ` of ${total.toLocaleString('en')}`} shown`
              : `${searched.toLocaleString('en')} in the fleet`}
            {collectors.state === 'loading' && ' · updating…'}
          </p>
        )}
        <button type="button" className="button-primary" onClick={() => setAdding(true)}>
          Add collector
        </button>
      </div>

      <FleetToolbar view={view} counts={page?.statusCounts ?? null} onChange={setView} />

      {!page && collectors.state === 'loading' && <p className="muted">Loading collectors…</p>}
      {collectors.state === 'error' && (
        <ErrorNotice message={collectors.message} onRetry={collectors.reload} />
      )}
      {page && page.items.length === 0 && !isFiltered(view) && (
        <div className="empty">
          <p>No collectors yet.</p>
          <p className="muted">Use “Add collector” to enroll a Grafana Alloy or otelcol-contrib host.</p>
        </div>
      )}
      {page && page.items.length === 0 && isFiltered(view) && (
        <div className="empty" role="status">
          <p>No collectors match.</p>
          <p className="muted">
            {total === undefined
              ? 'None fits this search and these filters.'
              : `${total.toLocaleString('en')} ${total === 1 ? 'collector is' : 'collectors are'} in the fleet; none fits this search and these filters.`}
          </p>
          <button
            type="button"
            onClick={() => setView({ ...defaultView, sort: view.sort, order: view.order })}
          >
            Clear search and filters
          </button>
        </div>
      )}
      {page && page.items.length > 0 && (
        <>
          <CollectorTable
            collectors={page.items}
            view={view}
            onSort={onSort}
            onDeregister={setDeregistering}
          />
          {page.nextCursor !== null && limit < maxRows && (
            <p className="table-more">
              Showing the first {page.items.length.toLocaleString('en')}.{' '}
              <button
                type="button"
                className="button-link"
                onClick={() => setLimit((n) => Math.min(maxRows, n + pageRows))}
              >
                Show more
              </button>
            </p>
          )}
        </>
      )}

      {adding && (
        <AddCollectorDialog
          onCreated={collectors.reload}
          onClose={() => {
            setAdding(false);
            collectors.reload();
          }}
        />
      )}
      {deregistering && (
        <ConfirmDialog
          title={`Deregister ${deregistering.name}?`}
          confirmLabel="Deregister"
          onClose={() => setDeregistering(undefined)}
          onConfirm={async () => {
            await deregisterCollector(deregistering.id);
            setDeregistering(undefined);
            collectors.reload();
          }}
        >
          <p>
            Its credentials are revoked at once and it leaves the fleet list; its events and audit entries are
            kept. This cannot be undone: to bring the host back, enroll it again.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
