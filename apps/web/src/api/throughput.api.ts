import type { ComponentRateView, ThroughputRowView } from '@linkmesh/contracts/api';
import { apiRequest } from './client.ts';

/** The look-back windows the UI offers; the server accepts any `90s`/`15m`/`2h`/`7d` form. */
export type ThroughputWindow = '5m' | '15m' | '1h';

/** `/components`: read-time rates per component and signal, with sparklines over the window. */
export interface ComponentRates {
  windowSeconds: number;
  buckets: number;
  items: ComponentRateView[];
}

/**
 * Per-component rates of one collector over `window`, each sparkline cut into `buckets` slices.
 *
 * @example const { items } = await listComponentRates(id, '15m');
 */
export function listComponentRates(
  id: string,
  window: ThroughputWindow = '15m',
  buckets = 30,
): Promise<ComponentRates> {
  const query = new URLSearchParams({ window, buckets: String(buckets) });
  return apiRequest<ComponentRates>(`/collectors/${encodeURIComponent(id)}/components?${query.toString()}`);
}

/**
 * Raw self-telemetry rows of one collector: lifetime (cumulative) counters exactly as pushed,
 * oldest first, at most `limit` of them from the start of `window`.
 */
export function listThroughputRows(
  id: string,
  window: ThroughputWindow = '15m',
  limit = 200,
): Promise<{ items: ThroughputRowView[] }> {
  const query = new URLSearchParams({ window, limit: String(limit) });
  return apiRequest<{ items: ThroughputRowView[] }>(
    `/collectors/${encodeURIComponent(id)}/throughput?${query.toString()}`,
  );
}
