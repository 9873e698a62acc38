import type { CatalogueEntryView } from '@linkmesh/contracts/pipelines-api';
import { Field } from '../schema-form/field-error.tsx';

interface TypePickerProps {
  path: string;
  label: string;
  entries: readonly CatalogueEntryView[];
  value: string;
  onChange: (type: string) => void;
  disabled: boolean;
}

/** Which runtimes can run a type, said next to it: a route is refused where it cannot run. */
export function runtimeNote(entry: CatalogueEntryView): string {
  const { otelcol, alloy } = entry.runtimes;
  if (otelcol && alloy) return 'otelcol · Alloy';
  return otelcol ? 'otelcol only' : alloy ? 'Alloy only' : 'no runtime';
}

/** The catalogue type of a source, destination or processor step. */
export function TypePicker({ path, label, entries, value, onChange, disabled }: TypePickerProps) {
  const chosen = entries.find((e) => e.type === value);
  return (
    <Field
      path={path}
      label={label}
      required
      hint={chosen && `${chosen.signals.join(', ')} · ${runtimeNote(chosen)}`}
    >
      {({ inputId, describedBy, invalid }) => (
        <select
          id={inputId}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          disabled={disabled}
          value={value}
          onChange={(event) => onChange(event.target.value)}
        >
          {value === '' && <option value="">Choose a type…</option>}
          {entries.map((entry) => (
            <option key={entry.type} value={entry.type}>
              {entry.title} ({entry.type})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
