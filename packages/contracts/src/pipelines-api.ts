/**
 * JSON shapes of the pipeline objects' REST API (issue #11): sources, destinations, pipelines,
 * routes and groups under `/api/v1/<kind>s`, the catalogue the forms are generated from, the
 * render preview and operator labels. Request bodies are validated by the zod schemas of
 * `@linkmesh/pipelines/model`; this module only describes what the server answers.
 *
 * Every object carries a `revision` (1 on create, +1 per update). `PUT /<kind>s/{id}` and
 * `DELETE` take `If-Match: <revision>` (a bare number or `"<n>"`); a stale one is refused with
 * 409 `conflict`, so two editors never overwrite each other silently. Without `If-Match` the
 * write applies to whatever is current.
 *
 * Secrets (catalogue `secretFields`) are write-only: responses carry `"********"` in their
 * place and list them in `secrets` with `hasValue`. An update that omits a secret, or sends
 * `"********"` back, keeps the stored value; an empty string clears it.
 */

export const objectKinds = ['source', 'destination', 'pipeline', 'route', 'group'] as const;
export type PipelineObjectKind = (typeof objectKinds)[number];

/** The path segment of each kind: `/api/v1/sources` … */
export const objectCollectionPath: Record<PipelineObjectKind, string> = {
  source: 'sources',
  destination: 'destinations',
  pipeline: 'pipelines',
  route: 'routes',
  group: 'groups',
};

/** The placeholder the API shows for a stored secret. */
export const maskedSecretValue = '********';

export interface ObjectRef {
  id: string;
  name: string;
}

export interface ObjectMetaView {
  id: string;
  name: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
  /** Actor of the last write (`user:<name>` / `service-account:<name>`). */
  updatedBy: string;
}

export interface SecretFieldView {
  /** Dotted path inside `config` (`token`, `headers.Authorization`). */
  path: string;
  hasValue: boolean;
}

export interface SourceView extends ObjectMetaView {
  type: string;
  config: Record<string, unknown>;
  secrets: SecretFieldView[];
  /** Routes that use it (a delete is refused while this is not empty). */
  usedBy: ObjectRef[];
}

export type DestinationView = SourceView;

export interface ProcessorStepView {
  type: string;
  config: Record<string, unknown>;
}

export interface PipelineView extends ObjectMetaView {
  description?: string;
  processors: ProcessorStepView[];
  outputFilter?: Record<string, unknown>;
  usedBy: ObjectRef[];
}

export interface RouteTargetView {
  collectorIds: string[];
  groupIds: string[];
  labels: Record<string, string>;
}

/** A collector this route targets but cannot be rendered for, with the renderer's reason. */
export interface RouteRefusalView {
  collectorId: string;
  collectorName: string;
  message: string;
}

export interface RouteView extends ObjectMetaView {
  sourceId: string;
  pipelineId?: string;
  destinationIds: string[];
  target: RouteTargetView;
  enabled: boolean;
  /** Live collectors it targets now. */
  targetedCollectors: number;
  /** Collectors for which the last render refused this route (they keep their last good config). */
  refusals: RouteRefusalView[];
}

export interface MatcherView {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface GroupView extends ObjectMetaView {
  matchers: MatcherView[];
  /** Live collectors whose labels match now. */
  collectorCount: number;
  usedBy: ObjectRef[];
}

export interface GroupMemberView {
  id: string;
  name: string;
  runtime: 'otelcol' | 'alloy';
  status: string;
  labels: Record<string, string>;
}

export interface ObjectList<T> {
  items: T[];
}

/** `GET /api/v1/catalogue`: every type the editors can offer, with its config's JSON Schema. */
export interface CatalogueEntryView {
  kind: 'source' | 'processor' | 'destination';
  /** The OTel component type name. */
  type: string;
  title: string;
  signals: Array<'traces' | 'metrics' | 'logs'>;
  runtimes: { otelcol: boolean; alloy: boolean };
  secretFields: string[];
  /** JSON Schema (draft 2020-12) of the config as submitted: defaults filled in by the server. */
  configSchema: Record<string, unknown>;
}

export interface CatalogueView {
  sources: CatalogueEntryView[];
  processors: CatalogueEntryView[];
  destinations: CatalogueEntryView[];
}

/**
 * `POST /api/v1/render/preview` `{collectorId, changes?: [{kind, id?, object}]}` renders the
 * collector's config as it would be with the changes applied (an `id` replaces that object, no
 * `id` adds a new one), without saving anything. Secrets are masked in the text.
 */
export interface RenderPreviewView {
  collectorId: string;
  runtime: 'otelcol' | 'alloy';
  format: 'otel-yaml' | 'alloy';
  /** Whether any route targets the collector (else it runs the fleet default). */
  routed: boolean;
  /** The rendered text (secrets masked), or null when the render is refused. */
  content: string | null;
  hash: string | null;
  refusals: Array<{ routeId: string; message: string }>;
  /** Unified diff against the collector's current version (empty when identical). */
  diff: string;
}

/** `PUT /api/v1/collectors/{id}/labels` `{labels}`: the operator's labels beside the reported ones. */
export interface CollectorLabelsView {
  collectorId: string;
  /** What the collector reports (OpAMP description, Alloy attributes). */
  reported: Record<string, string>;
  /** What operators set; these win over reported labels of the same name. */
  operator: Record<string, string>;
  /** What groups and routes match on. */
  effective: Record<string, string>;
}
