import type { CollectorView } from '@linkmesh/contracts/api';
import type { RenderPreviewView } from '@linkmesh/contracts/pipelines-api';
import { useState } from 'react';
import type { PreviewChange } from '../../api/pipelines.api.ts';
import { collectorPath } from '../../app/router.ts';
import { DiffView } from '../../components/DiffView.tsx';
import { Link } from '../../components/Link.tsx';
import { usePreview } from './use-preview.hook.ts';

const formatLabel: Record<RenderPreviewView['format'], string> = {
  'otel-yaml': 'OTel Collector YAML',
  alloy: 'Alloy configuration',
};

interface PreviewPanelProps {
  collectors: readonly CollectorView[];
  change: PreviewChange;
  /** Why the preview may show no difference (an object no route uses yet). */
  note?: string | undefined;
}

/**
 * The live preview beside every editor: the chosen collector's config rendered with the form's
 * current content (nothing saved), as its runtime's language, with the diff against what it
 * runs now and any refusal. An otelcol collector shows YAML, an Alloy one Alloy syntax.
 */
export function PreviewPanel({ collectors, change, note }: PreviewPanelProps) {
  const live = collectors.filter((c) => c.status !== 'deregistered');
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const collectorId = chosen ?? live[0]?.id;
  const [view, setView] = useState<'config' | 'diff'>('diff');
  const preview = usePreview(collectorId, change);
  const shown =
    preview.state === 'ready' ? preview.preview : preview.state === 'idle' ? undefined : preview.last;

  return (
    <aside className="preview" aria-label="Preview">
      <div className="preview-header">
        <h2>Preview</h2>
        {preview.state === 'loading' && <span className="muted preview-busy">rendering…</span>}
      </div>
      {live.length === 0 ? (
        <p className="muted">Enrol a collector to preview the configuration it would receive.</p>
      ) : (
        <>
          <label className="inline-field preview-picker">
            Collector
            <select
              aria-label="Collector"
              value={collectorId}
              onChange={(event) => setChosen(event.target.value)}
            >
              {live.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({c.runtime === 'alloy' ? 'Alloy' : 'otelcol'})
                </option>
              ))}
            </select>
          </label>
          {note !== undefined && <p className="hint">{note}</p>}
          {preview.state === 'error' && (
            <p className="notice notice-error" role="status">
              Cannot preview: {preview.message}
            </p>
          )}
          {shown && <PreviewBody preview={shown} view={view} onView={setView} />}
        </>
      )}
    </aside>
  );
}

function PreviewBody({
  preview,
  view,
  onView,
}: {
  preview: RenderPreviewView;
  view: 'config' | 'diff';
  onView: (view: 'config' | 'diff') => void;
}) {
  return (
    <div className="preview-body" data-format={preview.format}>
      <p className="preview-meta">
        <span className="format-chip">{formatLabel[preview.format]}</span>
        {preview.hash !== null && (
          <code className="muted" title="Config hash">
            {preview.hash.slice(0, 12)}
          </code>
        )}
        {!preview.routed && <span className="muted">no route targets it: fleet default</span>}
        <Link href={collectorPath(preview.collectorId, 'config')} className="preview-link">
          Current config
        </Link>
      </p>
      {preview.refusals.length > 0 && (
        <div className="notice notice-error refusals" role="alert">
          <strong>Refused for this collector</strong> — it keeps its last good config:
          <ul>
            {preview.refusals.map((r) => (
              <li key={r.routeId}>{r.message}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="segmented" role="group" aria-label="Preview view">
        <button type="button" aria-pressed={view === 'diff'} onClick={() => onView('diff')}>
          Changes
        </button>
        <button type="button" aria-pressed={view === 'config'} onClick={() => onView('config')}>
          Full config
        </button>
      </div>
      {view === 'diff' ? (
        <DiffView diff={preview.diff} label="Changes against the current config" />
      ) : preview.content === null ? (
        <p className="muted">Nothing rendered: the collector is refused.</p>
      ) : (
        <pre className="code" aria-label={formatLabel[preview.format]}>
          {preview.content}
        </pre>
      )}
    </div>
  );
}
