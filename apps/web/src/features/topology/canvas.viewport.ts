import type { Positions } from './canvas.layout.ts';
import { nodeHeightPx, nodeWidthPx } from './canvas.types.ts';

/** Below this zoom an element's text is too small to read; a larger graph opens at its top left. */
export const readableZoom = 0.6;
const paddingPx = 24;

/**
 * The viewport a canvas opens with: the whole graph when it fits at a readable zoom (centred,
 * never enlarged past 1), else its top-left corner at {@link readableZoom}, where the sources
 * start; the controls' fit button still shows everything.
 *
 * @example initialViewport(positions, 1200, 600) // { x: 24, y: 24, zoom: 0.6 }
 */
export function initialViewport(
  positions: Positions,
  widthPx: number,
  heightPx: number,
): { x: number; y: number; zoom: number } {
  const boxes = [...positions.values()];
  if (boxes.length === 0) return { x: 0, y: 0, zoom: 1 };
  const minX = Math.min(...boxes.map((p) => p.x));
  const minY = Math.min(...boxes.map((p) => p.y));
  const graphWidth = Math.max(...boxes.map((p) => p.x)) + nodeWidthPx - minX;
  const graphHeight = Math.max(...boxes.map((p) => p.y)) + nodeHeightPx - minY;
  const fit = Math.min(1, (widthPx - 2 * paddingPx) / graphWidth, (heightPx - 2 * paddingPx) / graphHeight);
  if (fit >= readableZoom) {
    return {
      x: (widthPx - graphWidth * fit) / 2 - minX * fit,
      y: (heightPx - graphHeight * fit) / 2 - minY * fit,
      zoom: fit,
    };
  }
  return { x: paddingPx - minX * readableZoom, y: paddingPx - minY * readableZoom, zoom: readableZoom };
}
