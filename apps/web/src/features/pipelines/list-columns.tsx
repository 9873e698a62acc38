import type { CatalogueView, PipelineObjectKind } from '@linkmesh/contracts/pipelines-api';
import type { ReactNode } from 'react';
import type { AnyObjectView, ObjectViewOf } from '../../api/pipelines.api.ts';
import { entryOf } from './catalogue.hook.ts';
import type { ObjectIndex } from './object-index.hook.ts';

export interface ListColumn {
  header: string;
  cell: (view: AnyObjectView) => ReactNode;
  /** Text the list's filter box searches, beside the name. */
  text?: (view: AnyObjectView) => string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function usedBy(view: { usedBy: { name: string }[] }): ReactNode {
  if (view.usedBy.length === 0) return <span className="muted">unused</span>;
  return <span title={view.usedBy.map((r) => r.name).join(', ')}>{plural(view.usedBy.length, 'route')}</span>;
}

/** A route's health at a glance: disabled, refused somewhere, or live on N collectors. */
function RouteStatus({ route }: { route: ObjectViewOf['route'] }) {
  if (!route.enabled) return <span className="badge badge-disconnected">Disabled</span>;
  if (route.refusals.length > 0)
    return (
      <span
        className="badge badge-error"
        title={route.refusals.map((r) => `${r.collectorName}: ${r.message}`).join('\n')}
      >
        Refused on {route.refusals.length}
      </span>
    );
  return <span className="badge badge-connected">Active</span>;
}

/** The columns of each kind's list between the name and the last-updated columns. */
export function listColumns(
  kind: PipelineObjectKind,
  catalogue: CatalogueView,
  index: ObjectIndex,
): ListColumn[] {
  switch (kind) {
    case 'source':
    case 'destination': {
      const entries = kind === 'source' ? catalogue.sources : catalogue.destinations;
      const typed = (v: AnyObjectView) => v as ObjectViewOf['source'];
      return [
        {
          header: 'Type',
          cell: (v) => (
            <>
              <span>{entryOf(entries, typed(v).type)?.title ?? typed(v).type}</span>{' '}
              <code className="muted">{typed(v).type}</code>
            </>
          ),
          text: (v) => typed(v).type,
        },
        {
          header: 'Secrets',
          cell: (v) => {
            const stored = typed(v).secrets.filter((s) => s.hasValue).length;
            return stored === 0 ? <span className="muted">none</span> : `${stored} stored`;
          },
        },
        { header: 'Used by', cell: (v) => usedBy(typed(v)) },
      ];
    }
    case 'pipeline': {
      const typed = (v: AnyObjectView) => v as ObjectViewOf['pipeline'];
      return [
        {
          header: 'Steps',
          cell: (v) =>
            typed(v).processors.length === 0 ? (
              <span className="muted">pass-through</span>
            ) : (
              <span className="step-chain">
                {typed(v)
                  .processors.map((p) => p.type)
                  .join(' → ')}
              </span>
            ),
          text: (v) =>
            typed(v)
              .processors.map((p) => p.type)
              .join(' '),
        },
        { header: 'Used by', cell: (v) => usedBy(typed(v)) },
      ];
    }
    case 'route': {
      const typed = (v: AnyObjectView) => v as ObjectViewOf['route'];
      const flow = (r: ObjectViewOf['route']) =>
        [
          index.nameOf(r.sourceId),
          r.pipelineId === undefined ? '' : index.nameOf(r.pipelineId),
          r.destinationIds.map(index.nameOf).join(', '),
        ]
          .filter(Boolean)
          .join(' → ');
      return [
        {
          header: 'Flow',
          cell: (v) => <span className="step-chain">{flow(typed(v))}</span>,
          text: (v) => flow(typed(v)),
        },
        { header: 'Collectors', cell: (v) => plural(typed(v).targetedCollectors, 'collector') },
        { header: 'Status', cell: (v) => <RouteStatus route={typed(v)} /> },
      ];
    }
    case 'group': {
      const typed = (v: AnyObjectView) => v as ObjectViewOf['group'];
      const matchers = (g: ObjectViewOf['group']) => g.matchers.map((m) => `${m.label}${m.op}${m.value}`);
      return [
        {
          header: 'Matchers',
          cell: (v) => (
            <ul className="labels">
              {matchers(typed(v)).map((m) => (
                <li key={m} className="label-chip">
                  {m}
                </li>
              ))}
            </ul>
          ),
          text: (v) => matchers(typed(v)).join(' '),
        },
        { header: 'Collectors', cell: (v) => plural(typed(v).collectorCount, 'collector') },
        { header: 'Used by', cell: (v) => usedBy(typed(v)) },
      ];
    }
  }
}
