import type { CollectorEventView } from '@linkmesh/contracts/api';
import { listCollectorEvents } from '../../api/collectors.api.ts';
import { useResource } from '../../api/resource.hook.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { dateTime } from '../../components/format.ts';
import { RelativeTime } from '../../components/RelativeTime.tsx';

/** Newest first; equal timestamps fall back to the server's insertion order (id). */
const newestFirst = (a: CollectorEventView, b: CollectorEventView) =>
  Date.parse(b.at) - Date.parse(a.at) || b.id - a.id;

/** The collector's events of the last 7 days (the API's default window). */
export function CollectorEvents({ id }: { id: string }) {
  const events = useResource(`collector-events:${id}`, () => listCollectorEvents(id), 30);

  if (events.state === 'loading') return <p className="muted">Loading events…</p>;
  if (events.state === 'error') return <ErrorNotice message={events.message} onRetry={events.reload} />;
  const items = [...events.data.items].sort(newestFirst);
  if (items.length === 0) return <p className="empty">No events in the last 7 days.</p>;
  return (
    <table className="table table-events" aria-label="Events">
      <thead>
        <tr>
          <th scope="col">Type</th>
          <th scope="col">When</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {items.map((event) => (
          <tr key={event.id}>
            <td>
              <span className="event-type">{event.type}</span>
            </td>
            <td>
              {dateTime(event.at)}{' '}
              <span className="muted">
                · <RelativeTime iso={event.at} />
              </span>
            </td>
            <td>{event.detail}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
