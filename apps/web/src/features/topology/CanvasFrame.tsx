import { useCallback, useMemo, useState, type KeyboardEvent, type ReactNode } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { Canvas, type CanvasSelection } from './Canvas.tsx';
import { CanvasContext, type CanvasSettings } from './canvas.context.ts';
import { CanvasToolbar } from './CanvasToolbar.tsx';
import { ElementPanel } from './ElementPanel.tsx';
import { ThroughputLegend } from './ThroughputLegend.tsx';
import { useThroughputSwitch } from './throughput-switch.hook.ts';
import { useCanvasLayout } from './use-canvas-layout.hook.ts';
import type { LiveCanvas } from './use-live-canvas.hook.ts';

interface CanvasFrameProps {
  /** Names the canvas region ("Topology of edge-1"). */
  label: string;
  canvas: LiveCanvas<unknown>;
  generatedAt: string | null;
  /** Whose element counters the side panel reads; null on the fleet canvas. */
  collectorId: string | null;
  /** Shown above the canvas: the diagnosis of missing numbers. */
  notice: ReactNode;
  /** Shown in the canvas's place when the graph has no element at all. */
  empty: ReactNode;
  /** Controls or facts for the toolbar. */
  toolbar?: ReactNode;
}

/**
 * Toolbar, canvas, legend and side panel around one live topology; shared by a collector's
 * Topology tab and the fleet page.
 */
export function CanvasFrame({
  label,
  canvas,
  generatedAt,
  collectorId,
  notice,
  empty,
  toolbar,
}: CanvasFrameProps) {
  const [throughputOn, setThroughputOn] = useThroughputSwitch();
  const [legendOpen, setLegendOpen] = useState(false);
  const [selection, setSelection] = useState<CanvasSelection>(null);
  const { positions, error: layoutError } = useCanvasLayout(canvas.shape);
  const select = useCallback((next: CanvasSelection) => {
    setSelection(next);
    if (next !== null) setLegendOpen(false);
  }, []);
  const settings = useMemo<CanvasSettings>(
    () => ({ store: canvas.store, throughputOn, openEdge: (id) => select({ type: 'edge', id }) }),
    [canvas.store, throughputOn, select],
  );
  const openLegend = (open: boolean) => {
    setLegendOpen(open);
    if (open) setSelection(null);
  };

  const closeOnEscape = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Escape') return;
    setSelection(null);
    setLegendOpen(false);
  };

  const { shape } = canvas;
  return (
    <CanvasContext value={settings}>
      <div className="canvas-frame" onKeyDown={closeOnEscape}>
        <CanvasToolbar
          throughputOn={throughputOn}
          onThroughputChange={setThroughputOn}
          legendOpen={legendOpen}
          onLegendChange={openLegend}
          live={canvas.live}
          generatedAt={generatedAt}
        >
          {toolbar}
        </CanvasToolbar>
        {canvas.error !== null && <ErrorNotice message={canvas.error} onRetry={canvas.reload} />}
        {layoutError !== null && (
          <ErrorNotice message={`The layout failed: ${layoutError}`} onRetry={canvas.reload} />
        )}
        {shape !== null && shape.nodes.length > 0 && notice}
        {shape === null && canvas.error === null && <p className="muted">Loading the topology…</p>}
        {shape !== null && shape.nodes.length === 0 && <div className="empty canvas-empty">{empty}</div>}
        {shape !== null && shape.nodes.length > 0 && (
          <div className="canvas-body">
            {positions === null ? (
              <p className="muted canvas-placeholder">Laying out {shape.nodes.length} elements…</p>
            ) : (
              <Canvas
                label={label}
                shape={shape}
                positions={positions}
                selection={selection}
                onSelect={select}
              />
            )}
            {legendOpen && (
              <div id="canvas-legend" className="canvas-side">
                <ThroughputLegend fleet={collectorId === null} />
              </div>
            )}
            {selection !== null && (
              <div className="canvas-side">
                <ElementPanel
                  collectorId={collectorId}
                  selection={selection}
                  onClose={() => setSelection(null)}
                />
              </div>
            )}
          </div>
        )}
      </div>
    </CanvasContext>
  );
}
