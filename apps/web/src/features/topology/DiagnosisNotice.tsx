import type { TopologyDiagnosis } from '@linkmesh/contracts/topology-api';
import { RelativeTime } from '../../components/RelativeTime.tsx';

/**
 * Why numbers are missing: the first failing check of "Self-telemetry troubleshooting", what
 * the server saw and what to do next. Nothing when numbers flow everywhere.
 */
export function DiagnosisNotice({ diagnosis }: { diagnosis: TopologyDiagnosis }) {
  if (diagnosis.code === 'ok' && diagnosis.mismatches.length === 0) return null;
  // No prefix for an empty graph: the server's sentence already says there is nothing to draw.
  const scope =
    diagnosis.code === 'no_pipelines'
      ? null
      : diagnosis.numbers === 'none'
        ? 'No throughput numbers'
        : diagnosis.numbers === 'some'
          ? 'Some numbers missing'
          : 'Numbers';
  return (
    <section className={`diagnosis diagnosis-${diagnosis.numbers}`} aria-label="Why numbers are missing">
      <p>
        {scope !== null && <strong>{scope}: </strong>}
        {diagnosis.message}
      </p>
      {diagnosis.nextStep !== null && (
        <p>
          <strong>Next step:</strong> {diagnosis.nextStep}
        </p>
      )}
      {diagnosis.lastAuthRejection !== null && (
        <p>
          Last refusal of this collector’s pushes: <code>{diagnosis.lastAuthRejection.reason}</code>,{' '}
          <RelativeTime iso={diagnosis.lastAuthRejection.at} />.
        </p>
      )}
      {diagnosis.mismatches.length > 0 && (
        <ul aria-label="Component naming mismatches">
          {diagnosis.mismatches.map((m) => (
            <li key={`${m.kind}:${m.componentId}:${m.detail}`}>
              {m.detail === 'unknown component'
                ? 'Unknown component (the collector runs a config LinkMesh does not know; restart it)'
                : 'Orphan throughput (its source or destination was deleted; clears within 24 h)'}
              : {m.kind} <code>{m.componentId}</code>
            </li>
          ))}
        </ul>
      )}
      <p className="muted">
        Diagnosis <code>{diagnosis.code}</code> · see “Self-telemetry troubleshooting” in the docs.
      </p>
    </section>
  );
}
