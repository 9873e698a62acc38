import type { EnrollmentTokenCreated } from '@linkmesh/contracts/api';
import { useState, type SubmitEvent } from 'react';
import { errorMessage } from '../../api/client.ts';
import { createEnrollmentToken, installCommand, type Installer } from '../../api/enrollment.api.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { dateTime } from '../../components/format.ts';
import { SecretOnce } from '../../components/SecretOnce.tsx';
import { TtlSelect } from '../../components/TtlSelect.tsx';

interface SetupProps {
  installer: Installer;
  onCreated: () => void;
  onDone: () => void;
}

const explanations: Record<Installer, string> = {
  opamp:
    'An enrollment token lets one host register itself. The installer sets up otelcol-contrib with an OpAMP supervisor pointed at this server.',
  managed:
    'An enrollment token lets one host register itself. The installer sets up Grafana Alloy and linkmesh-agent, which writes the bootstrap config and keeps Alloy running (Linux with systemd).',
};

/** Mints a single-use enrollment token and shows the one-line installer (OpAMP or Managed) that redeems it. */
export function InstallerSetup({ installer, onCreated, onDone }: SetupProps) {
  const [ttlSeconds, setTtlSeconds] = useState<number>();
  const [minted, setMinted] = useState<EnrollmentTokenCreated>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setMinted(await createEnrollmentToken(ttlSeconds));
      onCreated();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  if (minted) {
    return (
      <>
        <p>
          Run this on the host as root. The collector registers itself and appears in the list; the token
          works once and expires {dateTime(minted.expiresAt)}.
        </p>
        <SecretOnce
          label="Install command"
          value={installCommand(installer, minted.token)}
          warning="The enrollment token in this command cannot be retrieved again. Copy it now."
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
      <p>{explanations[installer]}</p>
      <TtlSelect value={ttlSeconds} onChange={setTtlSeconds} />
      {error !== undefined && <ErrorNotice message={error} />}
      <div className="dialog-actions">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button-primary" disabled={busy}>
          Create enrollment token
        </button>
      </div>
    </form>
  );
}
