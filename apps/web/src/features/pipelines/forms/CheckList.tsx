import { useState } from 'react';
import { FieldGroup } from '../schema-form/field-error.tsx';

interface CheckListProps {
  path: string;
  legend: string;
  options: readonly { id: string; name: string; note?: string }[];
  selected: readonly string[];
  onChange: (ids: string[]) => void;
  disabled: boolean;
  /** What to say when there is nothing to choose from. */
  empty: string;
}

/** A many-of list of objects; a filter box appears once the list is long. */
export function CheckList({ path, legend, options, selected, onChange, disabled, empty }: CheckListProps) {
  const [filter, setFilter] = useState('');
  const shown = options.filter((o) => o.name.toLowerCase().includes(filter.trim().toLowerCase()));
  const chosen = new Set(selected);
  return (
    <FieldGroup path={path} legend={`${legend}${selected.length > 0 ? ` (${selected.length})` : ''}`}>
      {options.length === 0 && <p className="muted">{empty}</p>}
      {options.length > 8 && (
        <input
          type="search"
          className="checklist-filter"
          aria-label={`Filter ${legend.toLowerCase()}`}
          placeholder="Filter…"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
      )}
      <ul className="checklist">
        {shown.map((option) => (
          <li key={option.id}>
            <label className="checkbox">
              <input
                type="checkbox"
                disabled={disabled}
                checked={chosen.has(option.id)}
                onChange={(event) =>
                  onChange(
                    event.target.checked
                      ? [...selected, option.id]
                      : selected.filter((id) => id !== option.id),
                  )
                }
              />
              <span>{option.name}</span>
              {option.note !== undefined && <span className="muted">{option.note}</span>}
            </label>
          </li>
        ))}
      </ul>
    </FieldGroup>
  );
}
