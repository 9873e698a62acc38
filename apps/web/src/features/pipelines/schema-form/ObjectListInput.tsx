import type { JsonSchema } from './json-schema.ts';
import { SchemaForm, type SchemaFormContext } from './SchemaForm.tsx';

interface ObjectListInputProps {
  schema: JsonSchema;
  value: unknown[];
  onChange: (value: unknown[] | undefined) => void;
  context: SchemaFormContext;
  at: string;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

/** A list of objects (attribute actions, OTTL statement groups): one card per item. */
export function ObjectListInput({ schema, value, onChange, context, at }: ObjectListInputProps) {
  const set = (next: unknown[]) => onChange(next.length === 0 ? undefined : next);
  return (
    <div className="object-list">
      {value.map((item, index) => (
        <div className="object-list-item" key={index}>
          <div className="object-list-header">
            <span className="muted">#{index + 1}</span>
            {!context.readOnly && (
              <button
                type="button"
                className="button-small button-quiet"
                onClick={() => set(value.filter((_, i) => i !== index))}
              >
                Remove
              </button>
            )}
          </div>
          <SchemaForm
            schema={schema}
            value={asRecord(item)}
            onChange={(next) => set(value.map((v, i) => (i === index ? next : v)))}
            context={context}
            at={`${at}.${index}`}
          />
        </div>
      ))}
      {value.length === 0 && <p className="muted">None yet.</p>}
      {!context.readOnly && (
        <button type="button" className="button-small" onClick={() => set([...value, {}])}>
          Add item
        </button>
      )}
    </div>
  );
}
