import type { CollectorSort } from '@linkmesh/contracts/api';
import type { HealthFacts } from './collector-health.ts';
import type { Collector, CollectorStatus, ManagementMode, Runtime } from './collector.types.ts';
import type { CurrentRates, RateSummary } from '../telemetry/rate-summary.ts';

/** What the fleet list sorts by: the API contract's sorts (`createdAt`, enrolment order, the default). */
export type FleetSort = CollectorSort;

/** A label filter: the collector carries exactly this key with exactly this value. */
export interface LabelMatch {
  readonly key: string;
  readonly value: string;
}

/**
 * One page of the fleet list (decision 0017). Every filter is ANDed; values inside one filter
 * are ORed. Statuses are the derived ones (`error` included), judged at `asOfMs`.
 */
export interface FleetQuery {
  readonly limit: number;
  readonly includeDeregistered?: boolean;
  /** Server time at which rates count as current (a cursor keeps the first page's). */
  readonly asOfMs: number;
  /** Case-insensitive substring of name, hostname, id or instance uid; `key=value` also matches a label. */
  readonly text?: string;
  readonly statuses?: readonly CollectorStatus[];
  readonly runtimes?: readonly Runtime[];
  readonly modes?: readonly ManagementMode[];
  readonly versions?: readonly string[];
  readonly labels?: readonly LabelMatch[];
  /** Only these collectors (a detail page reads its one row through the same rule). */
  readonly ids?: readonly string[];
  readonly sort: FleetSort;
  /**
   * `asc` / `desc` of the sort key; rows without one (no version, no current rate, never seen)
   * come last either way; ties by id. Status sorts by severity: error, disconnected, stale,
   * pending, connected (asc = worst first).
   */
  readonly order: 'asc' | 'desc';
  /** Keyset paging: rows after the one with this sort value and id. */
  readonly after?: { readonly value: string | number | null; readonly id: string };
}

/** One row as storage returns it: the record, what its health is derived from, its sort value. */
export interface FleetListRow {
  readonly collector: Collector;
  readonly facts: Omit<HealthFacts, 'rates'>;
  /** The stored rate summary without its samples (undefined: no self-telemetry yet). */
  readonly summary: Omit<RateSummary, 'lastSamples'> | undefined;
  /** The sort key's value (for the next cursor). */
  readonly sortValue: string | number | null;
}

/** A row of the fleet list as the API shows it. */
export interface FleetListItem {
  readonly collector: Collector;
  /** The derived status (the stored connection status, or `error`). */
  readonly status: CollectorStatus;
  readonly statusReason: string | null;
  readonly rates: CurrentRates;
  readonly sortValue: string | number | null;
}
