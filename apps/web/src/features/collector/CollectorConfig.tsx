import type { CollectorDetailView } from '@linkmesh/contracts/api';
import { getCollectorConfig, type CollectorConfigView } from '../../api/collector-config.api.ts';
import { useResource } from '../../api/resource.hook.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import { CollectorLabelsEditor } from './CollectorLabelsEditor.tsx';
import { ConfigVersions } from './ConfigVersions.tsx';

const formatLabel = { 'otel-yaml': 'OTel Collector YAML', alloy: 'Alloy' } as const;

/**
 * What the collector is told to run and what it says it runs: the current rendered version
 * (secrets masked) with its apply status, the version history with diffs and rollback, the
 * reported effective config, and the operator labels groups and routes match on.
 */
export function CollectorConfig({ collector }: { collector: CollectorDetailView }) {
  const config = useResource(`collector-config:${collector.id}`, () => getCollectorConfig(collector.id), 15);
  return (
    <div className="config-tab">
      {config.state === 'loading' && <p className="muted">Loading config…</p>}
      {config.state === 'error' && <ErrorNotice message={config.message} onRetry={config.reload} />}
      {config.state === 'ready' && <CurrentConfig config={config.data} />}
      <ConfigVersions collectorId={collector.id} onRolledBack={config.reload} />
      <CollectorLabelsEditor collectorId={collector.id} />
      {config.state === 'ready' && (
        <details className="card config-effective">
          <summary>
            <h2>Effective config reported by the collector</h2>
          </summary>
          {config.data.effectiveConfig === null ? (
            <p className="muted">The collector has not reported its effective config.</p>
          ) : (
            <pre className="code" aria-label="Effective config">
              {config.data.effectiveConfig}
            </pre>
          )}
        </details>
      )}
    </div>
  );
}

function ApplyStatus({ status }: { status: NonNullable<CollectorConfigView['applyStatus']> }) {
  const badge = { APPLIED: 'connected', APPLYING: 'pending', FAILED: 'error' }[status.status];
  const label = { APPLIED: 'Applied', APPLYING: 'Applying', FAILED: 'Failed' }[status.status];
  return (
    <>
      <span className={`badge badge-${badge}`}>{label}</span>{' '}
      <span className="muted">version {status.version}</span>
      {status.at !== null && (
        <span className="muted">
          {' '}
          · <RelativeTime iso={status.at} />
        </span>
      )}
      {!status.current && <span className="muted"> · not the current version</span>}
    </>
  );
}

function CurrentConfig({ config }: { config: CollectorConfigView }) {
  const { rendered, applyStatus } = config;
  if (rendered === null)
    return (
      <section className="card" aria-label="Current config">
        <h2>Current config</h2>
        <p className="muted">
          Nothing rendered for this collector yet: it has not connected since it was enrolled.
        </p>
      </section>
    );
  return (
    <section className="card" aria-label="Current config">
      <h2>Current config</h2>
      <dl className="fields">
        <div>
          <dt>Format</dt>
          <dd>{formatLabel[rendered.format]}</dd>
        </div>
        <div>
          <dt>Version</dt>
          <dd>{rendered.version}</dd>
        </div>
        <div>
          <dt>Hash</dt>
          <dd>
            <code>{rendered.hash}</code>
          </dd>
        </div>
        <div>
          <dt>Apply status</dt>
          <dd>
            {applyStatus === null ? (
              <span className="muted">not reported yet</span>
            ) : (
              <ApplyStatus status={applyStatus} />
            )}
          </dd>
        </div>
      </dl>
      {applyStatus?.status === 'FAILED' && applyStatus.errorMessage !== null && (
        <p className="notice notice-error config-error" role="alert">
          {applyStatus.errorMessage}
        </p>
      )}
      <details className="config-content">
        <summary>Show the rendered {formatLabel[rendered.format]}</summary>
        <pre className="code" aria-label="Rendered config">
          {rendered.content}
        </pre>
      </details>
    </section>
  );
}
