import type { CatalogueEntryView } from '@linkmesh/contracts/pipelines-api';
import { entryOf, schemaOf } from '../catalogue.hook.ts';
import { FieldGroup } from '../schema-form/field-error.tsx';
import { SchemaForm } from '../schema-form/SchemaForm.tsx';
import { listOf, recordOf, textOf, type ObjectFormProps } from './form-props.ts';
import { TextField } from './TextField.tsx';
import { runtimeNote, TypePicker } from './TypePicker.tsx';

type Step = { type: string; config: Record<string, unknown> };

/**
 * A pipeline: its processor steps in order (each a catalogue processor with its own form), and
 * an optional output filter that drops matching records after the last step.
 */
export function PipelineForm({
  draft,
  onChange,
  readOnly,
  processors,
}: ObjectFormProps<'pipeline'> & { processors: readonly CatalogueEntryView[] }) {
  const steps = listOf(draft.processors).map((s) => recordOf(s) as Step);
  const setSteps = (next: Step[]) => onChange({ ...draft, processors: next });
  const filterEntry = entryOf(processors, 'filter');
  const outputFilter = draft.outputFilter === undefined ? undefined : recordOf(draft.outputFilter);

  const move = (index: number, by: -1 | 1) => {
    const next = [...steps];
    const [step] = next.splice(index, 1);
    if (step) next.splice(index + by, 0, step);
    setSteps(next);
  };

  return (
    <>
      <TextField
        path="name"
        label="Name"
        required
        readOnly={readOnly}
        value={textOf(draft.name)}
        placeholder="e.g. drop-debug-logs"
        onChange={(name) => onChange({ ...draft, name })}
      />
      <TextField
        path="description"
        label="Description"
        multiline
        readOnly={readOnly}
        value={textOf(draft.description)}
        onChange={(description) => onChange({ ...draft, description })}
      />
      <FieldGroup path="processors" legend={`Processors (${steps.length})`}>
        {steps.length === 0 && (
          <p className="muted">
            No steps: records pass through unchanged. Add a processor to batch, filter or transform them.
          </p>
        )}
        <ol className="steps">
          {steps.map((step, index) => {
            const entry = entryOf(processors, step.type);
            return (
              <li key={index} className="step" aria-label={`Step ${index + 1}: ${entry?.title ?? step.type}`}>
                <div className="step-header">
                  <span className="step-number">{index + 1}</span>
                  <TypePicker
                    path={`processors.${index}.type`}
                    label="Processor"
                    entries={processors}
                    value={step.type}
                    disabled={readOnly}
                    onChange={(type) =>
                      setSteps(steps.map((s, i) => (i === index ? { type, config: {} } : s)))
                    }
                  />
                  {!readOnly && (
                    <div className="step-actions">
                      <button
                        type="button"
                        className="button-small"
                        aria-label="Move up"
                        disabled={index === 0}
                        onClick={() => move(index, -1)}
                      >
                        ↑
                      </button>
                      <button
                        type="button"
                        className="button-small"
                        aria-label="Move down"
                        disabled={index === steps.length - 1}
                        onClick={() => move(index, 1)}
                      >
                        ↓
                      </button>
                      <button
                        type="button"
                        className="button-small button-quiet"
                        onClick={() => setSteps(steps.filter((_, i) => i !== index))}
                      >
                        Remove
                      </button>
                    </div>
                  )}
                </div>
                {entry && (
                  <SchemaForm
                    schema={schemaOf(entry)}
                    value={step.config}
                    onChange={(config) => setSteps(steps.map((s, i) => (i === index ? { ...s, config } : s)))}
                    context={{
                      secretFields: entry.secretFields,
                      prefix: `processors.${index}.config`,
                      readOnly,
                    }}
                  />
                )}
              </li>
            );
          })}
        </ol>
        {!readOnly && (
          <AddStep processors={processors} onAdd={(type) => setSteps([...steps, { type, config: {} }])} />
        )}
      </FieldGroup>
      {filterEntry && (
        <FieldGroup path="outputFilter" legend="Output filter">
          <label className="checkbox">
            <input
              type="checkbox"
              disabled={readOnly}
              checked={outputFilter !== undefined}
              onChange={(event) => {
                const { outputFilter: _dropped, ...rest } = draft;
                onChange(event.target.checked ? { ...rest, outputFilter: {} } : rest);
              }}
            />
            Drop records matching OTTL conditions before they leave the pipeline
          </label>
          {outputFilter !== undefined && (
            <SchemaForm
              schema={schemaOf(filterEntry)}
              value={outputFilter}
              onChange={(next) => onChange({ ...draft, outputFilter: next })}
              context={{ secretFields: [], prefix: 'outputFilter', readOnly }}
            />
          )}
        </FieldGroup>
      )}
    </>
  );
}

/** A processor menu: choosing one appends it as the last step. */
function AddStep({
  processors,
  onAdd,
}: {
  processors: readonly CatalogueEntryView[];
  onAdd: (type: string) => void;
}) {
  return (
    <label className="inline-field add-step">
      Add processor
      <select
        value=""
        onChange={(event) => {
          if (event.target.value !== '') onAdd(event.target.value);
        }}
      >
        <option value="">Choose…</option>
        {processors.map((entry) => (
          <option key={entry.type} value={entry.type}>
            {entry.title} — {runtimeNote(entry)}
          </option>
        ))}
      </select>
    </label>
  );
}
