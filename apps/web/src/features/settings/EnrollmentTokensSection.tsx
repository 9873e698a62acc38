import type { EnrollmentTokenCreated, EnrollmentTokenView } from '@linkmesh/contracts/api';
import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import {
  createEnrollmentToken,
  listEnrollmentTokens,
  revokeEnrollmentToken,
} from '../../api/enrollment.api.ts';
import { useResource } from '../../api/resource.hook.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { dateTime } from '../../components/format.ts';
import { SecretOnce } from '../../components/SecretOnce.tsx';
import { EnrollmentTokenTable } from './EnrollmentTokenTable.tsx';
import { TtlSelect } from '../../components/TtlSelect.tsx';

/** Lists enrollment tokens, mints new ones (shown once) and revokes active ones. */
export function EnrollmentTokensSection() {
  const tokens = useResource('enrollment-tokens', listEnrollmentTokens);
  const [ttlSeconds, setTtlSeconds] = useState<number>();
  const [minted, setMinted] = useState<EnrollmentTokenCreated>();
  const [createError, setCreateError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [revoking, setRevoking] = useState<EnrollmentTokenView>();

  const create = async () => {
    setBusy(true);
    setCreateError(undefined);
    try {
      setMinted(await createEnrollmentToken(ttlSeconds));
      tokens.reload();
    } catch (caught) {
      setCreateError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="settings-section" aria-labelledby="enrollment-title">
      <h2 id="enrollment-title">Enrollment tokens</h2>
      <p className="muted">
        A token lets one OpAMP collector register itself. It works once and expires on its own.
      </p>
      <div className="toolbar">
        <TtlSelect value={ttlSeconds} onChange={setTtlSeconds} />
        <button type="button" className="button-primary" disabled={busy} onClick={() => void create()}>
          Create token
        </button>
      </div>
      {createError !== undefined && <ErrorNotice message={createError} />}
      {minted && (
        <div className="panel">
          <SecretOnce
            label="New enrollment token"
            value={minted.token}
            warning={`This token cannot be retrieved again. It expires ${dateTime(minted.expiresAt)}.`}
          />
          <button type="button" onClick={() => setMinted(undefined)}>
            I have copied it
          </button>
        </div>
      )}
      {tokens.state === 'loading' && <p className="muted">Loading tokens…</p>}
      {tokens.state === 'error' && <ErrorNotice message={tokens.message} onRetry={tokens.reload} />}
      {tokens.state === 'ready' && <EnrollmentTokenTable tokens={tokens.data.items} onRevoke={setRevoking} />}
      {revoking && (
        <ConfirmDialog
          title={`Revoke token ${revoking.prefix}?`}
          confirmLabel="Revoke"
          onClose={() => setRevoking(undefined)}
          onConfirm={async () => {
            await revokeEnrollmentToken(revoking.id);
            setRevoking(undefined);
            tokens.reload();
          }}
        >
          <p>
            A host that has not enrolled yet can no longer use it. Collectors already enrolled are not
            affected.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
