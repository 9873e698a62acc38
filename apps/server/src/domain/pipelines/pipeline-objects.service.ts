import { objectCollectionPath } from '@linkmesh/contracts/pipelines-api';
import {
  destinationInputSchema,
  fieldErrors,
  groupInputSchema,
  pipelineInputSchema,
  routeInputSchema,
  sourceInputSchema,
  type Route,
} from '@linkmesh/pipelines/model';
import { secretFieldsOf } from '@linkmesh/pipelines/secrets';
import type { z } from 'zod';
import type { Clock } from '../shared/clock.ts';
import { conflict, DomainError, invalid, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import type { StorageOf, StoresOf } from '../shared/storage.port.ts';
import { ObjectSnapshot, type SnapshotObject } from './object-snapshot.ts';
import { keepOmittedSecrets, openSecrets, sealSecrets } from './object-secrets.ts';
import type { PipelineObjectKind, StoredObject } from './pipeline-object.types.ts';

const schemas: Record<PipelineObjectKind, z.ZodType> = {
  source: sourceInputSchema,
  destination: destinationInputSchema,
  pipeline: pipelineInputSchema,
  route: routeInputSchema,
  group: groupInputSchema,
};

/** A change to try in a preview: `id` replaces that object, no `id` adds one. */
export interface ObjectChange {
  readonly kind: PipelineObjectKind;
  readonly id?: string | undefined;
  readonly object: unknown;
}

type Stores = StoresOf<'pipelineObjects' | 'audit'>;

/** The secret fields of a type, relative to its `config`. */
const configSecretPaths = (kind: PipelineObjectKind, spec: unknown): readonly string[] =>
  kind === 'source' || kind === 'destination' ? (secretFieldsOf(kind, typeOf(spec)) ?? []) : [];

/** The same, relative to the whole stored body (`config.bearerToken`). */
const secretPaths = (kind: PipelineObjectKind, spec: unknown): readonly string[] =>
  configSecretPaths(kind, spec).map((path) => `config.${path}`);

function typeOf(spec: unknown): string {
  return typeof spec === 'object' && spec !== null && 'type' in spec && typeof spec.type === 'string'
    ? spec.type
    : '';
}

/**
 * The pipeline objects operators edit — sources, destinations, pipelines, routes, groups
 * (issue #11 item 1): validated by their zod schemas (errors name the field), revisioned
 * (a write that names a stale revision is refused, so no edit is lost), audited with the actor,
 * and refused deletion while a route uses them. Secrets are sealed before they reach storage.
 *
 * Renderers read a {@link ObjectSnapshot}: every object, secrets opened, rebuilt after each
 * write here and whenever a refresh finds another replica's writes.
 */
export class PipelineObjectsService {
  private current: Promise<ObjectSnapshot> | undefined;
  private generation = 0;
  private fingerprint = '';
  private readonly listeners: Array<() => void> = [];
  private readonly snapshotListeners: Array<(snapshot: ObjectSnapshot) => void> = [];

  constructor(
    private readonly storage: StorageOf<'pipelineObjects' | 'audit'>,
    private readonly clock: Clock,
    private readonly box: SecretBox,
  ) {}

  list(kind: PipelineObjectKind): Promise<StoredObject[]> {
    return this.storage.pipelineObjects.list(kind);
  }

  async get(kind: PipelineObjectKind, id: string): Promise<StoredObject> {
    const found = await this.storage.pipelineObjects.get(id);
    if (found?.kind !== kind) throw notFound(kind);
    return found;
  }

  async create(context: RequestContext, kind: PipelineObjectKind, body: unknown): Promise<StoredObject> {
    const id = newId();
    const value = validate(kind, body);
    const nowMs = this.clock.nowMs();
    const object: StoredObject = {
      id,
      kind,
      name: value.name,
      spec: sealSecrets(this.box, id, value, secretPaths(kind, value)),
      revision: 1,
      createdAtMs: nowMs,
      createdBy: context.actor,
      updatedAtMs: nowMs,
      updatedBy: context.actor,
    };
    await this.storage.transaction(async (stores) => {
      if (kind === 'route') await this.checkReferences(stores, value as Route);
      await stores.pipelineObjects.insert(object);
      if (kind === 'route') await stores.pipelineObjects.setRefs(id, referencesOf(value as Route));
      await this.audit(stores, context, `${kind}.created`, object);
      stores.afterCommit(() => this.invalidate());
    });
    return object;
  }

  async update(
    context: RequestContext,
    kind: PipelineObjectKind,
    id: string,
    body: unknown,
    ifRevision: number | undefined,
  ): Promise<StoredObject> {
    return this.storage.transaction(async (stores) => {
      const existing = await stores.pipelineObjects.get(id);
      if (existing?.kind !== kind) throw notFound(kind);
      checkRevision(kind, existing, ifRevision);
      const submitted = this.withKeptSecrets(kind, existing, body);
      const value = validate(kind, submitted);
      if (kind === 'route') await this.checkReferences(stores, value as Route);
      const object: StoredObject = {
        ...existing,
        name: value.name,
        spec: sealSecrets(this.box, id, value, secretPaths(kind, value)),
        revision: existing.revision + 1,
        updatedAtMs: this.clock.nowMs(),
        updatedBy: context.actor,
      };
      if (!(await stores.pipelineObjects.update(object)))
        throw conflict(
          `${kind} "${existing.name}" was changed by someone else meanwhile: reload it and apply your change again`,
        );
      if (kind === 'route') await stores.pipelineObjects.setRefs(id, referencesOf(value as Route));
      await this.audit(stores, context, `${kind}.updated`, object);
      stores.afterCommit(() => this.invalidate());
      return object;
    });
  }

  async delete(
    context: RequestContext,
    kind: PipelineObjectKind,
    id: string,
    ifRevision: number | undefined,
  ): Promise<void> {
    await this.storage.transaction(async (stores) => {
      const existing = await stores.pipelineObjects.get(id);
      if (existing?.kind !== kind) throw notFound(kind);
      checkRevision(kind, existing, ifRevision);
      // Delete first, then look for users: a route being saved meanwhile either waits for this
      // row's lock and then finds it gone, or committed first and its reference is seen here.
      if (!(await stores.pipelineObjects.delete(id, existing.revision)))
        throw conflict(`${kind} "${existing.name}" was changed by someone else meanwhile: reload it`);
      const users = await stores.pipelineObjects.routesUsing(id);
      if (users.length > 0) {
        const routes = await Promise.all(users.map((routeId) => stores.pipelineObjects.get(routeId)));
        const named = routes.map((r, i) => `route "${r?.name ?? '?'}" (${users[i] ?? ''})`).join(', ');
        throw conflict(`${kind} "${existing.name}" is used by ${named}; remove it from the route first`);
      }
      if (kind === 'route') await stores.pipelineObjects.setRefs(id, []);
      await this.audit(stores, context, `${kind}.deleted`, existing);
      stores.afterCommit(() => this.invalidate());
    });
  }

  /** Every object now, secrets opened (built once per change). */
  snapshot(): Promise<ObjectSnapshot> {
    this.current ??= this.load().catch((error: unknown) => {
      this.current = undefined;
      throw error;
    });
    return this.current;
  }

  /**
   * Re-reads the objects (other replicas' writes); resolves true, and tells the listeners,
   * when they changed since the last read.
   */
  async refresh(): Promise<boolean> {
    const objects = await this.storage.pipelineObjects.list();
    if (fingerprintOf(objects) === this.fingerprint) return false;
    this.invalidate();
    return true;
  }

  /** Runs `listener` after every change to the objects (here, or found by a refresh). */
  onChanged(listener: () => void): void {
    this.listeners.push(listener);
  }

  /**
   * The snapshot as it would be with these changes, validated as a save would be (secrets left
   * out are kept) but not stored: for `POST /render/preview`.
   */
  async withChanges(changes: readonly ObjectChange[]): Promise<ObjectSnapshot> {
    const base = await this.snapshot();
    const objects = new Map(base.all().map((o) => [o.meta.id, o]));
    for (const [i, change] of changes.entries()) {
      const existing =
        change.id === undefined ? undefined : await this.storage.pipelineObjects.get(change.id);
      if (change.id !== undefined && existing?.kind !== change.kind)
        throw invalid(`changes.${i}.id`, `no ${change.kind} with id ${change.id}`);
      const submitted = existing ? this.withKeptSecrets(change.kind, existing, change.object) : change.object;
      const value = prefixed(`changes.${i}.object`, () => validate(change.kind, submitted));
      const id = change.id ?? `preview-${i}`;
      const meta = existing ?? {
        id,
        kind: change.kind,
        revision: 0,
        createdAtMs: 0,
        createdBy: '',
        updatedAtMs: 0,
        updatedBy: '',
      };
      objects.set(id, { kind: change.kind, meta, value: { ...value, id } } as SnapshotObject);
    }
    return new ObjectSnapshot(-1, [...objects.values()]);
  }

  /** Runs `listener` with each new snapshot as it is built (the fleet redacts its secrets by value). */
  onSnapshot(listener: (snapshot: ObjectSnapshot) => void): void {
    this.snapshotListeners.push(listener);
  }

  private invalidate(): void {
    this.current = undefined;
    for (const listener of this.listeners) listener();
    // Rebuilt at once rather than on the next render, so redaction never lags a new secret.
    void this.snapshot().catch(() => undefined);
  }

  private async load(): Promise<ObjectSnapshot> {
    const objects = await this.storage.pipelineObjects.list();
    this.fingerprint = fingerprintOf(objects);
    this.generation += 1;
    const snapshot = new ObjectSnapshot(
      this.generation,
      objects.map((o) => this.opened(o)),
    );
    for (const listener of this.snapshotListeners) listener(snapshot);
    return snapshot;
  }

  private opened(object: StoredObject): SnapshotObject {
    const spec = openSecrets(this.box, object.id, object.spec, secretPaths(object.kind, object.spec));
    const { spec: _spec, name: _name, ...meta } = object;
    return { kind: object.kind, meta, value: { ...(spec as object), id: object.id } } as SnapshotObject;
  }

  /** The submitted body with the secrets it left out taken from the stored object (same type only). */
  private withKeptSecrets(kind: PipelineObjectKind, existing: StoredObject, body: unknown): unknown {
    const paths = configSecretPaths(kind, existing.spec);
    if (paths.length === 0 || typeOf(body) !== typeOf(existing.spec)) return body;
    const stored = openSecrets(this.box, existing.id, existing.spec, secretPaths(kind, existing.spec)) as {
      config?: unknown;
    };
    const submitted = body as { config?: unknown };
    return { ...submitted, config: keepOmittedSecrets(submitted.config, stored.config, paths) };
  }

  /** Every object a route names exists and is of the right kind; locks them until commit. */
  private async checkReferences(stores: Stores, route: Route): Promise<void> {
    const wanted: Array<{ field: string; id: string; kind: PipelineObjectKind }> = [
      { field: 'sourceId', id: route.sourceId, kind: 'source' },
      ...(route.pipelineId === undefined
        ? []
        : [{ field: 'pipelineId', id: route.pipelineId, kind: 'pipeline' as const }]),
      ...route.destinationIds.map((id, i) => ({
        field: `destinationIds.${i}`,
        id,
        kind: 'destination' as const,
      })),
      ...route.target.groupIds.map((id, i) => ({
        field: `target.groupIds.${i}`,
        id,
        kind: 'group' as const,
      })),
    ];
    const present = new Set(await stores.pipelineObjects.lock(wanted.map((w) => w.id)));
    for (const want of wanted) {
      const found = present.has(want.id) ? await stores.pipelineObjects.get(want.id) : undefined;
      if (found?.kind !== want.kind) throw invalid(want.field, `no ${want.kind} with id ${want.id}`);
    }
  }

  private async audit(stores: Stores, context: RequestContext, action: string, object: StoredObject) {
    await stores.audit.append({
      atMs: this.clock.nowMs(),
      actor: context.actor,
      action,
      target: `${object.kind}:${object.id}`,
      sourceIp: context.sourceIp,
      detail: `"${object.name}" revision ${object.revision} (/${objectCollectionPath[object.kind]})`,
    });
  }
}

/** Validates a body against its kind's schema: the first problem, naming its field, as `invalid`. */
function validate(kind: PipelineObjectKind, body: unknown): { name: string } & Record<string, unknown> {
  const result = schemas[kind].safeParse(body);
  if (result.success) return result.data as { name: string } & Record<string, unknown>;
  const errors = fieldErrors(result.error);
  const first = errors[0] ?? { field: '(root)', message: 'invalid' };
  const more =
    errors.length > 1
      ? ` (and ${errors.length - 1} more: ${errors
          .slice(1, 4)
          .map((e) => e.field)
          .join(', ')})`
      : '';
  throw invalid(first.field, `${first.field}: ${first.message}${more}`);
}

function prefixed<T>(prefix: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'invalid')
      throw invalid(`${prefix}.${error.field ?? ''}`, error.message);
    throw error;
  }
}

function checkRevision(kind: PipelineObjectKind, existing: StoredObject, ifRevision: number | undefined) {
  if (ifRevision !== undefined && ifRevision !== existing.revision)
    throw conflict(
      `${kind} "${existing.name}" is at revision ${existing.revision}, not ${ifRevision}: someone changed it meanwhile; reload it and apply your change again`,
    );
}

function referencesOf(route: Route): string[] {
  return [
    route.sourceId,
    ...(route.pipelineId ? [route.pipelineId] : []),
    ...route.destinationIds,
    ...route.target.groupIds,
  ];
}

function fingerprintOf(objects: readonly StoredObject[]): string {
  return objects
    .map((o) => `${o.id}@${o.revision}`)
    .sort()
    .join(',');
}
