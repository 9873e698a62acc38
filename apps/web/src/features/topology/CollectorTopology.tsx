import type { TopologyView } from '@linkmesh/contracts/topology-api';
import { useCallback } from 'react';
import { getTopology, topologyStreamUrl } from '../../api/topology.api.ts';
import { Link } from '../../components/Link.tsx';
import { toCanvasModel } from './canvas.map.ts';
import { CanvasFrame } from './CanvasFrame.tsx';
import { DiagnosisNotice } from './DiagnosisNotice.tsx';
import { useLiveCanvas } from './use-live-canvas.hook.ts';

const graphSource: Record<TopologyView['source'], string> = {
  rendered: 'Drawn from the config LinkMesh rendered',
  effective: 'Drawn from the config the collector reported (LinkMesh did not render it)',
};

/**
 * A collector's Topology tab: its sources → route steps → destinations, live, with the
 * diagnosis of missing numbers above the canvas (or in its place when there is nothing to draw).
 */
export function CollectorTopology({ collectorId, name }: { collectorId: string; name: string }) {
  const load = useCallback(() => getTopology(collectorId), [collectorId]);
  const canvas = useLiveCanvas<TopologyView>(`topology:${collectorId}`, {
    load,
    streamUrl: topologyStreamUrl(collectorId),
    toModel: toCanvasModel,
  });
  const view = canvas.view;
  // Servers from before the diagnosis answer without one: then nothing is claimed.
  const diagnosis = view?.diagnosis ?? null;
  return (
    <CanvasFrame
      label={`Topology of ${name}`}
      canvas={canvas}
      generatedAt={view?.generatedAt ?? null}
      collectorId={collectorId}
      notice={diagnosis !== null && <DiagnosisNotice diagnosis={diagnosis} />}
      empty={
        diagnosis !== null ? (
          <DiagnosisNotice diagnosis={diagnosis} />
        ) : (
          <p>
            Nothing to draw: the config this collector runs has no pipeline LinkMesh can read. A{' '}
            <Link href="/pipelines/routes">route</Link> that targets it, or a group it belongs to, gives it
            one.
          </p>
        )
      }
      toolbar={
        view !== null &&
        view.nodes.length > 0 && (
          <p className="hint" title={view.configHash === null ? undefined : `Config ${view.configHash}`}>
            {graphSource[view.source]}
          </p>
        )
      }
    />
  );
}
