import { Field } from '../schema-form/field-error.tsx';

interface TextFieldProps {
  path: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  readOnly: boolean;
  required?: boolean;
  placeholder?: string;
  multiline?: boolean;
}

/** A plain text field of an object (its name, a description), with the server's error inline. */
export function TextField({
  path,
  label,
  value,
  onChange,
  readOnly,
  required = false,
  placeholder,
  multiline = false,
}: TextFieldProps) {
  return (
    <Field path={path} label={label} required={required}>
      {({ inputId, describedBy, invalid }) => {
        const common = {
          id: inputId,
          'aria-describedby': describedBy,
          'aria-invalid': invalid,
          disabled: readOnly,
          value,
          placeholder,
        };
        return multiline ? (
          <textarea {...common} rows={2} onChange={(event) => onChange(event.target.value)} />
        ) : (
          <input
            {...common}
            type="text"
            spellCheck={false}
            onChange={(event) => onChange(event.target.value)}
          />
        );
      }}
    </Field>
  );
}
