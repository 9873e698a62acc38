import { collectorSorts, collectorStatuses, managementModes, runtimes } from '@linkmesh/contracts/api';
import { z } from 'zod';
import type { FleetSort } from '../../../domain/fleet/fleet-list.types.ts';
import { HttpError } from '../api-errors.ts';
import { decodeCursor, limitQuery } from './query.ts';

/** Longest `q`; longer searches are refused rather than cut (decision 0017). */
export const maxSearchLength = 200;

/** The distinct non-empty items of a comma-separated list. */
const csvItems = (text: string): string[] => [
  ...new Set(
    text
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ),
];

/** A comma-separated list of known values (`status=error,stale`). */
const csvOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .max(500)
    .transform((text, ctx) => {
      const items = csvItems(text);
      const isKnown = (v: string): v is T[number] => (values as readonly string[]).includes(v);
      const known = items.filter(isKnown);
      const unknown = items.filter((v) => !isKnown(v));
      if (unknown.length > 0 || known.length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a comma-separated list of ${values.join(', ')}${unknown.length > 0 ? ` (not ${unknown.slice(0, 3).join(', ')})` : ''}`,
        });
        return z.NEVER;
      }
      return known;
    });

const versions = z
  .string()
  .max(2000)
  .transform((text, ctx) => {
    const items = csvItems(text);
    if (items.length === 0 || items.length > 20 || items.some((v) => v.length > 100)) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be 1–20 comma-separated versions of at most 100 characters',
      });
      return z.NEVER;
    }
    return items;
  });

/** `label=env=prod` (repeatable, all must match), at most 10. */
const labels = z.union([z.string(), z.array(z.string()).max(10)]).transform((value, ctx) => {
  const matches: { key: string; value: string }[] = [];
  for (const text of Array.isArray(value) ? value : [value]) {
    const equals = text.indexOf('=');
    const key = text.slice(0, equals).trim();
    if (equals <= 0 || key.length === 0 || text.length > 400) {
      ctx.addIssue({ code: 'custom', message: 'must look like key=value (at most 400 characters)' });
      return z.NEVER;
    }
    matches.push({ key, value: text.slice(equals + 1).trim() });
  }
  return matches;
});

/** `GET /api/v1/collectors` query string; a bad value answers 400 naming the field. */
export const collectorListQuery = z.object({
  limit: limitQuery(500, 5000),
  cursor: z.string().max(1000).optional(),
  includeDeregistered: z.enum(['true', 'false']).default('false'),
  q: z.string().max(maxSearchLength, `must be at most ${maxSearchLength} characters`).optional(),
  status: csvOf(collectorStatuses).optional(),
  runtime: csvOf(runtimes).optional(),
  mode: csvOf(managementModes).optional(),
  version: versions.optional(),
  label: labels.optional(),
  sort: z.enum(collectorSorts).default('createdAt'),
  order: z.enum(['asc', 'desc']).optional(),
  counts: z.enum(['true', 'false']).default('false'),
});

/**
 * Where a page starts. The default order (createdAt asc) keeps its original cursor,
 * `[createdAtMs, id]`; every other order carries `['v1', sort, order, asOfMs, value, id]`, so
 * the next page judges rate expiry at the first page's time and continues after the same key.
 */
export function fleetPage(
  cursor: string | undefined,
  sort: FleetSort,
  order: 'asc' | 'desc',
  nowMs: number,
): { asOfMs: number; after?: { value: string | number | null; id: string } } {
  if (cursor === undefined) return { asOfMs: nowMs };
  const parts = decodeCursor(cursor);
  const refuse = (why: string) => new HttpError(400, 'invalid', `cursor ${why}`, 'cursor');
  if (!parts) throw refuse('is not one this server issued');
  if (parts[0] !== 'v1') {
    if (parts.length !== 2 || typeof parts[0] !== 'number' || typeof parts[1] !== 'string')
      throw refuse('is not one this server issued');
    if (sort !== 'createdAt' || order !== 'asc') throw refuse('belongs to another sort order');
    return { asOfMs: nowMs, after: { value: parts[0], id: parts[1] } };
  }
  const [, cursorSort, cursorOrder, asOfMs, value, id] = parts;
  if (
    parts.length !== 6 ||
    typeof asOfMs !== 'number' ||
    typeof id !== 'string' ||
    !(value === null || typeof value === 'string' || typeof value === 'number')
  )
    throw refuse('is not one this server issued');
  if (cursorSort !== sort || cursorOrder !== order) throw refuse('belongs to another sort order');
  return { asOfMs, after: { value, id } };
}
