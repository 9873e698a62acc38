import { fieldLabel, type JsonSchema } from './json-schema.ts';
import { SchemaField } from './SchemaField.tsx';

export interface SchemaFormContext {
  /** The catalogue entry's secret paths, relative to the config (`basicAuth.password`). */
  secretFields: readonly string[];
  /** Where the config sits in the request body, for error paths: `config`, `processors.2.config`. */
  prefix: string;
  readOnly: boolean;
}

interface SchemaFormProps {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  context: SchemaFormContext;
  /** Dotted path of this object inside the config ('' for the config itself). */
  at?: string;
}

/**
 * The form for an object schema: one field per property, in the schema's order (the catalogue
 * lists the important ones first), required ones marked. Used recursively for nested objects
 * and list items, so every catalogue type gets the same controls.
 */
export function SchemaForm({ schema, value, onChange, context, at = '' }: SchemaFormProps) {
  const required = new Set(schema.required ?? []);
  return (
    <div className="schema-form">
      {Object.entries(schema.properties ?? {}).map(([key, property]) => (
        <SchemaField
          key={key}
          label={fieldLabel(key)}
          schema={property}
          required={required.has(key)}
          value={value[key]}
          onChange={(next) => {
            // Keys keep their place, so undoing an edit gives back the same object.
            const entries = Object.entries({ ...value, [key]: next }).filter(([, v]) => v !== undefined);
            onChange(Object.fromEntries(entries));
          }}
          context={context}
          at={at === '' ? key : `${at}.${key}`}
        />
      ))}
    </div>
  );
}
