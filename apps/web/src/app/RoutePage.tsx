import { lazy, Suspense, useEffect } from 'react';
import { Link } from '../components/Link.tsx';
import { CollectorDetailPage } from '../features/collector/CollectorDetailPage.tsx';
import { CollectorsPage } from '../features/fleet/CollectorsPage.tsx';
import { ObjectEditorPage } from '../features/pipelines/ObjectEditorPage.tsx';
import { ObjectListPage } from '../features/pipelines/ObjectListPage.tsx';
import { SettingsPage } from '../features/settings/SettingsPage.tsx';
import { navigate, type Route } from './router.ts';

/** The canvas (React Flow, elkjs) loads with the first topology page opened, not with the app. */
const FleetTopologyPage = lazy(() =>
  import('../features/topology/FleetTopologyPage.tsx').then((module) => ({
    default: module.FleetTopologyPage,
  })),
);

/** The page for a route, once signed in. */
export function RoutePage({ route }: { route: Route }) {
  switch (route.page) {
    case 'login':
      return <Redirect to="/collectors" />;
    case 'redirect':
      return <Redirect to={route.to} />;
    case 'collectors':
      return <CollectorsPage />;
    case 'collector':
      return <CollectorDetailPage id={route.id} tab={route.tab} />;
    case 'topology':
      return (
        <Suspense fallback={<p className="muted">Loading the topology…</p>}>
          <FleetTopologyPage />
        </Suspense>
      );
    case 'settings':
      return <SettingsPage />;
    case 'objects':
      return <ObjectListPage kind={route.kind} />;
    case 'object':
      return <ObjectEditorPage kind={route.kind} id={route.id} />;
    case 'not-found':
      return (
        <section>
          <h1>Page not found</h1>
          <p>
            Nothing lives at this address. <Link href="/collectors">Back to collectors</Link>
          </p>
        </section>
      );
  }
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
