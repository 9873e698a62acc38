import type { CollectorView } from '@linkmesh/contracts/api';
import { collectorPath } from '../../app/router.ts';
import { missing } from '../../components/format.ts';
import { Link } from '../../components/Link.tsx';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { RowMenu } from './RowMenu.tsx';

const runtimeLabels: Record<CollectorView['runtime'], string> = {
  alloy: 'Grafana Alloy',
  otelcol: 'otelcol-contrib',
};

const modeLabels: Record<CollectorView['mode'], string> = {
  opamp: 'OpAMP',
  'alloy-remotecfg': 'remotecfg',
  managed: 'Managed',
};

interface CollectorTableProps {
  collectors: CollectorView[];
  onDeregister: (collector: CollectorView) => void;
}

export function CollectorTable({ collectors, onDeregister }: CollectorTableProps) {
  if (collectors.length === 0) {
    return (
      <div className="empty">
        <p>No collectors yet.</p>
        <p className="muted">Use “Add collector” to enroll a Grafana Alloy or otelcol-contrib host.</p>
      </div>
    );
  }
  return (
    <table className="table" aria-label="Collectors">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Runtime</th>
          <th scope="col">Mode</th>
          <th scope="col">Status</th>
          <th scope="col">Hostname</th>
          <th scope="col">Version</th>
          <th scope="col">Last seen</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {collectors.map((collector) => (
          <tr key={collector.id}>
            <th scope="row">
              <Link href={collectorPath(collector.id)}>{collector.name}</Link>
            </th>
            <td>{runtimeLabels[collector.runtime]}</td>
            <td>{modeLabels[collector.mode]}</td>
            <td>
              <StatusBadge status={collector.status} />
            </td>
            <td>{collector.hostname ?? missing}</td>
            <td>{collector.version ?? missing}</td>
            <td>
              <RelativeTime iso={collector.lastSeenAt} />
            </td>
            <td className="cell-actions">
              <RowMenu
                label={`Actions for ${collector.name}`}
                items={[{ label: 'Deregister', danger: true, onSelect: () => onDeregister(collector) }]}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
