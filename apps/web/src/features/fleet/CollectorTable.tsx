import type { CollectorSort, CollectorView } from '@linkmesh/contracts/api';
import { collectorPath } from '../../app/router.ts';
import { missing } from '../../components/format.ts';
import { Link } from '../../components/Link.tsx';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import type { FleetView } from './fleet-query.ts';
import { RateCell } from './RateCell.tsx';
import { RowMenu } from './RowMenu.tsx';

const runtimeLabels: Record<CollectorView['runtime'], string> = {
  alloy: 'Grafana Alloy',
  otelcol: 'otelcol-contrib',
};

export const modeLabels: Record<CollectorView['mode'], string> = {
  opamp: 'OpAMP',
  'alloy-remotecfg': 'remotecfg',
  managed: 'Managed',
};

interface CollectorTableProps {
  collectors: CollectorView[];
  view: FleetView;
  onSort: (sort: CollectorSort) => void;
  onDeregister: (collector: CollectorView) => void;
}

/** The fleet, one dense row per collector; sortable headers say their order (`aria-sort`). */
export function CollectorTable({ collectors, view, onSort, onDeregister }: CollectorTableProps) {
  const header = (sort: CollectorSort, label: string, className?: string) => (
    <SortHeader sort={sort} label={label} view={view} onSort={onSort} className={className} />
  );
  return (
    <table className="table table-fleet" aria-label="Collectors">
      <thead>
        <tr>
          {header('name', 'Name')}
          {header('status', 'Status')}
          {header('recordsInPerSec', 'In/s', 'num')}
          {header('recordsOutPerSec', 'Out/s', 'num')}
          {header('errorsPerSec', 'Errors/s', 'num')}
          <th scope="col">Runtime</th>
          {header('version', 'Version')}
          <th scope="col">Hostname</th>
          {header('lastSeenAt', 'Last seen')}
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {collectors.map((collector) => (
          <tr key={collector.id} className={collector.status === 'error' ? 'row-error' : undefined}>
            <th scope="row">
              <Link href={collectorPath(collector.id)}>{collector.name}</Link>
            </th>
            <td className="cell-status">
              <StatusBadge status={collector.status} />
              {collector.statusReason !== null && (
                <span className="status-reason" title={collector.statusReason}>
                  {collector.statusReason}
                </span>
              )}
            </td>
            <RateCell collector={collector} field="recordsInPerSec" />
            <RateCell collector={collector} field="recordsOutPerSec" />
            <RateCell collector={collector} field="errorsPerSec" />
            <td className="cell-runtime">
              <span>{runtimeLabels[collector.runtime]}</span>
              <span className="muted">{modeLabels[collector.mode]}</span>
            </td>
            <td className="mono">{collector.version ?? missing}</td>
            <td className="cell-host" title={collector.hostname ?? undefined}>
              {collector.hostname ?? missing}
            </td>
            <td className="cell-time">
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

function SortHeader(props: {
  sort: CollectorSort;
  label: string;
  view: FleetView;
  onSort: (sort: CollectorSort) => void;
  className?: string | undefined;
}) {
  const active = props.view.sort === props.sort;
  const direction = props.view.order === 'asc' ? 'ascending' : 'descending';
  return (
    <th scope="col" className={props.className} aria-sort={active ? direction : 'none'}>
      <button
        type="button"
        className={`sort-button${active ? ' sort-active' : ''}`}
        onClick={() => props.onSort(props.sort)}
      >
        {props.label}
        <span className="sort-arrow" aria-hidden="true">
          {active ? (props.view.order === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}
