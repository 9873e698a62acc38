import type { DestinationView, GroupView, PipelineView, SourceView } from '@linkmesh/contracts/pipelines-api';
import type { CollectorView } from '@linkmesh/contracts/api';
import { listCollectors } from '../../api/collectors.api.ts';
import { listObjects } from '../../api/pipelines.api.ts';
import { useResource, type Resource } from '../../api/resource.hook.ts';

/** Everything a route refers to, for its pickers and for showing names instead of ids. */
export interface ObjectIndex {
  sources: SourceView[];
  pipelines: PipelineView[];
  destinations: DestinationView[];
  groups: GroupView[];
  collectors: CollectorView[];
  /** id → name over all of the above. */
  nameOf: (id: string) => string;
}

/** The fleet list's own cap: a route's collector picker offers the first 500 by name. */
const collectorLimit = 500;

async function loadIndex(): Promise<ObjectIndex> {
  const [sources, pipelines, destinations, groups, collectors] = await Promise.all([
    listObjects('source'),
    listObjects('pipeline'),
    listObjects('destination'),
    listObjects('group'),
    listCollectors(`sort=name&limit=${collectorLimit}`),
  ]);
  const names = new Map<string, string>();
  for (const list of [sources.items, pipelines.items, destinations.items, groups.items, collectors.items])
    for (const { id, name } of list) names.set(id, name);
  return {
    sources: sources.items,
    pipelines: pipelines.items,
    destinations: destinations.items,
    groups: groups.items,
    collectors: collectors.items,
    nameOf: (id) => names.get(id) ?? id,
  };
}

export function useObjectIndex(): Resource<ObjectIndex> {
  return useResource('object-index', loadIndex);
}
