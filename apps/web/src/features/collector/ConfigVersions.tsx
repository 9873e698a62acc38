import { useState } from 'react';
import {
  listConfigVersions,
  rollbackConfig,
  type ConfigVersionView,
} from '../../api/collector-config.api.ts';
import { useResource } from '../../api/resource.hook.ts';
import { useCan } from '../../app/principal.context.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { DiffView } from '../../components/DiffView.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { RelativeTime } from '../../components/RelativeTime.tsx';

/**
 * The collector's config versions, newest first, each with its diff against the one before;
 * any older version can be served again (rollback holds until its objects next change).
 */
export function ConfigVersions({
  collectorId,
  onRolledBack,
}: {
  collectorId: string;
  onRolledBack: () => void;
}) {
  const versions = useResource(`config-versions:${collectorId}`, () => listConfigVersions(collectorId), 15);
  const canRollback = useCan('collectors:update');
  const [target, setTarget] = useState<ConfigVersionView>();
  const [open, setOpen] = useState<number>();

  const rollback = async (version: number) => {
    await rollbackConfig(collectorId, version);
    setTarget(undefined);
    versions.reload();
    onRolledBack();
  };

  return (
    <section className="card" aria-label="Config versions">
      <h2>Versions</h2>
      {versions.state === 'loading' && <p className="muted">Loading versions…</p>}
      {versions.state === 'error' && <ErrorNotice message={versions.message} onRetry={versions.reload} />}
      {versions.state === 'ready' && versions.data.items.length === 0 && (
        <p className="muted">No versions yet: one is recorded each time the rendered config changes.</p>
      )}
      {versions.state === 'ready' && versions.data.items.length > 0 && (
        <ol className="versions">
          {versions.data.items.map((v) => (
            <li
              key={v.version}
              className={v.current ? 'version version-current' : 'version'}
              aria-label={`Version ${v.version}`}
            >
              <div className="version-row">
                <button
                  type="button"
                  className="button-quiet version-toggle"
                  aria-expanded={open === v.version}
                  onClick={() => setOpen(open === v.version ? undefined : v.version)}
                >
                  <span aria-hidden="true">{open === v.version ? '▾' : '▸'}</span> v{v.version}
                </button>
                {v.current && <span className="badge badge-connected">Current</span>}
                <span className="version-reason">{v.reason}</span>
                <span className="muted">{v.author.replace(/^[\w-]+:/, '')}</span>
                <span className="muted">
                  <RelativeTime iso={v.createdAt} />
                </span>
                <code className="muted">{v.hash.slice(0, 10)}</code>
                {canRollback && !v.current && (
                  <button type="button" className="button-small push-right" onClick={() => setTarget(v)}>
                    Roll back to v{v.version}
                  </button>
                )}
              </div>
              {open === v.version && <DiffView diff={v.diff} label={`Changes in version ${v.version}`} />}
            </li>
          ))}
        </ol>
      )}
      {versions.state === 'ready' && versions.data.nextBefore !== null && (
        <p className="hint">Showing the latest {versions.data.items.length} versions.</p>
      )}
      {target && (
        <ConfirmDialog
          title={`Roll back to version ${target.version}?`}
          confirmLabel={`Roll back to v${target.version}`}
          onConfirm={() => rollback(target.version)}
          onClose={() => setTarget(undefined)}
        >
          <p>
            The collector gets version {target.version}’s config again, as a new version. It stays until a
            source, pipeline, destination, route or group it runs changes.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
