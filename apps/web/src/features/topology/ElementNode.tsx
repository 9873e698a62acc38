import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { useNodeFacts, useThroughputOn, useZoomedOut } from './canvas.context.ts';
import { ElementCard } from './ElementCard.tsx';

export type ElementNodeType = Node<Record<string, never>, 'element'>;

/**
 * React Flow's node for every canvas element. It reads its own facts from the canvas store by
 * ID, so a new sample re-renders only the elements whose numbers changed; zoomed out past
 * reading distance it draws the compact card.
 */
export const ElementNode = memo(function ElementNode({ id }: NodeProps<ElementNodeType>) {
  const facts = useNodeFacts(id);
  const throughputOn = useThroughputOn();
  const zoomedOut = useZoomedOut();
  if (facts === undefined) return null;
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} className="element-handle" />
      <ElementCard facts={facts} throughputOn={throughputOn} compact={zoomedOut} />
      <Handle type="source" position={Position.Right} isConnectable={false} className="element-handle" />
    </>
  );
});
