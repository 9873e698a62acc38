import type { CollectorTokenMinted, CollectorView } from '@linkmesh/contracts/api';
import { useState, type SubmitEvent } from 'react';
import { createCollector, mintCollectorToken } from '../../api/collectors.api.ts';
import { errorMessage } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { SecretOnce } from '../../components/SecretOnce.tsx';

interface SetupProps {
  onCreated: () => void;
  onDone: () => void;
}

/**
 * Creates an Alloy collector by name, then mints its bearer and shows the remotecfg block.
 * If minting fails after the collector was created, "Retry" mints again for the same collector
 * rather than creating a second one.
 */
export function AlloySetup({ onCreated, onDone }: SetupProps) {
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CollectorView>();
  const [minted, setMinted] = useState<CollectorTokenMinted>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      let collector = created;
      if (!collector) {
        collector = await createCollector({ name: name.trim(), runtime: 'alloy' });
        setCreated(collector);
        onCreated();
      }
      setMinted(await mintCollectorToken(collector.id));
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  if (created && minted) {
    return (
      <>
        <p>
          <strong>{created.name}</strong> is registered. Add this block to its Alloy configuration and restart
          Alloy; it appears as connected after its first poll.
        </p>
        <SecretOnce
          label="remotecfg snippet"
          value={minted.remotecfgSnippet ?? minted.token}
          warning="The bearer token in this block cannot be retrieved again. Copy it now; if it is lost, mint a new one."
        />
        <div className="dialog-actions">
          <button type="button" className="button-primary" onClick={onDone}>
            Done
          </button>
        </div>
      </>
    );
  }

  return (
    <form onSubmit={(event) => void submit(event)}>
      <label>
        Collector name
        <input
          name="name"
          required
          maxLength={200}
          autoFocus
          disabled={created !== undefined}
          placeholder="e.g. edge-eu-1"
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </label>
      <p className="hint">A label for people; Alloy is identified by its bearer token, not by this name.</p>
      {error !== undefined && <ErrorNotice message={error} />}
      <div className="dialog-actions">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button-primary" disabled={busy || name.trim() === ''}>
          {created ? 'Retry minting the token' : 'Create collector'}
        </button>
      </div>
    </form>
  );
}
