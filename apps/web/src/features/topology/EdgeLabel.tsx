import { memo } from 'react';
import { errors, records } from './canvas.format.ts';
import type { EdgeFacts } from './canvas.types.ts';
import { spark } from './spark.tsx';

/**
 * An edge's numbers: its rate and sparkline, errors when they rise, and on a route edge what
 * the source offered against what the route's first step passed on. The title says which
 * signals the edge carries, or why it has no number.
 */
export const EdgeLabel = memo(function EdgeLabel({ facts }: { facts: EdgeFacts }) {
  const title = facts.missing ?? facts.signals.join(' · ');
  if (facts.route !== null) {
    return (
      <span className={`edge-label edge-label-route edge-tone-${facts.tone}`} title={title}>
        <span>
          <span className="muted">offered</span> {records(facts.route.offeredPerSec)}
        </span>
        <span>
          <span className="muted">matched</span> {records(facts.route.matchedPerSec)}
        </span>
      </span>
    );
  }
  return (
    <span className={`edge-label edge-tone-${facts.tone}`} title={title}>
      <span>{records(facts.recordsPerSec)}</span>
      {facts.missing === null && facts.sparkline.length > 0 && spark(facts.sparkline, 56, 14)}
      {(facts.errorsPerSec ?? 0) > 0 && <span className="element-errors">{errors(facts.errorsPerSec)}</span>}
    </span>
  );
});
