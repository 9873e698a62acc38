import type { TopologyNodeDetailView } from '@linkmesh/contracts/topology-api';
import { useMemo, type ReactNode } from 'react';
import { getTopologyNode } from '../../api/topology.api.ts';
import { useResource } from '../../api/resource.hook.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { quantity } from '../../components/format.ts';
import { Link } from '../../components/Link.tsx';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import { TimeChart, type TimeSeries } from '../../components/TimeChart.tsx';
import { useEdgeFacts, useNodeFacts } from './canvas.context.ts';
import { errors, kindLabel, percentText, records } from './canvas.format.ts';
import type { CanvasSelection } from './Canvas.tsx';
import type { NodeFacts } from './canvas.types.ts';

/** The side panel refreshes its last-day chart this often; the canvas itself is live. */
const refreshSeconds = 60;

interface ElementPanelProps {
  /** Whose counters to read; null on the fleet canvas (collectors open their own canvas). */
  collectorId: string | null;
  selection: Exclude<CanvasSelection, null>;
  onClose: () => void;
}

/** The selected element (or edge, through the element that measures it): numbers, chart, raw counters. */
export function ElementPanel({ collectorId, selection, onClose }: ElementPanelProps) {
  const edge = useEdgeFacts(selection.type === 'edge' ? selection.id : '');
  const nodeId = selection.type === 'edge' ? (edge?.measuredAt ?? '') : selection.id;
  const node = useNodeFacts(nodeId);
  const from = useNodeFacts(edge?.from ?? '');
  const to = useNodeFacts(edge?.to ?? '');
  if (node === undefined) return null;
  const title = edge !== undefined ? `${from?.name ?? edge.from} → ${to?.name ?? edge.to}` : node.name;
  return (
    <aside className="element-panel" aria-label={`Details of ${title}`}>
      <header>
        <div>
          <p className="element-kind">{edge !== undefined ? 'Edge' : kindLabel[node.kind]}</p>
          <h2>{title}</h2>
        </div>
        <button type="button" className="button-quiet" aria-label="Close details" onClick={onClose}>
          ×
        </button>
      </header>
      {edge !== undefined && (
        <p className="muted">
          {edge.signals.join(', ')} · {records(edge.recordsPerSec)}
          {edge.route !== null &&
            ` · offered ${records(edge.route.offeredPerSec)}, matched ${records(edge.route.matchedPerSec)}`}
          {' · '}measured at {node.name}.{edge.missing !== null && ` No number: ${edge.missing}.`}
        </p>
      )}
      <CurrentNumbers facts={node} />
      {collectorId !== null && node.href === null && (
        <NodeHistory collectorId={collectorId} nodeId={node.id} />
      )}
    </aside>
  );
}

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function CurrentNumbers({ facts }: { facts: NodeFacts }) {
  return (
    <dl className="fields panel-fields">
      <Row term="Component">
        <code>{facts.componentId}</code>
      </Row>
      <Row term="Type">{facts.type}</Row>
      {facts.signals.length > 0 && <Row term="Signals">{facts.signals.join(', ')}</Row>}
      <Row term="Rate (last 15 min)">{records(facts.recordsPerSec)}</Row>
      {facts.missing !== null && <Row term="Why no rate">{facts.missing}</Row>}
      {facts.kind === 'processor' && <Row term="In">{records(facts.incomingPerSec)}</Row>}
      {facts.kind === 'processor' && <Row term="Dropped">{percentText(facts.dropPercent)}</Row>}
      {facts.inPerSec !== null && <Row term="In">{records(facts.inPerSec)}</Row>}
      <Row term="Errors">{errors(facts.errorsPerSec)}</Row>
      {facts.queue !== null && (
        <Row term="Queue">
          {facts.queue.size === null
            ? 'not reported'
            : `${quantity(facts.queue.size, '', 0)} / ${facts.queue.capacity === null ? '?' : quantity(facts.queue.capacity, '', 0)}${facts.queue.fraction === null ? '' : ` (${percentText(facts.queue.fraction * 100)})`}`}
        </Row>
      )}
      {facts.href !== null && (
        <Row term="Pipeline">
          <Link href={facts.href}>Open its canvas</Link>
        </Row>
      )}
    </dl>
  );
}

function NodeHistory({ collectorId, nodeId }: { collectorId: string; nodeId: string }) {
  const detail = useResource(
    `topology-node:${collectorId}:${nodeId}`,
    () => getTopologyNode(collectorId, nodeId),
    refreshSeconds,
  );
  if (detail.state === 'loading') return <p className="muted">Loading the last day…</p>;
  if (detail.state === 'error') return <ErrorNotice message={detail.message} onRetry={detail.reload} />;
  return <History detail={detail.data} />;
}

function History({ detail }: { detail: TopologyNodeDetailView }) {
  const series = useMemo<TimeSeries[]>(
    () => [
      { label: 'records/s', values: detail.recordsPerSec, colorVar: '--accent' },
      { label: 'errors/s', values: detail.errorsPerSec, colorVar: '--danger' },
    ],
    [detail],
  );
  return (
    <>
      <h3>Last 24 hours</h3>
      <TimeChart
        label={`Records/s and errors/s over the last 24 hours, ${detail.bucketSeconds / 60}-minute buckets`}
        startAt={detail.startAt}
        bucketSeconds={detail.bucketSeconds}
        series={series}
        unit="/s"
        height={160}
      />
      <h3>Raw counters</h3>
      <p className="hint">Lifetime totals exactly as the collector last pushed them: counts, not rates.</p>
      {detail.series.length === 0 ? (
        <p className="muted">No self-telemetry series maps to this element in the last 24 hours.</p>
      ) : (
        detail.series.map((s) => (
          <table
            key={`${s.componentId}:${s.signal}`}
            className="raw-counters"
            aria-label={`Counters of ${s.componentId} ${s.signal}`}
          >
            <caption>
              <code>{s.componentId}</code> · {s.signal} · last sample <RelativeTime iso={s.lastSampleAt} /> ·{' '}
              {s.samples} samples{s.restartsInWindow > 0 && ` · ${s.restartsInWindow} restarts`}
            </caption>
            <tbody>
              {Object.entries(s.counters).map(([name, value]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>{value.toLocaleString('en')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))
      )}
    </>
  );
}
