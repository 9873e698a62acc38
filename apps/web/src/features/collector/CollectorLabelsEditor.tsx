import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { getCollectorLabels, putCollectorLabels } from '../../api/pipelines.api.ts';
import { useResource } from '../../api/resource.hook.ts';
import { useCan } from '../../app/principal.context.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { MapInput } from '../pipelines/schema-form/MapInput.tsx';

/**
 * Operator labels beside the ones the collector reports: groups and routes match on the
 * effective set, where an operator label wins over a reported one of the same name.
 */
export function CollectorLabelsEditor({ collectorId }: { collectorId: string }) {
  const labels = useResource(`collector-labels:${collectorId}`, () => getCollectorLabels(collectorId));
  const canEdit = useCan('collectors:update');
  const [draft, setDraft] = useState<Record<string, string>>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const save = async () => {
    if (draft === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      await putCollectorLabels(collectorId, draft);
      setDraft(undefined);
      labels.reload();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-label="Labels">
      <h2>Labels</h2>
      {labels.state === 'loading' && <p className="muted">Loading labels…</p>}
      {labels.state === 'error' && <ErrorNotice message={labels.message} onRetry={labels.reload} />}
      {labels.state === 'ready' && (
        <div className="labels-editor">
          <div>
            <h3>Operator labels</h3>
            <MapInput
              key={JSON.stringify(labels.data.operator)}
              value={draft ?? labels.data.operator}
              onChange={(next) => setDraft(next ?? {})}
              secret={false}
              disabled={!canEdit}
              keyLabel="Label"
            />
            {error !== undefined && <ErrorNotice message={error} />}
            {canEdit && (
              <div className="form-actions">
                <button
                  type="button"
                  className="button-primary"
                  disabled={busy || draft === undefined}
                  onClick={() => void save()}
                >
                  Save labels
                </button>
              </div>
            )}
          </div>
          <div>
            <h3>Effective labels</h3>
            <p className="hint">
              Reported by the collector, overridden by operator labels. Groups match on these.
            </p>
            <ul className="labels" aria-label="Effective labels">
              {Object.entries(labels.data.effective).map(([k, v]) => (
                <li
                  key={k}
                  className={k in labels.data.operator ? 'label-chip label-operator' : 'label-chip'}
                >
                  {k}={v}
                </li>
              ))}
              {Object.keys(labels.data.effective).length === 0 && <li className="muted">none</li>}
            </ul>
          </div>
        </div>
      )}
    </section>
  );
}
