import { missing, percent, quantity } from '../../components/format.ts';

/** Fill above which the bar turns amber, and at which it turns red. */
const warnAbove = 0.5;
const criticalAt = 0.9;

/** The bar's colour band; the numbers beside it carry the meaning, colour only reinforces it. */
export function queueLevel(fraction: number): 'ok' | 'warn' | 'critical' {
  if (fraction >= criticalAt) return 'critical';
  if (fraction > warnAbove) return 'warn';
  return 'ok';
}

/**
 * An exporter's sending-queue depth: size against capacity as a bar with the numbers
 * ("250 / 1,000"). Without a capacity only the size is shown; without either, "—".
 */
export function QueueFill({
  name,
  size,
  capacity,
}: {
  name: string;
  size: number | null;
  capacity: number | null;
}) {
  if (size === null) return <span className="muted">{missing}</span>;
  const count = quantity(size, '', 0);
  if (capacity === null || capacity <= 0) {
    return (
      <span className="queue" title="The collector did not report the queue's capacity">
        <span className="queue-numbers">{count}</span> <span className="muted">/ ?</span>
      </span>
    );
  }
  const fraction = Math.min(1, Math.max(0, size / capacity));
  const text = `${count} / ${quantity(capacity, '', 0)}`;
  return (
    <span className="queue">
      <span
        role="meter"
        aria-label={`Queue of ${name}`}
        aria-valuemin={0}
        aria-valuemax={capacity}
        aria-valuenow={size}
        aria-valuetext={`${text} (${percent(size / capacity)} full)`}
        className={`queue-bar queue-${queueLevel(fraction)}`}
        title={`${percent(size / capacity)} full`}
      >
        <span className="queue-bar-fill" style={{ width: `${fraction * 100}%` }} />
      </span>
      <span className="queue-numbers">{text}</span>
    </span>
  );
}
