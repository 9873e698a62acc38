import type { RenderPreviewView } from '@linkmesh/contracts/pipelines-api';
import { useEffect, useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { previewRender, type PreviewChange } from '../../api/pipelines.api.ts';

export type PreviewState =
  | { state: 'idle' }
  | { state: 'loading'; last?: RenderPreviewView }
  | { state: 'ready'; preview: RenderPreviewView }
  | { state: 'error'; message: string; last?: RenderPreviewView };

/** How long the form must be still before it is rendered again. */
export const previewDebounceMs = 400;

/**
 * The collector's config as it would be with `change` applied, re-requested `previewDebounceMs`
 * after the last edit; an answer overtaken by a newer edit is dropped. While a request runs the
 * previous render stays visible, so the text does not flicker as the operator types.
 */
export function usePreview(collectorId: string | undefined, change: PreviewChange): PreviewState {
  const [result, setResult] = useState<PreviewState>({ state: 'idle' });
  const key = JSON.stringify(change);

  useEffect(() => {
    if (collectorId === undefined) return;
    let current = true;
    setResult((previous) => ({ state: 'loading', ...lastOf(previous) }));
    const timer = window.setTimeout(() => {
      previewRender(collectorId, [JSON.parse(key) as PreviewChange]).then(
        (preview) => {
          if (current) setResult({ state: 'ready', preview });
        },
        (error: unknown) => {
          if (current)
            setResult((previous) => ({ state: 'error', message: errorMessage(error), ...lastOf(previous) }));
        },
      );
    }, previewDebounceMs);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [collectorId, key]);

  return collectorId === undefined ? { state: 'idle' } : result;
}

function lastOf(state: PreviewState): { last?: RenderPreviewView } {
  if (state.state === 'ready') return { last: state.preview };
  if ((state.state === 'loading' || state.state === 'error') && state.last) return { last: state.last };
  return {};
}
