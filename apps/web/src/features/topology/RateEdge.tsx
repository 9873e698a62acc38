import { BaseEdge, EdgeLabelRenderer, getBezierPath, type Edge, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import { useEdgeFacts, useThroughputOn, useZoomedOut } from './canvas.context.ts';
import { EdgeLabel } from './EdgeLabel.tsx';

export type RateEdgeType = Edge<Record<string, never>, 'rate'>;

/**
 * React Flow's edge for every connection: a curve, tinted with the throughput switch on, and
 * its label in the HTML layer (none when zoomed out past reading distance). Like the nodes it
 * reads its own facts by ID.
 */
export const RateEdge = memo(function RateEdge({
  id,
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  markerEnd,
}: EdgeProps<RateEdgeType>) {
  const facts = useEdgeFacts(id);
  const throughputOn = useThroughputOn();
  const zoomedOut = useZoomedOut();
  const [path, labelX, labelY] = getBezierPath({
    sourceX,
    sourceY,
    targetX,
    targetY,
    sourcePosition,
    targetPosition,
  });
  const tone = throughputOn && facts !== undefined ? facts.tone : 'plain';
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        {...(markerEnd === undefined ? {} : { markerEnd })}
        className={`rate-edge rate-edge-${tone}`}
      />
      {throughputOn && !zoomedOut && facts !== undefined && (
        <EdgeLabelRenderer>
          <div
            className="edge-label-anchor nodrag nopan"
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            <EdgeLabel facts={facts} />
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});
