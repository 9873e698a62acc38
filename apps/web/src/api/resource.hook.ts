import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from './client.ts';

export type Resource<T> =
  | { state: 'loading'; reload: () => void }
  | { state: 'error'; message: string; reload: () => void }
  | { state: 'ready'; data: T; reload: () => void };

/**
 * Loads `load()` when `key` changes and on `reload()`; keeps showing the last data while a
 * reload runs, and re-polls every `pollSeconds` when given. Answers that arrive after the
 * component moved on are dropped.
 */
export function useResource<T>(key: string, load: () => Promise<T>, pollSeconds?: number): Resource<T> {
  const [result, setResult] = useState<
    { key: string; data: T; error?: never } | { key: string; error: string; data?: never } | undefined
  >(undefined);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    let current = true;
    load().then(
      (data) => {
        if (current) setResult({ key, data });
      },
      (error: unknown) => {
        if (current) setResult({ key, error: errorMessage(error) });
      },
    );
    return () => {
      current = false;
    };
    // `load` is recreated on every render on purpose: `key` names what it loads.
  }, [key, generation]);

  useEffect(() => {
    if (pollSeconds === undefined) return;
    const timer = window.setInterval(reload, pollSeconds * 1000);
    return () => window.clearInterval(timer);
  }, [pollSeconds, reload]);

  if (result?.key !== key) return { state: 'loading', reload };
  if (result.error !== undefined) return { state: 'error', message: result.error, reload };
  return { state: 'ready', data: result.data, reload };
}
