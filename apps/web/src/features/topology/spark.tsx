import { sparklinePath } from './canvas.sparkline.ts';

/** A decorative trend line (the numbers are in the text beside it). */
export function spark(values: readonly (number | null)[], width: number, height: number, error = false) {
  return (
    <svg
      className={error ? 'sparkline sparkline-error' : 'sparkline'}
      width={width}
      height={height}
      aria-hidden="true"
    >
      <path d={sparklinePath(values, width, height)} />
    </svg>
  );
}
