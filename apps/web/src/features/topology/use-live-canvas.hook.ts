import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { errorMessage } from '../../api/client.ts';
import { topologyStreamErrorEvent } from '@linkmesh/contracts/topology-api';
import { CanvasStore } from './canvas.store.ts';
import type { CanvasModel } from './canvas.types.ts';

/** How the numbers reach the page: pushed over Server-Sent Events, or re-read when no stream answers. */
export type LiveState = 'connecting' | 'live' | 'polling';

function streamErrorMessage(data: unknown): string {
  try {
    const { message } = JSON.parse(String(data)) as { message?: unknown };
    if (typeof message === 'string') return `Live update failed: ${message}`;
  } catch {
    // Not JSON: fall through to the general sentence.
  }
  return 'Live update failed; the numbers shown are the last that arrived.';
}

/** Without a stream, the product still promises labels about every 30 s. */
const pollSeconds = 30;

export interface LiveCanvas<V> {
  /** The latest answer (for what is not drawn per element: diagnosis, time, source). */
  view: V | null;
  /** The model as of the last change of shape: what the layout and React Flow's lists are made of. */
  shape: CanvasModel | null;
  store: CanvasStore;
  error: string | null;
  live: LiveState;
  reload: () => void;
}

interface Options<V> {
  load: () => Promise<V>;
  streamUrl: string;
  toModel: (view: V) => CanvasModel;
}

/**
 * Loads a topology view, then follows its Server-Sent Events stream (`event: topology`). Each
 * view updates the per-element store in one synchronous commit, measured as the
 * `topology:update` performance entry (its mapping alone as `topology:map`); the shape (and so the layout) changes only when the
 * graph's `shapeKey` does. If the stream closes for good, it re-reads every 30 s instead.
 */
export function useLiveCanvas<V>(key: string, options: Options<V>): LiveCanvas<V> {
  const store = useMemo(() => new CanvasStore(), [key]);
  const [view, setView] = useState<V | null>(null);
  const [shape, setShape] = useState<CanvasModel | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState<LiveState>('connecting');
  const [generation, setGeneration] = useState(0);
  const latest = useRef(options);
  latest.current = options;

  useEffect(() => {
    let current = true;
    let shapeKey: string | null = null;
    let timer: number | undefined;
    setView(null);
    setShape(null);
    setError(null);
    setLive('connecting');

    const receive = (next: V) => {
      if (!current) return;
      const startedMs = performance.now();
      const model = latest.current.toModel(next);
      const mappedMs = performance.now();
      flushSync(() => {
        store.apply(model);
        if (model.shapeKey !== shapeKey) {
          shapeKey = model.shapeKey;
          setShape(model);
        }
        setView(next);
        setError(null);
      });
      const committedMs = performance.now();
      performance.measure('topology:map', { start: startedMs, end: mappedMs });
      performance.measure('topology:update', { start: startedMs, end: committedMs });
    };
    const load = () =>
      latest.current.load().then(receive, (failure: unknown) => {
        if (current) setError(errorMessage(failure));
      });

    void load();
    const source = new EventSource(latest.current.streamUrl);
    source.addEventListener('topology', (event) => {
      try {
        receive(JSON.parse((event as MessageEvent<string>).data) as V);
      } catch {
        // A malformed event is skipped; the next one carries the whole view again.
      }
    });
    source.addEventListener('open', () => current && setLive('live'));
    // The server could not render the view this time; the stream stays open.
    source.addEventListener(topologyStreamErrorEvent, (event) => {
      if (current) setError(streamErrorMessage((event as MessageEvent<string>).data));
    });
    source.addEventListener('error', () => {
      if (!current) return;
      if (source.readyState !== EventSource.CLOSED) return setLive('connecting');
      setLive('polling');
      timer ??= window.setInterval(() => void load(), pollSeconds * 1000);
    });
    return () => {
      current = false;
      source.close();
      window.clearInterval(timer);
    };
  }, [key, store, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { view, shape, store, error, live, reload };
}
