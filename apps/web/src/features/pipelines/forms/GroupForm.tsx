import type { MatcherView } from '@linkmesh/contracts/pipelines-api';
import { FieldGroup, useFieldError } from '../schema-form/field-error.tsx';
import { listOf, textOf, type ObjectFormProps } from './form-props.ts';
import { TextField } from './TextField.tsx';

const ops: MatcherView['op'][] = ['=', '!=', '=~', '!~'];

/**
 * A group: label matchers in Prometheus style (all must hold; `=~` is an anchored regex). The
 * editor shell shows which collectors match now.
 */
export function GroupForm({ draft, onChange, readOnly }: ObjectFormProps<'group'>) {
  const matchers = listOf(draft.matchers) as MatcherView[];
  const set = (next: MatcherView[]) => onChange({ ...draft, matchers: next });
  const patch = (index: number, change: Partial<MatcherView>) =>
    set(matchers.map((m, i) => (i === index ? { ...m, ...change } : m)));

  return (
    <>
      <TextField
        path="name"
        label="Name"
        required
        readOnly={readOnly}
        value={textOf(draft.name)}
        placeholder="e.g. prod-eu"
        onChange={(name) => onChange({ ...draft, name })}
      />
      <FieldGroup path="matchers" legend="Matchers">
        <p className="hint">
          Every matcher must hold. A missing label reads as empty; a group without matchers matches nothing.
        </p>
        {matchers.map((matcher, index) => (
          <MatcherRow
            key={index}
            index={index}
            matcher={matcher}
            readOnly={readOnly}
            onChange={(change) => patch(index, change)}
            onRemove={() => set(matchers.filter((_, i) => i !== index))}
          />
        ))}
        {!readOnly && (
          <button
            type="button"
            className="button-small"
            onClick={() => set([...matchers, { label: '', op: '=', value: '' }])}
          >
            Add matcher
          </button>
        )}
      </FieldGroup>
    </>
  );
}

interface MatcherRowProps {
  index: number;
  matcher: MatcherView;
  readOnly: boolean;
  onChange: (change: Partial<MatcherView>) => void;
  onRemove: () => void;
}

function MatcherRow({ index, matcher, readOnly, onChange, onRemove }: MatcherRowProps) {
  const at = `matchers.${index}`;
  const errors = [
    useFieldError(at),
    useFieldError(`${at}.label`),
    useFieldError(`${at}.op`),
    useFieldError(`${at}.value`),
  ];
  const error = errors.find((e) => e !== undefined);
  return (
    <div className="matcher" data-field={at}>
      <div className="matcher-row">
        <input
          aria-label={`Matcher ${index + 1} label`}
          className="mono"
          placeholder="label"
          data-field={`${at}.label`}
          disabled={readOnly}
          value={matcher.label}
          onChange={(event) => onChange({ label: event.target.value })}
        />
        <select
          aria-label={`Matcher ${index + 1} operator`}
          disabled={readOnly}
          value={matcher.op}
          onChange={(event) => onChange({ op: event.target.value as MatcherView['op'] })}
        >
          {ops.map((op) => (
            <option key={op} value={op}>
              {op}
            </option>
          ))}
        </select>
        <input
          aria-label={`Matcher ${index + 1} value`}
          aria-invalid={error !== undefined}
          className="mono"
          placeholder={matcher.op.includes('~') ? 'regex' : 'value'}
          data-field={`${at}.value`}
          disabled={readOnly}
          value={matcher.value}
          onChange={(event) => onChange({ value: event.target.value })}
        />
        {!readOnly && (
          <button
            type="button"
            className="icon-button"
            aria-label={`Remove matcher ${index + 1}`}
            onClick={onRemove}
          >
            ×
          </button>
        )}
      </div>
      {error !== undefined && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
