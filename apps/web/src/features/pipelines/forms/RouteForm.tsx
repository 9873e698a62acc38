import { Link } from '../../../components/Link.tsx';
import { objectPath } from '../../../app/router.ts';
import type { ObjectIndex } from '../object-index.hook.ts';
import { Field, FieldGroup } from '../schema-form/field-error.tsx';
import { MapInput } from '../schema-form/MapInput.tsx';
import { CheckList } from './CheckList.tsx';
import { listOf, recordOf, textOf, type ObjectFormProps } from './form-props.ts';
import { TextField } from './TextField.tsx';

/**
 * A route: source → optional pipeline → destinations, on the collectors it targets (by id,
 * through groups, or by labels). The route's refusals are shown by the editor shell.
 */
export function RouteForm({
  draft,
  onChange,
  readOnly,
  index,
}: ObjectFormProps<'route'> & { index: ObjectIndex }) {
  const target = recordOf(draft.target);
  const ids = (value: unknown) => listOf(value).map(String);
  const setTarget = (patch: Record<string, unknown>) =>
    onChange({ ...draft, target: { ...target, ...patch } });

  return (
    <>
      <TextField
        path="name"
        label="Name"
        required
        readOnly={readOnly}
        value={textOf(draft.name)}
        placeholder="e.g. app-logs-to-loki"
        onChange={(name) => onChange({ ...draft, name })}
      />
      <label className="checkbox">
        <input
          type="checkbox"
          disabled={readOnly}
          checked={draft.enabled !== false}
          onChange={(event) => onChange({ ...draft, enabled: event.target.checked })}
        />
        Enabled <span className="muted">— a disabled route is kept but rendered nowhere</span>
      </label>
      <div className="route-flow">
        <ObjectSelect
          path="sourceId"
          label="Source"
          required
          options={index.sources}
          value={textOf(draft.sourceId)}
          disabled={readOnly}
          emptyLabel="Choose a source…"
          onChange={(sourceId) => onChange({ ...draft, sourceId })}
        />
        <span className="route-arrow" aria-hidden="true">
          →
        </span>
        <ObjectSelect
          path="pipelineId"
          label="Pipeline"
          options={index.pipelines}
          value={textOf(draft.pipelineId)}
          disabled={readOnly}
          emptyLabel="None — straight through"
          onChange={(pipelineId) => {
            const { pipelineId: _dropped, ...rest } = draft;
            onChange(pipelineId === '' ? rest : { ...rest, pipelineId });
          }}
        />
      </div>
      {index.sources.length === 0 && (
        <p className="hint">
          No sources yet: <Link href={objectPath('source', null)}>create one</Link> first.
        </p>
      )}
      <CheckList
        path="destinationIds"
        legend="Destinations"
        options={index.destinations.map((d) => ({ id: d.id, name: d.name, note: d.type }))}
        selected={ids(draft.destinationIds)}
        disabled={readOnly}
        empty="No destinations yet."
        onChange={(destinationIds) => onChange({ ...draft, destinationIds })}
      />
      <FieldGroup path="target" legend="Runs on">
        <p className="hint">
          A collector is targeted when it is listed, belongs to a listed group, or carries every label below.
        </p>
        <CheckList
          path="target.groupIds"
          legend="Groups"
          options={index.groups.map((g) => ({
            id: g.id,
            name: g.name,
            note: `${g.collectorCount} collectors`,
          }))}
          selected={ids(target.groupIds)}
          disabled={readOnly}
          empty="No groups yet."
          onChange={(groupIds) => setTarget({ groupIds })}
        />
        <CheckList
          path="target.collectorIds"
          legend="Collectors"
          options={index.collectors.map((c) => ({ id: c.id, name: c.name, note: c.runtime }))}
          selected={ids(target.collectorIds)}
          disabled={readOnly}
          empty="No collectors enrolled."
          onChange={(collectorIds) => setTarget({ collectorIds })}
        />
        <FieldGroup path="target.labels" legend="Labels">
          <MapInput
            value={recordOf(target.labels) as Record<string, string>}
            onChange={(labels) => setTarget({ labels: labels ?? {} })}
            secret={false}
            disabled={readOnly}
            keyLabel="Label"
          />
        </FieldGroup>
      </FieldGroup>
    </>
  );
}

interface ObjectSelectProps {
  path: string;
  label: string;
  options: readonly { id: string; name: string }[];
  value: string;
  onChange: (id: string) => void;
  disabled: boolean;
  emptyLabel: string;
  required?: boolean;
}

function ObjectSelect({
  path,
  label,
  options,
  value,
  onChange,
  disabled,
  emptyLabel,
  required = false,
}: ObjectSelectProps) {
  return (
    <Field path={path} label={label} required={required}>
      {({ inputId, describedBy, invalid }) => (
        <select
          id={inputId}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          disabled={disabled}
          value={value}
          onChange={(event) => onChange(event.target.value)}
        >
          <option value="">{emptyLabel}</option>
          {options.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
