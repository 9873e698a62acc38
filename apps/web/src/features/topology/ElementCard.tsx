import { memo, type ReactNode } from 'react';
import { QueueFill } from '../collector/QueueFill.tsx';
import { errors, flagText, kindLabel, percentText, records } from './canvas.format.ts';
import type { NodeFacts } from './canvas.types.ts';
import { spark } from './spark.tsx';

/** The main rate's verb per kind: what the number counts. */
const rateVerb: Record<NodeFacts['kind'], string> = {
  source: 'accepted',
  processor: 'out',
  destination: 'sent',
  collector: 'sent',
  'shared-destination': 'received',
};

/**
 * One canvas element: name and type, and with the throughput switch on its numbers. `compact`
 * (zoomed out, too small to read details) keeps the name, the main rate and the tint.
 *
 * A live sample re-renders every card, so the parts below are plain functions, not components
 * (fewer fibers to reconcile), and the sparklines are decorative paths: the numbers they trend
 * are in the card's text.
 */
export const ElementCard = memo(function ElementCard({
  facts,
  throughputOn,
  compact = false,
}: {
  facts: NodeFacts;
  throughputOn: boolean;
  compact?: boolean;
}) {
  const tone = throughputOn ? facts.tone : 'plain';
  if (compact) {
    return (
      <div className={`element element-compact element-${facts.kind} element-tone-${tone}`}>
        <div className="element-name">{facts.name}</div>
        {throughputOn && <strong>{records(facts.recordsPerSec)}</strong>}
      </div>
    );
  }
  return (
    <div className={`element element-${facts.kind} element-tone-${tone}`}>
      <div className="element-head">
        <span className="element-kind">{kindLabel[facts.kind]}</span>
        <span className="element-type">{facts.type}</span>
        {throughputOn && flags(facts.flags)}
      </div>
      <div className="element-name" title={`${facts.name}\n${facts.componentId}`}>
        {facts.name}
      </div>
      {throughputOn ? numbers(facts) : identity(facts)}
    </div>
  );
});

const hasValues = (values: readonly (number | null)[]) => values.some((value) => value !== null);

function flags(list: NodeFacts['flags']): ReactNode {
  const shown = list.filter((flag) => flag !== 'no_data');
  if (shown.length === 0) return null;
  return (
    <span className="element-flags">
      {shown.map((flag) => (
        <span key={flag} className={`flag flag-${flag}`} title={flagText[flag].meaning}>
          {flagText[flag].label}
        </span>
      ))}
    </span>
  );
}

/** With the switch off: what the element is, as self-telemetry names it. */
function identity(facts: NodeFacts): ReactNode {
  return (
    <div className="element-identity">
      <code>{facts.componentId}</code>
      {facts.signals.length > 0 && <span className="element-signals">{facts.signals.join(' · ')}</span>}
      {facts.status !== null && <span className="element-signals">{facts.status}</span>}
    </div>
  );
}

function numbers(facts: NodeFacts): ReactNode {
  return (
    <div className="element-numbers">
      <div className="element-rate">
        <span>
          <strong>{records(facts.recordsPerSec)}</strong>{' '}
          <span className="muted">{rateVerb[facts.kind]}</span>
        </span>
        {hasValues(facts.sparkline) && spark(facts.sparkline, 84, 20)}
      </div>
      {facts.missing !== null ? (
        <p className="element-missing" title={facts.missing}>
          {facts.missing}
        </p>
      ) : (
        detail(facts)
      )}
    </div>
  );
}

/** The second line: in → out and drop % on steps, the queue on destinations, errors elsewhere. */
function detail(facts: NodeFacts): ReactNode {
  const failing = (facts.errorsPerSec ?? 0) > 0;
  const errorText = (
    <span className={failing ? 'element-errors' : 'muted'}>{errors(facts.errorsPerSec)}</span>
  );
  if (facts.kind === 'processor') {
    return (
      <div className="element-line">
        <span title="records/s into the step → out of it">in {records(facts.incomingPerSec)} → out</span>{' '}
        <span className={(facts.dropPercent ?? 0) > 0 ? 'element-drop' : 'muted'}>
          drop {percentText(facts.dropPercent)}
        </span>
      </div>
    );
  }
  if (facts.kind === 'collector') {
    return (
      <div className="element-line">
        <span>in {records(facts.inPerSec)}</span> {errorText}
      </div>
    );
  }
  return (
    <>
      <div className="element-line">
        {errorText}
        {failing && spark(facts.errorSparkline, 60, 14, true)}
      </div>
      {facts.queue !== null && (
        <div className="element-line element-queue">
          <span className="muted">queue</span>
          {facts.queue.size === null ? (
            <span className="muted" title="the exporter reports no sending queue">
              — not reported
            </span>
          ) : (
            <QueueFill name={facts.name} size={facts.queue.size} capacity={facts.queue.capacity} />
          )}
        </div>
      )}
    </>
  );
}
