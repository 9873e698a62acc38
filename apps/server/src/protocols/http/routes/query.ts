import { z } from 'zod';

/** Shared query-string parsing: bounded limits and time windows (every listing is bounded). */
export const limitQuery = (defaultLimit: number, maxLimit: number) =>
  z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit);

/** `15m`, `2h`, `7d`, `90s` → milliseconds; bounded to 30 days. */
export const windowQuery = (defaultWindow: string) =>
  z
    .string()
    .default(defaultWindow)
    .transform((text, ctx) => {
      const match = /^(\d{1,6})(s|m|h|d)$/.exec(text);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: 'window must look like 90s, 15m, 24h or 7d' });
        return z.NEVER;
      }
      const unitMs = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
      const windowMs = Number(match[1]) * unitMs;
      if (windowMs <= 0 || windowMs > 30 * 86_400_000) {
        ctx.addIssue({ code: 'custom', message: 'window must be between 1s and 30d' });
        return z.NEVER;
      }
      return windowMs;
    });

export function encodeCursor(parts: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string): unknown[] | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
