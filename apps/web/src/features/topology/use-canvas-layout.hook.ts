import { useEffect, useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { layoutEngine } from './canvas.layout-engine.ts';
import { layoutCanvas, type Positions } from './canvas.layout.ts';
import type { CanvasModel } from './canvas.types.ts';

/**
 * Positions for a shape, computed by elkjs in its worker. `shape` changes identity only when the
 * graph's shape does, so a new sample never lays out again; until a new layout arrives the
 * previous positions stay (elements new to the shape appear once placed).
 */
export function useCanvasLayout(shape: CanvasModel | null): {
  positions: Positions | null;
  error: string | null;
} {
  const [result, setResult] = useState<{ positions: Positions | null; error: string | null }>({
    positions: null,
    error: null,
  });
  // The worker starts (and parses elkjs) while the first view is still being fetched.
  useEffect(() => void layoutEngine(), []);
  useEffect(() => {
    if (shape === null) return;
    let current = true;
    const startedMs = performance.now();
    layoutCanvas(layoutEngine(), shape).then(
      (positions) => {
        if (!current) return;
        performance.measure('topology:layout', { start: startedMs, end: performance.now() });
        setResult({ positions, error: null });
      },
      (failure: unknown) => {
        if (current) setResult((previous) => ({ ...previous, error: errorMessage(failure) }));
      },
    );
    return () => {
      current = false;
    };
  }, [shape]);
  return result;
}
