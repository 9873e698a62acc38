import { Field, FieldGroup } from './field-error.tsx';
import { fieldKind, isSecretPath, placeholderOf, type JsonSchema } from './json-schema.ts';
import { MapInput } from './MapInput.tsx';
import { ObjectListInput } from './ObjectListInput.tsx';
import { SchemaForm, type SchemaFormContext } from './SchemaForm.tsx';
import { SecretInput } from './SecretInput.tsx';

export interface SchemaFieldProps {
  label: string;
  schema: JsonSchema;
  required: boolean;
  value: unknown;
  /** `undefined` removes the key, so the server's default applies. */
  onChange: (value: unknown) => void;
  context: SchemaFormContext;
  /** Dotted path inside the config. */
  at: string;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** A range or pattern the server will check, said up front. */
function constraintHint(schema: JsonSchema): string | undefined {
  const parts: string[] = [];
  if (schema.description !== undefined) parts.push(schema.description);
  if (schema.minimum !== undefined && schema.maximum !== undefined && schema.maximum < 1e12)
    parts.push(`${schema.minimum}–${schema.maximum}`);
  if (schema.pattern === '^[^\\s/]+:\\d{1,5}$') parts.push('host:port');
  if (schema.pattern?.startsWith('^https?:')) parts.push('http(s):// URL');
  return parts.length === 0 ? undefined : parts.join(' · ');
}

/** One property's control, chosen by {@link fieldKind}; containers recurse into SchemaForm. */
export function SchemaField({ label, schema, required, value, onChange, context, at }: SchemaFieldProps) {
  const path = `${context.prefix}.${at}`;
  const kind = fieldKind(schema);
  const disabled = context.readOnly;
  const placeholder = placeholderOf(schema);
  const hint = constraintHint(schema);

  switch (kind) {
    case 'object':
      return (
        <FieldGroup
          path={path}
          legend={
            <>
              {label}
              {!required && schema.default === undefined && <span className="optional"> optional</span>}
            </>
          }
        >
          <SchemaForm schema={schema} value={asRecord(value)} onChange={onChange} context={context} at={at} />
        </FieldGroup>
      );
    case 'object-list':
      return (
        <FieldGroup path={path} legend={label}>
          <ObjectListInput
            schema={schema.items ?? {}}
            value={asList(value)}
            onChange={onChange}
            context={context}
            at={at}
          />
        </FieldGroup>
      );
    case 'map':
      return (
        <FieldGroup path={path} legend={label}>
          <MapInput
            value={asRecord(value) as Record<string, string>}
            onChange={onChange}
            secret={isSecretPath(`${at}.*`, context.secretFields)}
            disabled={disabled}
            keyLabel={label.replace(/s$/, '')}
          />
        </FieldGroup>
      );
    case 'enum-list': {
      const options = schema.items?.enum ?? [];
      const chosen = new Set((value === undefined ? asList(schema.default) : asList(value)).map(String));
      return (
        <FieldGroup path={path} legend={label}>
          <div className="checkbox-row">
            {options.map((option) => (
              <label key={String(option)} className="checkbox">
                <input
                  type="checkbox"
                  disabled={disabled}
                  checked={chosen.has(String(option))}
                  onChange={(event) => {
                    const next = new Set(chosen);
                    if (event.target.checked) next.add(String(option));
                    else next.delete(String(option));
                    onChange(options.filter((o) => next.has(String(o))));
                  }}
                />
                {String(option)}
              </label>
            ))}
          </div>
        </FieldGroup>
      );
    }
    case 'boolean':
    case 'enum':
    case 'string':
    case 'number':
    case 'integer':
    case 'string-list':
    case 'json':
      return (
        <Field path={path} label={label} required={required} hint={hint}>
          {({ inputId, describedBy, invalid }) => {
            const common = {
              id: inputId,
              'aria-describedby': describedBy,
              'aria-invalid': invalid,
              disabled,
            };
            switch (kind) {
              case 'boolean':
                return (
                  <input
                    {...common}
                    type="checkbox"
                    className="toggle"
                    checked={value === undefined ? schema.default === true : value === true}
                    onChange={(event) => onChange(event.target.checked)}
                  />
                );
              case 'enum':
                return (
                  <select
                    {...common}
                    value={typeof value === 'string' || typeof value === 'number' ? String(value) : ''}
                    onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
                  >
                    <option value="">
                      {schema.default === undefined ? '—' : `Default (${placeholder})`}
                    </option>
                    {(schema.enum ?? []).map((option) => (
                      <option key={String(option)} value={String(option)}>
                        {String(option)}
                      </option>
                    ))}
                  </select>
                );
              case 'number':
              case 'integer':
                return (
                  <input
                    {...common}
                    type="number"
                    inputMode={kind === 'integer' ? 'numeric' : 'decimal'}
                    step={kind === 'integer' ? 1 : 'any'}
                    placeholder={placeholder}
                    value={typeof value === 'number' ? value : ''}
                    onChange={(event) =>
                      onChange(event.target.value === '' ? undefined : Number(event.target.value))
                    }
                  />
                );
              case 'string-list':
                return (
                  <textarea
                    {...common}
                    className="mono"
                    rows={Math.max(2, asList(value).length + 1)}
                    placeholder={placeholder || 'One per line'}
                    value={asList(value).join('\n')}
                    onChange={(event) => {
                      const lines = event.target.value.split('\n');
                      // Keep a trailing empty line while typing; drop blank ones otherwise.
                      onChange(
                        event.target.value === ''
                          ? undefined
                          : lines.filter((l, i) => l !== '' || i === lines.length - 1),
                      );
                    }}
                  />
                );
              case 'string':
                if (isSecretPath(at, context.secretFields))
                  return <SecretInput {...common} value={value} onChange={onChange} />;
                return (
                  <input
                    {...common}
                    type="text"
                    spellCheck={false}
                    placeholder={placeholder}
                    value={typeof value === 'string' ? value : ''}
                    onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
                  />
                );
              case 'json':
                return <JsonInput {...common} value={value} onChange={onChange} />;
            }
          }}
        </Field>
      );
  }
}

/** The fallback for shapes the form has no control for: the value as JSON, parsed on blur. */
function JsonInput({
  value,
  onChange,
  ...rest
}: {
  id: string;
  value: unknown;
  onChange: (value: unknown) => void;
  disabled: boolean;
  'aria-describedby': string | undefined;
  'aria-invalid': boolean;
}) {
  return (
    <textarea
      {...rest}
      className="mono"
      rows={3}
      defaultValue={value === undefined ? '' : JSON.stringify(value, null, 2)}
      onBlur={(event) => {
        try {
          onChange(event.target.value.trim() === '' ? undefined : JSON.parse(event.target.value));
        } catch {
          // Sent as text: the server's message says what it expected.
          onChange(event.target.value);
        }
      }}
    />
  );
}
