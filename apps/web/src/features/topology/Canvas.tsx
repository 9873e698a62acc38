import '@xyflow/react/dist/style.css';
import './topology.css';
import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  type EdgeMouseHandler,
  type NodeMouseHandler,
} from '@xyflow/react';
import { memo, useMemo } from 'react';
import type { Positions } from './canvas.layout.ts';
import { kindLabel } from './canvas.format.ts';
import type { CanvasModel } from './canvas.types.ts';
import { ElementNode, type ElementNodeType } from './ElementNode.tsx';
import { RateEdge, type RateEdgeType } from './RateEdge.tsx';

/** Defined once: React Flow re-creates every element when these objects change. */
const nodeTypes = { element: ElementNode };
const edgeTypes = { rate: RateEdge };
const noData: Record<string, never> = {};
const marker = { type: MarkerType.ArrowClosed, width: 16, height: 16 } as const;
const fitViewOptions = { padding: 0.12, maxZoom: 1 } as const;
/** A mini-map helps once the graph no longer fits the view at a readable zoom. */
const miniMapFrom = 24;

export type CanvasSelection = { type: 'node' | 'edge'; id: string } | null;

interface CanvasProps {
  label: string;
  shape: CanvasModel;
  positions: Positions;
  selection: CanvasSelection;
  onSelect: (selection: CanvasSelection) => void;
}

/**
 * The drawing: React Flow with the laid-out shape. Its node and edge lists change only with the
 * shape, the layout or the selection; numbers flow to each element through the store (render
 * it inside a `CanvasContext`).
 */
export const Canvas = memo(function Canvas({ label, shape, positions, selection, onSelect }: CanvasProps) {
  const selectedId = selection?.id ?? null;
  const nodes = useMemo(
    () =>
      shape.nodes.flatMap((node): ElementNodeType[] => {
        const position = positions.get(node.id);
        if (position === undefined) return [];
        return [
          {
            id: node.id,
            type: 'element',
            position,
            data: noData,
            ariaLabel: `${kindLabel[node.kind]} ${node.name}`,
            selected: selection?.type === 'node' && node.id === selectedId,
            draggable: false,
            connectable: false,
          },
        ];
      }),
    [shape, positions, selection?.type, selectedId],
  );
  const edges = useMemo(
    () =>
      shape.edges.flatMap((edge): RateEdgeType[] =>
        positions.has(edge.from) && positions.has(edge.to)
          ? [
              {
                id: edge.id,
                source: edge.from,
                target: edge.to,
                type: 'rate',
                data: noData,
                markerEnd: marker,
                selected: selection?.type === 'edge' && edge.id === selectedId,
              },
            ]
          : [],
      ),
    [shape, positions, selection?.type, selectedId],
  );
  const onNodeClick = useMemo<NodeMouseHandler>(
    () => (_, node) => onSelect({ type: 'node', id: node.id }),
    [onSelect],
  );
  const onEdgeClick = useMemo<EdgeMouseHandler>(
    () => (_, edge) => onSelect({ type: 'edge', id: edge.id }),
    [onSelect],
  );

  return (
    <div className="canvas" role="region" aria-label={label}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        colorMode="system"
        fitView
        fitViewOptions={fitViewOptions}
        minZoom={0.1}
        nodesDraggable={false}
        nodesConnectable={false}
        onNodeClick={onNodeClick}
        onEdgeClick={onEdgeClick}
        onPaneClick={() => onSelect(null)}
      >
        <Background gap={20} />
        <Controls showInteractive={false} />
        {nodes.length >= miniMapFrom && <MiniMap pannable zoomable />}
      </ReactFlow>
    </div>
  );
});
