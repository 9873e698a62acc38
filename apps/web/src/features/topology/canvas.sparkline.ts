/** Two decimals are plenty for an 84-pixel line and keep the attribute short. */
const round = (n: number) => Math.round(n * 100) / 100;
const pad = 2;

/**
 * The SVG path of a canvas sparkline: one subpath per run of values, gaps left open (never drawn
 * as zeros), a lone value as a zero-length segment that a round line cap shows as a dot; the
 * scale starts at zero. The shared `Sparkline` component does the same with an accessible
 * summary; on the canvas the numbers are in the card's text, so this one is decoration only and
 * costs one attribute per update.
 *
 * @example sparklinePath([1, 2, null, 3], 40, 10) // "M2,6 L14,4 M38,2 l0,0"
 */
export function sparklinePath(values: readonly (number | null)[], width: number, height: number): string {
  let max = 0;
  for (const value of values) if (value !== null && value > max) max = value;
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
  const x = (i: number) => round(values.length > 1 ? pad + i * step : width / 2);
  const y = (v: number) => round(height - pad - (max > 0 ? (v / max) * (height - 2 * pad) : 0));
  const parts: string[] = [];
  let runLength = 0;
  values.forEach((value, i) => {
    if (value === null || !Number.isFinite(value)) {
      if (runLength === 1) parts.push('l0,0');
      runLength = 0;
      return;
    }
    parts.push(`${runLength === 0 ? 'M' : 'L'}${x(i)},${y(value)}`);
    runLength += 1;
  });
  if (runLength === 1) parts.push('l0,0');
  return parts.join(' ');
}
