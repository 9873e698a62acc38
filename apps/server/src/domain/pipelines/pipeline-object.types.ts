import type { PipelineObjectKind } from '@linkmesh/contracts/pipelines-api';
import type { Destination, Group, Pipeline, Route, Source } from '@linkmesh/pipelines/model';

export type { PipelineObjectKind };

/** What each kind holds once validated (its id, name and the rest of its fields). */
export interface ObjectOfKind {
  source: Source;
  destination: Destination;
  pipeline: Pipeline;
  route: Route;
  group: Group;
}

/** Bookkeeping every stored object carries beside its validated body. */
export interface ObjectMeta {
  readonly id: string;
  readonly kind: PipelineObjectKind;
  readonly revision: number;
  readonly createdAtMs: number;
  readonly createdBy: string;
  readonly updatedAtMs: number;
  readonly updatedBy: string;
}

/**
 * One object as stored: `spec` is the validated body (name included) with every secret field
 * sealed; only the snapshot opens them, for rendering.
 */
export interface StoredObject extends ObjectMeta {
  readonly name: string;
  readonly spec: unknown;
}

export interface PipelineObjectStore {
  list(kind?: PipelineObjectKind): Promise<StoredObject[]>;
  get(id: string): Promise<StoredObject | undefined>;
  insert(object: StoredObject): Promise<void>;
  /** Writes when the stored revision is `object.revision - 1`; false when it moved on (or is gone). */
  update(object: StoredObject): Promise<boolean>;
  /** Deletes when the revision matches (any revision when undefined); false otherwise. */
  delete(id: string, revision: number | undefined): Promise<boolean>;
  /**
   * Row-locks these objects for the rest of the transaction (PostgreSQL; SQLite serialises
   * writers anyway) so a concurrent delete waits, and returns the ids that exist.
   */
  lock(ids: readonly string[]): Promise<string[]>;
  /** Replaces the objects a route references. */
  setRefs(routeId: string, objectIds: readonly string[]): Promise<void>;
  /** Ids of the routes that reference the object. */
  routesUsing(objectId: string): Promise<string[]>;
}
