import type {
  CollectorDetailView,
  CollectorEventView,
  CollectorListPage,
  CollectorTokenMinted,
  CollectorView,
  Page,
} from '@linkmesh/contracts/api';
import { apiRequest } from './client.ts';

export type Runtime = CollectorView['runtime'];

/**
 * A page of the fleet list; `query` is the URL query of `GET /api/v1/collectors` (search,
 * filters, sort, `counts=true`, limit — see `features/fleet/fleet-query.ts`).
 */
export function listCollectors(query = ''): Promise<CollectorListPage> {
  return apiRequest<CollectorListPage>(`/collectors${query === '' ? '' : `?${query}`}`);
}

export function getCollector(id: string): Promise<CollectorDetailView> {
  return apiRequest<CollectorDetailView>(`/collectors/${encodeURIComponent(id)}`);
}

/** Events of the last 7 days (the server's default window), at most 200. */
export function listCollectorEvents(id: string): Promise<Page<CollectorEventView>> {
  return apiRequest<Page<CollectorEventView>>(`/collectors/${encodeURIComponent(id)}/events`);
}

export function createCollector(input: { name: string; runtime: Runtime }): Promise<CollectorView> {
  return apiRequest<CollectorView>('/collectors', { method: 'POST', json: input });
}

/** Mints a new bearer for the collector; the token (and Alloy snippet) are returned only now. */
export function mintCollectorToken(id: string): Promise<CollectorTokenMinted> {
  return apiRequest<CollectorTokenMinted>(`/collectors/${encodeURIComponent(id)}/token`, { method: 'POST' });
}

export async function deregisterCollector(id: string): Promise<void> {
  await apiRequest<undefined>(`/collectors/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
