import type { PipelineObjectKind } from '@linkmesh/contracts/pipelines-api';
import { useState } from 'react';
import { listObjects } from '../../api/pipelines.api.ts';
import { useResource } from '../../api/resource.hook.ts';
import { useCan } from '../../app/principal.context.ts';
import { navigate, objectCollectionPermission, objectPath } from '../../app/router.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { Link } from '../../components/Link.tsx';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import { useCatalogue } from './catalogue.hook.ts';
import { listColumns } from './list-columns.tsx';
import { useObjectIndex } from './object-index.hook.ts';
import { kindLabels } from './object-kinds.ts';
import { PipelinesNav } from './PipelinesNav.tsx';

/** One list page for every kind: the kind's columns, a filter box, and an empty state that says what the kind is for. */
export function ObjectListPage({ kind }: { kind: PipelineObjectKind }) {
  const labels = kindLabels[kind];
  const objects = useResource(`objects:${kind}`, () => listObjects(kind), 30);
  const catalogue = useCatalogue();
  const index = useObjectIndex();
  const canCreate = useCan(`${objectCollectionPermission(kind)}:create`);
  const [filter, setFilter] = useState('');

  const createButton = canCreate && (
    <button type="button" className="button-primary" onClick={() => navigate(objectPath(kind, null))}>
      New {labels.singular}
    </button>
  );

  return (
    <section aria-labelledby="objects-title">
      <PipelinesNav current={kind} />
      <div className="page-header">
        <h1 id="objects-title">{labels.plural}</h1>
        {objects.state === 'ready' && <span className="count-pill">{objects.data.items.length}</span>}
        {createButton}
      </div>
      {objects.state === 'error' && <ErrorNotice message={objects.message} onRetry={objects.reload} />}
      {catalogue.state === 'error' && <ErrorNotice message={catalogue.message} onRetry={catalogue.reload} />}
      {index.state === 'error' && <ErrorNotice message={index.message} onRetry={index.reload} />}
      {(objects.state === 'loading' || catalogue.state === 'loading' || index.state === 'loading') && (
        <p className="muted">Loading {labels.plural.toLowerCase()}…</p>
      )}
      {objects.state === 'ready' &&
        catalogue.state === 'ready' &&
        index.state === 'ready' &&
        (objects.data.items.length === 0 ? (
          <div className="empty">
            <p>
              <strong>No {labels.plural.toLowerCase()} yet.</strong>
            </p>
            <p className="muted">{labels.blurb}</p>
            {canCreate ? (
              <p>
                <Link href={objectPath(kind, null)}>Create the first {labels.singular}</Link>
              </p>
            ) : (
              <p className="muted">Your role can view {labels.plural.toLowerCase()} but not create them.</p>
            )}
          </div>
        ) : (
          <ObjectTable
            kind={kind}
            items={objects.data.items}
            columns={listColumns(kind, catalogue.data, index.data)}
            filter={filter}
            onFilter={setFilter}
          />
        ))}
    </section>
  );
}

interface ObjectTableProps {
  kind: PipelineObjectKind;
  items: Parameters<ReturnType<typeof listColumns>[number]['cell']>[0][];
  columns: ReturnType<typeof listColumns>;
  filter: string;
  onFilter: (filter: string) => void;
}

function ObjectTable({ kind, items, columns, filter, onFilter }: ObjectTableProps) {
  const labels = kindLabels[kind];
  const needle = filter.trim().toLowerCase();
  const shown = [...items]
    .sort((a, b) => a.name.localeCompare(b.name))
    .filter(
      (item) =>
        needle === '' ||
        [item.name, ...columns.map((c) => c.text?.(item) ?? '')].join(' ').toLowerCase().includes(needle),
    );
  return (
    <>
      <div className="list-toolbar search-field">
        <input
          type="search"
          aria-label={`Search ${labels.plural.toLowerCase()}`}
          placeholder={`Search ${labels.plural.toLowerCase()}…`}
          value={filter}
          onChange={(event) => onFilter(event.target.value)}
        />
      </div>
      <table className="table table-objects" aria-label={labels.plural}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            {columns.map((c) => (
              <th key={c.header} scope="col">
                {c.header}
              </th>
            ))}
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((item) => (
            <tr key={item.id}>
              <th scope="row">
                <Link href={objectPath(kind, item.id)}>{item.name}</Link>
              </th>
              {columns.map((c) => (
                <td key={c.header}>{c.cell(item)}</td>
              ))}
              <td className="cell-time">
                <RelativeTime iso={item.updatedAt} />{' '}
                <span className="muted">by {item.updatedBy.replace(/^\w+[-\w]*:/, '')}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 && <p className="table-more">Nothing matches “{filter}”.</p>}
    </>
  );
}
