import type { RouteView } from '@linkmesh/contracts/pipelines-api';
import { collectorPath } from '../../app/router.ts';
import { Link } from '../../components/Link.tsx';

/**
 * Collectors this route targets but cannot be rendered for (their runtime or version lacks a
 * component). They keep their last good config, so this is easy to miss: it goes on top.
 */
export function RouteRefusals({ route }: { route: RouteView }) {
  if (route.refusals.length === 0)
    return (
      <p className="muted editor-meta">
        {route.enabled
          ? `Runs on ${route.targetedCollectors} collector${route.targetedCollectors === 1 ? '' : 's'}.`
          : 'Disabled: rendered nowhere.'}
      </p>
    );
  return (
    <div className="notice notice-error refusals" role="alert" aria-label="Refusals">
      <strong>
        Refused on {route.refusals.length} of {route.targetedCollectors} targeted collectors
      </strong>
      <span> — they keep their last good config until this is fixed.</span>
      <ul>
        {route.refusals.map((r) => (
          <li key={r.collectorId}>
            <Link href={collectorPath(r.collectorId, 'config')}>{r.collectorName}</Link>: {r.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
