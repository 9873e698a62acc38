import type { CatalogueEntryView } from '@linkmesh/contracts/pipelines-api';
import { schemaOf } from '../catalogue.hook.ts';
import { SchemaForm } from '../schema-form/SchemaForm.tsx';
import { recordOf, textOf, type ObjectFormProps } from './form-props.ts';
import { TextField } from './TextField.tsx';
import { TypePicker } from './TypePicker.tsx';

/**
 * Sources and destinations: a name, a catalogue type (fixed once saved: its stored secrets
 * belong to that type) and the type's config form.
 */
export function TypedConfigForm({
  draft,
  onChange,
  readOnly,
  saved,
  entries,
  kindLabel,
}: ObjectFormProps<'source' | 'destination'> & {
  entries: readonly CatalogueEntryView[];
  kindLabel: string;
}) {
  const type = textOf(draft.type);
  const entry = entries.find((e) => e.type === type);
  return (
    <>
      <TextField
        path="name"
        label="Name"
        required
        readOnly={readOnly}
        value={textOf(draft.name)}
        placeholder={`e.g. ${kindLabel === 'source' ? 'app-otlp' : 'grafana-cloud-prod'}`}
        onChange={(name) => onChange({ ...draft, name })}
      />
      <TypePicker
        path="type"
        label="Type"
        entries={entries}
        value={type}
        disabled={readOnly || saved !== undefined}
        onChange={(next) => onChange({ ...draft, type: next, config: {} })}
      />
      {entry && (
        <section className="config-section" aria-label={`${entry.title} settings`}>
          <h3>{entry.title} settings</h3>
          <SchemaForm
            schema={schemaOf(entry)}
            value={recordOf(draft.config)}
            onChange={(config) => onChange({ ...draft, config })}
            context={{ secretFields: entry.secretFields, prefix: 'config', readOnly }}
          />
        </section>
      )}
    </>
  );
}
