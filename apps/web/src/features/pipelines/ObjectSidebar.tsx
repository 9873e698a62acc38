import type { PipelineObjectKind } from '@linkmesh/contracts/pipelines-api';
import type { AnyObjectView, ObjectViewOf } from '../../api/pipelines.api.ts';
import { listGroupMembers } from '../../api/pipelines.api.ts';
import { useResource } from '../../api/resource.hook.ts';
import { collectorPath, objectPath } from '../../app/router.ts';
import { Link } from '../../components/Link.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';

/** What else a saved object touches: the routes that use it, or a group's live members. */
export function ObjectSidebar({ kind, saved }: { kind: PipelineObjectKind; saved: AnyObjectView }) {
  if (kind === 'group') return <GroupMembers group={saved as ObjectViewOf['group']} />;
  if (!('usedBy' in saved)) return null;
  return (
    <section className="card side-card" aria-label="Used by">
      <h2>Used by</h2>
      {saved.usedBy.length === 0 ? (
        <p className="muted">No route uses it yet, so no collector runs it.</p>
      ) : (
        <ul className="plain-list">
          {saved.usedBy.map((r) => (
            <li key={r.id}>
              <Link href={objectPath('route', r.id)}>{r.name}</Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The collectors whose effective labels match the saved matchers now. */
function GroupMembers({ group }: { group: ObjectViewOf['group'] }) {
  const members = useResource(
    `group-members:${group.id}:${group.revision}`,
    () => listGroupMembers(group.id),
    30,
  );
  return (
    <section className="card side-card" aria-label="Members">
      <h2>
        Members {members.state === 'ready' && <span className="count-pill">{members.data.items.length}</span>}
      </h2>
      {members.state === 'loading' && <p className="muted">Loading…</p>}
      {members.state === 'error' && <p className="muted">{members.message}</p>}
      {members.state === 'ready' &&
        (members.data.items.length === 0 ? (
          <p className="muted">No collector matches these labels now.</p>
        ) : (
          <ul className="plain-list">
            {members.data.items.map((m) => (
              <li key={m.id}>
                <Link href={collectorPath(m.id)}>{m.name}</Link> <span className="muted">{m.runtime}</span>{' '}
                <StatusBadge status={m.status} />
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
