import {
  objectCollectionPath,
  type CatalogueView,
  type CollectorLabelsView,
  type DestinationView,
  type GroupMemberView,
  type GroupView,
  type ObjectList,
  type PipelineObjectKind,
  type PipelineView,
  type RenderPreviewView,
  type RouteView,
  type SourceView,
} from '@linkmesh/contracts/pipelines-api';
import { apiRequest } from './client.ts';

/** What `GET /<kind>s/{id}` answers for each kind. */
export interface ObjectViewOf {
  source: SourceView;
  destination: DestinationView;
  pipeline: PipelineView;
  route: RouteView;
  group: GroupView;
}

export type AnyObjectView = ObjectViewOf[PipelineObjectKind];

/** The body of a create or update: the fields an operator edits (validated by the server). */
export type ObjectBody = Record<string, unknown>;

const collection = (kind: PipelineObjectKind) => `/${objectCollectionPath[kind]}`;
const item = (kind: PipelineObjectKind, id: string) => `${collection(kind)}/${encodeURIComponent(id)}`;

export function listObjects<K extends PipelineObjectKind>(kind: K): Promise<ObjectList<ObjectViewOf[K]>> {
  return apiRequest<ObjectList<ObjectViewOf[K]>>(collection(kind));
}

export function getObject<K extends PipelineObjectKind>(kind: K, id: string): Promise<ObjectViewOf[K]> {
  return apiRequest<ObjectViewOf[K]>(item(kind, id));
}

export function createObject<K extends PipelineObjectKind>(
  kind: K,
  body: ObjectBody,
): Promise<ObjectViewOf[K]> {
  return apiRequest<ObjectViewOf[K]>(collection(kind), { method: 'POST', json: body });
}

/** Saves over `revision`; a newer revision on the server answers 409 `conflict`. */
export function updateObject<K extends PipelineObjectKind>(
  kind: K,
  id: string,
  revision: number,
  body: ObjectBody,
): Promise<ObjectViewOf[K]> {
  return apiRequest<ObjectViewOf[K]>(item(kind, id), { method: 'PUT', json: body, ifMatch: revision });
}

export async function deleteObject(kind: PipelineObjectKind, id: string, revision: number): Promise<void> {
  await apiRequest<undefined>(item(kind, id), { method: 'DELETE', ifMatch: revision });
}

export function getCatalogue(): Promise<CatalogueView> {
  return apiRequest<CatalogueView>('/catalogue');
}

export function listGroupMembers(id: string): Promise<ObjectList<GroupMemberView>> {
  return apiRequest<ObjectList<GroupMemberView>>(`${item('group', id)}/collectors`);
}

export interface PreviewChange {
  kind: PipelineObjectKind;
  /** The object being edited; absent for one not saved yet. */
  id?: string;
  object: ObjectBody;
}

/** Renders a collector's config as it would be with `changes`, saving nothing. */
export function previewRender(collectorId: string, changes: PreviewChange[]): Promise<RenderPreviewView> {
  return apiRequest<RenderPreviewView>('/render/preview', { method: 'POST', json: { collectorId, changes } });
}

export function getCollectorLabels(id: string): Promise<CollectorLabelsView> {
  return apiRequest<CollectorLabelsView>(`/collectors/${encodeURIComponent(id)}/labels`);
}

/** Replaces the operator's labels (reported labels are the collector's own). */
export function putCollectorLabels(id: string, labels: Record<string, string>): Promise<CollectorLabelsView> {
  return apiRequest<CollectorLabelsView>(`/collectors/${encodeURIComponent(id)}/labels`, {
    method: 'PUT',
    json: { labels },
  });
}
