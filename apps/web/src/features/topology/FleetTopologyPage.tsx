import type { FleetTopologyView } from '@linkmesh/contracts/topology-api';
import { useCallback } from 'react';
import { listObjects } from '../../api/pipelines.api.ts';
import { useResource } from '../../api/resource.hook.ts';
import { fleetTopologyStreamUrl, getFleetTopology } from '../../api/topology.api.ts';
import { collectorPath, navigate, useSearch } from '../../app/router.ts';
import { CanvasFrame } from './CanvasFrame.tsx';
import { toFleetCanvasModel } from './fleet-canvas.map.ts';
import { useLiveCanvas } from './use-live-canvas.hook.ts';

const topologyHref = (collectorId: string) => collectorPath(collectorId, 'topology');
const toModel = (view: FleetTopologyView) => toFleetCanvasModel(view, topologyHref);

/** The group picker; the choice lives in the URL (`?group=`) so a view can be shared. */
function GroupPicker({ groupId }: { groupId: string | null }) {
  const groups = useResource('groups', () => listObjects('group'));
  const items = groups.state === 'ready' ? groups.data.items : [];
  return (
    <label className="inline-field">
      Group{' '}
      <select
        value={groupId ?? ''}
        onChange={(event) =>
          navigate(
            event.target.value === ''
              ? '/topology'
              : `/topology?group=${encodeURIComponent(event.target.value)}`,
          )
        }
      >
        <option value="">Whole fleet</option>
        {items.map((group) => (
          <option key={group.id} value={group.id}>
            {group.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * The fleet as a canvas: collectors and the destinations they export to, collector → collector
 * where one forwards to another's OTLP source. A collector opens its own Topology tab.
 */
export function FleetTopologyPage() {
  const groupId = new URLSearchParams(useSearch()).get('group');
  const load = useCallback(() => getFleetTopology(groupId), [groupId]);
  const canvas = useLiveCanvas<FleetTopologyView>(`fleet-topology:${groupId ?? ''}`, {
    load,
    streamUrl: fleetTopologyStreamUrl(groupId),
    toModel,
  });
  const view = canvas.view;
  return (
    <section aria-labelledby="topology-title" className="topology-page">
      <div className="page-header">
        <h1 id="topology-title">Topology</h1>
      </div>
      <CanvasFrame
        label="Fleet topology"
        canvas={canvas}
        generatedAt={view?.generatedAt ?? null}
        collectorId={null}
        notice={
          view?.truncated === true && (
            <p className="hint" role="note">
              More collectors match than the canvas draws: the busiest are shown. Pick a group to see the
              rest.
            </p>
          )
        }
        empty={
          <p>
            No collectors {groupId === null ? 'in the fleet' : 'in this group'} yet. Add one from the
            Collectors page.
          </p>
        }
        toolbar={<GroupPicker groupId={groupId} />}
      />
    </section>
  );
}
