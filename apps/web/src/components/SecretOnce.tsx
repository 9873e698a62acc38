import { useId, useState } from 'react';

interface SecretOnceProps {
  /** Accessible name of the secret block, e.g. "remotecfg snippet". */
  label: string;
  value: string;
  /** What is lost if the value is not copied now. */
  warning: string;
}

/**
 * A secret the server returns exactly once (bearer tokens, enrollment tokens): shown in a
 * read-only block with a copy button and a warning that it cannot be shown again.
 */
export function SecretOnce({ label, value, warning }: SecretOnceProps) {
  const [copied, setCopied] = useState<'yes' | 'failed' | 'no'>('no');
  const fieldId = useId();

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };

  return (
    <div className="secret">
      <p className="notice notice-warning" role="note">
        <strong>Shown once.</strong> {warning}
      </p>
      <div className="secret-header">
        <label htmlFor={fieldId} className="secret-label">
          {label}
        </label>
        <button type="button" onClick={() => void copy()}>
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
      </div>
      <textarea
        id={fieldId}
        className="secret-value"
        readOnly
        spellCheck={false}
        rows={Math.min(12, value.trimEnd().split('\n').length)}
        value={value.trimEnd()}
        onFocus={(event) => event.currentTarget.select()}
      />
      {copied === 'failed' && (
        <p className="hint" role="status">
          The browser refused clipboard access: select the text and copy it by hand.
        </p>
      )}
    </div>
  );
}
