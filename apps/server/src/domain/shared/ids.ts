import { randomUUID } from 'node:crypto';

/** Identifiers for stored records: random UUIDs (no ordering is implied by ids; use timestamps). */
export function newId(): string {
  return randomUUID();
}
