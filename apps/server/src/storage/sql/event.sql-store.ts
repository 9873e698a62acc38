import type { Kysely } from 'kysely';
import type { EventStore, NewEvent } from '../../domain/fleet/collector.store.ts';
import type { CollectorEvent, CollectorEventType } from '../../domain/fleet/collector.types.ts';
import type { Database, EventRow } from '../schema.ts';

export class SqlEventStore implements EventStore {
  constructor(private readonly db: Kysely<Database>) {}

  async append(event: NewEvent): Promise<CollectorEvent | undefined> {
    // `on conflict do nothing` on the (collector_id, dedupe_key) unique index makes
    // de-duplication atomic across replicas; rows without a key never conflict (NULLs differ).
    const row = await this.db
      .insertInto('events')
      .values({
        collector_id: event.collectorId,
        type: event.type,
        at: event.atMs,
        detail: event.detail,
        dedupe_key: event.dedupeKey ?? null,
      })
      .onConflict((oc) => oc.columns(['collector_id', 'dedupe_key']).doNothing())
      .returningAll()
      .executeTakeFirst();
    return row && toEvent(row);
  }

  async list(
    collectorId: string,
    filter: { sinceMs: number; limit: number; types?: readonly CollectorEventType[] },
  ): Promise<CollectorEvent[]> {
    let query = this.db
      .selectFrom('events')
      .selectAll()
      .where('collector_id', '=', collectorId)
      .where('at', '>=', filter.sinceMs);
    if (filter.types && filter.types.length > 0) query = query.where('type', 'in', [...filter.types]);
    const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map(toEvent);
  }
}

function toEvent(row: { id: number } & Omit<EventRow, 'id'>): CollectorEvent {
  return {
    id: row.id,
    collectorId: row.collector_id,
    type: row.type as CollectorEventType,
    atMs: row.at,
    detail: row.detail,
  };
}
