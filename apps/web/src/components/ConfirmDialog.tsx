import { useState, type ReactNode } from 'react';
import { errorMessage } from '../api/client.ts';
import { Dialog } from './Dialog.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Runs the action; the dialog stays open and shows the error if it throws. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/** "Are you sure?" for destructive actions, with the confirm button in danger colours. */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onClose }: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={title}
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button-danger" disabled={busy} onClick={() => void confirm()}>
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
      {error !== undefined && <ErrorNotice message={error} />}
    </Dialog>
  );
}
