import { lazy, Suspense } from 'react';
import { getCollector } from '../../api/collectors.api.ts';
import { useResource } from '../../api/resource.hook.ts';
import { collectorPath, navigate, type CollectorTab } from '../../app/router.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { Link } from '../../components/Link.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { Tabs } from '../../components/Tabs.tsx';
import { CollectorComponents } from './CollectorComponents.tsx';
import { CollectorConfig } from './CollectorConfig.tsx';
import { CollectorEvents } from './CollectorEvents.tsx';
import { CollectorOverview } from './CollectorOverview.tsx';

/** The canvas (React Flow, elkjs) loads with the first topology page opened, not with the app. */
const CollectorTopology = lazy(() =>
  import('../topology/CollectorTopology.tsx').then((module) => ({ default: module.CollectorTopology })),
);

const tabs = [
  { key: 'overview', label: 'Overview' },
  { key: 'topology', label: 'Topology' },
  { key: 'components', label: 'Components' },
  { key: 'config', label: 'Config' },
  { key: 'events', label: 'Events' },
] as const satisfies readonly { key: CollectorTab; label: string }[];

/**
 * One collector: its record, host metrics and last-day throughput (Overview), its pipeline as a
 * live canvas (Topology), the throughput of its pipeline
 * components from its own self-telemetry (Components), its config versions and labels (Config)
 * and its event history (Events).
 */
export function CollectorDetailPage({ id, tab }: { id: string; tab: CollectorTab }) {
  const collector = useResource(`collector:${id}`, () => getCollector(id), 15);

  return (
    <section aria-labelledby="collector-title">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href="/collectors">Collectors</Link> <span aria-hidden="true">/</span>
      </nav>
      {collector.state === 'loading' && <p className="muted">Loading collector…</p>}
      {collector.state === 'error' && <ErrorNotice message={collector.message} onRetry={collector.reload} />}
      {collector.state === 'ready' && (
        <>
          <div className="page-header">
            <h1 id="collector-title">{collector.data.name}</h1>
            <StatusBadge status={collector.data.status} />
          </div>
          <Tabs
            label="Collector"
            tabs={tabs}
            selected={tab}
            onSelect={(next) => navigate(collectorPath(id, next), { replace: true })}
          >
            {tab === 'overview' && <CollectorOverview collector={collector.data} />}
            {tab === 'topology' && (
              <Suspense fallback={<p className="muted">Loading the topology…</p>}>
                <CollectorTopology collectorId={id} name={collector.data.name} />
              </Suspense>
            )}
            {tab === 'components' && (
              <CollectorComponents collector={collector.data} onRefreshCollector={collector.reload} />
            )}
            {tab === 'config' && <CollectorConfig collector={collector.data} />}
            {tab === 'events' && <CollectorEvents id={id} />}
          </Tabs>
        </>
      )}
    </section>
  );
}
