interface SparklineProps {
  /** One value per time bucket, oldest first; `null` is a gap (no data), drawn as a break. */
  values: readonly (number | null)[];
  /** What the values are, for the accessible summary: "Records/s over the last 15 minutes". */
  label: string;
  /** Formats a value for the summary ("1.2k/s"). */
  format: (value: number) => string;
  tone?: 'default' | 'error';
  width?: number;
  height?: number;
}

const pad = 2;
/** Two decimals are plenty for a 120-pixel chart and keep the markup short. */
const round = (n: number) => Math.round(n * 100) / 100;

/** Consecutive runs of present values, as [bucket index, value] pairs. */
function runs(values: readonly (number | null)[]): [number, number][][] {
  const result: [number, number][][] = [];
  let current: [number, number][] = [];
  values.forEach((value, index) => {
    if (value === null || !Number.isFinite(value)) {
      if (current.length > 0) result.push(current);
      current = [];
    } else {
      current.push([index, value]);
    }
  });
  if (current.length > 0) result.push(current);
  return result;
}

/** "…: min 0/s, max 1.2k/s, last 950/s", or "…: no data" when every bucket is a gap. */
export function sparklineSummary(
  values: readonly (number | null)[],
  label: string,
  format: (value: number) => string,
): string {
  const present = values.filter((value): value is number => value !== null && Number.isFinite(value));
  const last = present[present.length - 1];
  if (last === undefined) return `${label}: no data`;
  return `${label}: min ${format(Math.min(...present))}, max ${format(Math.max(...present))}, last ${format(last)}`;
}

/**
 * A tiny inline line chart. The scale starts at zero so a flat line at the top is not mistaken
 * for a high value; gaps stay gaps (never zeros), and a lone value between gaps is a dot.
 */
export function Sparkline({
  values,
  label,
  format,
  tone = 'default',
  width = 120,
  height = 28,
}: SparklineProps) {
  const summary = sparklineSummary(values, label, format);
  const max = Math.max(0, ...values.map((value) => (value !== null && Number.isFinite(value) ? value : 0)));
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
  const x = (index: number) => round(values.length > 1 ? pad + index * step : width / 2);
  const y = (value: number) => round(height - pad - (max > 0 ? (value / max) * (height - 2 * pad) : 0));

  return (
    <svg
      role="img"
      aria-label={summary}
      className={`sparkline sparkline-${tone}`}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
    >
      <title>{summary}</title>
      <line className="sparkline-base" x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} />
      {runs(values).map((run) => {
        const [first] = run;
        if (first === undefined) return null;
        if (run.length === 1) {
          return <circle key={first[0]} cx={x(first[0])} cy={y(first[1])} r={2} />;
        }
        const d = run.map(([index, value], i) => `${i === 0 ? 'M' : 'L'}${x(index)},${y(value)}`).join(' ');
        return <path key={first[0]} d={d} />;
      })}
    </svg>
  );
}
