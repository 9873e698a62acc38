import '@xyflow/react/dist/style.css';
import './topology.css';
import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore,
  type EdgeMouseHandler,
  type NodeMouseHandler,
  type OnInit,
} from '@xyflow/react';
import { memo, useEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import type { Positions } from './canvas.layout.ts';
import { kindLabel } from './canvas.format.ts';
import { nodeHeightPx, nodeWidthPx, type CanvasModel } from './canvas.types.ts';
import { initialViewport } from './canvas.viewport.ts';
import { ElementNode, type ElementNodeType } from './ElementNode.tsx';
import { RateEdge, type RateEdgeType } from './RateEdge.tsx';

/** Defined once: React Flow re-creates every element when these objects change. */
const nodeTypes = { element: ElementNode };
const edgeTypes = { rate: RateEdge };
const noData: Record<string, never> = {};
const marker = { type: MarkerType.ArrowClosed, width: 16, height: 16 } as const;
const fitViewOptions = { padding: 0.05, maxZoom: 1 } as const;
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
            // Fixed sizes: the mini-map and fit know every element's box before React Flow measures it.
            width: nodeWidthPx,
            height: nodeHeightPx,
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
  const host = useRef<HTMLDivElement>(null);
  const onInit = useMemo<OnInit<ElementNodeType, RateEdgeType>>(
    () => (instance) => {
      const element = host.current;
      if (element !== null)
        void instance.setViewport(initialViewport(positions, element.clientWidth, element.clientHeight));
    },
    // Only the first layout sets the viewport: later ones keep where the operator looked.
    [],
  );
  /** Enter or Space on a focused element opens it, like a click (React Flow only selects it). */
  const openFocused = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    const id = (event.target as Element).closest('.react-flow__node')?.getAttribute('data-id');
    if (id === null || id === undefined) return;
    event.preventDefault();
    onSelect({ type: 'node', id });
  };
  const onNodeClick = useMemo<NodeMouseHandler>(
    () => (_, node) => onSelect({ type: 'node', id: node.id }),
    [onSelect],
  );
  const onEdgeClick = useMemo<EdgeMouseHandler>(
    () => (_, edge) => onSelect({ type: 'edge', id: edge.id }),
    [onSelect],
  );

  return (
    <div className="canvas" role="region" aria-label={label} ref={host} onKeyDown={openFocused}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        colorMode="system"
        onInit={onInit}
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
        <KeepInView nodeId={selection?.type === 'node' ? selectedId : null} positions={positions} />
      </ReactFlow>
    </div>
  );
});

/**
 * Pans (at the same zoom) so the selected element is in view when it is not, for instance once
 * the side panel has narrowed the canvas. Renders nothing.
 */
function KeepInView({ nodeId, positions }: { nodeId: string | null; positions: Positions }) {
  const { getViewport, setCenter } = useReactFlow();
  const width = useStore((state) => state.width);
  const height = useStore((state) => state.height);
  useEffect(() => {
    const at = nodeId === null ? undefined : positions.get(nodeId);
    if (at === undefined) return;
    const { x, y, zoom } = getViewport();
    const left = at.x * zoom + x;
    const top = at.y * zoom + y;
    const inView =
      left >= 0 && top >= 0 && left + nodeWidthPx * zoom <= width && top + nodeHeightPx * zoom <= height;
    if (!inView) void setCenter(at.x + nodeWidthPx / 2, at.y + nodeHeightPx / 2, { zoom, duration: 200 });
  }, [nodeId, positions, width, height, getViewport, setCenter]);
  return null;
}
