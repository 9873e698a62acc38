import { maskedSecretValue } from '@linkmesh/contracts/pipelines-api';

interface SecretInputProps {
  id: string;
  /** `"********"` for a stored secret (the API never sends the value), `''` to clear it. */
  value: unknown;
  onChange: (value: unknown) => void;
  disabled: boolean;
  'aria-describedby': string | undefined;
  'aria-invalid': boolean;
}

/**
 * A write-only secret: the field is always blank. A stored value shows as "stored"; typing
 * replaces it, Clear sends an empty string (the server then drops it), and leaving it alone
 * sends the mask back, which keeps it.
 */
export function SecretInput({ value, onChange, ...rest }: SecretInputProps) {
  const stored = value === maskedSecretValue;
  const typed = typeof value === 'string' && !stored ? value : '';
  return (
    <div className="secret-input">
      <input
        {...rest}
        type="password"
        autoComplete="new-password"
        placeholder={stored ? 'Stored — type to replace' : value === '' ? 'Will be cleared' : 'Not set'}
        value={typed}
        onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
      />
      {stored && !rest.disabled && (
        <button type="button" className="button-small" onClick={() => onChange('')}>
          Clear
        </button>
      )}
      <span className={stored ? 'secret-state secret-stored' : 'secret-state'}>
        {stored ? 'stored' : typed !== '' ? 'new' : 'write-only'}
      </span>
    </div>
  );
}
