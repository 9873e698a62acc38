import type { PipelineObjectKind } from '@linkmesh/contracts/pipelines-api';
import { getObject } from '../../api/pipelines.api.ts';
import { useResource } from '../../api/resource.hook.ts';
import { objectsPath } from '../../app/router.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { Link } from '../../components/Link.tsx';
import { useCatalogue } from './catalogue.hook.ts';
import { ObjectEditor } from './ObjectEditor.tsx';
import { useObjectIndex } from './object-index.hook.ts';
import { kindLabels } from './object-kinds.ts';
import { PipelinesNav } from './PipelinesNav.tsx';

/** Loads what an editor needs (the object, the catalogue, the objects it can refer to). */
export function ObjectEditorPage({ kind, id }: { kind: PipelineObjectKind; id: string | null }) {
  const saved = useResource(`object:${kind}:${id ?? 'new'}`, () =>
    id === null ? Promise.resolve(undefined) : getObject(kind, id),
  );
  const catalogue = useCatalogue();
  const index = useObjectIndex();
  const failed = [saved, catalogue, index].find((r) => r.state === 'error');

  return (
    <section aria-labelledby="editor-title">
      <PipelinesNav current={kind} />
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href={objectsPath(kind)}>{kindLabels[kind].plural}</Link> <span aria-hidden="true">/</span>
      </nav>
      {failed?.state === 'error' && <ErrorNotice message={failed.message} onRetry={failed.reload} />}
      {failed === undefined &&
        (saved.state === 'ready' && catalogue.state === 'ready' && index.state === 'ready' ? (
          <ObjectEditor
            // A different object, or a reload after a conflict, starts a fresh draft.
            key={`${kind}:${id ?? 'new'}:${saved.data?.revision ?? 0}`}
            kind={kind}
            initial={saved.data}
            catalogue={catalogue.data}
            index={index.data}
            onReload={saved.reload}
          />
        ) : (
          <p className="muted">Loading…</p>
        ))}
    </section>
  );
}
