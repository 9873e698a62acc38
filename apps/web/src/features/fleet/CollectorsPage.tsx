import type { CollectorView } from '@linkmesh/contracts/api';
import { useState } from 'react';
import { deregisterCollector, listCollectors } from '../../api/collectors.api.ts';
import { useResource } from '../../api/resource.hook.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { AddCollectorDialog } from './AddCollectorDialog.tsx';
import { CollectorTable } from './CollectorTable.tsx';

/** Status changes arrive from the collectors themselves, so the list re-polls. */
const pollSeconds = 15;

/** The fleet: every registered collector, with Add and Deregister. */
export function CollectorsPage() {
  const collectors = useResource('collectors', listCollectors, pollSeconds);
  const [adding, setAdding] = useState(false);
  const [deregistering, setDeregistering] = useState<CollectorView>();

  return (
    <section aria-labelledby="collectors-title">
      <div className="page-header">
        <h1 id="collectors-title">Collectors</h1>
        <button type="button" className="button-primary" onClick={() => setAdding(true)}>
          Add collector
        </button>
      </div>

      {collectors.state === 'loading' && <p className="muted">Loading collectors…</p>}
      {collectors.state === 'error' && (
        <ErrorNotice message={collectors.message} onRetry={collectors.reload} />
      )}
      {collectors.state === 'ready' && (
        <CollectorTable collectors={collectors.data.items} onDeregister={setDeregistering} />
      )}

      {adding && (
        <AddCollectorDialog
          onCreated={collectors.reload}
          onClose={() => {
            setAdding(false);
            collectors.reload();
          }}
        />
      )}
      {deregistering && (
        <ConfirmDialog
          title={`Deregister ${deregistering.name}?`}
          confirmLabel="Deregister"
          onClose={() => setDeregistering(undefined)}
          onConfirm={async () => {
            await deregisterCollector(deregistering.id);
            setDeregistering(undefined);
            collectors.reload();
          }}
        >
          <p>
            Its credentials are revoked at once and it leaves the fleet list; its events and audit entries are
            kept. This cannot be undone: to bring the host back, enroll it again.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
