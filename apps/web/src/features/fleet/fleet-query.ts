import {
  collectorSorts,
  collectorStatuses,
  defaultCollectorOrder,
  managementModes,
  runtimes,
  type CollectorSort,
  type CollectorView,
} from '@linkmesh/contracts/api';

/**
 * What the fleet list shows, kept in the page's URL query so a filtered view can be shared:
 * `/collectors?q=edge&status=error,stale&runtime=alloy&sort=recordsOutPerSec&order=desc`.
 * Unknown or malformed values are dropped, never an error: a link typed by hand still opens.
 */
export interface FleetView {
  readonly q: string;
  readonly statuses: readonly CollectorView['status'][];
  readonly runtime: CollectorView['runtime'] | null;
  readonly mode: CollectorView['mode'] | null;
  /** null: the server's default order (enrolment). */
  readonly sort: CollectorSort | null;
  readonly order: 'asc' | 'desc';
}

export const defaultView: FleetView = {
  q: '',
  statuses: [],
  runtime: null,
  mode: null,
  sort: null,
  order: 'asc',
};

/** Statuses an operator filters by (deregistered collectors are not listed). */
export const filterStatuses = ['connected', 'error', 'stale', 'disconnected', 'pending'] as const;

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | null =>
  value !== null && (values as readonly string[]).includes(value) ? (value as T) : null;

/**
 * The view a URL query describes.
 *
 * @example viewFromSearch('?status=error,bogus&sort=name') // { …, statuses: ['error'], sort: 'name', order: 'asc' }
 */
export function viewFromSearch(search: string): FleetView {
  const params = new URLSearchParams(search);
  const statuses = (params.get('status') ?? '')
    .split(',')
    .map((s) => oneOf(collectorStatuses, s.trim()))
    .filter((s): s is CollectorView['status'] => s !== null);
  const sort = oneOf(collectorSorts, params.get('sort'));
  const order = oneOf(['asc', 'desc'] as const, params.get('order'));
  return {
    q: (params.get('q') ?? '').slice(0, 200),
    statuses: [...new Set(statuses)],
    runtime: oneOf(runtimes, params.get('runtime')),
    mode: oneOf(managementModes, params.get('mode')),
    sort,
    order: order ?? (sort === null ? 'asc' : defaultCollectorOrder[sort]),
  };
}

/**
 * The URL query of a view ('' for the default one), in a stable order.
 *
 * @example searchOf({ ...defaultView, q: 'edge', sort: 'name', order: 'asc' }) // '?q=edge&sort=name&order=asc'
 */
export function searchOf(view: FleetView): string {
  const params = new URLSearchParams();
  if (view.q.trim() !== '') params.set('q', view.q.trim());
  if (view.statuses.length > 0) params.set('status', view.statuses.join(','));
  if (view.runtime !== null) params.set('runtime', view.runtime);
  if (view.mode !== null) params.set('mode', view.mode);
  if (view.sort !== null) {
    params.set('sort', view.sort);
    params.set('order', view.order);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The API query for a view: the same filters, plus status counts and a page size. */
export function apiQueryOf(view: FleetView, limit: number): string {
  const params = new URLSearchParams(searchOf(view));
  params.set('counts', 'true');
  params.set('limit', String(limit));
  return params.toString();
}

/** True when the view narrows the fleet (as opposed to only sorting it). */
export const isFiltered = (view: FleetView): boolean =>
  view.q.trim() !== '' || view.statuses.length > 0 || view.runtime !== null || view.mode !== null;

/**
 * The view after clicking a column header: a new column starts at its first order, the same
 * column flips.
 */
export function sortedBy(view: FleetView, sort: CollectorSort): FleetView {
  if (view.sort === sort) return { ...view, order: view.order === 'asc' ? 'desc' : 'asc' };
  return { ...view, sort, order: defaultCollectorOrder[sort] };
}

/** Adds or removes one status from the filter. */
export function toggledStatus(view: FleetView, status: CollectorView['status']): FleetView {
  const statuses = view.statuses.includes(status)
    ? view.statuses.filter((s) => s !== status)
    : [...view.statuses, status];
  return { ...view, statuses };
}
