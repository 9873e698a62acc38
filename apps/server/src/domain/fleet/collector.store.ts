import type {
  Collector,
  CollectorEvent,
  CollectorEventType,
  CollectorPatch,
  CollectorStatus,
  NewCollector,
} from './collector.types.ts';
import type { FleetListRow, FleetQuery } from './fleet-list.types.ts';

export interface CollectorListFilter {
  readonly includeDeregistered?: boolean;
  readonly limit: number;
  /** Keyset pagination: collectors created strictly after this (createdAtMs, id). */
  readonly after?: { readonly createdAtMs: number; readonly id: string };
}

export interface CollectorStore {
  insert(collector: NewCollector): Promise<Collector>;
  get(id: string): Promise<Collector | undefined>;
  list(filter: CollectorListFilter): Promise<Collector[]>;
  update(id: string, patch: CollectorPatch): Promise<Collector | undefined>;
  markDeregistered(id: string, atMs: number): Promise<boolean>;
  /** Stores the effective config a collector reported outside OpAMP (already redacted). */
  setEffectiveConfig(id: string, text: string, atMs: number): Promise<void>;
  effectiveConfig(id: string): Promise<{ text: string; reportedAtMs: number } | undefined>;
  count(): Promise<number>;
  /** The fleet list: filtered, sorted and keyset-paged, with the facts its health is derived from. */
  listFleet(query: FleetQuery): Promise<FleetListRow[]>;
  /** Collectors matching every filter of `query` but its statuses, per derived status. */
  countFleetByStatus(
    query: Omit<FleetQuery, 'sort' | 'order' | 'limit' | 'after' | 'statuses'>,
  ): Promise<Partial<Record<CollectorStatus, number>>>;
  /** Live collectors of the given modes and status last seen before a time (liveness sweep). */
  listSilent(filter: {
    modes: readonly Collector['mode'][];
    status: Collector['status'];
    lastSeenBeforeMs: number;
    limit: number;
  }): Promise<Collector[]>;
}

export interface NewEvent {
  readonly collectorId: string;
  readonly type: CollectorEventType;
  readonly atMs: number;
  readonly detail: string;
  /** When set, a second event with the same collector and key is not recorded (de-duplication). */
  readonly dedupeKey?: string;
}

export interface EventStore {
  /** Returns the stored event, or undefined when the dedupe key had already been recorded. */
  append(event: NewEvent): Promise<CollectorEvent | undefined>;
  /** Newest first, bounded by a time window and a limit. */
  list(
    collectorId: string,
    filter: { sinceMs: number; limit: number; types?: readonly CollectorEventType[] },
  ): Promise<CollectorEvent[]>;
}
