import { useId } from 'react';

/** Lifetimes offered for enrollment tokens; `undefined` leaves it to the server's configured default. */
const options: { label: string; ttlSeconds: number | undefined }[] = [
  { label: 'Server default', ttlSeconds: undefined },
  { label: '1 hour', ttlSeconds: 3600 },
  { label: '24 hours', ttlSeconds: 86_400 },
  { label: '7 days', ttlSeconds: 604_800 },
];

interface TtlSelectProps {
  value: number | undefined;
  onChange: (ttlSeconds: number | undefined) => void;
}

export function TtlSelect({ value, onChange }: TtlSelectProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>Valid for</label>
      <select
        id={id}
        value={String(value ?? '')}
        onChange={(event) => onChange(event.target.value === '' ? undefined : Number(event.target.value))}
      >
        {options.map((option) => (
          <option key={option.label} value={String(option.ttlSeconds ?? '')}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
