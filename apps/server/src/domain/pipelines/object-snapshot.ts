import {
  groupMatches,
  routeTargets,
  type Destination,
  type Group,
  type Pipeline,
  type Route,
  type Source,
} from '@linkmesh/pipelines/model';
import type { ResolvedRoute, TypedObject } from '@linkmesh/pipelines/render-input';
import { secretPlaceholder } from '@linkmesh/pipelines/secret-placeholders';
import { mapSecrets, secretFieldsOf } from '@linkmesh/pipelines/secrets';
import type { ObjectMeta } from './pipeline-object.types.ts';

/** A collector as routes and groups see it: its id and its effective labels. */
export interface TargetedCollector {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The routes that target one collector, resolved for the renderers. */
export interface CollectorRoutes {
  readonly routes: readonly ResolvedRoute[];
  /**
   * Identifies the input set: the snapshot generation and the routes. Collectors with the same
   * key, runtime and version render to the same template (apart from their own id).
   */
  readonly key: string;
}

type Kinded = { source: Source; destination: Destination; pipeline: Pipeline; route: Route; group: Group };
export type SnapshotObject = {
  [K in keyof Kinded]: { kind: K; meta: ObjectMeta; value: Kinded[K] };
}[keyof Kinded];

/**
 * Every pipeline object at one moment, secrets opened, for rendering. Secret values never reach
 * a renderer: a source's or destination's secret fields are handed over as placeholders
 * (`obj.<id>.<n>`), and {@link secrets} holds their values for delivery only. Immutable: a
 * write or a refresh that finds changes builds the next one (`generation` + 1).
 */
export class ObjectSnapshot {
  readonly routes: readonly Route[];
  readonly groups: readonly Group[];
  /** Placeholder name → secret value, for every secret of every object. */
  readonly secrets: ReadonlyMap<string, string>;
  private readonly byId = new Map<string, SnapshotObject>();
  private readonly rendered = new Map<string, TypedObject>();

  constructor(
    readonly generation: number,
    objects: readonly SnapshotObject[],
  ) {
    const secrets = new Map<string, string>();
    for (const object of objects) {
      this.byId.set(object.meta.id, object);
      if (object.kind === 'source' || object.kind === 'destination') {
        const { value } = object;
        const paths = secretFieldsOf(object.kind, value.type) ?? [];
        let n = 0;
        const config = mapSecrets(value.config, paths, (secret) => {
          const name = `obj.${object.meta.id}.${n++}`;
          secrets.set(name, secret);
          return secretPlaceholder(name);
        });
        this.rendered.set(object.meta.id, { id: object.meta.id, name: value.name, type: value.type, config });
      }
    }
    this.secrets = secrets;
    const sorted = (kind: 'route' | 'group') =>
      objects.filter((o) => o.kind === kind).sort((a, b) => (a.meta.id < b.meta.id ? -1 : 1));
    this.routes = sorted('route').map((o) => o.value as Route);
    this.groups = sorted('group').map((o) => o.value as Group);
  }

  get(id: string): SnapshotObject | undefined {
    return this.byId.get(id);
  }

  all(): SnapshotObject[] {
    return [...this.byId.values()];
  }

  /** The enabled routes that target this collector (by id, group or labels), by id. */
  routesTargeting(collector: TargetedCollector): Route[] {
    return this.routes.filter((route) => routeTargets(route, collector, this.groups));
  }

  groupMembers<C extends TargetedCollector>(groupId: string, collectors: readonly C[]): C[] {
    const object = this.byId.get(groupId);
    if (object?.kind !== 'group') return [];
    return collectors.filter((c) => groupMatches(object.value, c.labels));
  }

  /** The collector's routes with their objects looked up; a route whose object is missing is skipped. */
  resolveFor(collector: TargetedCollector): CollectorRoutes {
    const routes = this.routesTargeting(collector).flatMap((route) => {
      const resolved = this.resolve(route);
      return resolved ? [resolved] : [];
    });
    return { routes, key: `${this.generation}:${routes.map((r) => r.id).join(',')}` };
  }

  resolve(route: Route): ResolvedRoute | undefined {
    const source = this.rendered.get(route.sourceId);
    const pipeline = route.pipelineId === undefined ? undefined : this.byId.get(route.pipelineId);
    const destinations = route.destinationIds.map((id) => this.rendered.get(id));
    if (!source || destinations.some((d) => d === undefined)) return undefined;
    if (route.pipelineId !== undefined && pipeline?.kind !== 'pipeline') return undefined;
    return {
      id: route.id,
      name: route.name,
      enabled: route.enabled,
      source,
      pipeline:
        pipeline?.kind === 'pipeline'
          ? {
              id: pipeline.meta.id,
              name: pipeline.value.name,
              processors: pipeline.value.processors,
              outputFilter: pipeline.value.outputFilter,
            }
          : undefined,
      destinations: destinations as TypedObject[],
    };
  }
}
