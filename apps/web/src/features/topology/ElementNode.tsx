import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { useNodeFacts, useThroughputOn, useZoomedOut } from './canvas.context.ts';
import { ElementCard } from './ElementCard.tsx';

export type ElementNodeType = Node<Record<string, never>, 'element'>;

/**
 * React Flow's node for every canvas element: two handles that never change, and the card,
 * which reads its own facts from the canvas store by ID — so a new sample re-renders only the
 * cards whose numbers changed, and not their handles.
 */
export const ElementNode = memo(function ElementNode({ id }: NodeProps<ElementNodeType>) {
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} className="element-handle" />
      <LiveCard id={id} />
      <Handle type="source" position={Position.Right} isConnectable={false} className="element-handle" />
    </>
  );
});

/** The card with the element's latest facts; compact when zoomed out past reading distance. */
const LiveCard = memo(function LiveCard({ id }: { id: string }) {
  const facts = useNodeFacts(id);
  const throughputOn = useThroughputOn();
  const zoomedOut = useZoomedOut();
  if (facts === undefined) return null;
  return <ElementCard facts={facts} throughputOn={throughputOn} compact={zoomedOut} />;
});
