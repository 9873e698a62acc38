import type { CollectorView } from '@linkmesh/contracts/api';
import type { ReactNode } from 'react';
import { dateTime, duration, missing, quantity } from '../../components/format.ts';
import { RelativeTime } from '../../components/RelativeTime.tsx';

/** A `<dl>` group with a heading; `null` values show as "—". */
function Fields({ title, rows }: { title: string; rows: [string, ReactNode][] }) {
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      <dl className="fields">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value ?? missing}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function CollectorOverview({ collector: c }: { collector: CollectorView }) {
  const labels = Object.entries(c.labels);
  return (
    <div className="overview">
      <Fields
        title="Record"
        rows={[
          ['ID', <code key="id">{c.id}</code>],
          ['Runtime', c.runtime === 'alloy' ? 'Grafana Alloy' : 'otelcol-contrib'],
          ['Mode', c.mode],
          ['Hostname', c.hostname],
          ['OS / arch', c.os === null && c.arch === null ? null : `${c.os ?? '?'} / ${c.arch ?? '?'}`],
          ['Version', c.version],
          ['Instance UID', c.instanceUid],
          ['Last seen', <RelativeTime key="seen" iso={c.lastSeenAt} />],
          ['Registered', dateTime(c.createdAt)],
          ...(c.deregisteredAt === null
            ? []
            : [['Deregistered', dateTime(c.deregisteredAt)] as [string, string]]),
        ]}
      />
      <Fields
        title="Host metrics"
        rows={[
          ['Host CPU', quantity(c.hostCpuPercent, ' %')],
          ['Host memory', quantity(c.hostMemoryPercent, ' %')],
          ['Collector CPU', quantity(c.cpuPercent, ' %')],
          ['Collector memory', quantity(c.memoryMb, ' MB', 0)],
          ['Uptime', duration(c.uptimeSeconds)],
          ['Restarts', c.restartCount],
        ]}
      />
      <section className="card" aria-label="Labels">
        <h2>Labels</h2>
        {labels.length === 0 ? (
          <p className="muted">No labels.</p>
        ) : (
          <ul className="labels">
            {labels.map(([key, value]) => (
              <li key={key} className="label-chip">
                {key}={value}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
