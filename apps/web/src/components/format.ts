/** Display helpers shared by the pages. All inputs are API values (ISO strings, numbers, null). */

export const missing = '—';

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const steps: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

/**
 * "3 minutes ago", "in 2 hours", "now" (under 10 s) — or "—" for null.
 *
 * @example relativeTime('2024-01-01T00:00:00Z', Date.parse('2024-01-01T00:05:00Z')) // "5 minutes ago"
 */
export function relativeTime(iso: string | null, nowMs: number): string {
  if (iso === null) return missing;
  const deltaSeconds = (Date.parse(iso) - nowMs) / 1000;
  if (Math.abs(deltaSeconds) < 10) return 'now';
  let value = deltaSeconds;
  for (const [unit, size] of steps) {
    // Compare the rounded value so 59.6 minutes reads "in 1 hour", not "in 60 minutes".
    if (Math.abs(Math.round(value)) < size) return relative.format(Math.round(value), unit);
    value /= size;
  }
  return missing;
}

const absolute = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' });

/** Local date and time, or "—" for null. */
export const dateTime = (iso: string | null): string =>
  iso === null ? missing : absolute.format(new Date(iso));

/**
 * Number formatters by fraction digits and grouping, made once: `toLocaleString` with options
 * builds a new `Intl.NumberFormat` on every call (~10 µs), which a canvas of 200 live labels
 * would pay thousands of times per update.
 */
const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(digits: number, grouping: boolean): Intl.NumberFormat {
  const key = `${digits}:${grouping}`;
  let format = numberFormats.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat('en', { maximumFractionDigits: digits, useGrouping: grouping });
    numberFormats.set(key, format);
  }
  return format;
}

/** A number with at most `digits` fraction digits and a unit suffix, or "—" for null. */
export function quantity(value: number | null, unit = '', digits = 1): string {
  if (value === null) return missing;
  return `${numberFormat(digits, true).format(value)}${unit}`;
}

/** "3d 4h", "5h 12m", "42s" — or "—" for null. */
export function duration(seconds: number | null): string {
  if (seconds === null) return missing;
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${s % 60}s`;
  return `${s}s`;
}

const magnitudes = ['', 'k', 'M', 'G', 'T'] as const;

/** A non-negative number with at most `digits` fraction digits, trailing zeros dropped. */
function roundedText(value: number, digits: number): string {
  const decimal = String(value);
  // Shift the decimal point in the text, not by multiplying (1.005 * 100 is 100.49999…).
  const rounded = decimal.includes('e') ? value : Math.round(Number(`${decimal}e${digits}`)) / 10 ** digits;
  const text = rounded.toFixed(digits);
  return digits > 0 ? text.replace(/\.?0+$/, '') : text;
}

/**
 * A rate or count in at most four significant characters: "0.25", "12.5", "950", "1.2k",
 * "34k", "1.5M". A positive value too small to show reads "<0.01", never "0".
 *
 * @example compact(1234) // "1.2k"
 */
export function compact(value: number): string {
  if (!Number.isFinite(value)) return missing;
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (abs > 0 && abs < 0.005) return `${sign}<0.01`;
  let scaled = abs;
  let unit = 0;
  while (scaled >= 999.5 && unit < magnitudes.length - 1) {
    scaled /= 1000;
    unit += 1;
  }
  const digits = scaled < 10 && unit === 0 ? 2 : scaled < 100 ? 1 : 0;
  // Not Intl: a canvas update formats ~1,000 numbers and Intl.NumberFormat#format costs ~50×
  // this. Rounded half up on the shortest decimal form, as Intl does (1.005 → "1.01").
  let text = roundedText(scaled, digits);
  // 999.96k rounds to "1000k": move to the next magnitude instead.
  if (text === '1000' && unit < magnitudes.length - 1) {
    text = '1';
    unit += 1;
  }
  return `${sign}${text}${magnitudes[unit] ?? ''}`;
}

/** Events per second ("1.2k/s"), or "—" for null (no rate yet). */
export const perSecond = (value: number | null): string => (value === null ? missing : `${compact(value)}/s`);

/** A fraction (0…1) as a percentage with one fraction digit at most ("0.5 %", "25 %"). */
export const percent = (fraction: number): string => quantity(fraction * 100, ' %');
