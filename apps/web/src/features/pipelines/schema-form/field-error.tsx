import { createContext, useContext, useId, type ReactNode } from 'react';

/**
 * The API names one invalid field per answer (`config.endpoint`, `processors.1.config.limit`).
 * The editor finds the deepest rendered field on that path (`shownAt`) and the field there
 * shows the message; every field marks its element with `data-field` so the editor can find it.
 */
export interface FieldErrorState {
  message: string;
  shownAt: string;
}

export const FieldErrorContext = createContext<FieldErrorState | undefined>(undefined);

/** The message for the field at `path`, if the server's error landed there. */
export function useFieldError(path: string): string | undefined {
  const error = useContext(FieldErrorContext);
  return error?.shownAt === path ? error.message : undefined;
}

/**
 * The element of the rendered field nearest to the server's `field` (itself or an ancestor),
 * so an error about `headers.X-Key` shows on the headers editor.
 *
 * @example deepestField(form, 'config.basicAuth.password') // the password input's wrapper
 */
export function deepestField(root: HTMLElement, field: string): HTMLElement | undefined {
  const parts = field.split('.');
  for (let n = parts.length; n > 0; n -= 1) {
    const path = parts.slice(0, n).join('.');
    const found = root.querySelector<HTMLElement>(`[data-field="${CSS.escape(path)}"]`);
    if (found) return found;
  }
  return undefined;
}

interface FieldProps {
  path: string;
  label: ReactNode;
  hint?: ReactNode;
  required?: boolean;
  /** Renders the control, given the ids its `aria-describedby` and `id` must use. */
  children: (ids: { inputId: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

/** A labelled control with its hint and, when the server refused it, the message inline. */
export function Field({ path, label, hint, required = false, children }: FieldProps) {
  const inputId = useId();
  const error = useFieldError(path);
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  const describedBy = [error === undefined ? '' : errorId, hint === undefined ? '' : hintId]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={error === undefined ? 'form-field' : 'form-field form-field-invalid'} data-field={path}>
      {/* The marker sits outside the label so the control's name stays exactly the label. */}
      <div className="field-label">
        <label htmlFor={inputId}>{label}</label>
        {required && (
          <span className="required" aria-hidden="true">
            *
          </span>
        )}
      </div>
      {children({ inputId, describedBy: describedBy || undefined, invalid: error !== undefined })}
      {error !== undefined && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
      {hint !== undefined && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/** A group of fields (an object, a list) that can itself carry the server's message. */
export function FieldGroup({
  path,
  legend,
  children,
}: {
  path: string;
  legend: ReactNode;
  children: ReactNode;
}) {
  const error = useFieldError(path);
  return (
    <fieldset
      className={error === undefined ? 'field-group' : 'field-group form-field-invalid'}
      data-field={path}
    >
      <legend>{legend}</legend>
      {error !== undefined && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {children}
    </fieldset>
  );
}
