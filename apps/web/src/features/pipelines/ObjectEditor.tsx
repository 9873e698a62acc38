import type { CatalogueView, PipelineObjectKind } from '@linkmesh/contracts/pipelines-api';
import { useLayoutEffect, useRef, useState, type SyntheticEvent } from 'react';
import { ApiError, errorMessage } from '../../api/client.ts';
import {
  createObject,
  deleteObject,
  updateObject,
  type AnyObjectView,
  type ObjectBody,
} from '../../api/pipelines.api.ts';
import { useCan } from '../../app/principal.context.ts';
import { navigate, objectCollectionPermission, objectPath, objectsPath } from '../../app/router.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import { KindForm } from './KindForm.tsx';
import type { ObjectIndex } from './object-index.hook.ts';
import { bodyOf, emptyBody, kindLabels, requestOf } from './object-kinds.ts';
import { ObjectSidebar } from './ObjectSidebar.tsx';
import { PreviewPanel } from './PreviewPanel.tsx';
import { RouteRefusals } from './RouteRefusals.tsx';
import { deepestField, FieldErrorContext, type FieldErrorState } from './schema-form/field-error.tsx';

interface ObjectEditorProps {
  kind: PipelineObjectKind;
  /** The saved object, or undefined for a new one. */
  initial: AnyObjectView | undefined;
  catalogue: CatalogueView;
  index: ObjectIndex;
  /** Loads the latest revision again (after a conflict), discarding the draft. */
  onReload: () => void;
}

type Failure = { message: string; field?: string | undefined; conflict: boolean };

/**
 * The editor shell shared by the five kinds: the kind's form, Save (If-Match on the revision it
 * started from) and Delete, the server's validation message inline at the field it names, and
 * the live preview of the rendered config beside it.
 */
export function ObjectEditor({ kind, initial, catalogue, index, onReload }: ObjectEditorProps) {
  const labels = kindLabels[kind];
  const resource = objectCollectionPermission(kind);
  const canWrite = useCan(`${resource}:${initial === undefined ? 'create' : 'update'}`);
  const canDelete = useCan(`${resource}:delete`);
  const [saved, setSaved] = useState(initial);
  const [draft, setDraft] = useState<ObjectBody>(() => (initial ? bodyOf(kind, initial) : emptyBody(kind)));
  const [failure, setFailure] = useState<Failure>();
  const [fieldError, setFieldError] = useState<FieldErrorState>();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const request = requestOf(kind, draft, catalogue);
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved ? bodyOf(kind, saved) : emptyBody(kind));

  // Place the server's message at the deepest field on its path that the form renders; the
  // banner carries it only when no field does (a rule about the object as a whole).
  useLayoutEffect(() => {
    const form = formRef.current;
    if (!failure?.field || !form) return setFieldError(undefined);
    const element = deepestField(form, failure.field);
    if (!element) return setFieldError(undefined);
    setFieldError({ message: failure.message, shownAt: element.dataset.field ?? '' });
    element.scrollIntoView({ block: 'center' });
    element.querySelector<HTMLElement>('input, select, textarea')?.focus({ preventScroll: true });
  }, [failure]);

  // An edit answers the last message (it described the previous draft); Save checks again.
  const change = (next: ObjectBody) => {
    setDraft(next);
    setNotice(undefined);
    setFailure(undefined);
  };

  const save = async (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      if (saved === undefined) {
        const created = await createObject(kind, request);
        navigate(objectPath(kind, created.id), { replace: true });
        return;
      }
      const updated = await updateObject(kind, saved.id, saved.revision, request);
      setSaved(updated);
      setDraft(bodyOf(kind, updated));
      setNotice(`Saved revision ${updated.revision}.`);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : undefined;
      const field = apiError?.field;
      setFailure({
        // The message may start with its field's path, which the inline placement already says.
        message: errorMessage(error).replace(field === undefined ? '' : `${field}: `, ''),
        field,
        conflict: apiError?.code === 'conflict',
      });
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!saved) return;
    await deleteObject(kind, saved.id, saved.revision);
    navigate(objectsPath(kind), { replace: true });
  };

  const readOnly = !canWrite;
  const title = saved?.name ?? `New ${labels.singular}`;
  return (
    <div className="editor-layout">
      <div className="editor-main">
        <div className="page-header">
          <h1 id="editor-title">{title}</h1>
          {saved && <span className="muted revision">revision {saved.revision}</span>}
        </div>
        {saved && (
          <p className="muted editor-meta">
            Updated <RelativeTime iso={saved.updatedAt} /> by {saved.updatedBy}
          </p>
        )}
        {kind === 'route' && saved && 'refusals' in saved && <RouteRefusals route={saved} />}
        {readOnly && (
          <p className="notice notice-info">Your role can view this {labels.singular} but not change it.</p>
        )}
        {failure && fieldError === undefined && (
          <div className="notice notice-error" role="alert">
            <span>
              {failure.conflict
                ? `Someone else saved this ${labels.singular} meanwhile: ${failure.message}`
                : failure.message}
            </span>
            {failure.conflict && (
              <button type="button" className="button-link" onClick={onReload}>
                Load their version (drops your changes)
              </button>
            )}
          </div>
        )}
        {notice !== undefined && (
          <p className="notice notice-ok" role="status">
            {notice}
          </p>
        )}
        <form
          ref={formRef}
          className="card editor-form"
          noValidate
          onSubmit={(event) => void save(event)}
          aria-label={title}
        >
          <FieldErrorContext value={fieldError}>
            <KindForm
              kind={kind}
              catalogue={catalogue}
              index={index}
              draft={draft}
              onChange={change}
              readOnly={readOnly}
              saved={saved}
            />
          </FieldErrorContext>
          {!readOnly && (
            <div className="form-actions">
              <button
                type="submit"
                className="button-primary"
                disabled={busy || (saved !== undefined && !dirty)}
              >
                {saved === undefined ? `Create ${labels.singular}` : 'Save changes'}
              </button>
              {saved !== undefined && dirty && (
                <button type="button" disabled={busy} onClick={() => change(bodyOf(kind, saved))}>
                  Discard changes
                </button>
              )}
              {saved !== undefined && canDelete && (
                <button
                  type="button"
                  className="button-quiet menu-danger push-right"
                  onClick={() => setConfirmDelete(true)}
                >
                  Delete
                </button>
              )}
            </div>
          )}
        </form>
      </div>
      <div className="editor-side">
        <PreviewPanel
          collectors={index.collectors}
          change={{ kind, ...(saved ? { id: saved.id } : {}), object: request }}
          note={
            kind !== 'route' &&
            kind !== 'group' &&
            (saved === undefined || ('usedBy' in saved && saved.usedBy.length === 0))
              ? `No route uses this ${labels.singular} yet: the preview changes once a route does.`
              : undefined
          }
        />
        {saved && <ObjectSidebar kind={kind} saved={saved} />}
      </div>
      {confirmDelete && saved && (
        <ConfirmDialog
          title={`Delete ${labels.singular} ${saved.name}?`}
          confirmLabel="Delete"
          onConfirm={remove}
          onClose={() => setConfirmDelete(false)}
        >
          <p>
            Collectors stop running it at their next config. A {labels.singular} that a route still uses
            cannot be deleted.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
