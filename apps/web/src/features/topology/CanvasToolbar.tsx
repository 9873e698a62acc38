import type { ReactNode } from 'react';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import type { LiveState } from './use-live-canvas.hook.ts';

interface CanvasToolbarProps {
  throughputOn: boolean;
  onThroughputChange: (on: boolean) => void;
  legendOpen: boolean;
  onLegendChange: (open: boolean) => void;
  live: LiveState;
  /** When the server computed the numbers shown. */
  generatedAt: string | null;
  /** Extra controls (a group picker) or facts (where the graph comes from). */
  children?: ReactNode;
}

const liveText: Record<LiveState, string> = {
  connecting: 'Connecting to live updates…',
  live: 'Live',
  polling: 'Live stream unavailable: re-reading every 30 s',
};

/** The throughput switch, the legend, and whether the numbers are live. */
export function CanvasToolbar({
  throughputOn,
  onThroughputChange,
  legendOpen,
  onLegendChange,
  live,
  generatedAt,
  children,
}: CanvasToolbarProps) {
  return (
    <div className="canvas-toolbar" role="toolbar" aria-label="Canvas">
      <button
        type="button"
        role="switch"
        aria-checked={throughputOn}
        className="switch"
        onClick={() => onThroughputChange(!throughputOn)}
      >
        <span className="switch-track" aria-hidden="true">
          <span className="switch-thumb" />
        </span>
        Throughput
      </button>
      <button
        type="button"
        className="button-small"
        aria-expanded={legendOpen}
        aria-controls="canvas-legend"
        onClick={() => onLegendChange(!legendOpen)}
      >
        How to read the numbers
      </button>
      {children}
      <p className={`live live-${live}`} role="status">
        <span className="live-dot" aria-hidden="true" />
        {liveText[live]}
        {generatedAt !== null && (
          <>
            {' '}
            · updated <RelativeTime iso={generatedAt} />
          </>
        )}
      </p>
    </div>
  );
}
