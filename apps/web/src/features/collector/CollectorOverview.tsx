import type { CollectorDetailView, ManagedAgentView } from '@linkmesh/contracts/api';
import type { ReactNode } from 'react';
import { dateTime, duration, missing, quantity } from '../../components/format.ts';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import { ThroughputDayChart } from './ThroughputDayChart.tsx';

/** A `<dl>` group with a heading; `null` values show as "—". */
function Fields({
  title,
  rows,
  note = null,
}: {
  title: string;
  rows: [string, ReactNode][];
  /** Why some values are missing, shown under the heading. */
  note?: string | null;
}) {
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      {note !== null && (
        <p className="field-note" role="note">
          {note}
        </p>
      )}
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

export function CollectorOverview({ collector: c }: { collector: CollectorDetailView }) {
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
        note={c.hostMetricsMissing}
      />
      <ThroughputDayChart collectorId={c.id} />
      {c.agent !== null && <AgentHost agent={c.agent} />}
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

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

/** What linkmesh-agent last reported from a Managed host. */
function AgentHost({ agent }: { agent: ManagedAgentView }) {
  const { host, collector } = agent;
  const lastExit =
    collector.lastExitAt === null
      ? 'never'
      : `${collector.lastExitSignal ?? `code ${String(collector.lastExitCode ?? '?')}`} at ${dateTime(collector.lastExitAt)}`;
  return (
    <Fields
      title="Host (linkmesh-agent)"
      rows={[
        ['Reported', <RelativeTime key="reported" iso={agent.reportedAt} />],
        ['Hostname', host.hostname],
        ['OS', `${host.os} ${host.osRelease} (${host.arch})`],
        [
          'CPU',
          `${String(host.cpuCount)} × ${host.cpuModel || 'unknown'} · load ${host.loadAverage1m.toFixed(2)}`,
        ],
        [
          'Memory',
          `${gib(host.memoryTotalBytes - host.memoryFreeBytes)} used of ${gib(host.memoryTotalBytes)}`,
        ],
        ['Host uptime', duration(host.uptimeSeconds)],
        ['Collector', `${collector.binary} · ${collector.version ?? 'version unknown'}`],
        [
          'Process',
          collector.running
            ? `running, pid ${String(collector.pid ?? '?')}, up ${duration(collector.uptimeSeconds)}`
            : collector.nextStartInSeconds === null
              ? 'not running'
              : `not running, next start in ${String(Math.ceil(collector.nextStartInSeconds))} s`,
        ],
        ['Restarts by agent', collector.restartCount],
        ['Last exit', lastExit],
        [
          'Agent',
          `linkmesh-agent ${agent.agentVersion}${agent.rotationPending ? ' · bearer rotation pending' : ''}`,
        ],
      ]}
    />
  );
}
