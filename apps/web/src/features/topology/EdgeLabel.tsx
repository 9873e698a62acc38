import { memo } from 'react';
import { compact } from '../../components/format.ts';
import { Sparkline } from '../../components/Sparkline.tsx';
import { errors, records } from './canvas.format.ts';
import type { EdgeFacts } from './canvas.types.ts';

const perSecond = (value: number) => `${compact(value)} records/s`;

/**
 * An edge's numbers: its rate and sparkline, errors when they rise, and on a route edge what
 * the source offered against what the route's first step passed on.
 */
export const EdgeLabel = memo(function EdgeLabel({ facts }: { facts: EdgeFacts }) {
  const signals = facts.signals.join(' · ');
  if (facts.route !== null) {
    return (
      <div className={`edge-label edge-label-route edge-tone-${facts.tone}`} title={facts.missing ?? signals}>
        <span>
          <span className="muted">offered</span> {records(facts.route.offeredPerSec)}
        </span>
        <span>
          <span className="muted">matched</span> {records(facts.route.matchedPerSec)}
        </span>
      </div>
    );
  }
  return (
    <div className={`edge-label edge-tone-${facts.tone}`} title={facts.missing ?? signals}>
      <span>{records(facts.recordsPerSec)}</span>
      {facts.missing === null && facts.sparkline.length > 0 && (
        <Sparkline
          values={facts.sparkline}
          label={`records/s ${signals}`}
          format={perSecond}
          width={56}
          height={14}
        />
      )}
      {(facts.errorsPerSec ?? 0) > 0 && <span className="element-errors">{errors(facts.errorsPerSec)}</span>}
    </div>
  );
});
