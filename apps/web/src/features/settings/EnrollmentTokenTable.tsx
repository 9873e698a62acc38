import type { EnrollmentTokenView } from '@linkmesh/contracts/api';
import { collectorPath } from '../../app/router.ts';
import { Link } from '../../components/Link.tsx';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';

interface EnrollmentTokenTableProps {
  tokens: EnrollmentTokenView[];
  onRevoke: (token: EnrollmentTokenView) => void;
}

export function EnrollmentTokenTable({ tokens, onRevoke }: EnrollmentTokenTableProps) {
  if (tokens.length === 0) return <p className="empty">No enrollment tokens yet.</p>;
  return (
    <table className="table" aria-label="Enrollment tokens">
      <thead>
        <tr>
          <th scope="col">Token</th>
          <th scope="col">Status</th>
          <th scope="col">Created</th>
          <th scope="col">Expires</th>
          <th scope="col">Collector</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tokens.map((token) => (
          <tr key={token.id}>
            <th scope="row" className="mono">
              {token.prefix}
            </th>
            <td>
              <StatusBadge status={token.status} />
            </td>
            <td>
              <RelativeTime iso={token.createdAt} /> <span className="muted">by {token.createdBy}</span>
            </td>
            <td>
              <RelativeTime iso={token.expiresAt} />
            </td>
            <td>
              {token.collectorId === null ? '—' : <Link href={collectorPath(token.collectorId)}>Open</Link>}
            </td>
            <td className="cell-actions">
              {token.status === 'active' && (
                <button
                  type="button"
                  className="button-quiet button-small menu-danger"
                  aria-label={`Revoke token ${token.prefix}`}
                  onClick={() => onRevoke(token)}
                >
                  Revoke
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
