import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { compact, missing } from './format.ts';

export interface TimeSeries {
  label: string;
  /** One value per bucket, oldest first; null is a gap (no rate there), never a zero. */
  values: readonly (number | null)[];
  /** A CSS custom property holding the colour (`--accent`, `--danger` …). */
  colorVar: string;
}

interface TimeChartProps {
  /** What the chart shows, for assistive technology ("Records/s over the last 24 hours"). */
  label: string;
  /** Start of the first bucket (ISO). */
  startAt: string;
  bucketSeconds: number;
  series: readonly TimeSeries[];
  /** Appended to every value in the legend and axis ("records/s"). */
  unit: string;
  height?: number;
}

const cssVar = (element: Element, name: string) => getComputedStyle(element).getPropertyValue(name).trim();

/**
 * A uPlot line chart of per-bucket values over time, sized to its container. Colours come from
 * the theme's custom properties, read when the chart is drawn; gaps stay gaps.
 */
export function TimeChart({ label, startAt, bucketSeconds, series, unit, height = 180 }: TimeChartProps) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const startSeconds = Date.parse(startAt) / 1000;
    const length = Math.max(0, ...series.map((s) => s.values.length));
    const xs = Array.from({ length }, (_, i) => startSeconds + i * bucketSeconds);
    const format = (_: uPlot, value: number | null) =>
      value === null ? missing : `${compact(value)} ${unit}`;
    const axisColor = cssVar(element, '--muted');
    const gridColor = cssVar(element, '--border');
    const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } };
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [axis, { ...axis, size: 56, values: (_u, ticks) => ticks.map((t) => compact(t)) }],
      series: [
        { value: '{YYYY}-{MM}-{DD} {HH}:{mm}' },
        ...series.map((s) => ({
          label: s.label,
          stroke: cssVar(element, s.colorVar),
          width: 1.5,
          value: format,
        })),
      ],
    };
    const data: uPlot.AlignedData = [xs, ...series.map((s) => s.values.map((v) => v ?? null))];
    const chart = new uPlot(options, data, element);
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(200, element.clientWidth), height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [startAt, bucketSeconds, series, unit, height]);

  return <div ref={host} className="time-chart" role="img" aria-label={label} />;
}
