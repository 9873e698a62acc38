import { maskedSecretValue } from '@linkmesh/contracts/pipelines-api';
import { useState } from 'react';

interface MapInputProps {
  value: Record<string, string>;
  onChange: (value: Record<string, string> | undefined) => void;
  /** Values are write-only secrets (`headers.*`). */
  secret: boolean;
  disabled: boolean;
  keyLabel: string;
}

type Row = { key: string; value: string };

/**
 * Key/value rows for a string map (headers, labels). Rows live in local state so a key can be
 * empty or repeated while it is typed; the map sent up keeps the last row of each key.
 */
export function MapInput({ value, onChange, secret, disabled, keyLabel }: MapInputProps) {
  const [rows, setRows] = useState<Row[]>(() =>
    Object.entries(value).map(([k, v]) => ({ key: k, value: v })),
  );

  const update = (next: Row[]) => {
    setRows(next);
    const map = Object.fromEntries(next.filter((r) => r.key !== '').map((r) => [r.key, r.value]));
    onChange(Object.keys(map).length === 0 ? undefined : map);
  };

  return (
    <div className="map-input">
      {rows.map((row, index) => (
        <div className="map-row" key={index}>
          <input
            aria-label={`${keyLabel} ${index + 1}`}
            className="mono"
            value={row.key}
            disabled={disabled}
            placeholder={keyLabel}
            onChange={(event) =>
              update(rows.map((r, i) => (i === index ? { ...r, key: event.target.value } : r)))
            }
          />
          <input
            aria-label={`Value ${index + 1}`}
            className="mono"
            type={secret ? 'password' : 'text'}
            autoComplete={secret ? 'new-password' : 'off'}
            disabled={disabled}
            placeholder={secret && row.value === maskedSecretValue ? 'Stored — type to replace' : 'Value'}
            // A stored secret's mask stays in state (sent back, it keeps the value) but is never shown.
            value={secret && row.value === maskedSecretValue ? '' : row.value}
            onChange={(event) =>
              update(rows.map((r, i) => (i === index ? { ...r, value: event.target.value } : r)))
            }
          />
          {!disabled && (
            <button
              type="button"
              className="icon-button"
              aria-label={`Remove ${row.key || `row ${index + 1}`}`}
              onClick={() => update(rows.filter((_, i) => i !== index))}
            >
              ×
            </button>
          )}
        </div>
      ))}
      {!disabled && (
        <button
          type="button"
          className="button-small"
          onClick={() => setRows([...rows, { key: '', value: '' }])}
        >
          Add {keyLabel.toLowerCase()}
        </button>
      )}
    </div>
  );
}
