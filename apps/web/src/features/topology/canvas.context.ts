import { useStore } from '@xyflow/react';
import { createContext, use, useCallback, useSyncExternalStore } from 'react';
import type { CanvasStore } from './canvas.store.ts';
import type { EdgeFacts, NodeFacts } from './canvas.types.ts';

export interface CanvasSettings {
  store: CanvasStore;
  /** The toolbar's throughput switch: numbers, sparklines, queue bars and tints on or off. */
  throughputOn: boolean;
  /** Opens an edge's details (its label is a button in the HTML layer, outside React Flow's clicks). */
  openEdge: (id: string) => void;
}

export const CanvasContext = createContext<CanvasSettings | null>(null);

function useCanvasSettings(): CanvasSettings {
  const settings = use(CanvasContext);
  if (settings === null) throw new Error('canvas elements render inside <CanvasContext>');
  return settings;
}

export const useThroughputOn = (): boolean => useCanvasSettings().throughputOn;

export const useOpenEdge = (): ((id: string) => void) => useCanvasSettings().openEdge;

/**
 * One element's live facts: the narrow selector that re-renders this element alone when a new
 * sample changes its numbers.
 */
export function useNodeFacts(id: string): NodeFacts | undefined {
  const { store } = useCanvasSettings();
  const subscribe = useCallback((listener: () => void) => store.subscribe(id, listener), [store, id]);
  return useSyncExternalStore(subscribe, () => store.node(id));
}

export function useEdgeFacts(id: string): EdgeFacts | undefined {
  const { store } = useCanvasSettings();
  const subscribe = useCallback((listener: () => void) => store.subscribe(id, listener), [store, id]);
  return useSyncExternalStore(subscribe, () => store.edge(id));
}

/** An edge's tone alone: its curve re-renders when the tint changes, not with every rate. */
export function useEdgeTone(id: string): EdgeFacts['tone'] | undefined {
  const { store } = useCanvasSettings();
  const subscribe = useCallback((listener: () => void) => store.subscribe(id, listener), [store, id]);
  return useSyncExternalStore(subscribe, () => store.edge(id)?.tone);
}

/** Below this zoom the canvas draws each element's name and main rate only, and no edge labels. */
export const detailZoom = 0.45;

/**
 * Whether the canvas is zoomed out past reading distance. A boolean selector: elements
 * re-render when the zoom crosses {@link detailZoom}, not on every zoom step.
 */
export const useZoomedOut = (): boolean => useStore((state) => state.transform[2] < detailZoom);
