import { BaseEdge, EdgeLabelRenderer, getBezierPath, type Edge, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import { useEdgeFacts, useEdgeTone, useOpenEdge, useThroughputOn, useZoomedOut } from './canvas.context.ts';
import { EdgeLabel } from './EdgeLabel.tsx';

export type RateEdgeType = Edge<Record<string, never>, 'rate'>;

/**
 * React Flow's edge for every connection: a curve, tinted with the throughput switch on, and
 * its label in the HTML layer (none when zoomed out past reading distance). The curve listens
 * to its tone only and the label to its facts, so a new rate re-renders just the label.
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
  const tone = useEdgeTone(id);
  const throughputOn = useThroughputOn();
  const [path, labelX, labelY] = getBezierPath({
    sourceX,
    sourceY,
    targetX,
    targetY,
    sourcePosition,
    targetPosition,
  });
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        {...(markerEnd === undefined ? {} : { markerEnd })}
        className={`rate-edge rate-edge-${throughputOn ? (tone ?? 'plain') : 'plain'}`}
      />
      {throughputOn && <LiveLabel id={id} x={labelX} y={labelY} />}
    </>
  );
});

const LiveLabel = memo(function LiveLabel({ id, x, y }: { id: string; x: number; y: number }) {
  const facts = useEdgeFacts(id);
  const zoomedOut = useZoomedOut();
  const openEdge = useOpenEdge();
  if (zoomedOut || facts === undefined) return null;
  return (
    <EdgeLabelRenderer>
      <button
        type="button"
        className="edge-label-anchor nodrag nopan"
        style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }}
        onClick={() => openEdge(id)}
      >
        <EdgeLabel facts={facts} />
      </button>
    </EdgeLabelRenderer>
  );
});
